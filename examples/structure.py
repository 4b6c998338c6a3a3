"""Reproduce the Shepard diagrams of the global-structure guide and README: PCA, t-SNE and UMAP on 10,000
points of Fashion-MNIST and of MNIST.

Writes figures/shepard_fashion-vs-mnist_n10000.png and prints the three global measures of each embedding
(the same as ``fmnist-viz metrics --dataset fashion --compare mnist --n 10000 --methods pca,tsne,umap
--shepard figures/shepard_fashion-vs-mnist_n10000.png``). The embeddings are cached, so a second run only redraws.
"""

import fmnist_viz as fv

results = fv.run(["pca", "tsne", "umap"], ["fashion", "mnist"], n=10_000, seed=0)
fv.evaluate_results(results)
for r in results:
    print(f"{r.dataset:8} {r.method:5}", *(f"{name} {r.metrics[name]:.3f}" for name in (
        "random_triplet_accuracy", "centroid_triplet_accuracy", "distance_spearman")))
print(fv.save_shepard(results, "figures/shepard_fashion-vs-mnist_n10000.png"))
