"""Which executor runs a sweep's cells: this process, a pool of worker processes, or a Dask cluster.

Kept apart from the package's ``__init__`` (which holds only the interface), so that a worker process started as
``python -m fmnist_viz.executors.worker`` imports none of the executors before its own module runs.
"""

from __future__ import annotations

import logging
import os

from ..errors import check_number
from .base import WORKER_WAIT, Executor, check_workers, default_workers
from .cluster import DaskCluster
from .local import InProcess, ProcessPool

log = logging.getLogger("fmnist_viz.executors")


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
