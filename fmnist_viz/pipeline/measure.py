"""The cached measuring: quality numbers and point-by-point measures of results, computed once and cached beside
each embedding, and the copies of results that files are drawn from.

The measures themselves are pure functions of arrays (:mod:`fmnist_viz.quality`); here they meet the data
(loaded by name) and the store, so writers (:mod:`fmnist_viz.outputs`) are handed what they draw and measure
nothing themselves.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..data import load
from ..progress import step
from ..quality.align import align_results
from ..quality.metrics import (
    DEFAULT_K,
    DEFAULT_SAMPLE,
    check_k,
    measure,
    metrics_key,
)
from ..quality.pointwise import MEASURES, POINTWISE_VERSION, disagreement, preservation
from ..quality.structure import (
    DISTANCE_PAIRS,
    GLOBAL_DIMS,
    GLOBAL_SEED,
    distance_pairs,
    global_features,
    pair_distances,
)
from ..store.cache import ResultCache
from .prepare import shared_graph


def evaluate_results(results: Sequence[Any], data_dir: str | os.PathLike[str] | None = None, *,
                     k: int = DEFAULT_K, sample: int = DEFAULT_SAMPLE) -> None:
    """Fill each :class:`~fmnist_viz.results.EmbeddingResult`'s ``metrics`` (see :func:`evaluate`).

    Numbers measured before for the same embedding (and ``k``, ``sample``)
    come from the cache; the rest are measured, loading each data set once,
    and cached beside their embedding.
    """
    for result in results:
        check_k(k, len(result), sample)
    cache = ResultCache()
    data: dict[str, Any] = {}  # each data set loaded once, when a result of it is measured
    spaces: dict[tuple[str, bytes], np.ndarray] = {}  # the global measures' space, once per data set and rows

    def quality(result: Any) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        with step(f"{result.title}: quality of {result.method}"):
            if result.dataset not in data:
                data[result.dataset] = load(result.dataset, "all", data_dir=data_dir)
            dataset = data[result.dataset]
            X, is_train = dataset.X[result.index], dataset.is_train[result.index]
            where = (result.dataset, result.index.tobytes())
            if where not in spaces:
                spaces[where] = global_space(result, X, cache)
            numbers = measure(result.method, X, result.embedding, result.labels, is_train, result.seed,
                              features=spaces[where], k=k, sample=sample)
        return {name: np.array(value) for name, value in numbers.items()}, {"dataset": result.dataset,
                                                                            "method": result.method}

    for result in results:
        key = None if result.cache_key is None else metrics_key(result.cache_key, k, sample)
        entry = cache.get_or_compute("metrics", key, lambda result=result: quality(result))
        result.metrics = {name: float(value) for name, value in entry.arrays.items()}


def global_space(result: Any, X: np.ndarray, cache: ResultCache) -> np.ndarray:
    """The global measures' space of ``result``'s rows (:func:`~fmnist_viz.quality.structure.global_features`):
    see :func:`space_of`; not cached for a result made with the cache off."""
    prepared = None if result.cache_key is None else result.cache_key.get("prepared")
    return space_of(prepared if isinstance(prepared, dict) else None, X, cache)


def space_key(prepared_key: dict[str, Any]) -> dict[str, Any]:
    """Where the global measures' space of the rows of ``prepared_key`` is cached: as a run with the default PCA
    and seed prepares them."""
    return {**prepared_key, "pca": GLOBAL_DIMS, "seed": GLOBAL_SEED}


def space_of(prepared_key: dict[str, Any] | None, X: np.ndarray, cache: ResultCache) -> np.ndarray:
    """The global measures' space of the pixels ``X`` (the rows of ``prepared_key``): the prepared data a run with
    the default PCA and seed cached for the same rows, made (and cached as such) when there is none; made and
    not cached without a key."""
    key = None if prepared_key is None else space_key(prepared_key)
    space = cache.get_or_compute("prepared", key, lambda: (
        {"X": (made := global_features(X)), "is_pca": np.array(made.shape[1] < X.shape[1])}, None))
    return space.arrays["X"]


def shepard_distances(results: Sequence[Any], data_dir: str | os.PathLike[str] | None = None
                      ) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each result, the distances in the data and in its layout of the random point pairs its
    ``distance_spearman`` ranks (the same pairs for the same rows and seed): what a Shepard diagram draws."""
    cache = ResultCache()
    data: dict[str, Any] = {}
    found = []
    for result in results:
        if result.dataset not in data:
            data[result.dataset] = load(result.dataset, "all", data_dir=data_dir)
        space = global_space(result, data[result.dataset].X[result.index], cache)
        pairs = distance_pairs(len(result), DISTANCE_PAIRS, result.seed)
        found.append(pair_distances(space, result.embedding, pairs))
    return found


def point_quality(results: Sequence[Any], data_dir: str | os.PathLike[str] | None = None, *,
                  k: int = DEFAULT_K, progress: bool | None = None) -> None:
    """Fill each result's ``pointwise`` with ``disagreement`` and ``preservation`` arrays (cached beside it)."""
    cache = ResultCache()
    graphs: dict[tuple[str, bytes], np.ndarray] = {}  # one graph per data set and rows, for every method's result

    def measures(r: Any) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        with step(f"{r.title}: point-by-point quality of {r.method}"):
            where = (r.dataset, r.index.tobytes())
            if where not in graphs:
                graphs[where] = shared_graph(r, k, data_dir=data_dir, progress=progress)
            return ({"disagreement": disagreement(r.embedding, r.labels, k),
                     "preservation": preservation(r.embedding, graphs[where])},
                    {"dataset": r.dataset, "method": r.method})

    for r in results:
        if all(name in r.pointwise for name in MEASURES):  # measured before (another measure may be there too)
            continue
        key = None if r.cache_key is None else {"embedding": r.cache_key, "k": k, "version": POINTWISE_VERSION}
        entry = cache.get_or_compute("pointwise", key, lambda r=r: measures(r))
        r.pointwise = {**r.pointwise, **{name: entry.arrays[name] for name in MEASURES}}


def aligned_copies(results: Sequence[Any], align: str = "auto") -> tuple[list[Any], str | None]:
    """Copies of ``results`` as files draw them (the caller's stay as they are), each data set's layouts aligned
    onto one method's (``align``, see :func:`fmnist_viz.quality.align.align_results`), and that method's name."""
    copies = [dataclasses.replace(r) for r in results]
    return copies, align_results(copies, align)


def measure_for_drawing(results: Sequence[Any], *, quality: bool = True, pointwise: bool = False,
                        data_dir: str | os.PathLike[str] | None = None) -> None:
    """Fill what writers draw beside the layouts, each from the cache when measured before: the quality numbers
    of the titles (``quality``) and the point-by-point measures (``pointwise``: what pages, and figures coloured
    by a measure, show)."""
    if quality:
        evaluate_results([r for r in results if not r.metrics], data_dir=data_dir)
    if pointwise:
        point_quality(results, data_dir=data_dir)
