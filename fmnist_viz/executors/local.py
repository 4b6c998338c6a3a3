"""Running jobs on this machine: in this process, in one worker process beside it, or in a pool of them."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator, Mapping

import numpy as np

from ..embed import embedder_names
from ..errors import describe_error
from ..progress import step
from .base import MAX_ATTEMPTS, Executor, Outcome, Task
from .worker import WorkerDied, WorkerProcess, run_cell

log = logging.getLogger(__name__)


def _run(task: Task, arrays: Mapping[str, np.ndarray]) -> Outcome:
    """Run ``task`` here; a failure becomes the outcome's error."""

    try:
        embedding, seconds, metrics = run_cell(task.method, task.values, arrays, task.seed, task.device)
    except Exception as exc:  # the cell failed; the sweep goes on and reports it
        log.debug("task %d failed", task.index, exc_info=True)
        return Outcome(task, None, error=describe_error(exc))
    return Outcome(task, embedding, seconds, where="this process", metrics=metrics)


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

        self.workers, self.preload, self.threads = workers, preload, threads
        self.tasks: queue.Queue[tuple[Task, Mapping[str, np.ndarray]] | None] = queue.Queue()
        self.outcomes: queue.Queue[Outcome] = queue.Queue()
        self.waiting = 0  # submitted, not yet handed back
        self.closing = threading.Event()
        self.shipped_to: set[tuple[int, str]] = set()
        self.attempts: dict[int, int] = {}  # task -> times its worker died running it, whichever thread ran it
        self.lock = threading.Lock()  # over shipped, shipped_to and attempts, which every thread updates
        # started now, so they import the method's library while the client prepares the data; an interruption
        # (Ctrl-C, kill) while they start stops those already started, so none is left with its folder
        self.processes: list[WorkerProcess] = []
        try:
            for _ in range(workers):
                self.processes.append(WorkerProcess(preload, threads))
        except BaseException:
            for worker in self.processes:
                worker.close(wait=0.0)
            raise
        self.serving = [threading.Thread(target=self._serve, args=(slot,), daemon=True) for slot in range(workers)]
        for thread in self.serving:
            thread.start()

    def submit(self, task: Task, arrays: Mapping[str, np.ndarray]) -> None:
        self.waiting += 1
        self.tasks.put((task, arrays))

    def _serve(self, slot: int) -> None:
        """One thread per worker process: send it the next task, wait for the answer, repeat."""

        while (item := self.tasks.get()) is not None:
            task, arrays = item
            worker = self.processes[slot]
            with self.lock:
                if (id(worker), task.data) not in self.shipped_to:
                    self.shipped_to.add((id(worker), task.data))
                    self.shipped += sum(a.nbytes for a in arrays.values())
            try:
                worker.submit(task.method, task.values, arrays, task.seed, task.device, data_key=task.data)
                embedding, seconds, metrics = worker.result()
            except WorkerDied as exc:
                if self.closing.is_set():
                    return
                worker.close()
                self.processes[slot] = WorkerProcess(self.preload, self.threads)
                with self.lock:
                    self.attempts[task.index] = died = self.attempts.get(task.index, 0) + 1
                if died < MAX_ATTEMPTS:
                    log.warning("worker %d died running task %d (%s); started a new one, running it again",
                                slot + 1, task.index, exc)
                    self.tasks.put(item)
                else:
                    self.outcomes.put(Outcome(task, None, error=f"its worker died {MAX_ATTEMPTS} times running it "
                                                                f"(out of memory?): {exc}"))
            except Exception as exc:  # the cell failed; the sweep goes on and reports it
                self.outcomes.put(Outcome(task, None, error=describe_error(exc)))
            else:
                self.outcomes.put(Outcome(task, embedding, seconds, where=f"worker process {slot + 1}",
                                          metrics=metrics))

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
        for _ in self.serving:
            self.tasks.put(None)
        for worker in self.processes:
            worker.close(wait=0.0)


class HereAndBeside(Executor):
    """What :func:`fmnist_viz.run` uses: the tasks in this process, in order, and, with ``beside``, the
    single-threaded ones (UMAP, sequential when seeded) in one worker process next to it, so they run beside the
    multi-threaded ones instead of after them. Failures are raised, not reported as outcomes."""

    def __init__(self, beside: bool = False, preload: tuple[str, ...] = ()) -> None:
        self.here: list[tuple[Task, Mapping[str, np.ndarray]]] = []
        self.sent: list[Task] = []

        # started now, so it imports the method's library while the data is prepared here
        self.worker = WorkerProcess(preload) if beside else None
        self.workers = 2 if beside else 1

    def submit(self, task: Task, arrays: Mapping[str, np.ndarray]) -> None:
        if self.worker is not None and task.single_threaded and _registered(task.method):
            log.info("%s: started in a worker process", task.label or task.method)
            self.worker.submit(task.method, task.values, arrays, task.seed, task.device, data_key=task.data)
            self.sent.append(task)
        else:
            self.here.append((task, arrays))

    def results(self) -> Iterator[Outcome]:
        while self.here:
            task, arrays = self.here.pop(0)
            with step(task.label or task.method) as timed:
                embedding, _, metrics = run_cell(task.method, task.values, arrays, task.seed, task.device,
                                                 embedder=task.embedder, progress=None,
                                                 label=task.label.partition(":")[0])
            yield Outcome(task, embedding, timed.seconds, where="this process", metrics=metrics)
        while self.sent:
            task = self.sent.pop(0)
            embedding, seconds, metrics = self.worker.result()  # type: ignore[union-attr]
            log.info("%s: done in %.1f s (worker process)", task.label or task.method, seconds)
            yield Outcome(task, embedding, seconds, where="worker process", metrics=metrics)

    def describe(self) -> str:
        return "this process" + (" and one worker process beside it" if self.worker is not None else "")

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()


def _registered(name: str) -> bool:
    """Whether a worker process can make the embedder ``name`` (a plugin instance handed to run() may not be)."""

    return name in embedder_names()
