"""Benchmark a sweep's cells as a user would run them: one at a time, a local pool, a local Dask cluster, and a
plain loop over umap-learn, side by side in one run.

A 3 x 3 UMAP grid (n_neighbors 5, 15, 50 x min_dist 0.0, 0.1, 0.5) on the
70,000 points of Fashion-MNIST. The data is prepared once (PCA, one 49-NN
graph) into a cache folder of the benchmark's own; then, for each executor,
the nine cells are computed from scratch (embeddings are removed from that
cache between executors) and timed from starting the workers to the last
result. Each executor runs in a fresh Python process, as a user's command
does: importing umap-learn and compiling its numba code (~10 s here) is paid
by every run, in the one process or in each worker (a process that had run
UMAP before would not pay it again). The baselines are what a user would run instead: ``fmnist-viz sweep
--workers 1`` (the cells one after another in this process, whose libraries
may use every core), and a plain loop of ``umap.UMAP(n_neighbors=k,
min_dist=d).fit_transform(X)`` on the raw pixels scaled to [0, 1] (umap-learn
as documented: unseeded, so on every core), the loop one writes without
fmnist-viz. The speed-ups are over the first. The executors run in turn,
``--rounds`` times (the order reversed every other round, so a slow spell of
this shared machine does not fall on one of them); the table gives each one's
median. Every fmnist-viz executor and round must give the same arrays. Run
from the repo root:

    FMNIST_VIZ_DATA=../shared/data python benchmarks/bench_sweep.py [--n N] [--workers 2] [--rounds 2]

It prints two tables: the executors (seconds, speed-up over one worker,
efficiency = speed-up / workers, data shipped to workers) and a projection,
from the measured per-cell times, of what N machines of that many workers
would take for this grid and for a study of ten times as many cells.
``--smoke`` (N = 1,500, a 2 x 2 grid) checks that it runs (CI does this).
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def makespan(seconds: list[float], slots: int) -> float:
    """How long ``seconds`` of cells take on ``slots`` workers, longest first to the first free worker."""
    finish = [0.0] * slots
    for s in sorted(seconds, reverse=True):
        heapq.heapreplace(finish, finish[0] + s)
    return max(finish)


def plain_loop(grid: dict[str, list[float]], n: int | None) -> list[float]:
    """The loop one writes without fmnist-viz: umap-learn, as documented, on the raw pixels scaled to [0, 1], one
    setting after another; each call's seconds."""
    import umap

    from fmnist_viz.data import load
    from fmnist_viz.pipeline import stratified_subsample

    data = load("fashion")
    X = data.X[stratified_subsample(data.y, n, 0)].astype("float32") / 255
    cells = []
    for k in grid["n_neighbors"]:
        for d in grid["min_dist"]:
            begin = time.perf_counter()
            umap.UMAP(n_neighbors=k, min_dist=d).fit_transform(X)
            cells.append(time.perf_counter() - begin)
    return cells


PLAIN = "plain loop of umap.UMAP(...).fit_transform on the pixels"


def executors(workers: int) -> dict[str, Callable[[], Any]]:
    """The executors, by the name the table gives them; the first is the baseline, what `sweep --workers 1` runs:
    the cells one after another in its own process."""
    from fmnist_viz.executors.cluster import DaskCluster
    from fmnist_viz.executors.local import InProcess, ProcessPool

    return {"--workers 1: this process, one cell at a time": InProcess,
            f"local pool, {workers} single-threaded processes": lambda: ProcessPool(workers, ("umap",), threads=1),
            f"Dask LocalCluster, {workers} single-threaded workers": lambda: DaskCluster("local", workers,
                                                                                        preload=("umap",))}


