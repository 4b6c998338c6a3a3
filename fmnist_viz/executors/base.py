"""The executor interface: :class:`Task`, :class:`Outcome`, :class:`Executor`, and how many workers run."""


from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import UsageError, check_number

log = logging.getLogger(__name__)

#: How often a task is started again after the worker running it died, before it counts as failed.
MAX_ATTEMPTS = 3
#: Seconds to wait for a Dask scheduler to answer.
CONNECT_TIMEOUT = 10.0
#: Workers that hold each data set's arrays from the start (the others fetch them from these when needed).
REPLICAS = 2
#: Seconds a Dask worker's threads may hold the GIL at a time while a cell runs (Python's default: 0.005).
CELL_SWITCH_INTERVAL = 0.1
#: Dask settings of the workers of ``--scheduler local`` (as environment variables; ones already set win).
#: No MALLOC_TRIM_THRESHOLD_ (Dask's nanny sets 64 KiB, which also turns off glibc's adaptive mmap threshold:
#: every large temporary array of a cell is mapped and unmapped again; twice the system time, cells 3-5%
#: slower); no statistical profiler sampling a cell's stack every 10 ms; the event loop's health check once
#: a second instead of every 20 ms, the nanny's look at its worker's memory once a second instead of ten
#: times, and the system monitor (CPU, memory, network and disk counters for the dashboard) every 2 s instead
#: of 0.5 s (all woke the worker beside its cell; 3-4% with the profiler).
LOCAL_WORKER_CONFIG = {"DASK_DISTRIBUTED__NANNY__PRE_SPAWN_ENVIRON": repr(
                           {"MALLOC_TRIM_THRESHOLD_": None, "OMP_NUM_THREADS": 1, "MKL_NUM_THREADS": 1,
                            "OPENBLAS_NUM_THREADS": 1}),
                       "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False",
                       "DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL": "1s",
                       "DASK_DISTRIBUTED__ADMIN__SYSTEM_MONITOR__INTERVAL": "2s",
                       "DASK_DISTRIBUTED__WORKER__MEMORY__MONITOR_INTERVAL": "1s"}
#: Dask settings of the scheduler of ``--scheduler local`` (it runs in this process, beside the workers on
#: the same cores): a worker holds one cell at a time (none queued behind a running cell while another worker
#: is idle), so there is nothing to steal, and no stealing balance every 100 ms beside the cells; the event
#: loop's health check once a second and the system monitor every 2 s (this process's CPU time during a sweep
#: of nine 20,000-point cells: 0.43-1.18 s with Dask's defaults, 0.30-0.33 s with these).
LOCAL_SCHEDULER_CONFIG = {"distributed.scheduler.worker-saturation": 1.0,
                          "distributed.scheduler.work-stealing": False,
                          "distributed.admin.tick.interval": "1s",
                          "distributed.admin.system-monitor.interval": "2s"}
#: Seconds the workers of ``--scheduler local`` may take to start.
WORKER_START_TIMEOUT = 60.0
#: Seconds a sweep waits for a Dask worker to join a cluster that has none, at the start or mid-sweep.
WORKER_WAIT = 60.0
#: The most worker processes a sweep starts on this machine, per core.
WORKERS_PER_CORE = 4
#: ``--scheduler`` value that starts a Dask cluster on this machine.
LOCAL = "local"


@dataclass(frozen=True)
class Task:
    """One embedding to run: what, with which parameters and seed, on which prepared arrays."""

    index: int  # the caller's number for it
    method: str
    values: dict[str, Any] = field(hash=False)
    data: str  # the name under which its arrays were handed over
    seed: int
    device: str = "cpu"
    single_threaded: bool = False  # the method uses one core (seeded UMAP)
    label: str = ""  # names it in the log ("Fashion-MNIST: umap on 70000 points (cpu)")
    #: The embedder itself, for executors that run it in this process (a plugin instance need not be registered)
    embedder: Any = field(default=None, hash=False, compare=False, repr=False)


@dataclass
class Outcome:
    """What came of a task: the embedding and its seconds, or the error; and where it ran."""

    task: Task
    embedding: np.ndarray | None
    seconds: float = 0.0
    error: str = ""
    where: str = ""
    metrics: dict[str, float] = field(default_factory=dict)  # its quality, measured where it ran


class Executor:
    """Runs tasks: :meth:`submit` each, then iterate :meth:`results`. Use as a context manager."""

    #: How many tasks run at once.
    workers: int = 1
    #: Bytes of prepared arrays sent to workers so far.
    shipped: int = 0

    def submit(self, task: Task, arrays: Mapping[str, np.ndarray]) -> None:
        """Queue ``task``; ``arrays`` are the prepared data named ``task.data`` (sent once per name)."""
        raise NotImplementedError

    def results(self) -> Iterator[Outcome]:
        """Each submitted task's outcome, as it finishes."""
        raise NotImplementedError

    def describe(self) -> str:
        """Where the tasks run, for the log."""
        return f"{self.workers} worker(s)"

    def close(self) -> None:
        """Stop whatever runs, dropping tasks not finished."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def default_workers(single_threaded: bool) -> int:
    """How many cells run at once on this machine: one per core for single-threaded methods, else one."""
    return (os.cpu_count() or 1) if single_threaded else 1


def check_workers(workers: int) -> int:
    """``workers`` if this machine can start that many worker processes sensibly: at most
    :data:`WORKERS_PER_CORE` per core (each is a process of its own)."""
    cores = os.cpu_count() or 1
    check_number(workers, "workers", low=1, integer=True)
    if workers > WORKERS_PER_CORE * cores:
        raise UsageError(f"must be at most {WORKERS_PER_CORE * cores} here ({WORKERS_PER_CORE} per core on this "
                         f"machine's {cores}): more would only share the same cores and memory, got {workers}",
                         param="workers")
    return workers
