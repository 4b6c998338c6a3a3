"""The picture of held-out placement: each data set's fitted points faint, the placed ones on top in their
class colour, the placed points their 5 nearest fitted points misclassify marked, the score in the title."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import UsageError
from .scatter import add_legend, legend_handles
from .style import (
    COLOR_SCALES,
    DEFAULT_STYLE,
    check_style,
    class_color,
    draw_order,
    frame_panel,
    heldout_title,
    point_style,
    robust_limits,
    style_rc,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def heldout_panel(result: Any, ax: Axes, seed: int = 0) -> None:
    """One result (:class:`~fmnist_viz.results.HeldoutResult`) drawn into ``ax``, its misclassified placed points
    (``result.wrong``) marked."""
    wrong = result.wrong if result.wrong is not None else np.zeros(len(result.placed), bool)
    palette = np.array([class_color(c) for c in range(len(result.class_names))])
    size, _ = point_style(len(result.fitted) + len(result.placed))
    fitted, _, misplaced = COLOR_SCALES["heldout"]
    ax.scatter(*result.fitted.T, s=size, c=fitted, linewidths=0, rasterized=True)  # the fitted layout, faint
    order = draw_order(len(result.placed), seed)
    ax.scatter(*result.placed[order].T, s=size * 2, c=palette[result.placed_labels[order]], alpha=0.85,
               linewidths=0, rasterized=True)
    ax.scatter(*result.placed[wrong].T, s=size * 4, marker="x", c=misplaced, linewidths=0.5, rasterized=True)
    (x0, y0), (x1, y1) = robust_limits(np.concatenate([result.fitted, result.placed]))
    frame_panel(ax, (x0, x1), (y0, y1))
    ax.set_title(heldout_title(result) + " (x)")


def heldout_figure(results: Sequence[Any], *, style: str = DEFAULT_STYLE, seed: int = 0) -> Figure:
    """The held-out results side by side: a row per method, a column per data set (Fashion-MNIST beside
    MNIST), a legend of the classes below each column; returns the Figure."""
    import matplotlib.pyplot as plt

    conf = check_style(style)
    done = [r for r in results if r.placed is not None]
    if not done:
        raise UsageError("holds no placed result to draw", param="results")
    methods = list(dict.fromkeys(r.method for r in done))
    datasets = list(dict.fromkeys(r.dataset for r in done))
    side = conf.get("page_width", 2 * conf["panel_width"]) / max(2, len(datasets)) if style != "screen" \
        else conf["panel_width"]
    with plt.rc_context(style_rc(conf)):
        fig = plt.figure(figsize=(side * len(datasets), (side + 0.3) * len(methods) + 0.6), layout="constrained",
                         dpi=conf["dpi"])
        axes = fig.subplots(len(methods), len(datasets), squeeze=False)
        for r in done:
            heldout_panel(r, axes[methods.index(r.method), datasets.index(r.dataset)], seed)
        from matplotlib.lines import Line2D

        for c, dataset in enumerate(datasets):
            first = next(r for r in done if r.dataset == dataset)
            fitted, _, misplaced = COLOR_SCALES["heldout"]
            handles = [*legend_handles(first.placed_labels, first.class_names),
                       Line2D([], [], marker="x", linestyle="", color=misplaced, label="misclassified by 5-NN"),
                       Line2D([], [], marker="o", linestyle="", color=fitted, label="fitted (training) images")]
            add_legend(axes[-1, c], handles, 4, loc="upper center", bbox_to_anchor=(0.5, -0.02))
    return fig
