"""Benchmark the GPU path: every method and the k-NN graph on CUDA, time and quality, in one command.

Target (issue 10): on one H100, all of ``fmnist-viz all --compare mnist``
(eight embeddings, the k-NN graphs and the quality metrics) under 20 s, every
method's quality within 0.01 of its CPU library default (the CPU table in
BENCHMARKS.md). It times what a run does and nothing else: the shared
preparation and exact k-NN graph (made with PCA, first), then per method and
data set the embedding time, 10-NN accuracy and trustworthiness
(fmnist_viz.quality.metrics, the same code as the CPU benchmark); the total wall time
and the peak GPU memory. ``--cpu-quality`` needs no GPU: TorchDR's scalable
t-SNE (what runs at 70,000 points) beside openTSNE at 10,000 points on the
CPU. Run from the repo root on a machine with a CUDA GPU:

    FMNIST_VIZ_DATA=../shared/data python benchmarks/bench_gpu.py [--n N]

``--smoke`` runs the same steps on the CPU with 1,000 points (CI has no GPU):
it checks that the benchmark runs, its numbers mean nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

METHODS = ("pca", "tsne", "umap", "pymde")
DATASETS = ("fashion", "mnist")


def cpu_quality(n: int = 10_000) -> None:
    """TorchDR's t-SNE as the GPU runs it at 70,000 points (InfoTSNE, negative sampling, on the shared graph),
    here on the CPU at ``n`` points, beside openTSNE: time, 10-NN accuracy and trustworthiness."""
    import fmnist_viz as fv
    from fmnist_viz.embed import gpu

    gpu.EXACT_TSNE_BELOW = 0  # the scalable variant at any size
    rows = []
    for backend in ("opentsne", "torchdr"):
        (r,) = fv.run(["tsne"], ["fashion"], n=n, device="cpu", params={"tsne": {"backend": backend}})
        fv.evaluate_results([r])
        rows.append((backend, r.seconds, r.metrics["knn_accuracy"], r.metrics["trustworthiness"]))
    print(f"t-SNE on {n:,} Fashion-MNIST points, CPU\n\n| backend | seconds | 10-NN accuracy | trustworthiness |")
    print("|---|---|---|---|")
    for backend, seconds, accuracy, trust in rows:
        print(f"| {backend} | {seconds:.1f} | {accuracy:.3f} | {trust:.3f} |")
    print(f"\nTorchDR minus openTSNE: {rows[1][2] - rows[0][2]:+.3f} / {rows[1][3] - rows[0][3]:+.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, help="a stratified subsample of N points (default: all 70,000)")
    parser.add_argument("--smoke", action="store_true", help="1,000 points on the CPU: a check that it runs (CI)")
    parser.add_argument("--cpu-quality", action="store_true",
                        help="no GPU needed: TorchDR's scalable t-SNE beside openTSNE at 10,000 points on the CPU")
    args = parser.parse_args()
    if args.cpu_quality:
        os.environ.setdefault("FMNIST_VIZ_CACHE", tempfile.mkdtemp(prefix="fmnist-viz-gpu-"))
        return cpu_quality()
    import torch

    if args.smoke:
        device, args.n = "cpu", args.n or 1000
    elif torch.cuda.is_available():
        device = "cuda"
    else:
        sys.exit("no CUDA GPU visible to PyTorch: run this where there is one (or --smoke to check it runs)")
    os.environ["FMNIST_VIZ_CACHE"] = tempfile.mkdtemp(prefix="fmnist-viz-gpu-")  # cold: nothing is reused

    import fmnist_viz as fv

    gpu = torch.cuda.get_device_name(0) if device == "cuda" else "none (CPU smoke run)"
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    params = {"tsne": {"backend": "torchdr"}, "umap": {"backend": "torchdr"}}
    if args.smoke:  # few iterations: TorchDR's t-SNE on two CPU cores is slow, and only the steps matter here
        params["tsne"].update(early_exaggeration_iter=50, n_iter=50)
        params["umap"].update(n_epochs=50)
    # what a run does, nothing else: first PCA, which makes the shared preparation and the exact k-NN graph on the
    # GPU (its time is theirs, nearly all), then the other methods on that graph
    start = time.perf_counter()
    fv.run(["pca"], list(DATASETS), n=args.n, device=device, params={})
    print(f"preparation and exact k-NN graph of both data sets (with PCA): {time.perf_counter() - start:.2f} s",
          flush=True)
    results = fv.run(list(METHODS), list(DATASETS), n=args.n, device=device, params=params)
    fv.evaluate_results(results)
    total = time.perf_counter() - start
    print(f"\nGPU: {gpu}; n = {args.n or 70_000} per data set\n")
    print("| data set | method | device | seconds | 10-NN accuracy | trustworthiness |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r.dataset} | {r.method} | {r.device} | {r.seconds:.2f} | {r.metrics['knn_accuracy']:.3f} | "
              f"{r.metrics['trustworthiness']:.3f} |")
    peak = torch.cuda.max_memory_allocated() / 2**30 if device == "cuda" else 0.0
    print(f"\ntotal wall time (graphs, eight embeddings, quality): {total:.1f} s; peak GPU memory {peak:.2f} GiB")


if __name__ == "__main__":
    main()
