"""Benchmark image maps: Fashion-MNIST beside MNIST, every point, from embeddings to the file written.

Target (issue 24): the image map of both data sets at 70,000 points each in at
most 10 s. The UMAP embeddings are computed first (or found in the cache) and
not timed; each timed run chooses the cells, builds the rasters, draws and
saves the figure (``fmnist_viz.save_image_maps``) into a new folder. Run from
the repo root:

    FMNIST_VIZ_DATA=../shared/data python benchmarks/bench_image_map.py [--repeat 3] [--cells 40]

``--smoke`` (N = 2,000, one repeat) checks that it runs (CI does this).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, help="a stratified subsample of N points per data set (default: all)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per format (default 3)")
    parser.add_argument("--cells", type=int, default=40, help="cells along the longer side (default 40)")
    parser.add_argument("--smoke", action="store_true", help="--n 2000, one repeat: a quick check that it runs")
    args = parser.parse_args()
    if args.smoke:
        args.n, args.repeat = args.n or 2000, 1
    import fmnist_viz as fv

    results = fv.run("umap", ["fashion", "mnist"], n=args.n, progress=False)
    fv.evaluate_results(results)  # the titles' numbers: measured (or cached) before the clock starts
    print(f"| format | points per data set | cells per side | seconds (median of {args.repeat}) | each run (s) |")
    print("|---|---|---|---|---|")
    for fmt, frames in (("png", False), ("png", True), ("pdf", False)):
        times = []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as out:
                start = time.perf_counter()
                (path,) = fv.save_image_maps(results, out, fmt, cells=args.cells, frames=frames)
                times.append(time.perf_counter() - start)
                assert Path(path).stat().st_size > 0
        name = fmt + (" (class frames)" if frames else "")
        print(f"| {name} | {len(results[0]):,} | {args.cells} | {statistics.median(times):.2f} | "
              f"{' / '.join(f'{t:.2f}' for t in times)} |")


if __name__ == "__main__":
    main()
