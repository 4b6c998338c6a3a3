"""Benchmark cached runs: ``fmnist-viz all --compare mnist`` with the default formats (png, html).

The first run computes (or reuses, with --warm) the embeddings and their
quality numbers. Then, with everything cached, the same command again, into
the same ``--out`` (its files are left as they are) and into a new ``--out``
each time (the second-folder case: the figure and the page are copied from the
cache's kept files, or drawn where none is kept). Run from the repo root:

    FMNIST_VIZ_DATA=../shared/data python benchmarks/bench_rerun.py [--n N] [--repeat 3] [--against DIR]

``--against DIR`` times another checkout's code (DIR holds its ``fmnist_viz``)
on the same cache, alternately with this one, run by run: the before and after
of a change, measured side by side. It uses a cache folder of its own (empty at
the start) and prints a table. ``--smoke`` (N = 2,000, one repeat) checks that
it runs (CI does this).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = str(Path(__file__).resolve().parent.parent)


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env={**os.environ, **env})
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, help="a stratified subsample of N points (default: all 70,000)")
    parser.add_argument("--repeat", type=int, default=3, help="cached runs of each kind to time (default 3)")
    parser.add_argument("--against", metavar="DIR", help="also time the code of another checkout, alternately")
    parser.add_argument("--smoke", action="store_true", help="--n 2000, one repeat: a quick check that it runs")
    args = parser.parse_args()
    if args.smoke:
        args.n, args.repeat = args.n or 2000, 1
    codes = {"this code": HERE, **({f"code in {args.against}": str(Path(args.against).resolve())}
                                   if args.against else {})}
    times: dict[tuple[str, str], list[float]] = {(code, kind): [] for code in codes for kind in ("same", "new")}
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
        def command(folder: str, code: str = HERE) -> list[str]:
            # the code in folder `code`, ahead of an editable install's finder (which PYTHONPATH does not pass)
            start = ("import runpy, sys; sys.meta_path = [f for f in sys.meta_path if 'editable' not in repr(f)]; "
                     f"sys.path.insert(0, {code!r}); runpy.run_module('fmnist_viz', run_name='__main__')")
            return [sys.executable, "-c", start, "-q", "all", "--compare", "mnist", "--out", folder,
                    *(["--n", str(args.n)] if args.n else [])]

        env = {"FMNIST_VIZ_CACHE": cache}
        cold = timed(command(out), env)
        same = {code: str(Path(out) / f"same-{k}") for k, code in enumerate(codes)}  # a folder of each code's own
        for code, path in codes.items():  # each code's files written there once, before timing
            timed(command(same[code], path), env)
        for i in range(args.repeat):
            for k, (code, path) in enumerate(codes.items()):
                times[(code, "same")].append(timed(command(same[code], path), env))
                fresh = str(Path(out) / f"new-{k}-{i}")
                times[(code, "new")].append(timed(command(fresh, path), env))
    print("| run | code | points per data set | seconds |")
    print("|---|---|---|---|")
    print(f"| first (computes) | this code | {args.n or 70000:,} | {cold:.1f} |")
    for (code, kind), values in times.items():
        what = "cached rerun, same --out" if kind == "same" else "cached, into a new --out"
        print(f"| {what} (median of {args.repeat}; all: {', '.join(f'{v:.1f}' for v in values)}) | {code} | "
              f"{args.n or 70000:,} | {statistics.median(values):.1f} |")


if __name__ == "__main__":
    main()
