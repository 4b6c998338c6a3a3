"""Held-out images: fit each method on the training images, place the test images it never saw, and score them.

The way Sainburg, McInnes & Gentner (2021) compare methods on MNIST and
Fashion-MNIST: fit on the training split (all 60,000, or its first N images:
``fit_first=50000`` is their protocol), place the 10,000 test images through
each library's own mechanism (:mod:`fmnist_viz.embed.place`), then classify
the placed points by the fitted points' 2-D positions (scikit-learn's
``KNeighborsClassifier``, 1, 5 and 10 neighbours) and measure the
trustworthiness of the placed points' 2-D neighbourhoods.

Nothing of the test images reaches the fit: the PCA is fitted on the fitted
images alone and then applied to the placed ones, and the k-NN graph holds
only fitted points. Fits and placements are cached; a rerun computes nothing.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..data import load_all
from ..digest import short_digest
from ..embed import DEFAULT_PCA_DIMS, Prepared, check_pca_dims, create
from ..embed.devices import resolve_device
from ..embed.prepare import pca_model, reduces, scale_pixels
from ..embed.registry import check_can_place
from ..errors import MAX_SEED, UsageError, check_number, describe_error
from ..pipeline import as_list, check_method_params
from ..progress import step
from ..quality.metrics import DEFAULT_K, trustworthiness
from ..results import HELDOUT_K, HeldoutResult
from ..store.cache import ResultCache

log = logging.getLogger(__name__)

#: Bump when placements or their scores are computed differently, so cached ones are made again (3: PCA's
#: placement at --pca-dims 784 or more took the raw pixels for components).
HELDOUT_VERSION = 3
#: The fewest test images a data set must have to be placed and scored (trustworthiness@10 needs 22).
MIN_PLACED = 2 * DEFAULT_K + 2
#: The neighbours whose verdict pictures mark (a placed point misclassified by its 5 nearest fitted points).
MARKED_K = 5


class _PlaceFailed(Exception):
    """A method failed to fit or place (its cause says why): its row fails, the other methods go on."""


def check_fit_first(fit_first: int | None, train: int, need: int, title: str) -> int:
    """How many training images to fit on: all ``train``, or the first ``fit_first`` (at least ``need``)."""
    if fit_first is None:
        return train
    check_number(fit_first, "fit_first", low=1, high=train, integer=True)
    if fit_first < need:
        raise UsageError(f"must be at least {need} for these methods (their neighbours and the 10-NN score need "
                         f"that many fitted points), got {fit_first}; {title} has {train:,} training images",
                         param="fit_first")
    return int(fit_first)


def heldout(methods: str | Sequence[str], datasets: str | Sequence[str] = ("fashion",), *,
            fit_first: int | None = None, seed: int = 0, params: Mapping[str, Mapping[str, Any]] | None = None,
            device: str = "auto", pca_dims: int | None = None, use_cache: bool = True,
            data_dir: str | os.PathLike[str] | None = None, progress: bool | None = None) -> list[HeldoutResult]:
    """Fit each method on each data set's training images and place its test images; scored, in (data set,
    method) order. A method that cannot place, or a ``fit_first`` outside 1 to 60,000 or below what a method
    needs, is refused before any work."""

    check_number(seed, "seed", low=0, high=MAX_SEED, integer=True)
    methods, datasets = as_list(methods, "methods", (str,)), as_list(datasets, "datasets", (str,))
    methods = list(dict.fromkeys(methods))  # each once: a method named twice is one row
    params = check_method_params(params, methods)
    embedders = [create(m, params.get(m)) for m in methods]
    for e in embedders:
        check_can_place(e)
    pca_dims = DEFAULT_PCA_DIMS if pca_dims is None else check_pca_dims(pca_dims)
    gpu = resolve_device(device, embedders)

    need = max(max(e.min_points() for e in embedders), max(HELDOUT_K) + 1)
    splits = []  # every data set checked before any is fitted
    for data in load_all(datasets, data_dir=data_dir, progress=progress):
        train, test = np.flatnonzero(data.is_train), np.flatnonzero(~data.is_train)
        if len(test) < MIN_PLACED:
            raise UsageError(f"{data.title} has {len(test)} test images; placing needs at least {MIN_PLACED} (their "
                             f"trustworthiness is measured among their {DEFAULT_K} nearest)")
        splits.append((data, train[:check_fit_first(fit_first, len(train), need, data.title)], test))
    results = []
    for data, fit_rows, test in splits:
        results += place_dataset(data, fit_rows, test, embedders, seed=seed, gpu=gpu, pca_dims=pca_dims,
                                 use_cache=use_cache, progress=progress)

    return results


def place_dataset(data: Any, fit_rows: np.ndarray, new_rows: np.ndarray, embedders: Sequence[Any], *, seed: int,
                  gpu: str, pca_dims: int | None, use_cache: bool, progress: bool | None) -> list[HeldoutResult]:
    """Each embedder fitted on ``fit_rows`` of ``data`` with ``new_rows`` placed: prepared once (the PCA fitted on
    the fitted rows alone), each placement from the cache when made before, every one scored."""

    cache = ResultCache(enabled=use_cache)
    base = {"data": data.fingerprint(), "fit": short_digest(fit_rows, length=16), "n": len(fit_rows),
            "new": short_digest(new_rows, length=16), "m": len(new_rows), "pca": pca_dims or None, "seed": seed,
            "version": HELDOUT_VERSION}
    prepared: list[Any] = []  # made on first need: a rerun from the cache reads no pixels

    def prepare() -> tuple[Any, np.ndarray, float]:
        if not prepared:
            fit, new, (pca_fit, pca_place) = prepare_split(data.X[fit_rows], data.X[new_rows], pca_dims, seed,
                                                           cache, base)
            k = max(e.graph_neighbors for e in embedders)
            # the fitted PCA's components only where it was applied (the raw pixels are no components)
            fit_prepared = Prepared(fit, pca=fit if reduces(pca_dims, data.X.shape[1]) else None, seed=seed,
                                    progress=progress, label=data.title, pca_seconds=float(pca_fit))
            if k:
                fit_prepared.neighbors(k)
            prepared.append((fit_prepared, new, float(pca_place)))
        return prepared[0]

    out = []
    for embedder in embedders:
        run_on = embedder.place_device_for(gpu)
        key = {**base, "embedder": embedder.cache_key(), "device": run_on}
        fit_first = None if len(fit_rows) == data.is_train.sum() else len(fit_rows)
        result = HeldoutResult(data.name, data.title, embedder.name, dict(embedder.values), seed,
                               tuple(data.class_names), fit_rows, np.asarray(data.y[fit_rows]), new_rows,
                               np.asarray(data.y[new_rows]), device=run_on, fit_first=fit_first,
                               pca_dims=pca_dims or 0, variant=heldout_variant(embedder, fit_first, seed, pca_dims))

        def fit_place_score(embedder: Any = embedder, result: HeldoutResult = result, run_on: str = run_on
                            ) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
            fit, new, pca_place = prepare()
            try:
                with step(f"{data.title}: {embedder.name} fitted on {len(fit_rows):,} images, "
                          f"{len(new_rows):,} placed ({run_on})"):
                    placement = embedder.fit_place(fit, new, seed=seed, device=run_on)
            except UsageError:
                raise
            except Exception as exc:  # a method that fails here fails its row, the others go on
                raise _PlaceFailed from exc
            result.fitted, result.placed = placement.fitted, placement.placed
            metrics, wrong = score(result, data.X[new_rows])
            # placing a new image starts with the fitted PCA's transform of it
            return ({"fitted": placement.fitted, "placed": placement.placed, "wrong": wrong},
                    {"dataset": data.name, "method": embedder.name, "fit_seconds": placement.fit_seconds,
                     "place_seconds": placement.place_seconds + pca_place, "metrics": metrics})

        try:
            entry = cache.get_or_compute("heldout", key, fit_place_score)
        except _PlaceFailed as failed:
            error = describe_error(failed.__cause__)  # type: ignore[arg-type]
            log.warning("%s: %s could not place: %s", data.title, embedder.name, error)
            result.error = error
            out.append(result)
            continue
        result.fitted, result.placed, result.wrong = (entry.arrays[name] for name in ("fitted", "placed", "wrong"))
        result.fit_seconds, result.place_seconds = entry.meta["fit_seconds"], entry.meta["place_seconds"]
        result.metrics, result.cached = dict(entry.meta["metrics"]), entry.cached
        if entry.cached:
            log.info("%s: %s fitted, placed and scored, from the cache", data.title, embedder.name)
        out.append(result)
    return out


def heldout_variant(embedder: Any, fit_first: int | None, seed: int, pca_dims: int | None) -> dict[str, Any]:
    """What differs from the defaults in one held-out result: the fitted images, the seed, the PCA, the method's
    parameters (its files are named by them, so runs with other settings never overwrite each other)."""

    variant: dict[str, Any] = {"fit": fit_first} if fit_first else {}
    if seed:
        variant["seed"] = seed
    if (pca_dims or 0) != DEFAULT_PCA_DIMS:
        variant["pca"] = pca_dims or 0
    return {**variant, **embedder.changed_params()}


def prepare_split(X_fit: np.ndarray, X_new: np.ndarray, pca_dims: int | None, seed: int, cache: Any,
                  base: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Both sets' features: pixels scaled to [0, 1], then a PCA fitted on ``X_fit`` alone and applied to both
    (nothing of ``X_new`` reaches the fit), cached; and the seconds the PCA's fit and its transform of ``X_new``
    took (PCA's own fit, and a step of every placement)."""
    import time
    from importlib import metadata

    key = {**base, "sklearn": metadata.version("scikit-learn")}

    def split() -> tuple[dict[str, np.ndarray], None]:
        fit, new = scale_pixels(X_fit), scale_pixels(X_new)
        seconds = np.zeros(2)
        if reduces(pca_dims, fit.shape[1]):
            start = time.perf_counter()
            model = pca_model(fit, pca_dims, seed).fit(fit)
            fit = np.ascontiguousarray(model.transform(fit), dtype=np.float32)
            middle = time.perf_counter()
            new = np.ascontiguousarray(model.transform(new), dtype=np.float32)
            seconds = np.array([middle - start, time.perf_counter() - middle])
        return {"X": fit, "new": new, "seconds": seconds}, None

    arrays = cache.get_or_compute("split", key, split).arrays
    return arrays["X"], arrays["new"], arrays["seconds"]


def score(result: HeldoutResult, X_placed: np.ndarray) -> tuple[dict[str, float], np.ndarray]:
    """How well the placed points sit: classified by their k nearest fitted points in 2-D (k = 1, 5, 10), and
    the trustworthiness of their own 2-D neighbourhoods (on a fixed sample of 5,000, as every figure measures).
    Also which placed points the 5 nearest misclassify (bool per placed point), which pictures mark."""
    from sklearn.neighbors import KNeighborsClassifier

    found, wrong = {}, np.zeros(len(result.placed), bool)
    for k in HELDOUT_K:
        predicted = KNeighborsClassifier(n_neighbors=k).fit(result.fitted, result.fitted_labels).predict(result.placed)
        found[f"knn{k}_accuracy"] = float(np.mean(predicted == result.placed_labels))
        if k == MARKED_K:
            wrong = predicted != result.placed_labels
    found["trustworthiness"] = trustworthiness(X_placed, result.placed, seed=result.seed)
    return found, wrong
