"""Reproduce the README gallery: each method on all 70,000 images, Fashion-MNIST beside MNIST.

Writes figures/{pca,tsne,umap,pymde}_fashion-vs-mnist.png. The embeddings are
cached, so a second run only redraws.
"""

from fmnist_viz.datasets import load
from fmnist_viz.output import save_figure
from fmnist_viz.pipeline import evaluate_results, run
from fmnist_viz.scatter import results_figure

results = run(["pca", "tsne", "umap", "pymde"], ["fashion", "mnist"], seed=0)
evaluate_results(results)
images = {name: load(name).images for name in ("fashion", "mnist")}
for method in ("pca", "tsne", "umap", "pymde"):
    fig = results_figure([r for r in results if r.method == method], images, exemplars=1)
    print(save_figure(fig, f"figures/{method}_fashion-vs-mnist.png"))
