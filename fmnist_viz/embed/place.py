"""Placing new points into a fitted layout, each method through its library's own mechanism, never by re-fitting.

- PCA: the fitted components applied to the new points (the shared PCA's first two, or a PCA of two fitted on
  the fitted points when PCA is off);
- t-SNE: openTSNE's ``TSNEEmbedding.transform`` (each new point optimised against the fixed layout);
- UMAP: umap-learn's ``transform``;
- PyMDE: the fitted points held fixed by PyMDE's ``Anchored`` constraint, only the new points optimised, pulled
  to their nearest fitted points and pushed from others.

The fitted points do not move. Each library asks for the new points' nearest fitted points; they are found
exactly (faiss) in the prepared space, the same space as the shared k-NN graph of the fit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .prepare import pca_model

if TYPE_CHECKING:
    from .prepare import Prepared


@dataclass
class Placement:
    """A fitted layout and new points placed into it, with the seconds each took."""

    fitted: np.ndarray  # (n, 2) float32
    placed: np.ndarray  # (m, 2) float32
    fit_seconds: float
    place_seconds: float


class FittedSearch:
    """Each new point's k nearest fitted points, exactly: what a method's own transform asks its search index.

    Answers umap-learn's ``query(X, k, epsilon=...)`` and, wrapped, openTSNE's ``query(X, k)``: indices (m, k)
    and Euclidean distances (m, k).
    """

    _angular_trees = False  # read by umap-learn's transform

    def __init__(self, features: np.ndarray) -> None:
        import faiss

        self.features = np.ascontiguousarray(features, dtype=np.float32)
        self.index = faiss.IndexFlatL2(self.features.shape[1])
        self.index.add(self.features)

    def query(self, X: np.ndarray, k: int, **_: Any) -> tuple[np.ndarray, np.ndarray]:
        squared, indices = self.index.search(np.ascontiguousarray(X, dtype=np.float32), int(k))
        return indices.astype(np.int64), np.sqrt(np.maximum(squared, 0)).astype(np.float32)


def timed(work: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    out = work()
    return out, time.perf_counter() - start


def place_pca(fit: Prepared, new: np.ndarray, seed: int) -> Placement:
    """PCA: the first two components of the fitted points' PCA, applied to the new points."""
    if fit.pca is not None and fit.pca.shape[1] >= 2:  # the shared PCA, fitted on the fitted points alone
        (fitted, placed), seconds = timed(lambda: (fit.pca[:, :2], new[:, :2]))
        return Placement(np.asarray(fitted, np.float32), np.asarray(placed, np.float32), fit.pca_seconds, seconds)

    model, fit_seconds = timed(lambda: pca_model(fit.features, 2, seed).fit(fit.features))
    placed, place_seconds = timed(lambda: model.transform(new))
    return Placement(model.transform(fit.features).astype(np.float32), placed.astype(np.float32), fit_seconds,
                     place_seconds)


def place_tsne(embedding: Any, fit: Prepared, new: np.ndarray, fit_seconds: float) -> Placement:
    """t-SNE: openTSNE's ``transform`` of the new points into the fitted ``embedding`` (a ``TSNEEmbedding`` whose
    affinities can query the fitted points: :func:`searchable_neighbors`)."""
    placed, seconds = timed(lambda: np.asarray(embedding.transform(np.asarray(new, dtype=np.float64))))
    return Placement(np.asarray(embedding, np.float32), placed.astype(np.float32), fit_seconds, seconds)


def searchable_neighbors(indices: np.ndarray, distances: np.ndarray, features: np.ndarray) -> Any:
    """openTSNE's precomputed-neighbours index, which can also find new points' neighbours among the fitted ones
    (its own raises): what ``TSNEEmbedding.transform`` needs."""
    from openTSNE.nearest_neighbors import PrecomputedNeighbors

    class Searchable(PrecomputedNeighbors):
        def __init__(self) -> None:
            super().__init__(indices, distances.astype(np.float64))
            self.search = FittedSearch(features)

        def query(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
            found, far = self.search.query(query, k)
            return found, far.astype(np.float64)

    return Searchable()


def place_umap(reducer: Any, fit: Prepared, new: np.ndarray, fit_seconds: float) -> Placement:
    """UMAP: umap-learn's ``transform``, its search index answering from the fitted points exactly."""
    reducer._knn_search_index = FittedSearch(fit.features)  # it had none: the fit was given the shared graph
    placed, seconds = timed(lambda: reducer.transform(np.asarray(new, dtype=np.float32)))
    return Placement(np.asarray(reducer.embedding_, np.float32), np.asarray(placed, np.float32), fit_seconds, seconds)


def place_pymde(fitted: np.ndarray, fit: Prepared, new: np.ndarray, values: dict[str, Any], seed: int, device: str,
                fit_seconds: float) -> Placement:
    """PyMDE: the fitted points anchored where they are (``pymde.Anchored``), only the new points optimised: each
    pulled to its nearest fitted points (the fit's attractive penalty) and pushed from as many random fitted ones
    (its repulsive penalty), as the fit weighed its own pairs."""
    def work() -> np.ndarray:
        import pymde
        import torch
        from pymde.functions import penalties

        pymde.seed(seed)
        n, m, k = len(fitted), len(new), values["n_neighbors"]
        near, _ = FittedSearch(fit.features).query(new, k)
        rows = np.repeat(np.arange(n, n + m), k)
        pulls = np.stack([near.ravel(), rows], axis=1)
        far = np.random.default_rng(seed).integers(0, n, (m, max(1, int(round(values["repulsive_fraction"] * k)))))
        pushes = np.stack([far.ravel(), np.repeat(np.arange(n, n + m), far.shape[1])], axis=1)
        edges = torch.as_tensor(np.concatenate([pulls, pushes]), device=device)
        weights = torch.cat([torch.ones(len(pulls)), -torch.ones(len(pushes))]).to(device)
        anchors = torch.as_tensor(np.asarray(fitted, np.float32), device=device)
        start = np.concatenate([fitted, fitted[near].mean(axis=1)]).astype(np.float32)  # at its neighbours' centre
        start[n:] += 1e-3 * np.random.default_rng(seed).standard_normal((m, 2)).astype(np.float32)
        mde = pymde.MDE(n_items=n + m, embedding_dim=2, edges=edges, device=device,
                        distortion_function=penalties.PushAndPull(weights, attractive_penalty=penalties.Log1p,
                                                                  repulsive_penalty=penalties.Log),
                        constraint=pymde.Anchored(torch.arange(n, device=device), anchors))
        return mde.embed(torch.as_tensor(start, device=device), max_iter=values["max_iter"]).detach().cpu().numpy()

    out, seconds = timed(work)
    return Placement(np.asarray(fitted, np.float32), out[len(fitted):].astype(np.float32), fit_seconds, seconds)
