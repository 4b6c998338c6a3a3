"""Shared work done once per data set: scaling, PCA, and one k-nearest-neighbour graph.

Every embedder starts from the same :class:`Prepared` data: pixels scaled to
[0, 1], reduced by PCA (100 dimensions by default), and a k-NN graph for the
largest k any requested method needs. UMAP, openTSNE and PyMDE all accept a
precomputed graph, so it is computed once instead of three times, and PCA's
2-D picture is the first two components of the same decomposition.

The graph comes from faiss: an inverted-file index (IVF, 256 lists, 16 probed)
for large sets, which returns about 99% of the exact neighbours in a few
seconds for 70,000 points, and exact brute force for small ones.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import check_number
from ..progress import progress_bar, step
from .gpu import torch_knn

log = logging.getLogger(__name__)

#: PCA dimensions before embedding. 100 rather than 50: on Fashion-MNIST, UMAP's
#: 10-NN accuracy was 0.769 after PCA to 50, 0.781 after PCA to 100, 0.783 on raw pixels.
DEFAULT_PCA_DIMS = 100
#: Below this many points the k-NN graph is exact (brute force).
EXACT_KNN_BELOW = 20_000
IVF_LISTS = 256
IVF_PROBES = 16


def check_pca_dims(pca_dims: int | None) -> int | None:
    """``pca_dims`` checked, for every entry point alike: None or 0 turn PCA off (None is returned), else a whole
    number of at least 2 (the two dimensions every method needs)."""
    if pca_dims is None or (isinstance(pca_dims, int) and not isinstance(pca_dims, bool) and pca_dims == 0):
        return None
    return int(check_number(pca_dims, "pca_dims", low=2, integer=True))


def reduces(pca_dims: int | None, n_features: int) -> bool:
    """Whether PCA to ``pca_dims`` changes data of ``n_features`` dimensions: not when PCA is off, nor when the data
    has that many dimensions or fewer (it is then used as it is)."""
    return bool(pca_dims) and n_features > pca_dims  # type: ignore[operator]


def scale_pixels(X: np.ndarray) -> np.ndarray:
    """uint8 pixels -> float32 in [0, 1]; float input is only cast to float32."""
    if X.dtype == np.uint8:
        return X.astype(np.float32) * np.float32(1 / 255)
    return np.asarray(X, dtype=np.float32)


def pca_model(X: np.ndarray, n_components: int, seed: int) -> Any:
    """The PCA every step uses (scikit-learn's, randomized SVD, seeded), not fitted yet: ``n_components`` of
    ``X``'s, or as many as it has."""
    from sklearn.decomposition import PCA

    return PCA(n_components=min(n_components, X.shape[1], X.shape[0]), svd_solver="randomized", random_state=seed)


def pca_reduce(X: np.ndarray, n_components: int, seed: int) -> np.ndarray:
    """Project ``X`` onto its leading principal components (:func:`pca_model`), float32."""
    return np.ascontiguousarray(pca_model(X, n_components, seed).fit_transform(X), dtype=np.float32)


def _ensure_self_first(indices: np.ndarray, distances: np.ndarray) -> None:
    """Make column 0 each point itself (duplicates can tie with it), in place."""
    rows = np.flatnonzero(indices[:, 0] != np.arange(len(indices)))
    for i in rows:
        where = np.flatnonzero(indices[i] == i)
        j = where[0] if len(where) else indices.shape[1] - 1  # not returned: drop the farthest
        indices[i, 1 : j + 1] = indices[i, :j].copy()
        distances[i, 1 : j + 1] = distances[i, :j].copy()
        indices[i, 0], distances[i, 0] = i, 0.0


def knn_graph(Z: np.ndarray, k: int, seed: int = 0, method: str = "auto",
              progress: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest neighbours of every row of ``Z`` (Euclidean).

    Returns ``indices`` (n, k + 1) int64 and ``distances`` (n, k + 1) float32,
    with each point itself in column 0. ``method`` is ``"exact"``, ``"ivf"``
    (approximate, faiss inverted file), ``"auto"`` (exact below
    :data:`EXACT_KNN_BELOW` points), or ``"torch"`` / ``"torch-cuda"`` (exact,
    through PyTorch on the CPU or a CUDA GPU).
    """
    n, d = Z.shape
    if k >= n:
        raise ValueError(f"cannot find {k} neighbours among {n} points")
    if method in ("torch", "torch-cuda"):  # exact, chunked through PyTorch (on the GPU for torch-cuda)

        with progress_bar(total=n, desc=f"{k}-NN graph ({method})", unit="pt", progress=progress) as bar:
            indices, distances = torch_knn(Z, k, device="cuda" if method == "torch-cuda" else "cpu")
            bar.update(n)
        return indices, distances
    import faiss

    if method == "auto":
        method = "exact" if n < EXACT_KNN_BELOW else "ivf"
    Z = np.ascontiguousarray(Z, dtype=np.float32)
    if method == "exact":
        index = faiss.IndexFlatL2(d)
    elif method == "ivf":
        n_lists = min(IVF_LISTS, max(1, n // 64))
        index = faiss.IndexIVFFlat(faiss.IndexFlatL2(d), d, n_lists)
        index.cp.seed = seed
        train = np.random.default_rng(seed).choice(n, size=min(n, n_lists * 64), replace=False)
        index.train(Z[np.sort(train)])
        index.nprobe = min(IVF_PROBES, n_lists)
    else:
        raise ValueError(f"unknown k-NN method {method!r}; valid: auto, exact, ivf")
    index.add(Z)
    indices = np.empty((n, k + 1), dtype=np.int64)
    distances = np.empty((n, k + 1), dtype=np.float32)
    chunk = max(1024, n // 20)
    with progress_bar(total=n, desc=f"{k}-NN graph ({method})", unit="pt", progress=progress) as bar:
        for start in range(0, n, chunk):
            squared, found = index.search(Z[start : start + chunk], k + 1)
            indices[start : start + chunk] = found
            distances[start : start + chunk] = np.sqrt(np.maximum(squared, 0))
            bar.update(len(found))
    missing = indices < 0  # IVF can return fewer than k+1 hits for isolated points
    if missing.any():
        raise RuntimeError(f"the k-NN index returned too few neighbours for {int(missing.any(1).sum())} points")
    _ensure_self_first(indices, distances)
    return indices, distances


@dataclass
class Prepared:
    """The shared input of every embedder for one data set (or subset).

    ``features`` are what the methods work on: pixels scaled to [0, 1] and
    PCA-reduced unless PCA is off (the raw pixels stay in
    :attr:`fmnist_viz.data.Dataset.X`); ``neighbors(k)`` returns the shared
    k-NN graph, computing it on first use when it was not given.
    """

    features: np.ndarray
    pca: np.ndarray | None = None
    knn_indices: np.ndarray | None = None
    knn_distances: np.ndarray | None = None
    seed: int = 0
    knn_method: str = "auto"
    progress: bool | None = None
    label: str = ""  # names the data in log messages
    pca_seconds: float = 0.0  # how long fitting its PCA took (what PCA's own fit is)

    def __len__(self) -> int:
        return len(self.features)

    @classmethod
    def from_features(cls, X: np.ndarray, seed: int = 0, pca_dims: int | None = DEFAULT_PCA_DIMS,
                      **kwargs: Any) -> Prepared:
        """Prepare an (n, d) array: scale uint8 pixels, then PCA to ``pca_dims`` (None: no PCA)."""
        X = scale_pixels(X)
        if reduces(pca_dims, X.shape[1]):
            start = time.perf_counter()
            with step(f"{kwargs.get('label') or 'data'}: PCA to {pca_dims} dimensions ({len(X)} points)"):
                Z = pca_reduce(X, pca_dims, seed)
            return cls(Z, pca=Z, seed=seed, pca_seconds=time.perf_counter() - start, **kwargs)
        return cls(X, seed=seed, **kwargs)

    def neighbors(self, k: int, include_self: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Indices and distances of the ``k`` nearest neighbours (plus self in column 0 if asked)."""
        if self.knn_indices is None or self.knn_indices.shape[1] < k + 1:
            with step(f"{self.label or 'data'}: neighbour graph of {len(self)} points "
                      f"(each point and its {k} nearest)"):
                self.knn_indices, self.knn_distances = knn_graph(
                    self.features, k, seed=self.seed, method=self.knn_method, progress=self.progress)
        first = 0 if include_self else 1
        return self.knn_indices[:, first : k + 1], self.knn_distances[:, first : k + 1]  # type: ignore[index]

    def principal_components(self, n: int = 2) -> np.ndarray:
        """The first ``n`` principal components (from the shared PCA when there was one)."""
        if self.pca is not None and self.pca.shape[1] >= n:
            return self.pca[:, :n]
        return pca_reduce(self.features, n, self.seed)
