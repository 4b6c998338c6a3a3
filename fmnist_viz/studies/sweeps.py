"""Sweeps: one method over a grid of parameter values and seeds, on one or two data sets.

Every combination x seed x data set is a *cell*. Cells are planned and cached
as :func:`fmnist_viz.run`'s jobs are (:func:`fmnist_viz.pipeline.plan_jobs`),
so each data set is prepared once (scaling, PCA, one k-NN graph for the
largest k any cell needs, all cached), a cell already in the cache is not
computed again, and an interrupted sweep continues where it stopped. A
setting whose method ignores the seed runs with the first seed only. A cell
that fails is recorded with its error; the others go on. File names and the
figures are in :mod:`fmnist_viz.naming` and :mod:`fmnist_viz.render.sweep_figures`, the files
:mod:`fmnist_viz.outputs.sweeps` writes; what a sweep is given is checked first (:mod:`.sweep_grid`).

Cells run in this process, in a pool of worker processes, or on a Dask
cluster (:mod:`fmnist_viz.executors`); the client prepares the data, writes
the cache and every output.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..embed import create, get_embedder_class
from ..errors import UsageError, check_number
from ..executors import check_workers
from ..executors.choose import make_executor
from ..naming import sweep_stem
from ..pipeline import execute, plan_jobs
from ..pipeline.measure import evaluate_results
from ..progress import progress_bar
from ..quality.align import procrustes
from ..results import Cell
from .sweep_grid import MAX_CELLS, announce, check_datasets, check_grid, check_seeds, warn_ignored_seeds

log = logging.getLogger(__name__)


@dataclass
class Sweep:
    """A sweep's cells, in grid order, and its table."""

    method: str
    grid: dict[str, list[Any]]
    cells: list[Cell] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)
    seeds: list[int] = field(default_factory=lambda: [0])
    n: int | None = None  # the subsample's size (None: every point)

    @property
    def stem(self) -> str:
        """What its files' names start with: method, data sets, grid, seeds and n (:func:`~.naming.sweep_stem`)."""

        datasets = self.datasets or list(dict.fromkeys(c.dataset for c in self.cells))
        return sweep_stem(self.method, datasets, self.grid, self.seeds, self.n)

    @property
    def failed(self) -> list[Cell]:
        return [c for c in self.cells if c.error]

    def seed_disparity(self) -> dict[tuple[str, str], float]:
        """Per (data set, setting) with two or more seeds done: the mean Procrustes disparity between their layouts.

        0 means the seeds draw the same picture up to rotation, reflection,
        scale and shift; 1 means unrelated pictures. The settings are keyed by
        ``repr`` of their parameter values.
        """

        groups: dict[tuple[str, str], list[Any]] = {}
        for c in self.cells:
            if c.result is not None:
                groups.setdefault((c.dataset, repr(c.params)), []).append(c.result.embedding)
        return {key: sum(procrustes(b, a)[1] for a, b in pairs) / len(pairs)
                for key, layouts in groups.items() if (pairs := list(itertools.combinations(layouts, 2)))}

    def rows(self) -> list[dict[str, Any]]:
        """One table row per cell: data set, method, seed, the grid values, time, quality, seed disparity,
        status, error."""
        disparity = self.seed_disparity()
        rows = []
        for c in self.cells:
            metrics = c.result.metrics if c.result is not None else {}
            row: dict[str, Any] = {"dataset": c.dataset, "method": self.method, "seed": c.seed}
            row.update({name: c.params[name] for name in self.grid})
            row["seconds"] = round(c.result.seconds, 2) if c.result is not None else ""
            for name in ("knn_accuracy", "trustworthiness", "neighborhood_preservation"):
                row[name] = round(metrics[name], 4) if name in metrics else ""
            found = disparity.get((c.dataset, repr(c.params)))
            row["seed_disparity"] = round(found, 4) if found is not None and c.result is not None else ""
            row.update(status=c.status, error=c.error)
            rows.append(row)
        return rows


