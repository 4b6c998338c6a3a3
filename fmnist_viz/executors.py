"""Where a sweep's cells run: in this process, in a pool of worker processes, or on a Dask cluster.

Every executor takes :class:`Task` objects (one embedding each: method,
parameters, seed, and the name of the prepared arrays it runs on), runs them
through the same function, :func:`fmnist_viz.embed.worker.embed_arrays`, and
hands back an :class:`Outcome` per task as each finishes. The client (this
process) prepares the data and writes the cache and the outputs, so workers
need neither the data files nor the cache: the prepared arrays travel to them
once per data set.

- :class:`InProcess`: one task after another, here.
- :class:`ProcessPool`: ``workers`` processes started with
  ``python -m fmnist_viz.embed.worker`` (never re-importing the caller's
  ``__main__``); a worker that dies is replaced and its task run again.
- :class:`DaskCluster`: an existing ``distributed`` scheduler (``tcp://HOST:PORT``)
  or one started here (``local``: a scheduler in this process and
  single-threaded workers from ``dask worker``); the arrays are scattered to
  two workers, which pass them on to the others, and the scheduler reruns a
  task whose worker died.
"""

from __future__ import annotations

import logging
import os
import queue
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .embed.worker import THREAD_VARIABLES
from .errors import FmnistVizError, UsageError, check_number, describe_error

log = logging.getLogger(__name__)

#: How often a task is started again after the worker running it died, before it counts as failed.
MAX_ATTEMPTS = 3
#: Seconds to wait for a Dask scheduler to answer.
CONNECT_TIMEOUT = 10.0
#: Workers that hold each data set's arrays from the start (the others fetch them from these when needed).
REPLICAS = 2
#: Seconds a Dask worker's threads may hold the GIL at a time while a cell runs (Python's default: 0.005).
CELL_SWITCH_INTERVAL = 0.1
#: Seconds the workers of ``--scheduler local`` may take to start.
WORKER_START_TIMEOUT = 60.0
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


@dataclass
class Outcome:
    """What came of a task: the embedding and its seconds, or the error; and where it ran."""

    task: Task
    embedding: np.ndarray | None
    seconds: float = 0.0
    error: str = ""
    where: str = ""


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


def _run(task: Task, arrays: Mapping[str, np.ndarray]) -> Outcome:
    """Run ``task`` here; a failure becomes the outcome's error."""
    from .embed.worker import embed_arrays

    try:
        embedding, seconds = embed_arrays(task.method, task.values, arrays, task.seed, task.device)
    except Exception as exc:  # the cell failed; the sweep goes on and reports it
        log.debug("task %d failed", task.index, exc_info=True)
        return Outcome(task, None, error=describe_error(exc))
    return Outcome(task, embedding, seconds, where="this process")


class InProcess(Executor):
    """Runs the tasks one after another in this process."""

    def __init__(self) -> None:
        self.pending: list[Task] = []
        self.data: dict[str, Mapping[str, np.ndarray]] = {}

    def submit(self, task: Task, arrays: Mapping[str, np.ndarray]) -> None:
        self.data.setdefault(task.data, arrays)
        self.pending.append(task)

    def results(self) -> Iterator[Outcome]:
        while self.pending:
            task = self.pending.pop(0)
            yield _run(task, self.data[task.data])

    def describe(self) -> str:
        return "this process"


