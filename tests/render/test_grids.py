"""Per-class grids: titles break between phrases, never inside one that fits a line."""

from __future__ import annotations

import numpy as np

from fmnist_viz.render.grids import class_grid, wrap_title

TITLE = "Fashion-MNIST: 10 random samples per class (test split, seed 7)"


def test_titles_break_between_phrases() -> None:
    assert wrap_title(TITLE, 80) == TITLE
    assert wrap_title(TITLE, 45) == "Fashion-MNIST: 10 random samples per class\n(test split, seed 7)"
    assert wrap_title(TITLE, 30) == "Fashion-MNIST:\n10 random samples per class\n(test split, seed 7)"
    assert all(len(line) <= 20 for line in wrap_title(TITLE, 20).splitlines())  # too narrow: words


def test_a_narrow_grid_keeps_the_phrases_of_its_title_whole() -> None:
    import matplotlib.pyplot as plt

    labels = np.repeat(np.arange(10), 5)
    images = np.random.default_rng(0).integers(0, 256, (50, 28, 28), dtype=np.uint8)
    fig = class_grid(images, labels, [f"class {i}" for i in range(10)], rows=1, cols=10, title=TITLE)
    lines = fig.axes[0].get_title(loc="left").splitlines()
    assert lines[-1] == "(test split, seed 7)" and "per class" in lines[-2]
    plt.close(fig)
