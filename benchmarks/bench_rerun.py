"""Benchmark a cached rerun: ``fmnist-viz all --compare mnist`` with the default formats (png, html), twice.

The first run computes (or reuses, with --warm) the embeddings and their
quality numbers; the second finds both in the cache and only draws: one PNG
and four self-contained pages. Run from the repo root:

    FMNIST_VIZ_DATA=../shared/data python benchmarks/bench_rerun.py [--n N] [--repeat 3]

It uses a cache folder of its own (empty at the start) and prints a table.
``--smoke`` (N = 2,000, one repeat) checks that it runs (CI does this).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env={**os.environ, **env})
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, help="a stratified subsample of N points (default: all 70,000)")
    parser.add_argument("--repeat", type=int, default=3, help="cached reruns to time (default 3)")
    parser.add_argument("--smoke", action="store_true", help="--n 2000, one repeat: a quick check that it runs")
    args = parser.parse_args()
    if args.smoke:
        args.n, args.repeat = args.n or 2000, 1
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "fmnist_viz", "-q", "all", "--compare", "mnist", "--out", out,
                   *(["--n", str(args.n)] if args.n else [])]
        cold = timed(command, {"FMNIST_VIZ_CACHE": cache})
        reruns = [timed(command, {"FMNIST_VIZ_CACHE": cache}) for _ in range(args.repeat)]
    print("| run | points per data set | seconds |")
    print("|---|---|---|")
    print(f"| first (computes) | {args.n or 70000:,} | {cold:.1f} |")
    print(f"| cached rerun (median of {args.repeat}) | {args.n or 70000:,} | {statistics.median(reruns):.1f} |")


if __name__ == "__main__":
    main()