class ProcessPool(Executor):
    """``workers`` worker processes on this machine, each taking the next task when it is free."""

    def __init__(self, workers: int, preload: tuple[str, ...] = (), threads: int | None = None) -> None:
        from .embed.worker import WorkerProcess

        self.workers, self.preload, self.threads = workers, preload, threads
        self.tasks: queue.Queue[tuple[Task, Mapping[str, np.ndarray]] | None] = queue.Queue()
        self.outcomes: queue.Queue[Outcome] = queue.Queue()
        self.waiting = 0  # submitted, not yet handed back
        self.closing = threading.Event()
        self.shipped_to: set[tuple[int, str]] = set()
        # started now, so they import the method's library while the client prepares the data
        self.processes = [WorkerProcess(preload, threads) for _ in range(workers)]
        self.threads_ = [threading.Thread(target=self._serve, args=(slot,), daemon=True) for slot in range(workers)]
        for thread in self.threads_:
            thread.start()

    def submit(self, task: Task, arrays: Mapping[str, np.ndarray]) -> None:
        self.waiting += 1
        self.tasks.put((task, arrays))

    def _serve(self, slot: int) -> None:
        """One thread per worker process: send it the next task, wait for the answer, repeat."""
        from .embed.worker import WorkerDied, WorkerProcess

        attempts: dict[int, int] = {}
        while (item := self.tasks.get()) is not None:
            task, arrays = item
            worker = self.processes[slot]
            if (id(worker), task.data) not in self.shipped_to:
                self.shipped_to.add((id(worker), task.data))
                self.shipped += sum(a.nbytes for a in arrays.values())
            try:
                worker.submit(task.method, task.values, arrays, task.seed, task.device, data_key=task.data)
                embedding, seconds = worker.result()
            except WorkerDied as exc:
                if self.closing.is_set():
                    return
                worker.close()
                self.processes[slot] = WorkerProcess(self.preload, self.threads)
                attempts[task.index] = attempts.get(task.index, 0) + 1
                if attempts[task.index] < MAX_ATTEMPTS:
                    log.warning("worker %d died running task %d (%s); started a new one, running it again",
                                slot + 1, task.index, exc)
                    self.tasks.put(item)
                else:
                    self.outcomes.put(Outcome(task, None, error=f"its worker died {MAX_ATTEMPTS} times running it "
                                                                f"(out of memory?): {exc}"))
            except Exception as exc:  # the cell failed; the sweep goes on and reports it
                self.outcomes.put(Outcome(task, None, error=describe_error(exc)))
            else:
                self.outcomes.put(Outcome(task, embedding, seconds, where=f"worker process {slot + 1}"))

    def results(self) -> Iterator[Outcome]:
        while self.waiting:
            try:
                outcome = self.outcomes.get(timeout=0.25)  # short waits, so Ctrl-C is seen at once
            except queue.Empty:
                continue
            self.waiting -= 1
            yield outcome

    def describe(self) -> str:
        threads = f", {self.threads} thread(s) each" if self.threads else ""
        return f"a pool of {self.workers} worker processes{threads}"

    def close(self) -> None:
        self.closing.set()
        for _ in self.threads_:
            self.tasks.put(None)
        for worker in self.processes:
            worker.close(wait=0.0)


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise UsageError("needs Dask distributed, which is not installed: pip install 'fmnist-viz[dask]'",
                         param="scheduler") from None
    return distributed


def _probe(address: str, timeout: float) -> None:
    """Open and close a TCP connection to a ``tcp://HOST:PORT`` address; raises OSError when nothing listens."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address)
    if parts.scheme == "tcp" and parts.hostname and parts.port:
        socket.create_connection((parts.hostname, parts.port), timeout=timeout).close()


def _preload(modules: tuple[str, ...]) -> None:
    """Import ``modules`` on a worker (a failure shows later, in the cells that need them)."""
    import contextlib
    import importlib

    for module in modules:
        with contextlib.suppress(ImportError):
            importlib.import_module(module)


def _cell_on_worker(method: str, values: dict[str, Any], arrays: Mapping[str, np.ndarray], seed: int,
                    device: str) -> tuple[np.ndarray, float, str]:
    """What a Dask worker runs for a task: the embedding, its seconds, and the worker's address."""
    from distributed import get_worker

    from .embed.worker import embed_arrays

    # The worker's event loop wakes many times a second and takes the GIL from the cell each time (every 5 ms
    # by default): a UMAP cell ran 20-35% slower than in a plain process. Longer turns while the cell runs.
    switch = sys.getswitchinterval()
    sys.setswitchinterval(CELL_SWITCH_INTERVAL)
    try:
        embedding, seconds = embed_arrays(method, values, arrays, seed, device)
    finally:
        sys.setswitchinterval(switch)
    return embedding, seconds, get_worker().address


