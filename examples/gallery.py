"""Reproduce the README gallery: each method on all 70,000 images, Fashion-MNIST beside MNIST.

Writes figures/{pca,tsne,umap,pymde}_fashion-vs-mnist_exemplars1.png, each with one real
image of each class near its centre. The embeddings are cached, so a second
run only redraws.
"""

import fmnist_viz as fv

methods = ["pca", "tsne", "umap", "pymde"]
results = fv.run(methods, ["fashion", "mnist"], seed=0)
for method in methods:
    for path in fv.save_results([r for r in results if r.method == method], "figures", "png", exemplars=1):
        print(path)
