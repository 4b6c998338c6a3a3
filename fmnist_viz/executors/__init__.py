"""Where a sweep's cells run: in this process, in a pool of worker processes, or on a Dask cluster.

Every executor takes :class:`Task` objects (one embedding each: method,
parameters, seed, and the name of the prepared arrays it runs on), runs them
through the same function, :func:`fmnist_viz.executors.worker.run_cell`, and
hands back an :class:`Outcome` per task as each finishes. The client (this
process) prepares the data and writes the cache and the outputs, so workers
need neither the data files nor the cache: the prepared arrays travel to them
once per data set.

:func:`~.choose.make_executor` picks one (:func:`fmnist_viz.pipeline.execute` hands it the tasks);
:mod:`.base` holds :class:`Task`, :class:`Outcome`, the :class:`Executor` interface and how many workers run
(this package's names come from there); in :mod:`.local`:

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

__all__ = ["LOCAL", "MAX_ATTEMPTS", "WORKER_WAIT", "WORKERS_PER_CORE", "Executor", "Outcome", "Task",
           "check_workers", "default_workers"]
