"""Running embedders on data sets: subsample, prepare once, share the graph, cache everything.

:func:`run` is what the CLI and notebooks call::

    results = run(["umap", "tsne"], ["fashion", "mnist"], n=10_000, seed=0)

Per data set it loads the images, takes a stratified subsample if asked,
looks up every requested embedding in the cache, and only for the missing ones
prepares the data (scale + PCA) and one k-NN graph for the largest k they need,
each itself cached, before running the methods.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .cache import ResultCache
from .data import Dataset, get_spec, load_all
from .devices import resolve_device
from .digest import short_digest
from .embed import DEFAULT_PCA_DIMS, Embedder, Prepared, check_enough_points, create
from .embed.prepare import IVF_LISTS, IVF_PROBES
from .errors import MAX_SEED, UsageError, check_number, describe_error
from .results import EmbeddingResult

log = logging.getLogger(__name__)


def as_list(values: Any, param: str, kinds: tuple[type, ...]) -> list[Any]:
    """``values`` as a non-empty list of ``kinds``: one value alone is a list of one (``run("umap", ...)`` runs
    UMAP, not the methods "u", "m", "a", "p"); anything else is a UsageError naming ``param``."""
    if isinstance(values, kinds):
        return [values]
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Sequence) or not values \
            or not all(isinstance(v, kinds) for v in values):
        what = " or ".join(k.__name__ for k in kinds)
        raise UsageError(f"must be a {what} or a non-empty list of them, got {values!r}"[:200], param=param)
    return list(values)


def stratified_subsample(labels: np.ndarray, n: int | None, seed: int = 0) -> np.ndarray:
    """``n`` row numbers drawn per class in proportion to its size (all rows when ``n`` is None), sorted."""
    total = len(labels)
    if n is None or n == total:
        return np.arange(total)
    if n < 1 or n > total:
        raise UsageError(f"must be between 1 and {total} (the size of the data), got {n}", param="n")
    classes, counts = np.unique(labels, return_counts=True)
    quota = counts * n / total
    take = np.floor(quota).astype(int)
    remainder = n - take.sum()
    take[np.argsort(-(quota - take), kind="stable")[:remainder]] += 1  # largest remainders
    rng = np.random.default_rng(seed)
    picks = [rng.choice(np.flatnonzero(labels == c), size=t, replace=False) for c, t in zip(classes, take, strict=True)]
    return np.sort(np.concatenate(picks))


@dataclass
class _Subset:
    """One data set's rows to embed, and the keys derived from them."""

    data: Dataset
    index: np.ndarray
    pca_dims: int | None
    seed: int
    neighbors: np.ndarray | None = None  # the k-NN graph (n, k + 1; each point first) once prepared here

    @functools.cached_property
    def base_key(self) -> dict[str, Any]:
        return {"data": self.data.fingerprint(), "rows": short_digest(self.index, length=16), "n": len(self.index)}

    @functools.cached_property
    def prepared_key(self) -> dict[str, Any]:
        from importlib import metadata

        return {**self.base_key, "scale": "pixels/255", "pca": self.pca_dims, "seed": self.seed,
                "sklearn": metadata.version("scikit-learn")}


