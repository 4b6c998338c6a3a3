"""Where sweep cells run: this process, a pool of worker processes, a real Dask cluster on 127.0.0.1.

The cluster tests start a LocalCluster of separate worker processes (listening
on 127.0.0.1 only) once for the module, kill its workers, interrupt sweeps
that use it, and stop it at the end; every wait is bounded.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from fmnist_viz.cli.parser import main
from fmnist_viz.errors import UsageError
from fmnist_viz.executors import Task
from fmnist_viz.executors.choose import make_executor
from fmnist_viz.executors.cluster import DaskCluster
from fmnist_viz.executors.local import InProcess, ProcessPool
from fmnist_viz.studies.sweeps import sweep

from conftest import REPO, Tiny, patch_everywhere

distributed = pytest.importorskip("distributed", reason="Dask distributed is not installed (pip install '.[dask]')")


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A Dask cluster of two single-threaded worker processes on 127.0.0.1; its scheduler's address."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0", silence_logs=40) as local:
        yield local.scheduler_address


def _random_arrays(n: int = 300, d: int = 20, seed: int = 0) -> dict[str, np.ndarray]:
    features = np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)
    return {"features": features, "is_pca": np.array(False)}


def _all_outcomes(executor: object, tasks: list[Task], arrays: dict[str, np.ndarray]) -> dict[int, object]:
    for task in tasks:
        executor.submit(task, arrays)  # type: ignore[attr-defined]
    return {o.task.index: o for o in executor.results()}  # type: ignore[attr-defined]


@pytest.mark.slow
def test_every_executor_gives_the_same_arrays_and_reports_a_failing_task(cluster: str) -> None:
    arrays = _random_arrays()
    tasks = [Task(0, "umap", {"n_neighbors": 8, "n_epochs": 50}, "d", seed=3),
             Task(1, "pca", {}, "d", seed=0),
             Task(2, "umap", {"n_neighbors": 400}, "d", seed=0)]  # 400 neighbours of 300 points: fails on the worker
    found = {}
    for name, start in (("here", InProcess), ("pool", lambda: ProcessPool(2)), ("dask", lambda: DaskCluster(cluster))):
        with start() as executor:
            found[name] = _all_outcomes(executor, tasks, arrays)
        assert found[name][2].embedding is None and "umap needs at least 401 points" in found[name][2].error
        assert found[name][0].error == "" and found[name][0].seconds > 0
    for index in (0, 1):  # the same cell gives the same array wherever it ran
        assert np.array_equal(found["here"][index].embedding, found["dask"][index].embedding)
        assert np.array_equal(found["here"][index].embedding, found["pool"][index].embedding)
    assert found["dask"][0].where.startswith("tcp://127.0.0.1:")


def quality(measured: dict[str, float]) -> dict[str, float]:
    """The measures, without the seconds each took."""
    return {k: v for k, v in measured.items() if not k.endswith("_seconds")}


@pytest.mark.slow
def test_a_sweep_on_the_cluster_equals_the_sweep_here_and_keeps_failed_cells(tiny: Tiny, tmp_path: Path,
                                                                             cluster: str,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from fmnist_viz.pipeline import measure

    tiny.write(tmp_path / "d" / "tiny")
    grid = {"n_neighbors": [5, 60], "n_epochs": [30]}  # 60 neighbours of 50 points: refused, the rest runs
    here = sweep("umap", grid, ["tiny"], seeds=[0, 1], data_dir=tmp_path / "d", use_cache=False, workers=1)
    # each cell's quality is measured where it ran: nothing is left to measure in this process
    real = measure.evaluate_results
    def in_the_client(results: list, **kw: object) -> None:
        if results:
            pytest.fail(f"measured {len(results)} result(s) in the client")

    patch_everywhere(monkeypatch, real, in_the_client)
    there = sweep("umap", grid, ["tiny"], seeds=[0, 1], data_dir=tmp_path / "d", use_cache=False, scheduler=cluster)
    assert [c.status for c in there.cells] == ["done", "done", "failed", "failed"] == [c.status for c in here.cells]
    assert "needs at least 61" in there.cells[2].error
    for a, b in zip(here.cells[:2], there.cells[:2], strict=True):
        assert np.array_equal(a.result.embedding, b.result.embedding)
        assert quality(a.result.metrics) == quality(b.result.metrics) and "knn_accuracy" in quality(b.result.metrics)
    patch_everywhere(monkeypatch, in_the_client, real)
    again = [c.result for c in here.cells[:2]]
    for r in again:
        r.metrics = {}
    real(again, data_dir=tmp_path / "d")  # measured here, the same numbers
    assert [quality(r.metrics) for r in again] == [quality(c.result.metrics) for c in there.cells[:2]]
    rows = there.rows()
    assert rows[0]["seed_disparity"] == rows[1]["seed_disparity"] != ""  # seeds 0 and 1 of one setting compared
    assert 0 <= rows[0]["seed_disparity"] <= 1 and rows[2]["seed_disparity"] == ""


@pytest.mark.slow
def test_a_worker_killed_mid_cell_runs_the_cell_again_elsewhere(cluster: str, real_data: Path) -> None:
    killed: list[str] = []

    def kill_a_busy_worker() -> None:
        with distributed.Client(cluster, timeout=10) as client:
            pids = client.run(os.getpid)
            deadline = time.monotonic() + 120
            while not killed and time.monotonic() < deadline:
                busy = [w for w, keys in client.processing().items() if any("fmnist-viz-umap" in str(k) for k in keys)]
                if busy:
                    time.sleep(0.5)  # well into the cell
                    os.kill(pids[busy[0]], signal.SIGKILL)
                    killed.append(busy[0])
                time.sleep(0.05)

    killer = threading.Thread(target=kill_a_busy_worker, daemon=True)
    killer.start()
    result = sweep("umap", {"n_epochs": [400, 500]}, ["fashion"], n=3000, scheduler=cluster, use_cache=False)
    killer.join(timeout=10)
    assert killed, "no worker was seen running a cell"
    assert [c.status for c in result.cells] == ["done", "done"]
    assert all(len(c.result.embedding) == 3000 for c in result.cells)
    with distributed.Client(cluster, timeout=10) as client:  # the nanny started a new worker in its place
        client.wait_for_workers(2, timeout=30)
        assert killed[0] not in client.scheduler_info()["workers"]


@pytest.mark.slow
def test_a_pool_worker_that_dies_is_replaced_and_its_task_run_again() -> None:
    arrays = _random_arrays(n=3000)
    with ProcessPool(1) as pool:
        pool.submit(Task(0, "umap", {"n_epochs": 300}, "d", seed=0), arrays)
        first = pool.processes[0]
        time.sleep(1.0)
        first.process.kill()  # mid-task: the worker is importing umap or embedding
        (outcome,) = list(pool.results())
        assert pool.processes[0] is not first
    assert outcome.error == "" and outcome.embedding.shape == (3000, 2)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_fails_before_any_work(monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from fmnist_viz import pipeline

    monkeypatch.setattr(pipeline.plan, "load_all", lambda *a, **k: pytest.fail("started work"))
    start = time.monotonic()
    assert main(["sweep", "umap", "--grid", "n_neighbors=5", "--scheduler", f"tcp://127.0.0.1:{_free_port()}"]) == 1
    assert time.monotonic() - start < 20
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:" in capsys.readouterr().err
    assert main(["sweep", "umap", "--grid", "n_neighbors=5", "--scheduler", "127.0.0.1:8786"]) == 2
    assert "--scheduler must be tcp://HOST:PORT or 'local'" in capsys.readouterr().err
    for address, message in (("tcp://127.0.0.1:99999", "port from 1 to 65535"), ("tcp://127.0.0.1", "port from 1"),
                             ("http://127.0.0.1:8787", "is a web address"),
                             ("inproc://x", "inproc:// is not supported"),
                             ("ucx://127.0.0.1:1", "ucx:// is not supported"), ("tcp://:8786", "must name a host")):
        assert main(["sweep", "umap", "--grid", "n_neighbors=5", "--scheduler", address]) == 2, address
        assert message in capsys.readouterr().err, address
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", f"tcp://127.0.0.1:{_free_port()}")  # the variable counts too
    assert main(["sweep", "umap", "--grid", "n_neighbors=5"]) == 1
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err


def test_choosing_where_cells_run(monkeypatch: pytest.MonkeyPatch, cluster: str) -> None:
    assert isinstance(make_executor(single_threaded=False), InProcess)  # t-SNE uses every core itself
    with make_executor(single_threaded=True, workers=2) as pool:
        assert isinstance(pool, ProcessPool) and pool.workers == 2
        assert pool.threads == max(1, (os.cpu_count() or 1) // 2)  # the cores shared between the workers
    with pytest.raises(UsageError, match="workers sizes the local pool"):
        make_executor(single_threaded=True, workers=3, scheduler=cluster)
    with pytest.raises(UsageError, match="workers must be an integer >= 1"):
        make_executor(single_threaded=True, workers=0)
    cores = os.cpu_count() or 1  # --workers 1000 started 149 processes before anything stopped it
    with pytest.raises(UsageError, match=f"workers must be at most {4 * cores} here .4 per core"):
        make_executor(single_threaded=True, workers=1000)
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if Dask were not installed
    with pytest.raises(UsageError, match=r"pip install 'fmnist-viz\[dask\]'"):
        make_executor(single_threaded=True, scheduler="local")


def test_local_workers_run_without_the_diagnostics_that_slow_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    """--scheduler local: no stack sampling or work stealing, a slow event-loop tick, no malloc trim threshold;
    a setting in the environment still wins."""
    monkeypatch.setenv("DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL", "2s")
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)  # a nanny in this process (the fixture) sets it here

    def worker_settings() -> tuple[object, object, object]:
        import dask

        return (dask.config.get("distributed.worker.profile.enabled"),
                dask.config.get("distributed.admin.tick.interval"), os.environ.get("MALLOC_TRIM_THRESHOLD_"))

    with DaskCluster("local", 2) as executor:
        settings = executor.client.run(worker_settings)
        scheduler = executor.cluster.scheduler  # a cell at a time per worker, so nothing to steal
        assert scheduler.WORKER_SATURATION == 1.0 and "stealing" not in scheduler.extensions
    assert len(settings) == 2 and set(settings.values()) == {(False, "2s", None)}  # glibc's own mmap threshold


@pytest.mark.slow
def test_ctrl_c_stops_a_cluster_sweep_and_leaves_the_cache_whole(tmp_path: Path, real_data: Path) -> None:
    import psutil

    from fmnist_viz.store.cache import ResultCache

    cache = tmp_path / "cache"
    env = {**os.environ, "FMNIST_VIZ_CACHE": str(cache), "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "fmnist_viz", "sweep", "umap", "--grid", "n_epochs=300,301,302,303,304,305",
         "--n", "3000", "--scheduler", "local", "--workers", "2", "--out", str(tmp_path / "o")],
        stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    lines = []
    deadline = time.monotonic() + 180
    for line in process.stderr:  # type: ignore[union-attr]
        lines.append(line)
        if "done in" in line and "cell 1 of 6" in line or time.monotonic() > deadline:
            break
    children = psutil.Process(process.pid).children(recursive=True)
    assert children, "the local cluster started no worker processes"
    process.send_signal(signal.SIGINT)
    try:
        rest = process.communicate(timeout=60)[1]
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("the sweep did not stop within 60 s of Ctrl-C")
    assert process.returncode == 130, "".join(lines) + rest
    assert "fmnist-viz: interrupted" in rest
    gone, alive = psutil.wait_procs(children, timeout=30)
    assert not alive, f"worker processes left running: {alive}"
    assert not list(tmp_path.glob("o/*.csv"))  # no table of a half-done sweep
    stored = ResultCache(root=cache)
    embeddings = stored.entries()["embedding"]
    assert embeddings, "the cell that finished before Ctrl-C was not cached"
    assert all(stored.load("embedding", e["key"]) is not None for e in embeddings)  # each one whole
    assert {p.suffix for p in (cache / "computed").rglob("*") if p.is_file()} <= {".npz", ".json"}  # no temp files


@pytest.mark.parametrize("server", ["silent", "http", "banner"])
def test_a_port_that_is_no_dask_scheduler_fails_within_seconds(server: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A listener that accepts and says nothing, a web server, another protocol's banner: each was a hang (or
    'Unable to allocate 2.82 EiB'); each is now one message within the handshake's 5 s."""
    import http.server

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    held: list[socket.socket] = []

    def serve() -> None:
        if server == "http":
            listener.close()
            httpd = http.server.HTTPServer(("127.0.0.1", port), http.server.SimpleHTTPRequestHandler)
            httpd.timeout = 10
            httpd.handle_request()
            httpd.server_close()
            return
        listener.settimeout(10)
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        held.append(conn)
        if server == "banner":
            conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    time.sleep(0.2)
    start = time.monotonic()
    try:
        assert main(["sweep", "umap", "--grid", "n_neighbors=5", "--scheduler", f"tcp://127.0.0.1:{port}"]) == 1
    finally:
        for conn in held:
            conn.close()
        listener.close()
    assert time.monotonic() - start < 8
    assert f"127.0.0.1:{port} does not answer as a Dask scheduler" in capsys.readouterr().err
    thread.join(timeout=10)


