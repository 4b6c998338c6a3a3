"""Preparing the data once for every job of a data set: scaling, PCA and one k-NN graph, each cached.

The graph is computed for the most neighbours any job needs (on the GPU,
exactly, when a job runs there) and reused by every method, by the point-by-
point measures (:func:`shared_graph`) and, on a GPU, by TorchDR.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

import numpy as np

from ..data import load
from ..embed import DEFAULT_PCA_DIMS, Prepared
from ..embed.prepare import IVF_LISTS, IVF_PROBES
from ..results import EmbeddingResult
from ..store.cache import ResultCache
from .plan import Job, Subset

log = logging.getLogger("fmnist_viz.pipeline")


def prepare(subset: Subset, cache: ResultCache, knn_k: int, progress: bool | None, device: str = "cpu") -> Prepared:
    """Scale + PCA and the k-NN graph for ``knn_k`` neighbours (exact on CUDA there), from the cache when possible."""
    from importlib import metadata

    title = subset.data.title
    made: list[Prepared] = []  # the one prepared here, when not cached (it knows how long its PCA took)

    def scale_and_reduce() -> tuple[dict[str, np.ndarray], None]:
        made.append(Prepared.from_features(subset.data.X[subset.index], seed=subset.seed, pca_dims=subset.pca_dims,
                                           progress=progress, label=title))
        return {"X": made[0].features, "is_pca": np.array(made[0].pca is not None)}, None

    entry = cache.get_or_compute("prepared", subset.prepared_key, scale_and_reduce)
    if entry.cached:
        features = entry.arrays["X"]
        made.append(Prepared(features, pca=features if entry.arrays["is_pca"] else None, seed=subset.seed,
                             progress=progress, label=title))
        log.info("%s: prepared data from the cache", title)
    prepared = made[0]
    if knn_k > 0:
        # one graph per prepared data set, whatever k: a graph of more neighbours serves any smaller k, and one
        # of fewer is replaced by the larger one asked for
        knn_key = {**subset.prepared_key, "faiss": metadata.version("faiss-cpu"), "ivf": [IVF_LISTS, IVF_PROBES]}
        if device == "cuda":  # the exact graph on the GPU: a key of its own
            prepared.knn_method = "torch-cuda"
            knn_key.update(faiss=None, ivf=None, torch=metadata.version("torch"), device="cuda")

        def graph() -> tuple[dict[str, np.ndarray], None]:
            indices, distances = prepared.neighbors(knn_k)
            return {"indices": indices, "distances": distances}, None

        entry = cache.get_or_compute("knn", knn_key, graph, usable=lambda found: found["indices"].shape[1] > knn_k)
        prepared.knn_indices, prepared.knn_distances = entry.arrays["indices"], entry.arrays["distances"]
        if entry.cached:
            log.info("%s: %d-NN graph from the cache", title, prepared.knn_indices.shape[1] - 1)
    return prepared


def shared_graph(result: EmbeddingResult, k: int = 10, data_dir: str | os.PathLike[str] | None = None,
                 progress: bool | None = None) -> np.ndarray:
    """Each point's ``k`` nearest neighbours in the prepared space its method saw (n, k), from the cache when made."""

    prepared_key = (result.cache_key or {}).get("prepared", {})
    pca = prepared_key.get("pca", result.variant.get("pca", DEFAULT_PCA_DIMS))
    sample_seed = prepared_key.get("seed", result.variant.get("sample", result.seed))
    if result.neighbors is not None and result.neighbors.shape[1] > k:  # the graph its run made, still in memory
        return result.neighbors[:, 1:k + 1]
    subset = Subset(load(result.dataset, "all", data_dir=data_dir), result.index, pca or None, sample_seed)
    prepared = prepare(subset, ResultCache(enabled=result.cache_key is not None), k, progress)
    return prepared.neighbors(k)[0][:, 1:]


def subsets(jobs: Sequence[Job]) -> list[Subset]:
    """The data sets of ``jobs``, each once, in order."""
    return list({id(j.subset): j.subset for j in jobs}.values())


def prepare_for(subset: Subset, jobs: Sequence[Job], cache: ResultCache, progress: bool | None,
                 min_k: int = 0) -> Prepared:
    """Prepare one data set for its jobs: a k-NN graph for the most neighbours any of them needs (and up to
    ``min_k``, a sweep's largest, where the data has the points), computed on the GPU when one runs there."""
    mine = [j for j in jobs if j.subset is subset]
    own_k = max(j.embedder.graph_neighbors for j in mine)
    k = max(own_k, min(min_k, len(subset.index) - 1)) if own_k else 0
    on_gpu = any(j.device == "cuda" for j in mine)
    prepared = prepare(subset, cache, k, progress, "cuda" if on_gpu else "cpu")
    subset.neighbors = prepared.knn_indices  # the results' measures use it too (shared_graph)
    return prepared