def _prepare(subset: _Subset, cache: ResultCache, knn_k: int, progress: bool | None, device: str = "cpu") -> Prepared:
    """Scale + PCA and the k-NN graph for ``knn_k`` neighbours (exact on CUDA there), from the cache when possible."""
    from importlib import metadata

    title = subset.data.title
    found = cache.load("prepared", subset.prepared_key)
    if found is not None:
        arrays = found[0]
        prepared = Prepared(arrays["X"], pca=arrays["X"] if arrays["is_pca"] else None, seed=subset.seed,
                            progress=progress, label=title)
        log.info("%s: prepared data from the cache", title)
    else:
        prepared = Prepared.from_features(subset.data.X[subset.index], seed=subset.seed,
                                          pca_dims=subset.pca_dims, progress=progress, label=title)
        cache.store("prepared", subset.prepared_key,
                    {"X": prepared.features, "is_pca": np.array(prepared.pca is not None)})
    if knn_k > 0:
        # one graph per prepared data set, whatever k: a graph of more neighbours serves any smaller k, and one
        # of fewer is replaced by the larger one asked for
        knn_key = {**subset.prepared_key, "faiss": metadata.version("faiss-cpu"), "ivf": [IVF_LISTS, IVF_PROBES]}
        if device == "cuda":  # the exact graph on the GPU: a key of its own
            prepared.knn_method = "torch-cuda"
            knn_key.update(faiss=None, ivf=None, torch=metadata.version("torch"), device="cuda")
        found = cache.load("knn", knn_key)
        if found is not None and found[0]["indices"].shape[1] > knn_k:
            prepared.knn_indices, prepared.knn_distances = found[0]["indices"], found[0]["distances"]
            log.info("%s: %d-NN graph from the cache", title, prepared.knn_indices.shape[1] - 1)
        else:
            indices, distances = prepared.neighbors(knn_k)
            cache.store("knn", knn_key, {"indices": indices, "distances": distances})
    return prepared


def run(
    methods: str | Embedder | Sequence[str | Embedder],
    datasets: str | Sequence[str],
    *,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    n: int | None = None,
    seed: int = 0,
    device: str = "auto",
    pca_dims: int | None = DEFAULT_PCA_DIMS,
    use_cache: bool = True,
    data_dir: str | os.PathLike[str] | None = None,
    progress: bool | None = None,
    knn_k: int = 0,
) -> list[EmbeddingResult]:
    """Embed each data set with each method, sharing the preparation and caching every result.

    Everything is validated before any work starts.

    Parameters
    ----------
    methods : str, Embedder, or a sequence of them
        Registry names (``"pca"``, ``"tsne"``, ``"umap"``, ``"pymde"``, plugins) or instances; one alone too.
    datasets : str or sequence of str
        Data set names, e.g. ``["fashion", "mnist"]``, or one name.
    params : mapping, optional
        Parameters per method name, e.g. ``{"umap": {"n_neighbors": 30}}``.
    n : int, optional
        A stratified subsample of ``n`` points, the same rows for every method (default: all).
    seed : int
        Same seed, same result (0 to 2**32 - 1).
    device : str
        ``auto``, ``cpu`` or ``cuda``: where GPU-capable methods run.
    pca_dims : int, optional
        PCA dimensions before embedding (at least 2); None or 0 turns PCA off.
    use_cache : bool
        Read and write the result cache.
    data_dir : path, optional
        A folder searched first for the data files.
    progress : bool, optional
        Progress bars (default: when stderr is a terminal).
    knn_k : int
        Compute the shared k-NN graph for at least this many neighbours (a
        sweep asks for the largest any of its cells needs, so all share one).

    Returns
    -------
    list of EmbeddingResult
        In (data set, method) order.
    """
    check_number(seed, "seed", low=0, high=MAX_SEED, integer=True)
    methods, datasets = as_list(methods, "methods", (str, Embedder)), as_list(datasets, "datasets", (str,))
    if params is not None and (not isinstance(params, Mapping)
                               or not all(isinstance(v, Mapping) for v in params.values())):
        raise UsageError("must map method names to their parameters, e.g. {'umap': {'n_neighbors': 30}}; got "
                         f"{params!r}"[:200], param="params")
    params = dict(params or {})
    unused = set(params) - {m if isinstance(m, str) else m.name for m in methods}
    if unused:
        raise UsageError(f"name method(s) that are not run: {', '.join(sorted(unused))}", param="params")
    embedders = [m if isinstance(m, Embedder) else create(m, params.get(m)) for m in methods]
    plan = plan_jobs([(e, seed) for e in embedders], datasets, n=n, sample_seed=seed, device=device,
                     pca_dims=pca_dims, use_cache=use_cache, data_dir=data_dir, progress=progress)
    from .executors.local import run_here

    run_here(plan.todo, plan.cache, progress, knn_k)
    return [j.result(plan.cache) for j in plan.jobs]


