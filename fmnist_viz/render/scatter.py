"""Static scatter plots of 2-D embeddings (matplotlib), alone or side by side.

One colour per class index from a colour-blind-safe palette, the same in every
panel; marker size and opacity follow the number of points, so 70,000 points
show structure rather than a blob; the points are rasterized, so SVG and PDF
stay small while text and axes stay vector. Every function takes arrays and
returns the matplotlib Figure; :func:`plot_embedding` also accepts an ``ax``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import UsageError
from .style import (
    DEFAULT_STYLE,
    STYLES,
    class_color,
    draw_order,
    measure_colors,
    panel_title,
    point_style,
    robust_limits,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


@dataclass
class Panel:
    """One embedding to draw: coordinates, labels, class names, a title, optional images."""

    embedding: np.ndarray
    labels: np.ndarray
    class_names: Sequence[str]
    title: str = ""
    images: np.ndarray | None = None  # (n, h, w) for class exemplars
    highlight: np.ndarray | None = None  # (n,) bool: these points stand out, the rest fade
    colors: np.ndarray | None = None  # (n,) colours instead of the class colours (colour by a measure)
    key: list[tuple[str, str]] | None = None  # the legend of those colours: (name, colour)


def plot_embedding(
    embedding: np.ndarray,
    labels: np.ndarray,
    class_names: Sequence[str],
    *,
    ax: Axes | None = None,
    title: str | None = None,
    legend: bool = True,
    point_size: float | None = None,
    alpha: float | None = None,
    images: np.ndarray | None = None,
    exemplars: int = 0,
    seed: int = 0,
    highlight: np.ndarray | None = None,
    point_colors: np.ndarray | None = None,
) -> Figure:
    """Scatter an (n, 2) embedding coloured by class; returns the Figure.

    Points are drawn in a random order (``seed``) so that no class hides the
    others. With ``images`` and ``exemplars`` > 0, that many real images of
    each class are drawn as thumbnails near the class's centre. ``highlight``
    (a boolean per point) draws those points on top, larger, and fades the rest;
    ``point_colors`` (a colour per point) replace the class colours.
    """
    import matplotlib.pyplot as plt

    embedding = np.asarray(embedding)
    labels = np.asarray(labels)
    if embedding.ndim != 2 or embedding.shape[1] != 2:
        raise UsageError(f"must be an (n, 2) array, got shape {embedding.shape}", param="embedding")
    if len(labels) != len(embedding):
        raise UsageError(f"has {len(labels)} entries for {len(embedding)} points", param="labels")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 6))
    size, opacity = point_style(len(embedding))
    order = draw_order(len(embedding), seed)
    palette = np.array([class_color(i) for i in range(len(class_names))])
    colors = np.asarray(point_colors) if point_colors is not None else palette[labels]
    size = point_size if point_size is not None else size
    opacity = alpha if alpha is not None else opacity
    if highlight is not None:
        highlight = np.asarray(highlight, dtype=bool)
        faded, lit = order[~highlight[order]], order[highlight[order]]
        ax.scatter(embedding[faded, 0], embedding[faded, 1], c=colors[faded], s=size, alpha=0.08,
                   linewidths=0, marker="o", rasterized=True)
        ax.scatter(embedding[lit, 0], embedding[lit, 1], c=colors[lit], s=max(size * 4, 6), alpha=0.95,
                   linewidths=0.3, edgecolors="black", marker="o", rasterized=True)
    else:
        ax.scatter(embedding[order, 0], embedding[order, 1], c=colors[order], s=size, alpha=opacity,
                   linewidths=0, marker="o", rasterized=True)
    (x0, y0), (x1, y1) = robust_limits(embedding)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color("0.8")
    if title:
        ax.set_title(title)
    if images is not None and exemplars > 0:
        _draw_exemplars(ax, embedding, labels, images, exemplars, seed)
    if legend:
        handles = legend_handles(labels, class_names)
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=min(5, len(handles)),
                  **LEGEND_STYLE)
    return ax.figure


#: How legends look in static figures: no frame, markers close to their names.
LEGEND_STYLE = {"frameon": False, "handletextpad": 0.1, "columnspacing": 0.8}


def legend_handles(labels: np.ndarray, class_names: Sequence[str]) -> list[Any]:
    """Legend entries (a marker in the class colour and its name) for the classes present in ``labels``."""
    from matplotlib.lines import Line2D

    return [Line2D([], [], marker="o", linestyle="", markersize=6, color=class_color(int(i)),
                   label=class_names[int(i)]) for i in np.unique(labels)]


def _draw_exemplars(ax: Axes, embedding: np.ndarray, labels: np.ndarray, images: np.ndarray,
                    per_class: int, seed: int) -> None:
    """Thumbnails of real images of each class, placed at points near the class's median."""
    from matplotlib.offsetbox import AnnotationBbox, OffsetImage

    rng = np.random.default_rng(seed)
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        centre = np.median(embedding[members], axis=0)
        closest = members[np.argsort(np.linalg.norm(embedding[members] - centre, axis=1))[: 20 * per_class]]
        for j in rng.choice(closest, size=min(per_class, len(closest)), replace=False):
            box = OffsetImage(images[j], cmap="gray_r", zoom=0.9, interpolation="nearest")
            box.image.set_rasterized(True)
            ab = AnnotationBbox(box, tuple(embedding[j]), frameon=True, pad=0.1,
                                bboxprops={"edgecolor": class_color(int(c)), "linewidth": 1.2})
            ax.add_artist(ab)


