"""Benchmark start-up: ``fmnist-viz --help`` and ``import fmnist_viz``, in fresh processes.

Every layer's own modules are imported at the top of their files, so the
command line's start-up is what it imports, not what it defers; this measures
it. Run from the repo root:

    python benchmarks/bench_startup.py [--repeat 20] [--against DIR]

``--against DIR`` times another checkout's code (DIR holds its ``fmnist_viz``)
alternately with this one, run by run: the before and after of a change,
measured side by side. ``--smoke`` (two repeats) checks that it runs. Prints a table of medians (wall-clock
seconds of the
whole process, Python's own start included).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = str(Path(__file__).resolve().parent.parent)

#: What each process runs, after putting the code of a checkout first (ahead of an editable install's finder).
JOBS = {
    "fmnist-viz --help": "runpy.run_module('fmnist_viz', run_name='__main__')",
    "import fmnist_viz": "import fmnist_viz",
}


def timed(code: str, job: str) -> float:
    start = ("import runpy, sys; sys.meta_path = [f for f in sys.meta_path if 'editable' not in repr(f)]; "
             f"sys.path.insert(0, {code!r}); sys.argv = ['fmnist-viz', '--help']; {JOBS[job]}")
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", start], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="processes of each kind to time (default 20)")
    parser.add_argument("--against", metavar="DIR", help="also time the code of another checkout, alternately")
    parser.add_argument("--smoke", action="store_true", help="two repeats: a quick check that it runs (CI does this)")
    args = parser.parse_args()
    if args.smoke:
        args.repeat = 2
    codes = {"this code": HERE, **({f"code in {args.against}": str(Path(args.against).resolve())}
                                   if args.against else {})}
    times: dict[tuple[str, str], list[float]] = {(code, job): [] for job in JOBS for code in codes}
    for path in codes.values():  # once each, untimed: compiled files written, the disk cache warm
        for job in JOBS:
            timed(path, job)
    for _ in range(args.repeat):
        for job in JOBS:
            for code, path in codes.items():
                times[(code, job)].append(timed(path, job))
    print(f"| process | code | seconds (median of {args.repeat}) | min | max |")
    print("|---|---|---|---|---|")
    for (code, job), values in times.items():
        print(f"| {job} | {code} | {statistics.median(values):.3f} | {min(values):.3f} | {max(values):.3f} |")


if __name__ == "__main__":
    main()
