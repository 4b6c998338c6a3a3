"""Stability across seeds: embed the same points with several seeds, and score each point by how much its
nearest neighbours in the layout agree from seed to seed (:func:`fmnist_viz.quality.stability.neighbour_stability`).

The seeds run as the cells of a sweep over seeds alone (:func:`fmnist_viz.studies.sweeps.sweep`): each data set
is subsampled and prepared once, cached runs are reused, and the cells run here, in a pool or on a Dask
cluster. A method whose seed changes nothing (PCA; t-SNE started from PCA) is refused with the reason: its
stability would be a perfect 1 that says nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..embed import create
from ..errors import FmnistVizError, UsageError, check_number
from ..naming import sweep_stem
from ..quality.metrics import DEFAULT_K
from ..quality.stability import neighbour_stability
from ..results import EmbeddingResult
from .sweep_grid import check_datasets, check_grid, check_seeds
from .sweeps import sweep


@dataclass
class Stability:
    """A method's layouts of each data set under each seed, and each point's stability across them."""

    method: str
    seeds: list[int]
    k: int
    params: dict[str, Any] = field(default_factory=dict)
    n: int | None = None  # the subsample's size (None: every point)
    #: Data set -> its layouts, one per seed in seed order (each result carries ``pointwise["stability"]``).
    results: dict[str, list[EmbeddingResult]] = field(default_factory=dict)
    #: Data set -> each point's stability (in the results' row order), a number in [0, 1].
    scores: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def stem(self) -> str:
        """What its files' names start with: ``stability_umap_fashion_seeds-0-1-2_n2000``."""
        grid = {name: [value] for name, value in self.params.items()}
        return sweep_stem(self.method, list(self.results), grid, self.seeds, self.n, kind="stability")

    def rows(self) -> list[dict[str, Any]]:
        """One row per point: data set, its row of ``load(name, split="all")``, its label, its stability."""
        return [{"dataset": d, "index": int(i), "label": int(label), "stability": round(float(s), 4)}
                for d, results in self.results.items()
                for i, label, s in zip(results[0].index, results[0].labels, self.scores[d], strict=True)]

    def class_rows(self) -> list[dict[str, Any]]:
        """One row per data set and class: its points, and their mean, median and lowest-tenth stability."""
        rows = []
        for d, results in self.results.items():
            first, scores = results[0], self.scores[d]
            for c, name in enumerate(first.class_names):
                mine = scores[first.labels == c]
                if len(mine):
                    rows.append({"dataset": d, "class": name, "points": len(mine),
                                 "mean": round(float(mine.mean()), 4), "median": round(float(np.median(mine)), 4),
                                 "lowest_tenth": round(float(np.quantile(mine, 0.1)), 4)})
        return rows


def stability(method: str, seeds: Sequence[int], datasets: Sequence[str] = ("fashion",), *,
              params: Mapping[str, Any] | None = None, n: int | None = None, k: int = DEFAULT_K,
              data_dir: str | os.PathLike[str] | None = None, use_cache: bool = True, progress: bool | None = None,
              workers: int | None = None, scheduler: str | None = None,
              worker_wait: float | None = None) -> Stability:
    """Embed each data set with ``method`` (and ``params``) under each of ``seeds`` (two or more, each once),
    and score each point by the mean Jaccard overlap of its ``k`` nearest 2-D neighbours over every pair of
    seeds. Everything is checked before any work; the runs are cached as :func:`fmnist_viz.run`'s are."""
    seeds, datasets = check_seeds(seeds), check_datasets(datasets)
    if len(seeds) < 2:
        raise UsageError(f"needs two or more seeds to compare (e.g. 0,1,2), got {seeds[0]} alone", param="seeds")
    grid = check_grid({name: [value] for name, value in (params or {}).items()}, method, empty=True)  # parsed
    params = {name: values[0] for name, values in grid.items()}
    embedder = create(method, params)
    why = embedder.seed_ignored()
    if why:
        raise UsageError(f"{method} with these parameters draws the same layout whatever the seed ({why}), so "
                         "every point would be perfectly stable: there is nothing to measure", param="method")
    check_number(k, "k", low=1, integer=True)
    if n is not None and k >= check_number(n, "n", low=1, integer=True):
        raise UsageError(f"must be below the {n:,} points each layout has, got {k}", param="k")
    swept = sweep(method, grid, datasets, seeds, n=n, data_dir=data_dir, use_cache=use_cache, progress=progress,
                  workers=workers, scheduler=scheduler, worker_wait=worker_wait)
    if swept.failed:
        raise FmnistVizError("; ".join(f"{c.dataset}, seed {c.seed}: {c.error}" for c in swept.failed))
    found = Stability(method, seeds, k, params, n)
    for d in datasets:
        layouts = [c.result for c in swept.cells if c.dataset == d]
        if k >= len(layouts[0]):
            raise UsageError(f"must be below the {len(layouts[0]):,} points each layout has, got {k}", param="k")
        scores = neighbour_stability([r.embedding for r in layouts], k)
        for r in layouts:
            r.pointwise = {**r.pointwise, "stability": scores}
        found.results[d], found.scores[d] = layouts, scores
    return found
