"""The worker process for single-threaded methods: plain scripts, parent death, errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from fmnist_viz.embed import Prepared
from fmnist_viz.errors import UsageError
from fmnist_viz.executors.worker import WorkerProcess, arrays_of


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_worker_runs_jobs_in_order_and_reports_errors() -> None:
    data = Prepared.from_features(np.random.default_rng(0).normal(size=(60, 5)).astype(np.float32), pca_dims=None)
    data.neighbors(10)
    arrays = arrays_of(data)
    worker = WorkerProcess()
    try:
        worker.submit("pca", {}, arrays, 0, "cpu")
        worker.submit("umap", {"n_neighbors": 500}, arrays, 0, "cpu")  # more neighbours than points
        worker.submit("pca", {}, arrays, 1, "cpu")
        first, seconds, _ = worker.result()
        np.testing.assert_array_equal(first, data.principal_components(2))
        assert seconds >= 0
        with pytest.raises(UsageError, match="needs at least 501 points") as info:
            worker.result()
        assert info.value.param == "n"
        third, _, _ = worker.result()  # the worker went on after the failed job
        assert third.shape == (60, 2)
    finally:
        worker.close()
    assert worker.process.poll() is not None and not worker.folder.exists()


@pytest.mark.slow
def test_unguarded_script_runs_the_worker_on_a_cold_cache(real_data: Path, tmp_path: Path) -> None:
    script = tmp_path / "plain.py"
    script.write_text(textwrap.dedent("""\
        import fmnist_viz as fv
        results = fv.run(["pca", "umap"], ["fashion"], n=1000, seed=0)
        print("RESULTS", [r.method for r in results], [r.embedding.shape for r in results])
        """))
    env = {**os.environ, "FMNIST_VIZ_CACHE": str(tmp_path / "cold-cache")}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("RESULTS") == 1  # the script body ran once, not again in a worker
    assert "RESULTS ['pca', 'umap'] [(1000, 2), (1000, 2)]" in done.stdout


def test_worker_exits_when_its_parent_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent("""\
        import time
        import numpy as np
        from fmnist_viz.embed import Prepared
        from fmnist_viz.executors.worker import WorkerProcess, arrays_of
        data = Prepared(np.random.default_rng(0).normal(size=(3000, 10)).astype(np.float32))
        data.neighbors(15)
        worker = WorkerProcess(("umap",))
        worker.submit("umap", {"n_epochs": 100000}, arrays_of(data), 0, "cpu")  # minutes of work
        print(worker.process.pid, worker.folder, flush=True)
        time.sleep(600)
        """))
    temp = tmp_path / "tmp"
    temp.mkdir()
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=tmp_path,
                              env={**os.environ, "TMPDIR": str(temp)})
    try:
        pid, folder = parent.stdout.readline().split()  # type: ignore[union-attr]
        worker_pid = int(pid)
        assert worker_pid in children(parent.pid) and alive(worker_pid) and Path(folder).parent == temp
        time.sleep(3)  # inside the job by now
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.time() + 5
        while alive(worker_pid) and time.time() < deadline:
            time.sleep(0.1)
        assert not alive(worker_pid), "the worker outlived its parent by more than 5 s"
        assert list(temp.iterdir()) == []  # and took its folder (and the arrays in it) along
    finally:
        parent.kill()


def test_a_parent_stopped_while_its_workers_start_leaves_no_folder(tmp_path: Path) -> None:
    script = tmp_path / "pool.py"
    script.write_text(textwrap.dedent("""        import time
        from fmnist_viz.executors.local import ProcessPool
        print("starting", flush=True)
        pool = ProcessPool(8, ("umap",))
        time.sleep(600)
        """))
    temp = tmp_path / "tmp"
    temp.mkdir()
    for delay in (0.3, 1.5):  # while the pool starts its workers, and once they import their library
        parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                                  cwd=tmp_path, env={**os.environ, "TMPDIR": str(temp)})
        try:
            parent.stdout.readline()  # type: ignore[union-attr]
            time.sleep(delay)
            workers = children(parent.pid)
            parent.terminate()
            parent.wait()
            deadline = time.time() + 10
            while (any(alive(w) for w in workers) or list(temp.iterdir())) and time.time() < deadline:
                time.sleep(0.1)
            assert not any(alive(w) for w in workers)
            assert list(temp.iterdir()) == [], delay
        finally:
            parent.kill()


def test_folders_of_dead_parents_are_removed_when_a_worker_starts(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    from fmnist_viz.executors.worker import STALE_AFTER

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    left = tmp_path / f"fmnist-viz-worker-{int(dead.stdout)}-abc"  # its parent is gone
    mine = tmp_path / f"fmnist-viz-worker-{os.getpid()}-def"  # a live parent's (this process)
    old = tmp_path / "fmnist-viz-worker-x1y2"  # named as before, untouched for two hours
    recent = tmp_path / "fmnist-viz-worker-z3"
    for folder in (left, mine, old, recent):
        folder.mkdir()
        (folder / "data0.npz").write_bytes(b"x" * 1000)
    os.utime(old, (time.time() - 2 * STALE_AFTER,) * 2)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    worker = WorkerProcess()
    try:
        assert sorted(p.name for p in tmp_path.glob("fmnist-viz-worker-*")) == sorted(
            [mine.name, recent.name, worker.folder.name])
    finally:
        worker.close()
    assert not worker.folder.exists()


def test_the_worker_program_is_not_imported_before_it_runs() -> None:
    """``python -m fmnist_viz.executors.worker`` imports the package first: were the worker module imported there
    too, it would run as a second copy of itself (and Python warns so on every worker's start)."""
    code = "import sys, fmnist_viz.executors; print('fmnist_viz.executors.worker' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"