class DaskCluster(Executor):
    """The tasks run on a Dask distributed cluster: an existing scheduler, or ``local`` (one started here).

    The client connects when this is made, so an unreachable scheduler fails
    before any work. ``workers`` sizes a local cluster (single-threaded
    workers); an existing cluster has the workers it has.
    """

    def __init__(self, address: str, workers: int | None = None, timeout: float = CONNECT_TIMEOUT,
                 preload: tuple[str, ...] = ()) -> None:
        distributed = _import_distributed()
        self.address, self.cluster, self.worker_process = address, None, None
        self.futures: dict[Any, Task] = {}
        if address == LOCAL:
            self.cluster = distributed.LocalCluster(n_workers=0, host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                                    silence_logs=logging.ERROR)
            self.client = distributed.Client(self.cluster, timeout=timeout)
            self._start_local_workers(workers or os.cpu_count() or 1)
        else:
            if workers is not None:
                raise UsageError("sizes the local pool or --scheduler local; a running cluster has the workers it "
                                 "has (start more with dask worker)", param="workers")
            if "://" not in address:
                raise UsageError(f"must be tcp://HOST:PORT or {LOCAL!r}, got {address!r}", param="scheduler")
            try:
                _probe(address, timeout)  # a refused connection fails at once; Client would retry until timeout
                self.client = distributed.Client(address, timeout=timeout)
            except (OSError, TimeoutError) as exc:
                raise FmnistVizError(
                    f"cannot reach the Dask scheduler at {address} ({exc}). Start one with `dask scheduler` and "
                    "workers with `dask worker ADDRESS`, or use --scheduler local") from None
        self.workers = len(self.client.nthreads())
        if not self.workers:
            log.warning("the Dask cluster at %s has no workers yet; cells wait until one joins", address)
        self.scattered: dict[str, Any] = {}
        self.arrays: dict[str, Mapping[str, np.ndarray]] = {}
        self.attempts: dict[int, int] = {}
        self.sent = 0
        self.done = distributed.as_completed()
        # each worker imports the method's library now, while this process prepares the data
        self.preloading = [self.client.submit(_preload, preload, workers=[worker], pure=False,
                                              key=f"fmnist-viz-preload-{os.urandom(4).hex()}")
                           for worker in self.client.nthreads()] if preload else []

    def _start_local_workers(self, count: int) -> None:
        """Start ``count`` single-threaded workers with ``dask worker``, a program of its own: workers spawned
        from this process would import the caller's ``__main__`` again, which breaks unguarded scripts."""
        import subprocess
        import tempfile

        import fmnist_viz

        source = os.path.dirname(os.path.dirname(os.path.abspath(fmnist_viz.__file__)))
        env = {**os.environ, **dict.fromkeys(THREAD_VARIABLES, "1"),
               "PYTHONPATH": os.pathsep.join(p for p in (source, os.environ.get("PYTHONPATH")) if p)}
        self.worker_log = tempfile.TemporaryFile(prefix="fmnist-viz-dask-")  # noqa: SIM115 (open while they run)
        self.worker_process = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", self.cluster.scheduler_address, "--nworkers",
             str(count), "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard", "--death-timeout", "30"],
            stdin=subprocess.DEVNULL, stdout=self.worker_log, stderr=subprocess.STDOUT, env=env)
        try:
            self.client.wait_for_workers(count, timeout=WORKER_START_TIMEOUT)
        except TimeoutError:
            self.worker_log.seek(0)
            tail = self.worker_log.read().decode(errors="replace").strip().splitlines()[-5:]
            self.close()
            raise FmnistVizError(f"the local Dask workers did not start within {WORKER_START_TIMEOUT:.0f} s: "
                                 + " / ".join(tail)) from None

    @property
    def dashboard(self) -> str | None:
        """The address of the Dask dashboard, when the scheduler serves one (it needs bokeh)."""
        try:
            return self.client.dashboard_link if "dashboard" in self.client.scheduler_info().get("services", {}) \
                else None
        except (OSError, KeyError):
            return None

    def describe(self) -> str:
        where = "a local Dask cluster" if self.cluster is not None else f"the Dask cluster at {self.address}"
        return f"{where} of {self.workers} worker(s)"

    def _scatter(self, name: str) -> Any:
        """The arrays named ``name``, sent to one worker and copied to a second (so one worker's death does not
        lose them); the other workers fetch them from these two, not from this machine."""
        arrays = dict(self.arrays[name])
        [future] = self.client.scatter([arrays], hash=False)
        copies = min(REPLICAS, self.workers)
        if copies > 1:
            self.client.replicate([future], n=copies)
        self.scattered[name] = future
        self.shipped += sum(a.nbytes for a in arrays.values()) * max(1, copies)
        return future

    def _send(self, task: Task) -> None:
        data = self.scattered[task.data] if task.data in self.scattered else self._scatter(task.data)
        self.sent += 1  # tasks start in the order they were submitted (Dask's own order is not that)
        future = self.client.submit(_cell_on_worker, task.method, task.values, data, task.seed, task.device,
                                    pure=False, priority=-self.sent,
                                    key=f"fmnist-viz-{task.method}-{task.index}-{os.urandom(4).hex()}")
        self.futures[future] = task
        self.done.add(future)

    def submit(self, task: Task, arrays: Mapping[str, np.ndarray]) -> None:
        self.arrays.setdefault(task.data, arrays)
        self._send(task)

    def results(self) -> Iterator[Outcome]:
        from distributed.client import FutureCancelledError

        for future in self.done:
            task = self.futures.pop(future)
            if future.status == "finished":
                embedding, seconds, worker = future.result()
                yield Outcome(task, embedding, seconds, where=worker)
                continue
            try:
                future.result()
            except Exception as exc:  # the cell failed (or lost its data); the sweep goes on and reports it
                lost = isinstance(exc, FutureCancelledError)
                self.attempts[task.index] = self.attempts.get(task.index, 0) + 1
                if lost and self.attempts[task.index] < MAX_ATTEMPTS:  # its data went with the workers holding it
                    log.warning("task %d lost its data (%s); sending the data and the task again", task.index, exc)
                    self.scattered.pop(task.data, None)
                    self._send(task)
                    continue
                yield Outcome(task, None, error=describe_error(exc))
            finally:
                future.release()

    def close(self) -> None:
        if self.futures:
            self.client.cancel(list(self.futures), force=True)
            self.futures.clear()
        for future in getattr(self, "preloading", ()):
            future.release()
        self.client.close()
        if self.worker_process is not None:  # dask worker stops its workers on SIGTERM
            import subprocess

            self.worker_process.terminate()
            try:
                self.worker_process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.worker_process.kill()
                self.worker_process.wait()
            self.worker_log.close()
            self.worker_process = None
        if self.cluster is not None:
            self.cluster.close()


def default_workers(single_threaded: bool) -> int:
    """How many cells run at once on this machine: one per core for single-threaded methods, else one."""
    return (os.cpu_count() or 1) if single_threaded else 1


def make_executor(*, single_threaded: bool, workers: int | None = None, scheduler: str | None = None,
                  preload: tuple[str, ...] = ()) -> Executor:
    """The executor for ``workers`` / ``scheduler`` (also ``DASK_SCHEDULER_ADDRESS``), connected and ready.

    Without a scheduler: in this process for one worker, else a
    :class:`ProcessPool` whose workers share the cores (each gets
    cores / workers threads). ``single_threaded`` says whether the method uses
    one core, which sets the default number of workers.
    """
    if workers is not None:
        check_number(workers, "workers", low=1, high=1024, integer=True)
    scheduler = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    if scheduler:
        executor = DaskCluster(scheduler, workers, preload=preload)
        log.info("cells run on %s%s", executor.describe(),
                 f"; dashboard: {executor.dashboard}" if executor.dashboard else "")
        return executor
    count = workers or default_workers(single_threaded)
    if count == 1:
        return InProcess()
    return ProcessPool(count, preload, threads=max(1, (os.cpu_count() or 1) // count))
