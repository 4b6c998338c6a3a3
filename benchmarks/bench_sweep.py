"""Benchmark a sweep's cells on one worker, a local pool, and a local Dask cluster, side by side in one run.

A 3 x 3 UMAP grid (n_neighbors 5, 15, 50 x min_dist 0.0, 0.1, 0.5) on the
70,000 points of Fashion-MNIST. The data is prepared once (PCA, one 49-NN
graph) into a cache folder of the benchmark's own; then, for each executor,
the nine cells are computed from scratch (embeddings are removed from that
cache between executors) and timed from starting the workers to the last
result. Every executor must give the same arrays. Run from the repo root:

    FMNIST_VIZ_DATA=../shared/data python benchmarks/bench_sweep.py [--n N] [--workers 2]

It prints two tables: the executors (seconds, speed-up over one worker,
efficiency = speed-up / workers, data shipped to workers) and a projection,
from the measured per-cell times, of what N machines of that many workers
would take for this grid and for a study of ten times as many cells.
``--smoke`` (N = 1,500, a 2 x 2 grid) checks that it runs (CI does this).
"""

from __future__ import annotations

import argparse
import heapq
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def makespan(seconds: list[float], slots: int) -> float:
    """How long ``seconds`` of cells take on ``slots`` workers, longest first to the first free worker."""
    finish = [0.0] * slots
    for s in sorted(seconds, reverse=True):
        heapq.heapreplace(finish, finish[0] + s)
    return max(finish)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, help="a stratified subsample of N points (default: all 70,000)")
    parser.add_argument("--workers", type=int, default=2, help="workers of the pool and of the cluster (default 2)")
    parser.add_argument("--smoke", action="store_true", help="N = 1,500 and a 2 x 2 grid: a quick check that it runs")
    args = parser.parse_args()
    grid = {"n_neighbors": [5, 15, 50], "min_dist": [0.0, 0.1, 0.5]}
    if args.smoke:
        args.n, grid = args.n or 1500, {"n_neighbors": [5, 15], "min_dist": [0.1, 0.5]}

    cache = tempfile.mkdtemp(prefix="fmnist-viz-bench-sweep-")
    os.environ["FMNIST_VIZ_CACHE"] = cache
    import numpy as np

    from fmnist_viz.embed import create
    from fmnist_viz.executors import DaskCluster, InProcess, ProcessPool, compute_on
    from fmnist_viz.pipeline import plan_jobs, prepare_for

    pairs = [(create("umap", {"n_neighbors": k, "min_dist": d}), 0) for k in grid["n_neighbors"]
             for d in grid["min_dist"]]
    knn_k = max(e.n_neighbors for e, _ in pairs)
    executors = {
        "one worker (this process)": InProcess,
        f"local pool, {args.workers} processes": lambda: ProcessPool(args.workers, ("umap",), threads=1),
        f"Dask LocalCluster, {args.workers} single-threaded workers":
            lambda: DaskCluster("local", args.workers, preload=("umap",)),
    }
    rows, arrays = [], {}
    try:
        for name, start_executor in executors.items():
            shutil.rmtree(Path(cache) / "computed" / "embedding", ignore_errors=True)
            plan = plan_jobs(pairs, ["fashion"], n=args.n, progress=False, keep_going=True)
            todo = plan.todo
            assert len(todo) == len(pairs), "cells were found in the cache"
            prepare_for(todo[0].subset, todo, plan.cache, False, knn_k)  # PCA and graph: cached, not timed
            start = time.perf_counter()
            with start_executor() as executor:
                compute_on(executor, todo, plan.cache, False, knn_k)
                workers, shipped = executor.workers, executor.shipped
            seconds = time.perf_counter() - start
            failed = [j.error for j in todo if j.error]
            assert not failed, failed
            cells = [j.seconds for j in todo]
            arrays[name] = [j.embedding for j in todo]
            rows.append((name, workers, seconds, cells, shipped))
            print(f"{name}: {seconds:.1f} s", file=sys.stderr)
    finally:
        shutil.rmtree(cache, ignore_errors=True)

    first = next(iter(arrays.values()))
    same = all(all(np.array_equal(a, b) for a, b in zip(first, other, strict=True)) for other in arrays.values())
    points = args.n or 70_000
    base = rows[0][2]
    print(f"UMAP, {len(pairs)} cells ({' x '.join(str(len(v)) for v in grid.values())} grid) on {points:,} "
          f"Fashion-MNIST points; same arrays from every executor: {'yes' if same else 'NO'}\n")
    print("| executor | workers | seconds | speed-up | efficiency | sum of cell times (s) | data shipped (MB) |")
    print("|---|---|---|---|---|---|---|")
    for name, workers, seconds, cells, shipped in rows:
        print(f"| {name} | {workers} | {seconds:.1f} | {base / seconds:.2f}x | {base / seconds / workers:.0%} "
              f"| {sum(cells):.1f} | {shipped / 1e6:.0f} |")
    # the projection: cells as measured on the cluster's workers, scheduled longest-first on N machines
    cluster_cells = rows[-1][3]
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
