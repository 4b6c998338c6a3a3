"""Reproduce figures/fashion-grid.png and figures/mnist-grid.png (per-class sample grids)."""

import fmnist_viz as fv
from fmnist_viz.outputs.files import save_figure

for name in ("fashion", "mnist"):
    data = fv.load(name)
    fig = fv.class_grid(data.images, data.y, data.class_names, rows=3, cols=24, seed=0,
                        title=f"{data.title}: 72 random samples per class (train+test, seed 0)")
    print(save_figure(fig, f"figures/{name}-grid.png"))
