"""Benchmark the loader: first load (verify + decode .gz) and second load (decoded cache).

Targets (issue 2): a full data set (70,000 images) decoded from .gz in under 1 s,
a second load in under 0.1 s. Run from the repo root:

    FMNIST_VIZ_DATA=../shared/data python benchmarks/bench_load.py [--repeat 5]

Each repeat uses a fresh, empty cache folder for the cold load, so nothing is
reused between repeats; the table shows the median and the worst repeat.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from fmnist_viz.data import load


def time_once(name: str) -> tuple[float, float]:
    """Seconds for a cold load (empty cache) and the warm load after it."""
    with tempfile.TemporaryDirectory() as cache:
        os.environ["FMNIST_VIZ_CACHE"] = cache
        start = time.perf_counter()
        cold = load(name, download=False)
        t_cold = time.perf_counter() - start
        start = time.perf_counter()
        warm = load(name, download=False)
        t_warm = time.perf_counter() - start
        assert warm.X.shape == cold.X.shape == (70000, 784)
        del cold, warm
    return t_cold, t_warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="one repeat: a quick check that it runs (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.repeat = 1
    print(f"{'dataset':<10} {'first load (s)':>15} {'worst':>8} {'second load (s)':>16} {'worst':>8}")
    for name in ("fashion", "mnist"):
        runs = [time_once(name) for _ in range(args.repeat)]
        cold = [r[0] for r in runs]
        warm = [r[1] for r in runs]
        print(f"{name:<10} {statistics.median(cold):>15.3f} {max(cold):>8.3f} "
              f"{statistics.median(warm):>16.4f} {max(warm):>8.4f}")


if __name__ == "__main__":
    main()