def sweep(method: str, grid: dict[str, list[Any]], datasets: Sequence[str] = ("fashion",),
          seeds: Sequence[int] = (0,), *, n: int | None = None, data_dir: str | os.PathLike[str] | None = None,
          use_cache: bool = True, progress: bool | None = None, workers: int | None = None,
          scheduler: str | None = None, max_cells: int | None = MAX_CELLS, worker_wait: float | None = None) -> Sweep:
    """Run every cell of ``grid`` x ``seeds`` x ``datasets`` with ``method``; failures are kept, not raised.

    Each data set is subsampled and prepared once, with the first seed, so
    the seeds vary the embedding alone and their layouts can be compared
    point for point. Cells run in this process, in a pool of ``workers``
    processes (default: one per core for single-threaded methods such as
    seeded UMAP, else one), or on a Dask cluster (``scheduler``: an address,
    or ``"local"``); see :mod:`fmnist_viz.executors`. Returns the
    :class:`Sweep` with each cell's result (measured: 10-NN accuracy,
    trustworthiness, neighbourhood preservation) or error. How many cells and
    roughly how long is logged before any work; more than ``max_cells``
    (default :data:`MAX_CELLS`; None: no limit) is refused. On a Dask cluster
    without workers, or whose workers all died, it waits ``worker_wait``
    seconds (default 60) for one to join, then fails the cells not done.
    """

    seeds = check_seeds(seeds)
    grid, datasets = check_grid(grid, method, empty=len(seeds) > 1), check_datasets(datasets)
    if n is not None:
        check_number(n, "n", low=1, integer=True)
    if workers is not None:

        check_workers(workers)
    if scheduler is not None and not isinstance(scheduler, str):
        raise UsageError(f"must be a scheduler's address (tcp://HOST:PORT) or 'local', got {scheduler!r}",
                         param="scheduler")
    names = list(grid)
    combos = [dict(zip(names, values, strict=True)) for values in itertools.product(*(grid[k] for k in names))]
    embedders = [create(method, params) for params in combos]
    runs = [seeds if not e.seed_ignored() else seeds[:1] for e in embedders]
    warn_ignored_seeds(embedders, combos, seeds)
    pairs = [(e, seed) for e, mine in zip(embedders, runs, strict=True) for seed in mine]
    result = Sweep(method, grid, datasets=list(datasets), seeds=list(seeds), n=n)
    result.cells = [Cell(dataset, params, seed) for dataset in datasets
                    for params, mine in zip(combos, runs, strict=True) for seed in mine]
    announce(result, max_cells)
    knn_k = max(e.graph_neighbors for e, _ in pairs)
    library = get_embedder_class(method).import_name()
    waiting = {"worker_wait": worker_wait} if worker_wait is not None else {}
    with make_executor(single_threaded=pairs[0][0].single_threaded, workers=workers, scheduler=scheduler,
                       preload=(library,) if library else (), **waiting) as executor:
        plan = plan_jobs(pairs, datasets, n=n, sample_seed=seeds[0], use_cache=use_cache, data_dir=data_dir,
                         progress=progress, keep_going=True)
        todo = plan.todo
        log.info("%d cells: %d from the cache, %d refused, %d to compute on %s", len(plan.jobs),
                 sum(1 for j in plan.jobs if j.cached), sum(1 for j in plan.jobs if j.error), len(todo),
                 executor.describe())
        finished = itertools.count(1)
        with progress_bar(len(todo), "sweep", unit="cell", progress=progress) as bar:
            def report(job: Any, outcome: Any) -> None:
                bar.update(1)
                what = "".join(f"{k}={v}, " for k, v in job.embedder.values.items() if k in grid)
                count = f"{next(finished)} of {len(todo)}"
                if outcome.error:
                    log.warning("cell %s failed: %s on %s, %sseed %d: %s", count, method, job.subset.data.name,
                                what, job.seed, outcome.error)
                else:
                    log.info("cell %s done in %.1f s (%s): %s on %s, %sseed %d", count, outcome.seconds,
                             outcome.where, method, job.subset.data.name, what, job.seed)

            execute(todo, executor, plan.cache, progress=progress, min_k=knn_k, on_done=report, score=True)
        shipped = executor.shipped
    if shipped:
        log.info("prepared arrays sent to workers: %.1f MB", shipped / 1e6)
    for cell, job in zip(result.cells, plan.jobs, strict=True):
        cell.error = job.error
        cell.result = job.result(plan.cache) if job.embedding is not None else None
    # cells computed now were measured where they ran; those from the cache have theirs cached too, or get them here
    evaluate_results([c.result for c in result.cells if c.result is not None and not c.result.metrics],
                     data_dir=data_dir)
    return result