def compare_figure(
    panels: Sequence[Sequence[Panel | None]],
    *,
    style: str = DEFAULT_STYLE,
    width: float | None = None,
    exemplars: int = 0,
    seed: int = 0,
    suptitle: str | None = None,
    one_legend: bool = False,
) -> Figure:
    """A grid of embeddings: ``panels[row][col]`` (e.g. methods as rows, data sets as columns); None leaves a gap.

    Each column gets one legend, since each data set has its own class names
    (``one_legend``: a single legend below the figure, when every panel shows
    the same data set); colours follow the class index everywhere. A column's
    legend sits below a single row and above several, where the reader of a
    tall figure starts.
    ``style`` is ``"screen"`` or ``"paper"`` (single-column panels, paper
    font sizes, 300 dpi); ``width`` (inches) overrides the figure width.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    if style not in STYLES:
        raise UsageError(f"must be one of {', '.join(STYLES)}, got {style!r}", param="style")
    rows, cols = len(panels), max(len(r) for r in panels)
    conf = STYLES[style]
    panel_w = (width / cols) if width else conf["panel_width"] if cols == 1 else conf["panel_width"] * (
        1 if style == "screen" else 7.2 / (2 * conf["panel_width"]))
    legend_h = 0.25 * conf["font"] / 10 * 2 + 0.3
    with plt.rc_context({"font.size": conf["font"], "axes.titlesize": conf["font"],
                         "legend.fontsize": conf["font"] * 0.9, "savefig.dpi": conf["dpi"]}):
        # created at the style's dpi: savefig(dpi="figure") uses the dpi a figure was made with
        fig = plt.figure(figsize=(panel_w * cols, panel_w * rows + legend_h), layout="constrained", dpi=conf["dpi"])
        columns = fig.subfigures(1, cols, squeeze=False)[0] if cols > 1 else [fig]
        for c, column in enumerate(columns):  # a subfigure per column: its legend spans just that column
            axes = column.subplots(rows, 1, squeeze=False)[:, 0]
            drawn = [(ax, row[c]) for ax, row in zip(axes, panels, strict=True) if c < len(row) and row[c] is not None]
            for ax in set(axes) - {ax for ax, _ in drawn}:  # a missing panel (None, or a short row) stays blank
                ax.set_axis_off()
            for ax, p in drawn:
                plot_embedding(p.embedding, p.labels, p.class_names, ax=ax, title=p.title, legend=False,
                               images=p.images, exemplars=exemplars, seed=seed, highlight=p.highlight,
                               point_colors=p.colors)
            if drawn and (not one_legend or c == 0):
                first = drawn[0][1]
                handles = legend_handles(first.labels, first.class_names) if first.key is None else [
                    Line2D([], [], marker="o", linestyle="", markersize=6, color=c, label=n) for n, c in first.key]
                # a figure's own legend goes below: above, constrained layout would lay it over the suptitle
                (fig if one_legend else column).legend(
                    handles=handles, loc="outside lower center" if rows == 1 or one_legend else "outside upper center",
                    ncol=min(10 if one_legend and cols > 2 else 5, len(handles)), **LEGEND_STYLE)
        if suptitle:
            fig.suptitle(suptitle)
    return fig


def results_figure(results: Sequence[Any], images: dict[str, np.ndarray] | None = None,
                   highlight: Any = None, color_by: str = "class", **kwargs: Any) -> Figure:
    """Embedding results as a grid: methods as rows, data sets as columns (see :func:`compare_figure`).

    ``results`` are :class:`~fmnist_viz.pipeline.EmbeddingResult`; titles
    carry the method, the number of points and, when computed, the 10-NN
    accuracy and trustworthiness. ``images`` maps a data set name to its
    (70000, h, w) images, for exemplars. ``highlight`` (a
    :class:`~fmnist_viz.selection.Selection`) makes its rows stand out in its
    data set's panels. ``color_by`` other than ``"class"`` colours points by a
    measure in each result's ``pointwise`` (see :mod:`fmnist_viz.pointwise`).
    """
    methods = list(dict.fromkeys(r.method for r in results))
    datasets = list(dict.fromkeys(r.dataset for r in results))
    by_key = {(r.method, r.dataset): r for r in results}
    rows = []
    for method in methods:
        row = []
        for dataset in datasets:
            r = by_key[(method, dataset)]
            pictures = images[dataset][r.index] if images and dataset in images else None
            lit = np.isin(r.index, highlight.rows) if highlight is not None and highlight.dataset == dataset else None
            colors, key = measure_colors(r.pointwise[color_by], color_by) if color_by != "class" else (None, None)
            row.append(Panel(r.positions, r.labels, r.class_names, panel_title(r), pictures, lit, colors, key))
        rows.append(row)
    return compare_figure(rows, **kwargs)
