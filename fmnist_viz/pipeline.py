"""Running embedders on data sets: subsample, prepare once, share the graph, cache everything.

:func:`run` is what the CLI and notebooks call::

    results = run(["umap", "tsne"], ["fashion", "mnist"], n=10_000, seed=0)

Per data set it loads the images, takes a stratified subsample if asked,
looks up every requested embedding in the cache, and only for the missing ones
prepares the data (scale + PCA) and one k-NN graph for the largest k they need,
each itself cached, before running the methods.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .cache import ResultCache
from .datasets import Dataset, get_spec, load
from .embedding import Embedder, create
from .errors import UsageError
from .prepare import IVF_LISTS, IVF_PROBES, Prepared, knn_graph, pca_reduce, scale_pixels
from .timing import step

log = logging.getLogger(__name__)

DEVICES = ("auto", "cpu", "cuda")


@dataclass
class EmbeddingResult:
    """One method's 2-D embedding of one data set (or a subsample of it)."""

    dataset: str
    title: str
    method: str
    params: dict[str, Any]
    embedding: np.ndarray  # (n, 2) float32
    labels: np.ndarray  # (n,) uint8
    index: np.ndarray  # (n,) int64: rows of load(dataset, split="all")
    class_names: tuple[str, ...]
    seed: int
    device: str
    seconds: float  # time the embedding took when it was computed
    cached: bool
    metrics: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.embedding)


def stratified_subsample(labels: np.ndarray, n: int | None, seed: int = 0) -> np.ndarray:
    """``n`` row numbers drawn per class in proportion to its size (all rows when ``n`` is None), sorted."""
    total = len(labels)
    if n is None or n == total:
        return np.arange(total)
    if n < 1 or n > total:
        raise UsageError(f"--n must be between 1 and {total} (the size of the data), got {n}")
    classes, counts = np.unique(labels, return_counts=True)
    quota = counts * n / total
    take = np.floor(quota).astype(int)
    remainder = n - take.sum()
    take[np.argsort(-(quota - take), kind="stable")[:remainder]] += 1  # largest remainders
    rng = np.random.default_rng(seed)
    picks = [rng.choice(np.flatnonzero(labels == c), size=t, replace=False) for c, t in zip(classes, take)]
    return np.sort(np.concatenate(picks))


def resolve_device(requested: str, embedders: Sequence[Embedder]) -> str:
    """The device for GPU-capable embedders: ``cuda`` when asked for or (``auto``) available."""
    if requested not in DEVICES:
        raise UsageError(f"unknown device {requested!r}; valid devices: {', '.join(DEVICES)}")
    if requested == "cpu" or (requested == "auto" and not any(e.supports_gpu for e in embedders)):
        return "cpu"
    if requested == "auto" and _surely_no_nvidia_gpu():
        return "cpu"  # without importing torch, which takes seconds
    import torch

    if torch.cuda.is_available():
        gpu = torch.cuda.get_device_name(0)
        users = ", ".join(e.name for e in embedders if e.supports_gpu) or "no method requested"
        log.info("using CUDA GPU %s for %s", gpu, users)
        return "cuda"
    if requested == "cuda":
        raise UsageError("--device cuda was asked for, but PyTorch sees no CUDA GPU; use --device auto or cpu")
    return "cpu"


def _surely_no_nvidia_gpu() -> bool:
    """True on Linux when no NVIDIA driver is loaded (so CUDA cannot be available)."""
    return sys.platform.startswith("linux") and not (
        os.path.exists("/proc/driver/nvidia/version") or os.path.exists("/dev/nvidiactl"))


