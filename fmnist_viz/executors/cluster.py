"""Running jobs on a Dask distributed cluster: an existing one, or one started on this machine."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from ..embed.worker import worker_env
from ..errors import FmnistVizError, UsageError, describe_error
from . import (
    CELL_SWITCH_INTERVAL,
    CONNECT_TIMEOUT,
    LOCAL,
    LOCAL_SCHEDULER_CONFIG,
    LOCAL_WORKER_CONFIG,
    MAX_ATTEMPTS,
    REPLICAS,
    WORKER_START_TIMEOUT,
    Executor,
    Outcome,
    Task,
)

log = logging.getLogger(__name__)


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

    from ..embed.worker import embed_arrays

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
        self.preloading: list[Any] = []
        if address == LOCAL:
            import dask

            with dask.config.set(LOCAL_SCHEDULER_CONFIG):
                self.cluster = distributed.LocalCluster(n_workers=0, host="127.0.0.1",
                                                        dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
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

        self.worker_log = tempfile.TemporaryFile(prefix="fmnist-viz-dask-")  # noqa: SIM115 (open while they run)
        self.worker_process = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", self.cluster.scheduler_address, "--nworkers",
             str(count), "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard", "--death-timeout", "30"],
            stdin=subprocess.DEVNULL, stdout=self.worker_log, stderr=subprocess.STDOUT,
            env={**LOCAL_WORKER_CONFIG, **worker_env(threads=1)})
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
        for future in self.preloading:
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


