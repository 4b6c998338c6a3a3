"""Where a sweep's cells run: in this process, in a pool of worker processes, or on a Dask cluster.

Every executor takes :class:`Task` objects (one embedding each: method,
parameters, seed, and the name of the prepared arrays it runs on), runs them
through the same function, :func:`fmnist_viz.executors.worker.run_cell`, and
hands back an :class:`Outcome` per task as each finishes. The client (this
process) prepares the data and writes the cache and the outputs, so workers
need neither the data files nor the cache: the prepared arrays travel to them
once per data set.

Here: :func:`make_executor`; in :mod:`.base`: :class:`Task`, :class:`Outcome`, the :class:`Executor`
interface and how many workers run (:func:`fmnist_viz.pipeline.execute` hands the tasks
over); in :mod:`.local`:

- :class:`InProcess`: one task after another, here.
- :class:`HereAndBeside`: this process, with one worker process beside it for
  the single-threaded tasks: what :func:`fmnist_viz.run` uses.
- :class:`ProcessPool`: ``workers`` processes started with
  ``python -m fmnist_viz.executors.worker`` (never re-importing the caller's
  ``__main__``); a worker that dies is replaced and its task run again.
and in :mod:`.cluster`:

- :class:`DaskCluster`: an existing ``distributed`` scheduler (``tcp://HOST:PORT``)
  or one started here (``local``: a scheduler in this process and
  single-threaded workers from ``dask worker``); the arrays are scattered to
  two workers, which pass them on to the others, and the scheduler reruns a
  task whose worker died.
"""

from __future__ import annotations

import logging
import os

from ..errors import check_number
from .base import (
    LOCAL,
    MAX_ATTEMPTS,
    WORKER_WAIT,
    WORKERS_PER_CORE,
    Executor,
    Outcome,
    Task,
    check_workers,
    default_workers,
)
from .cluster import DaskCluster
from .local import HereAndBeside, InProcess, ProcessPool

__all__ = ["LOCAL", "MAX_ATTEMPTS", "WORKER_WAIT", "WORKERS_PER_CORE", "DaskCluster", "Executor", "HereAndBeside",
           "InProcess", "Outcome", "ProcessPool", "Task", "check_workers", "default_workers", "make_executor"]

log = logging.getLogger(__name__)


def make_executor(*, single_threaded: bool, workers: int | None = None, scheduler: str | None = None,
                  preload: tuple[str, ...] = (), worker_wait: float = WORKER_WAIT) -> Executor:
    """The executor for ``workers`` / ``scheduler`` (also ``DASK_SCHEDULER_ADDRESS``), connected and ready.

    Without a scheduler: in this process for one worker, else a
    :class:`ProcessPool` whose workers share the cores (each gets
    cores / workers threads). ``single_threaded`` says whether the method uses
    one core, which sets the default number of workers.
    """
    if workers is not None:
        check_workers(workers)
    scheduler = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    if scheduler:
        check_number(worker_wait, "worker_wait", low=0, high=86400)
        executor = DaskCluster(scheduler, workers, preload=preload, worker_wait=worker_wait)
        dashboard = executor.dashboard
        log.info("cells run on %s%s", executor.describe(), f"; dashboard: {dashboard}" if dashboard else "")
        return executor
    count = workers or default_workers(single_threaded)
    if count == 1:
        return InProcess()
    return ProcessPool(count, preload, threads=max(1, (os.cpu_count() or 1) // count))