def one_run(name: str, grid: dict[str, list[float]], n: int | None, workers: int, out: Path) -> None:
    """Run one executor (or the plain loop) in this process, a fresh one as a user's command is: the table's row
    as JSON on stdout ({seconds, cells, workers, shipped}); an executor's layouts into ``out`` (npz), for the
    check that every executor computes the same (the plain loop's preprocessing differs: not compared)."""
    if name == PLAIN:
        start = time.perf_counter()  # loading the data included, as the loop's own
        cells = plain_loop(grid, n)
        row = {"seconds": time.perf_counter() - start, "cells": cells, "workers": os.cpu_count() or 1, "shipped": 0}
    else:
        from fmnist_viz.embed import create
        from fmnist_viz.pipeline import execute, plan_jobs, prepare_for

        pairs = [(create("umap", {"n_neighbors": k, "min_dist": d}), 0) for k in grid["n_neighbors"]
                 for d in grid["min_dist"]]
        knn_k = max(e.graph_neighbors for e, _ in pairs)
        plan = plan_jobs(pairs, ["fashion"], n=n, progress=False, keep_going=True)
        todo = plan.todo
        assert len(todo) == len(pairs), "cells were found in the cache"
        prepare_for(todo[0].subset, todo, plan.cache, False, knn_k)  # PCA and graph: cached, not timed
        assert "umap" not in sys.modules, "umap was imported before the clock started"
        start = time.perf_counter()  # from starting the workers to the last result
        with executors(workers)[name]() as executor:
            execute(todo, executor, plan.cache, progress=False, min_k=knn_k)
            row = {"workers": executor.workers, "shipped": executor.shipped}
        row["seconds"] = time.perf_counter() - start
        failed = [j.error for j in todo if j.error]
        assert not failed, failed
        row["cells"] = [j.seconds for j in todo]
        np.savez(out, *[j.embedding for j in todo])
    print(json.dumps(row))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, help="a stratified subsample of N points (default: all 70,000)")
    parser.add_argument("--workers", type=int, default=2, help="workers of the pool and of the cluster (default 2)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="run every executor this many times, in turn, reversing the order each round (default 2)")
    parser.add_argument("--no-plain", action="store_true", help="leave out the plain loop over umap-learn")
    parser.add_argument("--smoke", action="store_true", help="N = 1,500 and a 2 x 2 grid: a quick check that it runs")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # (in a fresh process: run this executor only)
    parser.add_argument("--layouts", type=Path, help=argparse.SUPPRESS)  # (where --one writes its layouts)
    args = parser.parse_args()
    grid = {"n_neighbors": [5, 15, 50], "min_dist": [0.0, 0.1, 0.5]}
    if args.smoke:
        args.n, args.rounds, grid = args.n or 1500, 1, {"n_neighbors": [5, 15], "min_dist": [0.1, 0.5]}
    if args.one:
        one_run(args.one, grid, args.n, args.workers, args.layouts)
        return

    cache = tempfile.mkdtemp(prefix="fmnist-viz-bench-sweep-")
    names = [*executors(args.workers), *([] if args.no_plain else [PLAIN])]
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    arrays = []
    own = [a for a in sys.argv[1:] if a != "--no-plain"]
    try:
        for round_ in range(args.rounds):  # in turn, the order reversed every other round against drift
            for name in (names if round_ % 2 == 0 else names[::-1]):
                shutil.rmtree(Path(cache) / "computed" / "embedding", ignore_errors=True)
                layouts = Path(cache) / "layouts.npz"
                done = subprocess.run([sys.executable, __file__, *own, "--one", name, "--layouts", str(layouts)],
                                      env={**os.environ, "FMNIST_VIZ_CACHE": cache}, check=True,
                                      stdout=subprocess.PIPE, text=True)
                runs[name].append(json.loads(done.stdout.strip().splitlines()[-1]))
                if name != PLAIN:
                    with np.load(layouts) as saved:
                        arrays.append([saved[k] for k in sorted(saved.files, key=lambda k: int(k.split("_")[1]))])
                print(f"round {round_ + 1}, {name}: {runs[name][-1]['seconds']:.1f} s", file=sys.stderr)
    finally:
        shutil.rmtree(cache, ignore_errors=True)

    same = all(all(np.array_equal(a, b) for a, b in zip(arrays[0], other, strict=True)) for other in arrays)
    points = args.n or 70_000
    median = {name: statistics.median(r["seconds"] for r in rs) for name, rs in runs.items()}
    base = median[next(iter(runs))]
    cells_n = len(grid["n_neighbors"]) * len(grid["min_dist"])
    print(f"UMAP, {cells_n} cells ({' x '.join(str(len(v)) for v in grid.values())} grid) on {points:,} "
          f"Fashion-MNIST points, {args.rounds} round(s); same arrays from every executor and round: "
          f"{'yes' if same else 'NO'}\n")
    print("| executor | workers | seconds (median) | each round (s) | speed-up | efficiency "
          "| sum of cell times (s) | data shipped (MB) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, rs in runs.items():
        workers, shipped = rs[0]["workers"], rs[0]["shipped"]
        cells = statistics.median(sum(r["cells"]) for r in rs)
        speedup = base / median[name]
        print(f"| {name} | {workers} | {median[name]:.1f} | {' / '.join(format(r['seconds'], '.1f') for r in rs)} "
              f"| {speedup:.2f}x | {speedup / workers:.0%} | {cells:.1f} | {shipped / 1e6:.0f} |")
    # the projection: cells as measured on the cluster's workers (its first round), longest first on N machines
    cluster_cells = runs[next(n for n in runs if n.startswith("Dask"))][0]["cells"]
    per_machine = args.workers
    print(f"\nProjection from the cluster's measured cell times, {per_machine} workers per machine "
          "(scheduling only; start-up and shipping not included):\n")
    print("| machines | this grid (s) | 10x the cells (s) |")
    print("|---|---|---|")
    for machines in (1, 2, 4, 8, 16):
        slots = machines * per_machine
        print(f"| {machines} | {makespan(cluster_cells, slots):.0f} | {makespan(cluster_cells * 10, slots):.0f} |")
    if not same:
        sys.exit("the executors gave different arrays")


if __name__ == "__main__":
    main()
