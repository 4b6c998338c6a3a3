"""Reproduce figures/fashion-grid.png and figures/mnist-grid.png (per-class sample grids)."""

from fmnist_viz.datasets import load
from fmnist_viz.grids import class_grid
from fmnist_viz.output import save_figure

for name in ("fashion", "mnist"):
    data = load(name)
    fig = class_grid(data.images, data.y, data.class_names, rows=3, cols=24, seed=0,
                     title=f"{data.title}: 72 random samples per class (train+test, seed 0)")
    print(save_figure(fig, f"figures/{name}-grid.png"))
