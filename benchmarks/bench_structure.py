"""Benchmark the global measures: their cost beside the embedding, and their agreement with the definitions
recomputed independently from the npz files the command line writes.

For each method, ``fmnist-viz METHOD --dataset D --n N --seed S --format npz`` writes the embedding (cached runs
are reused), ``fmnist-viz metrics`` prints the table; then this script, from the npz alone, recomputes the three
global measures as the PaCMAP authors' evaluation defines them: scikit-learn's full-SVD PCA to 100 dimensions of
the pixels scaled to [0, 1], fresh random triplets (five per point) and pairs drawn with another seed, the
class centroids' distance orders counted pair by pair, and scipy's Spearman correlation. It also times the
measures on the prepared space. Run from the repo root:

    FMNIST_VIZ_DATA=../shared/data python benchmarks/bench_structure.py [--dataset fashion] [--n 5000]
        [--methods pca,umap] [--seed 0]

``--smoke`` (1,000 points, PCA only) checks that it runs (CI does this). Prints a table.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent.parent


def fmnist_viz(*args: str, env: dict[str, str]) -> str:
    return subprocess.run([sys.executable, "-m", "fmnist_viz", "-q", *args], check=True, capture_output=True,
                          text=True, env=env, cwd=HERE).stdout


def independent(pixels: np.ndarray, layout: np.ndarray, labels: np.ndarray, seed: int) -> dict[str, float]:
    """The three measures from their definitions, sharing no code with fmnist-viz."""
    from scipy.stats import spearmanr
    from sklearn.decomposition import PCA

    high = PCA(n_components=100, svd_solver="full").fit_transform(pixels.astype(np.float64) / 255)
    rng = np.random.default_rng(seed + 12345)  # other triplets and pairs than fmnist-viz draws
    n = len(high)
    triplets = rng.choice(n, (n, 5, 2))
    anchors = np.arange(n)[:, None]
    near = [np.linalg.norm(s[anchors] - s[triplets[..., 0]], axis=-1) < np.linalg.norm(s[anchors] - s[triplets[..., 1]],
                                                                                         axis=-1)
            for s in (high, layout)]
    classes = np.unique(labels)
    def centroid_distances(space: np.ndarray) -> list[float]:
        centres = [space[labels == c].mean(axis=0) for c in classes]
        return [float(np.linalg.norm(centres[a] - centres[b])) for a in range(len(classes)) for b in range(a)]
    ch, cl = centroid_distances(high), centroid_distances(layout)
    pairs = [(ch[i] > ch[j]) == (cl[i] > cl[j]) for i, j in itertools.combinations(range(len(ch)), 2)]
    i, j = rng.integers(0, n, 100_000), rng.integers(0, n, 100_000)
    keep = i != j
    rho = spearmanr(np.linalg.norm(high[i[keep]] - high[j[keep]], axis=1),
                    np.linalg.norm(layout[i[keep]] - layout[j[keep]], axis=1)).statistic
    return {"random_triplet_accuracy": float(np.mean(near[0] == near[1])),
            "centroid_triplet_accuracy": float(np.mean(pairs)), "distance_spearman": float(rho)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="fashion")
    parser.add_argument("--n", type=int, default=5000, help="stratified subsample (default 5000)")
    parser.add_argument("--methods", default="pca,umap")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--smoke", action="store_true", help="1,000 points, PCA only: a quick check that it runs")
    args = parser.parse_args()
    if args.smoke:
        args.n, args.methods = 1000, "pca"
    import fmnist_viz as fv
    from fmnist_viz.quality.structure import (
        centroid_triplet_accuracy,
        distance_spearman,
        global_features,
        random_triplet_accuracy,
    )

    env = dict(os.environ)
    common = ["--dataset", args.dataset, "--n", str(args.n), "--seed", str(args.seed)]
    table = fmnist_viz("metrics", *common, "--methods", args.methods, "--format", "csv", env=env)
    rows = {row["method"]: row for row in csv.DictReader(io.StringIO(table))}
    data = fv.load(args.dataset)
    names = ("random_triplet_accuracy", "centroid_triplet_accuracy", "distance_spearman")
    print(f"| method | measure | fmnist-viz metrics | recomputed from the npz | difference | seconds ({args.n:,} "
          "points) |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as out:
        for method in args.methods.split(","):
            fmnist_viz(method, *common, "--format", "npz", "--out", out, env=env)
            [npz] = sorted(Path(out).glob(f"{method}_*.npz"))
            saved = np.load(npz)
            layout, index = saved["embedding"].astype(np.float64), saved["index"]
            mine = independent(data.X[index], layout, saved["labels"], args.seed)
            space = global_features(data.X[index])
            timed = {}
            measures = {"random_triplet_accuracy": (random_triplet_accuracy, (space, layout, args.seed)),
                        "centroid_triplet_accuracy": (centroid_triplet_accuracy, (space, layout, saved["labels"])),
                        "distance_spearman": (distance_spearman, (space, layout, args.seed))}
            for name, (measure, given) in measures.items():
                start = time.perf_counter()
                measure(*given)
                timed[name] = time.perf_counter() - start
            for name in names:
                theirs = float(rows[method][name])
                print(f"| {method} | {name} | {theirs:.4f} | {mine[name]:.4f} | {theirs - mine[name]:+.4f} | "
                      f"{timed[name]:.2f} |")
            npz.unlink()


if __name__ == "__main__":
    main()
