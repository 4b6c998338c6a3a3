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


def tsne_torchdr(features: np.ndarray, init: np.ndarray, values: dict[str, Any], seed: int, device: str) -> np.ndarray:
    """t-SNE by TorchDR on ``device``, from the shared PCA initialisation, with this method's iterations."""
    torchdr = require_torchdr()
    model = torchdr.TSNE(
        perplexity=values["perplexity"], max_iter=values["early_exaggeration_iter"] + values["n_iter"],
        early_exaggeration_iter=values["early_exaggeration_iter"], init=init.astype(np.float32), device=device,
        random_state=seed, backend="faiss", verbose=False,
    )
    return np.asarray(model.fit_transform(features.astype(np.float32)), dtype=np.float32)


def umap_torchdr(features: np.ndarray, init: np.ndarray, values: dict[str, Any], n_epochs: int, seed: int,
                 device: str) -> np.ndarray:
    """UMAP by TorchDR on ``device``, from the shared PCA initialisation."""
    torchdr = require_torchdr()
    model = torchdr.UMAP(
        n_neighbors=values["n_neighbors"], min_dist=values["min_dist"], spread=values["spread"],
        negative_sample_rate=values["negative_sample_rate"], max_iter=n_epochs, init=init.astype(np.float32),
        device=device, random_state=seed, backend="faiss", verbose=False,
    )
    return np.asarray(model.fit_transform(features.astype(np.float32)), dtype=np.float32)
