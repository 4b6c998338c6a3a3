"""Planning a run: which data sets, rows, methods, parameters and seeds, each looked up in the cache.

A :class:`Plan` holds one :class:`Job` per (data set, embedder, seed), each
knowing its :class:`Subset` (the rows of one data set and the keys derived
from them) and, once done, its embedding; those found in the cache are filled
in when planned.
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

from ..data import Dataset, get_spec, load_all
from ..digest import short_digest
from ..embed import DEFAULT_PCA_DIMS, Embedder, check_enough_points, check_pca_dims
from ..embed.devices import resolve_device
from ..errors import MAX_SEED, UsageError, check_number, describe_error
from ..quality.metrics import metrics_key
from ..results import EmbeddingResult
from ..store.cache import ResultCache

log = logging.getLogger("fmnist_viz.pipeline")


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
class Subset:
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


@dataclass
class Plan:
    """The jobs of a run, in (data set, embedder) order, with those found in the cache filled in."""

    jobs: list[Job]
    cache: ResultCache

    @property
    def todo(self) -> list[Job]:
        """The jobs still to compute: neither cached nor refused."""
        return [j for j in self.jobs if j.embedding is None and not j.error]


def check_method_params(params: Mapping[str, Mapping[str, Any]] | None, methods: Sequence[Any]
                        ) -> dict[str, Mapping[str, Any]]:
    """``params`` (parameters per method name) checked against the ``methods`` run (names or embedders): a mapping
    of mappings, naming only methods that are run."""
    if params is not None and (not isinstance(params, Mapping)
                               or not all(isinstance(v, Mapping) for v in params.values())):
        raise UsageError("must map method names to their parameters, e.g. {'umap': {'n_neighbors': 30}}; got "
                         f"{params!r}"[:200], param="params")
    unused = set(params or {}) - {m if isinstance(m, str) else m.name for m in methods}
    if unused:
        raise UsageError(f"name method(s) that are not run: {', '.join(sorted(unused))}", param="params")
    return dict(params or {})


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
    pca_dims = check_pca_dims(pca_dims)
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

    jobs: list[Job] = []
    for spec, data in zip(specs, load_all(datasets, data_dir=data_dir, progress=progress), strict=True):
        subset = Subset(data, stratified_subsample(data.y, n, sample_seed), pca_dims or None, sample_seed)
        for embedder, seed in pairs:
            run_on = embedder.device_for(gpu_device)
            key = {**subset.base_key, "prepared": subset.prepared_key, "embedder": embedder.cache_key(),
                   "seed": seed, "device": run_on}
            job = Job(subset, embedder, seed, run_on, key)
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


def variant(embedder: Embedder, subset: Subset, seed: int) -> dict[str, Any]:
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
    variant.update(embedder.changed_params())
    return variant


@dataclass(eq=False)
class Job:
    """One (data set, method) pair: what to compute, and its outcome."""

    subset: Subset
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
            cached=self.cached, variant=variant(self.embedder, self.subset, self.seed),
            cache_key=self.key if cache.enabled else None, neighbors=self.subset.neighbors,
            metrics=dict(self.metrics),
        )