def _digest(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()[:16]


@dataclass
class _Subset:
    """One data set's rows to embed, and the keys derived from them."""

    data: Dataset
    index: np.ndarray
    pca_dims: int | None
    seed: int

    @property
    def base_key(self) -> dict[str, Any]:
        return {"data": self.data.fingerprint(), "rows": _digest(self.index), "n": len(self.index)}

    @property
    def prepared_key(self) -> dict[str, Any]:
        from importlib import metadata

        return {**self.base_key, "scale": "pixels/255", "pca": self.pca_dims, "seed": self.seed,
                "sklearn": metadata.version("scikit-learn")}


def _prepare(subset: _Subset, cache: ResultCache, knn_k: int, progress: bool | None) -> Prepared:
    """Scale + PCA and the k-NN graph for ``knn_k`` neighbours, from the cache when possible."""
    from importlib import metadata

    found = cache.load("prepared", subset.prepared_key)
    if found is not None:
        Z = found[0]["X"]
        log.info("prepared data of %s: from the cache", subset.data.title)
    else:
        X = scale_pixels(subset.data.X[subset.index])
        if subset.pca_dims and X.shape[1] > subset.pca_dims:
            with step(f"{subset.data.title}: PCA to {subset.pca_dims} dimensions ({len(X)} points)"):
                Z = pca_reduce(X, subset.pca_dims, subset.seed)
        else:
            Z = X
        del X
        cache.store("prepared", subset.prepared_key, {"X": Z})
    prepared = Prepared(Z, pca=Z if subset.pca_dims else None, seed=subset.seed, progress=progress)
    if knn_k > 0:
        knn_key = {**subset.prepared_key, "k": knn_k, "faiss": metadata.version("faiss-cpu"),
                   "ivf": [IVF_LISTS, IVF_PROBES]}
        found = cache.load("knn", knn_key)
        if found is not None:
            prepared.knn_indices, prepared.knn_distances = found[0]["indices"], found[0]["distances"]
            log.info("%d-NN graph of %s: from the cache", knn_k, subset.data.title)
        else:
            with step(f"{subset.data.title}: {knn_k}-nearest-neighbour graph of {len(Z)} points"):
                indices, distances = knn_graph(Z, knn_k, seed=subset.seed, progress=progress)
            prepared.knn_indices, prepared.knn_distances = indices, distances
            cache.store("knn", knn_key, {"indices": indices, "distances": distances})
    return prepared


def _check_size(embedders: Sequence[Embedder], n: int, problem: str) -> None:
    """A clear error when a method needs more points than it would get."""
    short = [e for e in embedders if e.min_points() > n]
    if short:
        needs = ", ".join(f"{e.name} needs at least {e.min_points()}" for e in short)
        raise UsageError(f"{problem}: {needs} points with these parameters "
                         "(use a larger --n or a smaller neighbour count)")


def run(
    methods: Sequence[str | Embedder],
    datasets: Sequence[str],
    *,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    n: int | None = None,
    seed: int = 0,
    device: str = "auto",
    pca_dims: int | None = 50,
    use_cache: bool = True,
    data_dir: str | os.PathLike[str] | None = None,
    progress: bool | None = None,
) -> list[EmbeddingResult]:
    """Embed each data set with each method; results in (data set, method) order.

    ``methods`` are registry names or :class:`Embedder` instances, ``params``
    maps a method name to its parameters, ``n`` takes a stratified subsample
    (the same rows for every method), ``pca_dims`` None or 0 turns PCA off.
    Everything is validated before any work starts.
    """
    params = dict(params or {})
    unused = set(params) - {m if isinstance(m, str) else m.name for m in methods}
    if unused:
        raise UsageError(f"parameters given for method(s) not run: {', '.join(sorted(unused))}")
    embedders = [m if isinstance(m, Embedder) else create(m, params.get(m)) for m in methods]
    specs = [get_spec(name) for name in datasets]
    if n is not None:
        _check_size(embedders, n, f"--n {n} is too small")
    for embedder in embedders:
        ok, why = embedder.available()
        if not ok:
            raise UsageError(f"method {embedder.name} is not available: {why}")
    gpu_device = resolve_device(device, embedders)
    cache = ResultCache(enabled=use_cache)

    results = []
    for spec in specs:
        data = load(spec.name, "all", data_dir=data_dir, progress=progress)
        subset = _Subset(data, stratified_subsample(data.y, n, seed), pca_dims or None, seed)
        _check_size(embedders, len(subset.index), f"{spec.title} has only {len(subset.index)} points")
        prepared: Prepared | None = None
        knn_k = max(e.n_neighbors for e in embedders)
        for embedder in embedders:
            run_on = gpu_device if embedder.supports_gpu else "cpu"
            key = {**subset.base_key, "prepared": subset.prepared_key, "embedder": embedder.cache_key(),
                   "seed": seed, "device": run_on}
            found = cache.load("embedding", key)
            if found is not None:
                embedding, seconds, cached = found[0]["embedding"], float(found[1].get("seconds", 0.0)), True
                log.info("%s of %s: from the cache", embedder.name, spec.title)
            else:
                if prepared is None:
                    prepared = _prepare(subset, cache, knn_k, progress)
                with step(f"{spec.title}: {embedder.name} on {len(subset.index)} points ({run_on})") as timed:
                    embedding = embedder.embed(prepared, seed=seed, device=run_on)
                seconds, cached = timed.seconds, False
                cache.store("embedding", key, {"embedding": embedding}, meta={
                    "dataset": spec.name, "method": embedder.name, "params": embedder.values,
                    "n": len(subset.index), "seed": seed, "device": run_on, "seconds": seconds,
                    "created": time.strftime("%Y-%m-%d %H:%M:%S"),
                })
            results.append(EmbeddingResult(
                dataset=spec.name, title=spec.title, method=embedder.name, params=dict(embedder.values),
                embedding=embedding, labels=np.asarray(data.y[subset.index]), index=subset.index,
                class_names=data.class_names, seed=seed, device=run_on, seconds=seconds, cached=cached,
            ))
    return results


def evaluate_results(results: Sequence[EmbeddingResult], data_dir: str | os.PathLike[str] | None = None,
                     **kwargs: Any) -> None:
    """Fill each result's ``metrics`` (see :func:`fmnist_viz.metrics.evaluate`)."""
    from .metrics import evaluate

    for result in results:
        data = load(result.dataset, "all", data_dir=data_dir)
        with step(f"{result.title}: quality of {result.method}"):
            result.metrics = evaluate(data.X[result.index], result.embedding, result.labels,
                                      data.is_train[result.index], seed=result.seed, **kwargs)
