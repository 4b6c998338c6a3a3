"""A worker process that runs single-threaded methods (UMAP) beside the multi-threaded ones.

It is started as ``python -m fmnist_viz.executors.worker``, a fresh interpreter
that never imports the caller's ``__main__`` (multiprocessing's ``spawn``
does, which breaks any script without an ``if __name__ == "__main__":``
guard). Jobs travel as files: the parent writes the prepared arrays to an
``.npz`` in a private temporary folder and sends one JSON line on the
worker's stdin; the worker writes the embedding beside it and answers one
JSON line on stdout. Small messages on the pipes, so neither side can block
the other.

The worker exits when its stdin closes, and within a second of its parent's
death (``kill -9`` included), removing its folder either way; it ignores
Ctrl-C, which the parent handles by stopping it, so no traceback from the
worker reaches the terminal. Folders are named after the parent's process id
(``fmnist-viz-worker-PID-*``), so one left by a parent that died before its
worker could clean up is removed when the next worker starts.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np

from ..embed.prepare import Prepared
from ..embed.registry import create
from ..errors import FmnistVizError, UsageError
from ..quality.metrics import measure

#: A worker's folder in the temporary directory: ``fmnist-viz-worker-PARENTPID-RANDOM``.
FOLDER_PREFIX = "fmnist-viz-worker-"
#: Seconds after which a folder named in the old way (no parent id) counts as left behind.
STALE_AFTER = 3600.0

#: The variables that cap the threads of numerical libraries in a worker process.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS")


def arrays_of(data: Prepared, scoring: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """What a worker needs of prepared data, as plain arrays (the PCA features travel once); with ``scoring``
    (``pixels``, ``labels``, ``is_train`` of the same rows) the worker also measures each cell's quality."""
    arrays = {"features": data.features, "is_pca": np.array(data.pca is not None)}
    if data.knn_indices is not None:
        arrays.update(knn_indices=data.knn_indices, knn_distances=data.knn_distances)
    return {**arrays, **(scoring or {})}


def run_cell(method: str, values: dict[str, Any], arrays: Mapping[str, np.ndarray], seed: int, device: str, *,
             embedder: Any = None, progress: bool | None = False,
             label: str = "") -> tuple[np.ndarray, float, dict[str, float]]:
    """Run one embedding on arrays from :func:`arrays_of`: the embedding, the seconds it took, and its quality
    (:func:`fmnist_viz.quality.metrics.evaluate`, when the arrays carry the pixels; else empty).

    What every executor runs, in this process, a worker process or on a Dask
    worker, so a cell gives the same array and the same numbers wherever it
    ran; measured where it ran, a sweep's quality needs no pass in the client. In this process ``embedder``
    (the instance itself, a plugin's need not be registered), ``progress`` and ``label`` (the log's name for the
    data) may be given; elsewhere the embedder is made by ``method`` and ``values``.
    """

    features = arrays["features"]
    data = Prepared(features, pca=features if bool(arrays["is_pca"]) else None, knn_indices=arrays.get("knn_indices"),
                    knn_distances=arrays.get("knn_distances"), seed=seed, progress=progress, label=label)
    start = time.perf_counter()
    embedding = (embedder or create(method, values)).embed(data, seed=seed, device=device)
    seconds = time.perf_counter() - start
    if "pixels" not in arrays:
        return embedding, seconds, {}

    space = features if bool(arrays.get("space_is_features", False)) else arrays.get("space")
    return embedding, seconds, measure(method, arrays["pixels"], embedding, arrays["labels"], arrays["is_train"], seed,
                                       features=space)


def worker_env(threads: int | None = None) -> dict[str, str]:
    """The environment of a worker program started from here: fmnist_viz importable even when it is not
    installed, and ``threads`` (if given) capping its numerical libraries."""
    source = str(Path(__file__).resolve().parents[2])  # the folder that holds fmnist_viz/
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (source, os.environ.get("PYTHONPATH")) if p)}
    if threads:
        env.update(dict.fromkeys(THREAD_VARIABLES, str(threads)))
    return env


class WorkerDied(FmnistVizError):
    """The worker process ended while it had work (killed, or out of memory)."""


