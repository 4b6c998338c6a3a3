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
from fmnist_viz.embed.worker import WorkerProcess, arrays_of
from fmnist_viz.errors import UsageError


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
        first, seconds = worker.result()
        np.testing.assert_array_equal(first, data.principal_components(2))
        assert seconds >= 0
        with pytest.raises(UsageError, match="needs at least 501 points") as info:
            worker.result()
        assert info.value.param == "n"
        third, _ = worker.result()  # the worker went on after the failed job
        assert third.shape == (60, 2)
    finally:
        worker.close()
    assert worker.process.poll() is not None and not worker.folder.exists()


@pytest.mark.realdata
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
        from fmnist_viz.embed.worker import WorkerProcess, arrays_of
        data = Prepared(np.random.default_rng(0).normal(size=(3000, 10)).astype(np.float32))
        data.neighbors(15)
        worker = WorkerProcess(("umap",))
        worker.submit("umap", {"n_epochs": 100000}, arrays_of(data), 0, "cpu")  # minutes of work
        print(worker.process.pid, flush=True)
        time.sleep(600)
        """))
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        worker_pid = int(parent.stdout.readline())  # type: ignore[union-attr]
        assert worker_pid in children(parent.pid) and alive(worker_pid)
        time.sleep(3)  # inside the job by now
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.time() + 5
        while alive(worker_pid) and time.time() < deadline:
            time.sleep(0.1)
        assert not alive(worker_pid), "the worker outlived its parent by more than 5 s"
    finally:
        parent.kill()
