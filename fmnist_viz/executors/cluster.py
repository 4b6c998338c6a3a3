"""Running jobs on a Dask distributed cluster: an existing one, or one started on this machine."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from ..errors import FmnistVizError, UsageError, describe_error
from ..version import __version__
from .base import (
    CELL_SWITCH_INTERVAL,
    CONNECT_TIMEOUT,
    LOCAL,
    LOCAL_SCHEDULER_CONFIG,
    LOCAL_WORKER_CONFIG,
    MAX_ATTEMPTS,
    REPLICAS,
    WORKER_START_TIMEOUT,
    WORKER_WAIT,
    Executor,
    Outcome,
    Task,
)
from .connect import QuietDask, check_address, probe
from .worker import run_cell, worker_env

log = logging.getLogger(__name__)


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise UsageError("needs Dask distributed, which is not installed: pip install 'fmnist-viz[dask]'",
                         param="scheduler") from None
    return distributed


def _check_worker(modules: tuple[str, ...]) -> str:
    """Run on a worker before any cell: import fmnist-viz (this function is one of its) and the method's library,
    so a worker that cannot run the cells says so at once; returns the fmnist-viz version it has."""
    import importlib

    for module in modules:
        importlib.import_module(module)
    return __version__


def _cell_on_worker(method: str, values: dict[str, Any], arrays: Mapping[str, np.ndarray], seed: int,
                    device: str) -> tuple[np.ndarray, float, dict[str, float], str]:
    """What a Dask worker runs for a task: the embedding, its seconds, its quality and the worker's address."""
    from distributed import get_worker

    # The worker's event loop wakes many times a second and takes the GIL from the cell each time (every 5 ms
    # by default): a UMAP cell ran 20-35% slower than in a plain process. Longer turns while the cell runs.
    switch = sys.getswitchinterval()
    sys.setswitchinterval(CELL_SWITCH_INTERVAL)
    try:
        embedding, seconds, metrics = run_cell(method, values, arrays, seed, device)
    finally:
        sys.setswitchinterval(switch)
    return embedding, seconds, metrics, get_worker().address