class WorkerProcess:
    """The parent's handle on one worker: submit jobs, then collect their results in order."""

    def __init__(self, preload: tuple[str, ...] = (), threads: int | None = None) -> None:
        """Start the worker, importing the modules in ``preload``; ``threads`` caps its numerical libraries."""
        remove_stale_folders()
        self.folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"))
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "fmnist_viz.executors.worker", str(os.getpid()), str(self.folder), *preload],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=worker_env(threads), text=True,
            )
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self.jobs: list[int] = []
        self.written: dict[str, Path] = {}  # data key -> the file its arrays were written to

    def submit(self, method: str, values: dict[str, Any], arrays: Mapping[str, np.ndarray], seed: int,
               device: str, data_key: str | None = None) -> None:
        """Send one embedding job on ``arrays`` (from :func:`arrays_of`); it runs as soon as the worker is free.

        Jobs that name the same ``data_key`` share one file of arrays, written once.
        """
        job = len(self.jobs)
        path = self.written.get(data_key) if data_key is not None else None
        if path is None:
            path = self.folder / f"data{job}.npz"
            np.savez(path, **arrays)
            if data_key is not None:
                self.written[data_key] = path
        message = {"job": job, "folder": str(self.folder), "data": path.name, "method": method, "values": values,
                   "seed": seed, "device": device}
        self.process.stdin.write(json.dumps(message) + "\n")  # type: ignore[union-attr]
        self.process.stdin.flush()  # type: ignore[union-attr]
        self.jobs.append(job)

    def result(self) -> tuple[np.ndarray, float, dict[str, float]]:
        """The next job's embedding, the seconds it took and its quality (see :func:`run_cell`); raises the
        worker's error as ours."""
        line = self.process.stdout.readline()  # type: ignore[union-attr]
        if not line:
            code = self.process.wait()
            raise WorkerDied(f"the worker process stopped unexpectedly (exit status {code})")
        reply = json.loads(line)
        if not reply["ok"]:
            if reply["usage"]:
                raise UsageError(reply["error"], param=reply["param"])
            raise FmnistVizError(reply["error"])
        return np.load(self.folder / f"job{reply['job']}-out.npy"), float(reply["seconds"]), reply["metrics"]

    def close(self, wait: float = 2.0) -> None:
        """Stop the worker (killed after ``wait`` seconds if it is still busy) and remove its files."""
        with contextlib.suppress(OSError):
            self.process.stdin.close()  # type: ignore[union-attr]
        try:
            self.process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        with contextlib.suppress(OSError):
            self.process.stdout.close()  # type: ignore[union-attr]
        shutil.rmtree(self.folder, ignore_errors=True)


def remove_stale_folders(root: str | os.PathLike[str] | None = None) -> None:
    """Remove workers' folders left in the temporary directory by parents that are gone."""
    for path in Path(root or tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*"):
        owner = re.match(rf"{FOLDER_PREFIX}(\d+)-", path.name)
        try:
            if owner is not None:
                os.kill(int(owner.group(1)), 0)  # raises when no such process runs
                continue
            if time.time() - path.stat().st_mtime < STALE_AFTER:
                continue
        except ProcessLookupError:
            pass
        except OSError:  # not ours to look at or remove (PermissionError: another user's live process)
            continue
        shutil.rmtree(path, ignore_errors=True)


def _exit_with_parent(parent: int, folder: Path) -> None:
    """Exit the worker, removing its folder, as soon as the process that started it is gone."""
    while True:
        if os.getppid() != parent:
            shutil.rmtree(folder, ignore_errors=True)
            os._exit(1)
        time.sleep(0.5)


def _run_job(message: dict[str, Any], loaded: dict[Path, dict[str, np.ndarray]]) -> dict[str, Any]:
    """One job; ``loaded`` keeps the arrays of the last data file, which the next job usually shares."""
    folder, job = Path(message["folder"]), message["job"]
    path = folder / message["data"]
    if path not in loaded:
        loaded.clear()
        with np.load(path) as arrays:
            loaded[path] = {name: arrays[name] for name in arrays.files}
    embedding, seconds, metrics = run_cell(message["method"], message["values"], loaded[path], message["seed"],
                                           message["device"])
    np.save(folder / f"job{job}-out.npy", embedding)
    return {"job": job, "ok": True, "seconds": seconds, "metrics": metrics}


def main(parent: int, folder: Path, preload: list[str], replies: IO[str]) -> None:
    """Serve jobs from stdin until it closes (or the ``parent`` process is gone), then remove ``folder``."""
    try:
        _serve(parent, folder, preload, replies)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _serve(parent: int, folder: Path, preload: list[str], replies: IO[str]) -> None:
    import importlib

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent, folder), daemon=True).start()
    for module in preload:  # import the method's library while the parent prepares the data
        importlib.import_module(module)
    loaded: dict[Path, dict[str, np.ndarray]] = {}
    for line in sys.stdin:
        message = json.loads(line)
        try:
            reply = _run_job(message, loaded)
        except Exception as exc:  # the parent raises it; the worker goes on with the next job
            if isinstance(exc, UsageError):  # keep what it is about, so the CLI can name its flag
                reply = {"usage": True, "param": exc.param, "error": exc.detail}
            else:
                text = str(exc) if isinstance(exc, FmnistVizError) else f"{type(exc).__name__}: {exc}"
                reply = {"usage": False, "error": text}
            reply.update(job=message["job"], ok=False)
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


if __name__ == "__main__":
    # stdout carries the replies alone: whatever the libraries print goes to stderr
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    main(int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:], replies)
