"""Executing a plan's jobs on an executor: prepare each data set once, hand its tasks over, cache what comes back.

The one way work runs, for :func:`fmnist_viz.run` (this process, with one
worker process beside it) and :func:`fmnist_viz.sweep` (here, a pool, or a
Dask cluster): the executors (:mod:`fmnist_viz.executors`) run the tasks, and
only this process reads the data, prepares it and writes the cache.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..executors import Executor, Outcome, Task
from ..executors.worker import arrays_of
from ..store.cache import ResultCache
from .measure import space_key, space_of
from .plan import Job
from .prepare import prepare_for, subsets


def execute(jobs: Sequence[Job], executor: Executor, cache: ResultCache, *, progress: bool | None = None,
            min_k: int = 0, on_done: Callable[[Job, Outcome], None] | None = None, score: bool = False) -> None:
    """Run ``jobs`` on ``executor``: each data set is prepared here once (its graph for the most neighbours any
    job needs, and up to ``min_k``) and its arrays handed over as soon as it is ready; each embedding is cached
    here as it arrives, and a job that fails keeps its error. With ``score`` the pixels travel too and each
    job's quality is measured where it runs (kept in the job's ``metrics``, cached as
    :func:`fmnist_viz.pipeline.measure.evaluate_results` would)."""
    for number, subset in enumerate(subsets(jobs)):
        rows = subset.index
        prepared = prepare_for(subset, jobs, cache, progress, min_k)
        scoring = None
        if score:  # the global measures' space too, made here once, so every worker measures in the same one
            scoring = {"pixels": subset.data.X[rows], "labels": np.asarray(subset.data.y[rows]),
                       "is_train": np.asarray(subset.data.is_train[rows])}
            if space_key(subset.prepared_key) == subset.prepared_key:
                scoring["space_is_features"] = np.array(True)  # the prepared data are that space: sent once
            else:
                scoring["space"] = space_of(subset.prepared_key if cache.enabled else None, scoring["pixels"], cache)
        arrays = arrays_of(prepared, scoring)
        mine = [i for i, job in enumerate(jobs) if job.subset is subset]
        # the most neighbours first: those cells take longest, and starting them first keeps every worker busy
        for i in sorted(mine, key=lambda i: -jobs[i].embedder.graph_neighbors):
            job = jobs[i]
            executor.submit(task_of(i, job, f"data{number}"), arrays)
    for outcome in executor.results():
        job = jobs[outcome.task.index]
        if outcome.error:
            job.error = outcome.error
        else:
            job.finish(outcome.embedding, outcome.seconds, cache, outcome.metrics)  # type: ignore[arg-type]
        if on_done is not None:
            on_done(job, outcome)


def task_of(index: int, job: Job, data: str) -> Task:
    """The task an executor runs for ``job``, its arrays handed over under the name ``data``."""
    return Task(index, job.embedder.name, dict(job.embedder.values), data, job.seed, job.device,
                single_threaded=job.embedder.single_threaded, label=job.what, embedder=job.embedder)