@dataclass
class Plan:
    """The jobs of a run, in (data set, embedder) order, with those found in the cache filled in."""

    jobs: list[_Job]
    cache: ResultCache

    @property
    def todo(self) -> list[_Job]:
        """The jobs still to compute: neither cached nor refused."""
        return [j for j in self.jobs if j.embedding is None and not j.error]


def plan_jobs(pairs: Sequence[tuple[Embedder, int]], datasets: Sequence[str], *, n: int | None = None,
              sample_seed: int = 0, device: str = "auto", pca_dims: int | None = DEFAULT_PCA_DIMS,
              use_cache: bool = True, data_dir: str | os.PathLike[str] | None = None, progress: bool | None = None,
              keep_going: bool = False) -> Plan:
    """Validate, load the data and look every (embedder, seed) pair up in the cache, per data set.

    ``sample_seed`` draws the subsample and seeds the preparation, so pairs
    with other seeds share the same rows, PCA and k-NN graph. With
    ``keep_going``, a pair that cannot run on the data (too few points for its
    parameters) gets the reason in its job's ``error`` instead of raising.
    """
    for _, seed in pairs:
        check_number(seed, "seed", low=0, high=MAX_SEED, integer=True)
    check_number(sample_seed, "seed", low=0, high=MAX_SEED, integer=True)
    if n is not None:
        check_number(n, "n", low=1, integer=True)
    if pca_dims:  # 0 or None: no PCA; else at least the two dimensions the methods need
        check_number(pca_dims, "pca_dims", low=2, integer=True)
    embedders = list(dict.fromkeys(e for e, _ in pairs))
    specs = [get_spec(name) for name in datasets]
    if n is not None and not keep_going:
        check_enough_points(embedders, n)
    for embedder in embedders:
        ok, why = embedder.available()
        if not ok:
            raise UsageError(f"{embedder.name} is not available: {why}", param="method")
    gpu_device = resolve_device(device, embedders)
    cache = ResultCache(enabled=use_cache)

    jobs: list[_Job] = []
    for spec, data in zip(specs, load_all(datasets, data_dir=data_dir, progress=progress), strict=True):
        subset = _Subset(data, stratified_subsample(data.y, n, sample_seed), pca_dims or None, sample_seed)
        for embedder, seed in pairs:
            run_on = embedder.device_for(gpu_device)
            key = {**subset.base_key, "prepared": subset.prepared_key, "embedder": embedder.cache_key(),
                   "seed": seed, "device": run_on}
            job = _Job(subset, embedder, seed, run_on, key)
            jobs.append(job)
            try:
                check_enough_points([embedder], len(subset.index), f"{spec.title} has only {len(subset.index)} points")
            except UsageError as exc:
                if not keep_going:
                    raise
                job.error = describe_error(exc)
                continue
            found = cache.load("embedding", key)
            if found is not None:
                job.embedding, job.seconds, job.cached = found[0]["embedding"], float(found[1].get("seconds", 0)), True
                log.info("%s of %s: from the cache", embedder.name, spec.title)
    return Plan(jobs, cache)


def _variant(embedder: Embedder, subset: _Subset, seed: int) -> dict[str, Any]:
    """What differs from the defaults for one (data set, method): subsample, seeds, PCA, parameters."""
    variant: dict[str, Any] = {}
    if len(subset.index) < len(subset.data):
        variant["n"] = len(subset.index)
    if seed != 0:
        variant["seed"] = seed
    if subset.seed != seed:  # rows and preparation drawn with another seed than the embedding's
        variant["sample"] = subset.seed
    if (subset.pca_dims or 0) != DEFAULT_PCA_DIMS:
        variant["pca"] = subset.pca_dims or 0
    defaults = {p.name: p.default for p in embedder.params}
    variant.update({k: v for k, v in embedder.values.items() if v != defaults.get(k, v)})
    return variant


