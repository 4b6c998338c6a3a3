"""Benchmark the GPU path: every method and the k-NN graph on CUDA, time and quality, in one command.

Target (issue 10): on one H100, all of ``fmnist-viz all --compare mnist``
(eight embeddings, the k-NN graphs and the quality metrics) under 20 s, every
method's quality within 0.01 of its CPU library default (the CPU table in
BENCHMARKS.md). Per method and data set it prints the embedding time, 10-NN
accuracy and trustworthiness (fmnist_viz.metrics, the same code as the CPU
benchmark); the exact k-NN graph's time separately; the total wall time and
the peak GPU memory. Run from the repo root on a machine with a CUDA GPU:

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, help="a stratified subsample of N points (default: all 70,000)")
    parser.add_argument("--smoke", action="store_true", help="1,000 points on the CPU: a check that it runs (CI)")
    args = parser.parse_args()
    import torch

    if args.smoke:
        device, args.n = "cpu", args.n or 1000
    elif torch.cuda.is_available():
        device = "cuda"
    else:
        sys.exit("no CUDA GPU visible to PyTorch: run this where there is one (or --smoke to check it runs)")
    os.environ["FMNIST_VIZ_CACHE"] = tempfile.mkdtemp(prefix="fmnist-viz-gpu-")  # cold: nothing is reused

    import fmnist_viz as fv
    from fmnist_viz.embed.prepare import knn_graph, scale_pixels

    gpu = torch.cuda.get_device_name(0) if device == "cuda" else "none (CPU smoke run)"
    start = time.perf_counter()
    for name in DATASETS:  # the exact graph alone, as the methods' largest k needs it (t-SNE: 90)
        features = scale_pixels(fv.load(name).X[: args.n])
        t0 = time.perf_counter()
        knn_graph(features, 90, method="torch-cuda" if device == "cuda" else "torch")
        print(f"k-NN graph (exact, k=90, 784-d) of {name}: {time.perf_counter() - t0:.2f} s", flush=True)
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    params = {"tsne": {"backend": "torchdr"}, "umap": {"backend": "torchdr"}}
    if args.smoke:  # few iterations: TorchDR's t-SNE on two CPU cores is slow, and only the steps matter here
        params["tsne"].update(early_exaggeration_iter=50, n_iter=50)
        params["umap"].update(n_epochs=50)
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
