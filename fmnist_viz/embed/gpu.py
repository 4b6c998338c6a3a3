"""What runs on a GPU besides PyMDE: the exact k-NN graph in PyTorch, and TorchDR's t-SNE and UMAP.

TorchDR (pure Python on PyTorch, which PyMDE already brings) is the GPU
backend of the ``tsne`` and ``umap`` methods (``--param backend=torchdr``, or
``auto`` when CUDA is seen); ``pip install 'fmnist-viz[gpu]'`` installs it. Both
also run on the CPU, so tests without a GPU exercise the same code.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np

from ..errors import UsageError

#: The TorchDR distribution, for versions in cache keys and install hints.
TORCHDR = "torchdr"


def torchdr_available() -> bool:
    """Whether TorchDR can be imported (without importing it)."""
    return importlib.util.find_spec(TORCHDR) is not None


def require_torchdr() -> Any:
    """Import TorchDR, or a clear error naming the install command."""
    if not torchdr_available():
        raise UsageError("backend=torchdr needs TorchDR: pip install 'fmnist-viz[gpu]' (or pip install torchdr)",
                         param="params")
    import torchdr

    return torchdr


def torch_knn(features: np.ndarray, k: int, device: str = "cpu", chunk: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """Exact k nearest neighbours of every row (each point itself in column 0), chunked through PyTorch.

    Returns indices (n, k + 1) int64 and Euclidean distances (n, k + 1)
    float32, as :func:`~fmnist_viz.embed.prepare.knn_graph` does; on CUDA the
    distance blocks stay on the GPU.
    """
    import torch

    points = torch.as_tensor(np.ascontiguousarray(features, dtype=np.float32), device=device)
    norms = (points * points).sum(dim=1)
    n = len(points)
    indices = np.empty((n, k + 1), dtype=np.int64)
    distances = np.empty((n, k + 1), dtype=np.float32)
    for start in range(0, n, chunk):
        block = points[start: start + chunk]
        squared = norms[start: start + chunk, None] - 2 * block @ points.T + norms[None, :]
        rows = torch.arange(start, start + len(block), device=device)
        squared[rows - start, rows] = -1.0  # each point first, whatever the rounding
        values, found = torch.topk(squared, k + 1, dim=1, largest=False)
        indices[start: start + len(block)] = found.cpu().numpy()
        distances[start: start + len(block)] = values.clamp_min(0).sqrt().cpu().numpy()
    distances[:, 0] = 0.0
    return indices, distances


def reuse_graph(model: Any, data: Any) -> Any:
    """Make a TorchDR model take its k-NN graph from ``data`` (the run's shared graph, exact on the GPU when one
    runs) instead of building its own (with faiss, on the CPU where only faiss-cpu is installed).

    TorchDR's sparse affinities ask ``affinity._distance_matrix(X, k=k, return_indices=True)`` for each point's
    k nearest others; this answers from the shared graph, as squared distances (TorchDR's ``sqeuclidean``).
    A dense request (no k) goes to TorchDR as before.
    """
    import torch

    affinity = model.affinity_in
    own = affinity._distance_matrix

    def from_shared_graph(X: Any, k: Any = None, return_indices: bool = False) -> Any:
        if k is None:
            return own(X, k=k, return_indices=return_indices)
        indices, distances = data.neighbors(int(k), include_self=False)
        squared = torch.as_tensor(np.square(distances, dtype=np.float32), device=X.device, dtype=X.dtype)
        found = torch.as_tensor(np.ascontiguousarray(indices), device=X.device)
        return (squared, found) if return_indices else squared

    affinity._distance_matrix = from_shared_graph
    return model


#: Above this many points TorchDR's t-SNE is its negative-sampling variant (InfoTSNE): the exact one computes
#: every pair's repulsion, quadratic in the points (4.9e9 pairs an iteration at 70,000).
EXACT_TSNE_BELOW = 20_000
#: InfoTSNE's iterations per exact t-SNE iteration: sampled repulsion converges more slowly. At 10,000 Fashion-MNIST
#: points on the CPU, 1,500 iterations came within 0.013 (10-NN accuracy) and 0.004 (trustworthiness) of openTSNE's
#: 500; 500 were 0.04 and 0.012 short (BENCHMARKS.md).
INFO_TSNE_ITERATIONS = 3


def tsne_torchdr(data: Any, start: np.ndarray, values: dict[str, Any], seed: int, device: str) -> np.ndarray:
    """t-SNE by TorchDR on ``device`` from ``start``, with this method's iterations, on the shared k-NN graph:
    the exact algorithm below :data:`EXACT_TSNE_BELOW` points, the negative-sampling one (InfoTSNE, with
    :data:`INFO_TSNE_ITERATIONS` times the iterations) above."""
    torchdr = require_torchdr()
    iterations = values["early_exaggeration_iter"] + values["n_iter"]
    kind, iterations = (torchdr.TSNE, iterations) if len(data) < EXACT_TSNE_BELOW else (
        torchdr.InfoTSNE, INFO_TSNE_ITERATIONS * iterations)
    model = reuse_graph(kind(
        perplexity=values["perplexity"], max_iter=iterations,
        early_exaggeration_iter=values["early_exaggeration_iter"], init=start.astype(np.float32), device=device,
        random_state=seed, backend="faiss", verbose=False,
    ), data)
    return np.asarray(model.fit_transform(data.features.astype(np.float32)), dtype=np.float32)


def umap_torchdr(data: Any, start: np.ndarray, values: dict[str, Any], n_epochs: int, seed: int,
                 device: str) -> np.ndarray:
    """UMAP by TorchDR on ``device`` from ``start``, on the shared k-NN graph."""
    torchdr = require_torchdr()
    model = reuse_graph(torchdr.UMAP(
        n_neighbors=values["n_neighbors"], min_dist=values["min_dist"], spread=values["spread"],
        negative_sample_rate=values["negative_sample_rate"], max_iter=n_epochs, init=start.astype(np.float32),
        device=device, random_state=seed, backend="faiss", verbose=False,
    ), data)
    return np.asarray(model.fit_transform(data.features.astype(np.float32)), dtype=np.float32)