@dataclass(eq=False)
class _Job:
    """One (data set, method) pair: what to compute, and its outcome."""

    subset: _Subset
    embedder: Embedder
    seed: int  # the embedding's seed (the subset has the sample's)
    device: str
    key: dict[str, Any]
    embedding: np.ndarray | None = None
    seconds: float = 0.0
    cached: bool = False
    error: str = ""  # why it was not computed (plans made with keep_going)
    metrics: dict[str, float] = field(default_factory=dict)  # its quality, when measured where it ran

    @property
    def what(self) -> str:
        return f"{self.subset.data.title}: {self.embedder.name} on {len(self.subset.index)} points ({self.device})"

    def finish(self, embedding: np.ndarray, seconds: float, cache: ResultCache,
               metrics: dict[str, float] | None = None) -> None:
        """Keep a computed embedding (and its quality, when measured where it ran), in the cache too."""
        self.embedding, self.seconds, self.metrics = embedding, seconds, dict(metrics or {})
        if self.metrics:
            from .metrics import metrics_key

            cache.store("metrics", metrics_key(self.key), {k: np.array(v) for k, v in self.metrics.items()},
                        meta={"dataset": self.subset.data.name, "method": self.embedder.name})
        cache.store("embedding", self.key, {"embedding": embedding}, meta={
            "dataset": self.subset.data.name, "method": self.embedder.name, "params": self.embedder.values,
            "n": len(self.subset.index), "seed": self.seed, "device": self.device, "seconds": seconds,
            "created": time.strftime("%Y-%m-%d %H:%M:%S"),
        })

    def result(self, cache: ResultCache) -> EmbeddingResult:
        data, index = self.subset.data, self.subset.index
        return EmbeddingResult(
            dataset=data.name, title=data.title, method=self.embedder.name, params=dict(self.embedder.values),
            embedding=self.embedding, labels=np.asarray(data.y[index]), index=index,  # type: ignore[arg-type]
            class_names=data.class_names, seed=self.seed, device=self.device, seconds=self.seconds,
            cached=self.cached, variant=_variant(self.embedder, self.subset, self.seed),
            cache_key=self.key if cache.enabled else None, neighbors=self.subset.neighbors,
            metrics=dict(self.metrics),
        )


def shared_graph(result: EmbeddingResult, k: int = 10, data_dir: str | os.PathLike[str] | None = None,
                 progress: bool | None = None) -> np.ndarray:
    """Each point's ``k`` nearest neighbours in the prepared space its method saw (n, k), from the cache when made."""
    from .data import load

    prepared_key = (result.cache_key or {}).get("prepared", {})
    pca = prepared_key.get("pca", result.variant.get("pca", DEFAULT_PCA_DIMS))
    sample_seed = prepared_key.get("seed", result.variant.get("sample", result.seed))
    if result.neighbors is not None and result.neighbors.shape[1] > k:  # the graph its run made, still in memory
        return result.neighbors[:, 1:k + 1]
    subset = _Subset(load(result.dataset, "all", data_dir=data_dir), result.index, pca or None, sample_seed)
    prepared = _prepare(subset, ResultCache(enabled=result.cache_key is not None), k, progress)
    return prepared.neighbors(k)[0][:, 1:]


def _subsets(jobs: Sequence[_Job]) -> list[_Subset]:
    """The data sets of ``jobs``, each once, in order."""
    return list({id(j.subset): j.subset for j in jobs}.values())


def prepare_for(subset: _Subset, jobs: Sequence[_Job], cache: ResultCache, progress: bool | None,
                 min_k: int = 0) -> Prepared:
    """Prepare one data set for its jobs: a k-NN graph for the most neighbours any of them needs (and up to
    ``min_k``, a sweep's largest, where the data has the points), computed on the GPU when one runs there."""
    mine = [j for j in jobs if j.subset is subset]
    own_k = max(j.embedder.n_neighbors for j in mine)
    k = max(own_k, min(min_k, len(subset.index) - 1)) if own_k else 0
    on_gpu = any(j.device == "cuda" for j in mine)
    prepared = _prepare(subset, cache, k, progress, "cuda" if on_gpu else "cpu")
    subset.neighbors = prepared.knn_indices  # the results' measures use it too (shared_graph)
    return prepared
