"""An interactive page of UMAP on a 10,000-point subsample, for a quick look in a browser."""

from fmnist_viz.datasets import load
from fmnist_viz.interactive import interactive_figure, write_html
from fmnist_viz.pipeline import run

results = run(["umap"], ["fashion", "mnist"], n=10_000, seed=0)
images = {r.dataset: load(r.dataset).images for r in results}
print(write_html(interactive_figure(results), "umap_10k.html", images))
