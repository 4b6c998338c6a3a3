"""Reproduce the figures of the global-structure guide and README, on 10,000 points of Fashion-MNIST and of MNIST:
the Shepard diagrams of PCA, t-SNE and UMAP, and UMAP's stability across seeds 0, 1 and 2.

Writes figures/shepard_fashion-vs-mnist_n10000.png, as ``fmnist-viz metrics --dataset fashion --compare mnist
--n 10000 --methods pca,tsne,umap --shepard FILE`` does, and
figures/stability_umap_fashion-vs-mnist_seeds-0-1-2_n10000.png, as ``fmnist-viz stability umap --seeds 0,1,2
--dataset fashion --compare mnist --n 10000 --format png --out figures`` does; prints the three global measures
of each embedding. The embeddings are cached, so a second run only redraws.
"""

import fmnist_viz as fv

results = fv.run(["pca", "tsne", "umap"], ["fashion", "mnist"], n=10_000, seed=0)
fv.evaluate_results(results)
for r in results:
    print(f"{r.dataset:8} {r.method:5}", *(f"{name} {r.metrics[name]:.3f}" for name in (
        "random_triplet_accuracy", "centroid_triplet_accuracy", "distance_spearman")))
print(fv.save_shepard(results, "figures/shepard_fashion-vs-mnist_n10000.png"))
stable = fv.stability("umap", [0, 1, 2], ["fashion", "mnist"], n=10_000)
print(*fv.save_stability(stable, "figures", "png"))