def test_a_scheduler_without_workers_waits_as_told_then_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    with distributed.LocalCluster(n_workers=0, host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                  silence_logs=40) as empty:
        start = time.monotonic()
        assert main(["sweep", "umap", "--grid", "n_neighbors=5", "--scheduler", empty.scheduler_address,
                     "--worker-wait", "1"]) == 1
        assert time.monotonic() - start < 10
    err = capsys.readouterr().err
    assert "has no workers, and none joined within 1 s (--worker-wait)" in err and "dask worker tcp://" in err


def test_workers_that_cannot_import_fmnist_viz_are_named_before_any_cell(tiny: Tiny, tmp_path: Path) -> None:
    from fmnist_viz.errors import FmnistVizError

    tiny.write(tmp_path / "d" / "tiny")
    with distributed.LocalCluster(n_workers=0, host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                  silence_logs=40) as empty:
        code = ("import sys; sys.modules['fmnist_viz'] = None; from distributed.cli.dask_worker import main; main()")
        worker = subprocess.Popen([sys.executable, "-c", code, empty.scheduler_address, "--nthreads", "1",
                                   "--no-nanny", "--no-dashboard", "--host", "127.0.0.1"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            with distributed.Client(empty.scheduler_address, timeout=10) as client:
                client.wait_for_workers(1, timeout=30)
            with pytest.raises(FmnistVizError, match="as a worker that cannot import fmnist-viz does: install "
                                                     "fmnist-viz and openTSNE where the workers run"):
                sweep("tsne", {"perplexity": [3.0]}, ["tiny"], data_dir=tmp_path / "d", use_cache=False,
                      scheduler=empty.scheduler_address, worker_wait=1)
        finally:
            worker.kill()
            worker.wait()


@pytest.mark.slow
@pytest.mark.parametrize("lose", ["workers", "scheduler"])
def test_a_cluster_that_loses_every_worker_or_its_scheduler_keeps_the_cells_done(
        lose: str, real_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both workers killed, or the scheduler killed, mid-sweep: the cells done are kept, the rest fail with one
    reason each (no worker joined within --worker-wait; the scheduler stopped answering), and the table is written."""
    from fmnist_viz.outputs.sweeps import save_sweep

    port = _free_port()
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                  "--port", str(port), "--no-dashboard"], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
    workers = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", f"tcp://127.0.0.1:{port}",
                                "--nworkers", "2", "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    cache = tmp_path / "cache"
    monkeypatch.setenv("FMNIST_VIZ_CACHE", str(cache))

    def lose_after_the_first_cell() -> None:
        deadline = time.monotonic() + 120
        while not list((cache / "computed" / "embedding").glob("*.npz")) and time.monotonic() < deadline:
            time.sleep(0.1)
        if lose == "workers":
            os.killpg(workers.pid, signal.SIGKILL)
        else:
            scheduler.kill()

    try:
        with distributed.Client(f"tcp://127.0.0.1:{port}", timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        killer = threading.Thread(target=lose_after_the_first_cell, daemon=True)
        killer.start()
        swept = sweep("umap", {"n_neighbors": [5, 6, 7, 8, 9, 10]}, ["fashion"], n=3000,
                      scheduler=f"tcp://127.0.0.1:{port}", worker_wait=2)
        killer.join(timeout=10)
        done = [c for c in swept.cells if c.status == "done"]
        failed = [c for c in swept.cells if c.status == "failed"]
        assert done and failed
        reason = "no Dask worker is left" if lose == "workers" else "the Dask scheduler at tcp://"
        assert all(reason in c.error for c in failed), [c.error for c in failed]
        table = save_sweep(swept, tmp_path / "o", "csv")[0].read_text()
        assert table.count(",done,") == len(done) and table.count(",failed,") == len(failed)
    finally:
        for process in (scheduler, workers):
            if process.poll() is None:
                process.kill()
            process.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(workers.pid, signal.SIGKILL)
