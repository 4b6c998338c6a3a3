"""Running jobs on this machine: in this process, in one worker process beside it, or in a pool of them."""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from ..errors import describe_error
from ..progress import step
from . import MAX_ATTEMPTS, Executor, Outcome, Task

log = logging.getLogger(__name__)


def _run(task: Task, arrays: Mapping[str, np.ndarray]) -> Outcome:
    """Run ``task`` here; a failure becomes the outcome's error."""
    from .worker import run_cell

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
        from .worker import WorkerProcess

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
        self.threads_ = [threading.Thread(target=self._serve, args=(slot,), daemon=True) for slot in range(workers)]
        for thread in self.threads_:
            thread.start()

    def submit(self, task: Task, arrays: Mapping[str, np.ndarray]) -> None:
        self.waiting += 1
        self.tasks.put((task, arrays))

    def _serve(self, slot: int) -> None:
        """One thread per worker process: send it the next task, wait for the answer, repeat."""
        from .worker import WorkerDied, WorkerProcess

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
        for _ in self.threads_:
            self.tasks.put(None)
        for worker in self.processes:
            worker.close(wait=0.0)


def run_here(jobs: list[Any], cache: Any, progress: bool | None, min_k: int = 0) -> None:
    """Run the jobs: prepare each data set once, and use both cores where a method uses one.

    A method that runs single-threaded (UMAP, which is sequential when seeded)
    goes to a worker process, so it runs beside the multi-threaded ones instead
    of after them; the rest run here, in order.
    """
    from ..pipeline import _subsets, prepare_for

    if not jobs:
        return
    offload = [j for j in jobs if j.embedder.single_threaded and j.embedder.name in _registered_names()]
    if len(offload) == len(jobs) or (os.cpu_count() or 1) < 2:
        offload = []
    prepared: dict[int, Any] = {}
    worker = None
    try:
        if offload:
            from .worker import WorkerProcess, arrays_of

            # the worker imports the library while the data is prepared here
            worker = WorkerProcess(tuple({j.embedder.import_name() for j in offload} - {""}))
        for subset in _subsets(jobs):  # prepare each data set once; hand its offloaded jobs to the worker at once
            p = prepared[id(subset)] = prepare_for(subset, jobs, cache, progress, min_k)
            for other in (j for j in offload if j.subset is subset):
                log.info("%s: started in a worker process", other.what)
                worker.submit(other.embedder.name, other.embedder.values, arrays_of(p),  # type: ignore[union-attr]
                              other.seed, other.device)
        for job in (j for j in jobs if j not in offload):
            with step(job.what) as timed:
                embedding = job.embedder.embed(prepared[id(job.subset)], seed=job.seed, device=job.device)
            job.finish(embedding, timed.seconds, cache)
        for job in offload:
            embedding, seconds, _ = worker.result()  # type: ignore[union-attr]
            log.info("%s: done in %.1f s (worker process)", job.what, seconds)
            job.finish(embedding, seconds, cache)
    finally:
        if worker is not None:
            worker.close()


def _registered_names() -> set[str]:
    from ..embed import embedder_names

    return set(embedder_names())