class DaskCluster(Executor):
    """The tasks run on a Dask distributed cluster: an existing scheduler, or ``local`` (one started here).

    The client connects when this is made, so an unreachable scheduler fails
    before any work. ``workers`` sizes a local cluster (single-threaded
    workers); an existing cluster has the workers it has.
    """

    def __init__(self, address: str, workers: int | None = None, timeout: float = CONNECT_TIMEOUT,
                 preload: tuple[str, ...] = (), worker_wait: float = WORKER_WAIT) -> None:
        check_address(address)
        distributed = _import_distributed()
        self.address, self.cluster, self.worker_process = address, None, None
        self.futures: dict[Any, Task] = {}
        self.preloading: list[Any] = []
        self.checking: dict[str, Any] = {}
        self.worker_wait, self.stopped = worker_wait, ""
        self.quiet = QuietDask()
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
            try:
                probe(address, timeout)  # a refused connection fails at once; Client would retry until timeout
                self.client = distributed.Client(address, timeout=timeout)
            except (OSError, TimeoutError) as exc:
                self.quiet.close()
                raise FmnistVizError(
                    f"cannot reach the Dask scheduler at {address} ({exc}). Start one with `dask scheduler` and "
                    "workers with `dask worker ADDRESS`, or use --scheduler local") from None
            except FmnistVizError:
                self.quiet.close()
                raise
            if not self.client.nthreads():
                self._wait_for_workers(f"the Dask cluster at {address} has no workers")
        self.workers = len(self.client.nthreads())
        self.scattered: dict[str, Any] = {}
        self.arrays: dict[str, Mapping[str, np.ndarray]] = {}
        self.attempts: dict[int, int] = {}
        self.sent = 0
        self.done = distributed.as_completed()
        # each worker imports fmnist-viz and the method's library now, while this process prepares the data; the
        # first cell waits for them, so a worker that cannot run cells says so before any (:meth:`_checked`)
        self.preload = preload
        self.checking = {worker: self.client.submit(_check_worker, preload, workers=[worker], pure=False,
                                                    allow_other_workers=False,
                                                    key=f"fmnist-viz-check-{os.urandom(4).hex()}")
                         for worker in self.client.nthreads()}
        self.preloading = list(self.checking.values())

    def _wait_for_workers(self, why: str) -> None:
        """Wait up to ``worker_wait`` seconds for a worker to join; else stop, saying ``why`` and how to start one."""
        log.warning("%s; waiting up to %g s for one to join (--worker-wait)", why, self.worker_wait)
        try:
            self.client.wait_for_workers(1, timeout=self.worker_wait)
        except (TimeoutError, OSError):
            self.close()
            raise FmnistVizError(f"{why}, and none joined within {self.worker_wait:g} s (--worker-wait): start "
                                 f"workers with `dask worker {self.address}`") from None

    def _checked(self) -> None:
        """That the workers can run cells (the checks sent when connecting), or a FmnistVizError naming why not."""
        if not self.preloading:
            return
        import time

        from distributed import wait

        what = " and ".join(["fmnist-viz", *self.preload])
        deadline = time.monotonic() + WORKER_START_TIMEOUT
        while True:
            try:
                wait(self.preloading, timeout=1)
                break
            except TimeoutError:  # a worker that cannot import fmnist-viz cannot even read it, and leaves
                pass
            alive = self.client.nthreads()
            gone = [f for worker, f in self.checking.items() if worker not in alive and f.status == "pending"]
            self.preloading = [f for f in self.preloading if f not in gone]  # (a worker gone for another reason)
            if not alive or time.monotonic() > deadline:
                self.close()
                raise FmnistVizError(f"the Dask workers at {self.address} stopped (or did not answer) when sent their "
                                     f"first task, as a worker that cannot import fmnist-viz does: install {what} "
                                     "where the workers run (the same versions as here)")
        failed = []
        for future in self.preloading:
            try:
                future.result()
            except Exception as exc:  # the worker could not import the method's library
                failed.append(describe_error(exc))
            finally:
                future.release()
        self.preloading = []
        if failed and len(failed) == self.workers:
            self.close()
            raise FmnistVizError(f"the Dask workers at {self.address} cannot run the cells: {failed[0]}. Install "
                                 f"{what} where the workers run (the same versions as here)")
        if failed:
            log.warning("%d of %d Dask workers cannot run cells (%s); the others run them", len(failed),
                        self.workers, failed[0])

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
        self._checked()
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
        for future in self.done:
            task = self.futures.pop(future, None)
            if task is None:
                continue
            try:
                if future.status == "finished":
                    embedding, seconds, metrics, worker = future.result()
                    yield Outcome(task, embedding, seconds, where=worker, metrics=metrics)
                    continue
                try:
                    future.result()
                except Exception as exc:  # the cell failed, or lost its worker or data; the sweep reports it
                    outcome = self._again_or_failed(task, exc)
                    if outcome is not None:
                        yield outcome
            finally:
                future.release()
            if self.stopped:  # the cluster cannot go on: every cell not done fails with the reason
                for task in list(self.futures.values()):
                    yield Outcome(task, None, error=self.stopped)
                self.client.cancel(list(self.futures), force=True)
                self.futures.clear()
                return

    def _again_or_failed(self, task: Task, exc: Exception) -> Outcome | None:
        """A cell whose worker (or the workers holding its data) died runs again, up to MAX_ATTEMPTS times, while
        the scheduler answers and a worker is left or joins within ``worker_wait``; else its failure (None: sent
        again)."""
        from distributed.client import FutureCancelledError

        if not isinstance(exc, FutureCancelledError):
            return Outcome(task, None, error=describe_error(exc))
        if self.client.status != "running":
            self.stopped = f"the Dask scheduler at {self.address} stopped answering; the cells done are kept"
            return Outcome(task, None, error=self.stopped)
        self.attempts[task.index] = self.attempts.get(task.index, 0) + 1
        if self.attempts[task.index] >= MAX_ATTEMPTS:
            return Outcome(task, None, error=f"its Dask worker died {MAX_ATTEMPTS} times running it (out of memory?)")
        try:
            if not self.client.nthreads():
                self.client.wait_for_workers(1, timeout=self.worker_wait)
            log.warning("cell %d lost its Dask worker; running it again on another", task.index)
            self.scattered.pop(task.data, None)  # the workers holding its data may be gone too
            self._send(task)
        except (TimeoutError, OSError):
            self.stopped = (f"no Dask worker is left to run the cells (none joined within {self.worker_wait:g} s, "
                            "--worker-wait); the cells done are kept")
            return Outcome(task, None, error=self.stopped)
        return None

    def close(self) -> None:
        if getattr(self, "client", None) is None:
            return
        if self.futures:
            self.client.cancel(list(self.futures), force=True)
            self.futures.clear()
        for future in self.preloading:
            future.release()
        self.preloading = []
        self.client.close()
        self.client = None
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
        self.quiet.close()
