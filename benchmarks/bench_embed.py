"""Benchmark: fmnist-viz's embeddings beside each library's defaults, both data sets, 70,000 points.

For Fashion-MNIST and MNIST this runs, each in its own process (so peak memory
is measured per step):

- the hand-glued route, each library as a competent user calls it on this
  machine, on the raw 784-d pixels scaled to [0, 1]: scikit-learn
  ``PCA(2)``, umap-learn ``UMAP(n_jobs=-1)`` (unseeded, so it runs on every
  core), openTSNE ``TSNE(n_jobs=-1)`` (its default is one core), PyMDE
  ``preserve_neighbors(X).embed()`` (CPU);
- ``fmnist-viz all --compare mnist`` with an empty cache (cold), then again
  (cached), twice: writing ``--format npz`` (the embeddings alone, as the
  libraries give them) and the default formats (the figure and the page).

Every embedding is scored the same way (fmnist_viz.quality.metrics): 10-NN accuracy in
2-D (fit on the 60,000 train points, scored on the 10,000 test points) and
trustworthiness@10 on a fixed random sample of 5,000 points. Run from the repo
root:

    FMNIST_VIZ_DATA=../shared/data python benchmarks/bench_embed.py [--only fmnist-viz] [--device auto] [--seeds 0,1,2]

and paste the table into BENCHMARKS.md. ``--seeds 0,1,2`` also scores seeded
runs of both sides, each seed once, and prints each method's median quality
beside the library's (the promise: within 0.01). ``--n N`` runs both sides on the same
stratified subsample of N points; ``--smoke`` (N = 2,000) checks in a minute
that the benchmark still runs (CI does this), its numbers mean nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

METHODS = ("pca", "umap", "tsne", "pymde")
DATASETS = ("fashion", "mnist")
LIBRARY = {"pca": "scikit-learn", "umap": "umap-learn", "tsne": "openTSNE", "pymde": "PyMDE (CPU)"}


def rows(dataset: str, n: int | None) -> tuple[np.ndarray, object]:
    """The rows both sides embed (all, or fmnist-viz's stratified subsample for --n), and the data."""
    from fmnist_viz.data import load
    from fmnist_viz.pipeline import stratified_subsample

    data = load(dataset)
    return stratified_subsample(data.y, n, seed=0), data


def library_default(method: str, dataset: str, out: str, n: str = "", seed: str = "") -> None:
    """Child process: one library's defaults on raw scaled pixels; saves the embedding to ``out``. Unseeded (``seed``
    empty: the speed baseline, UMAP on every core) or seeded (the quality over seeds: umap-learn then runs on one
    core, as it does when seeded)."""
    index, data = rows(dataset, int(n) if n else None)
    X = data.X[index].astype(np.float32) / 255
    state = int(seed) if seed else None
    start = time.perf_counter()
    if method == "pca":
        from sklearn.decomposition import PCA

        embedding = PCA(n_components=2, random_state=state).fit_transform(X)
    elif method == "umap":
        import umap

        embedding = umap.UMAP(n_jobs=-1, random_state=state).fit_transform(X)  # unseeded: parallel on every core
    elif method == "tsne":
        from openTSNE import TSNE

        embedding = np.asarray(TSNE(n_jobs=-1, random_state=state).fit(X))  # openTSNE's own default is n_jobs=1
    else:
        import pymde

        if state is not None:
            pymde.seed(state)
        embedding = pymde.preserve_neighbors(X).embed().numpy()
    seconds = time.perf_counter() - start
    np.save(out, np.asarray(embedding, dtype=np.float32))
    Path(out + ".json").write_text(json.dumps({"seconds": seconds}))


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        proc = int(stat.parent.name)
        parents[proc] = int(fields[1])
        rss[proc] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    tree, frontier = {pid}, [pid]
    while frontier:
        current = frontier.pop()
        children = [p for p, parent in parents.items() if parent == current]
        tree.update(children)
        frontier += children
    return sum(rss.get(p, 0) for p in tree)


def child(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run a child process; returns its wall seconds and the peak RSS (GiB) of it and its workers."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(args, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=err)
        peak = 0
        while process.poll() is None:
            peak = max(peak, tree_rss(process.pid))
            time.sleep(0.25)
        wall = time.perf_counter() - start
        if process.returncode != 0:
            err.seek(0)
            sys.exit(f"failed: {' '.join(args)}\n{err.read().decode()[-3000:]}")
    return wall, peak / 2**30


def score(dataset: str, embedding: np.ndarray, n: int | None, index: np.ndarray | None = None) -> tuple[float, float]:
    """10-NN accuracy and trustworthiness@10 of an embedding of ``index`` (default: the rows both sides embed)."""
    from fmnist_viz.data import load
    from fmnist_viz.quality.metrics import knn_accuracy, trustworthiness

    if index is None:
        index, data = rows(dataset, n)
    else:  # fmnist-viz with another --seed draws another subsample for --n: its own rows
        data = load(dataset)
    return (knn_accuracy(embedding, data.y[index], data.is_train[index]), trustworthiness(data.X[index], embedding))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("library", "fmnist-viz"), help="run one side only")
    parser.add_argument("--device", default="auto", help="--device for fmnist-viz (auto, cpu, cuda)")
    parser.add_argument("--n", type=int, help="a stratified subsample of N points (default: all 70,000)")
    parser.add_argument("--seeds", default="", help="comma-separated seeds: quality is then the median over them, "
                        "of seeded library runs and fmnist-viz runs (the timed runs stay as they are)")
    parser.add_argument("--smoke", action="store_true", help="a quick check that it runs: --n 2000")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    if args.smoke:
        args.n = args.n or 2000
    size = ["--n", str(args.n)] if args.n else []
    suffix = f"_n{args.n}" if args.n else ""
    rows = []
    quality: dict[tuple[str, str, str], list[tuple[float, float]]] = {
        (side, m, d): [] for side in ("library", "fmnist-viz") for m in METHODS for d in DATASETS}
    work = Path(tempfile.mkdtemp(prefix="fmnist-viz-bench-"))
    lib_total = 0.0
    if args.only != "fmnist-viz":
        for dataset in DATASETS:
            for method in METHODS:
                out = str(work / f"lib_{method}_{dataset}.npy")
                wall, peak = child([sys.executable, __file__, "--child", method, dataset, out, str(args.n or "")])
                seconds = json.loads(Path(out + ".json").read_text())["seconds"]
                acc, trust = score(dataset, np.load(out), args.n)
                lib_total += wall
                rows.append((f"{LIBRARY[method]}, every core", method, dataset, seconds, wall, peak, acc, trust))
                print(rows[-1], flush=True)
                for seed in seeds:  # quality over seeds: seeded runs, not timed against fmnist-viz
                    out = str(work / f"lib_{method}_{dataset}_seed{seed}.npy")
                    child([sys.executable, __file__, "--child", method, dataset, out, str(args.n or ""), str(seed)])
                    scores = quality[("library", method, dataset)]
                    scores.append(score(dataset, np.load(out), args.n))
                    print(f"{LIBRARY[method]} {method} {dataset} seed {seed}: {scores[-1]}", flush=True)

    ours_cold = float("nan")
    runs: dict[str, tuple[float, float, float, float]] = {}
    if args.only != "library":
        for formats in ("npz", "png,html"):  # the embeddings alone; the default outputs
            cache = tempfile.mkdtemp(prefix="fmnist-viz-bench-cache-")
            command = [sys.executable, "-m", "fmnist_viz", "-q", "all", "--compare", "mnist", "--format", formats,
                       "--device", args.device, "--out", str(work / ("ours" if formats == "npz" else "figures")),
                       *size]
            cold, peak_cold = child(command, {"FMNIST_VIZ_CACHE": cache})
            warm, peak_warm = child(command, {"FMNIST_VIZ_CACHE": cache})
            runs[formats] = (cold, peak_cold, warm, peak_warm)
            print(f"fmnist-viz all --compare mnist --format {formats}: cold {cold:.1f} s (peak {peak_cold:.2f} GiB), "
                  f"cached {warm:.2f} s (peak {peak_warm:.2f} GiB)", flush=True)
            if formats == "npz":
                ours_cold, npz_cache = cold, cache
        cache = npz_cache
        peak_cold = runs["npz"][1]
        from fmnist_viz.store.cache import ResultCache

        seconds = {(e["dataset"], e["method"]): e["seconds"] for e in ResultCache(Path(cache)).entries()["embedding"]}
        for dataset in DATASETS:
            for method in METHODS:
                saved = np.load(work / "ours" / f"{method}_{dataset}{suffix}.npz")
                acc, trust = score(dataset, saved["embedding"], args.n)
                rows.append(("fmnist-viz", method, dataset, seconds[(dataset, method)], float("nan"),
                             peak_cold, acc, trust))
                print(rows[-1], flush=True)
        for seed in seeds:  # quality over seeds, on the cache the timed run filled (seed 0 is found there)
            folder = work / f"ours-seed{seed}"
            child([sys.executable, "-m", "fmnist_viz", "-q", "all", "--compare", "mnist", "--format", "npz",
                   "--seed", str(seed), "--device", args.device, "--out", str(folder), *size],
                  {"FMNIST_VIZ_CACHE": cache})
            for dataset in DATASETS:
                for method in METHODS:
                    tail = suffix + (f"_seed{seed}" if seed else "")
                    saved = np.load(folder / f"{method}_{dataset}{tail}.npz")
                    quality[("fmnist-viz", method, dataset)].append(
                        score(dataset, saved["embedding"], args.n, saved["index"]))

    print("\n| route | method | dataset | embed s | process s | peak GiB | 10-NN acc | trust@10 |")
    print("|---|---|---|---|---|---|---|---|")
    for route, method, dataset, seconds, wall, peak, acc, trust in rows:
        print(f"| {route} | {method} | {dataset} | {seconds:.1f} | {wall:.1f} | {peak:.2f} | {acc:.3f} | {trust:.3f} |")
    if lib_total and ours_cold == ours_cold:
        print(f"\nthe eight library calls: {lib_total:.0f} s (processes, data loading included)")
        for formats, (cold, peak, warm, _) in runs.items():
            print(f"fmnist-viz all --compare mnist --format {formats}: {cold:.0f} s cold ({lib_total / cold:.2f}x "
                  f"faster), {warm:.1f} s cached, peak {peak:.2f} GiB")
        for method in METHODS:
            for dataset in DATASETS:
                lib = next(r for r in rows if r[0] != "fmnist-viz" and r[1:3] == (method, dataset))
                ours = next(r for r in rows if r[0] == "fmnist-viz" and r[1:3] == (method, dataset))
                print(f"{method:<6} {dataset:<8} acc {ours[6] - lib[6]:+.3f}  trust {ours[7] - lib[7]:+.3f}")
    if seeds and lib_total and ours_cold == ours_cold:
        print(f"\n| method | data set | library 10-NN acc (seeds {args.seeds}) | fmnist-viz | median difference | "
              "library trust@10 | fmnist-viz | median difference |")
        print("|---|---|---|---|---|---|---|---|")
        for method in METHODS:
            for dataset in DATASETS:
                lib, ours = quality[("library", method, dataset)], quality[("fmnist-viz", method, dataset)]
                cells = []
                for k in (0, 1):
                    a, b = np.median([q[k] for q in lib]), np.median([q[k] for q in ours])
                    cells += [", ".join(f"{q[k]:.3f}" for q in lib), ", ".join(f"{q[k]:.3f}" for q in ours),
                              f"{b - a:+.3f}"]
                print(f"| {method} | {dataset} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    if len(sys.argv) in (6, 7) and sys.argv[1] == "--child":
        library_default(*sys.argv[2:])
    else:
        main()
