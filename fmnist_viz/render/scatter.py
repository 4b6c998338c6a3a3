"""Static scatter plots of 2-D embeddings (matplotlib), alone or side by side.

One colour per class index from a colour-blind-safe palette, the same in every
panel; marker size and opacity follow the number of points, so 70,000 points
show structure rather than a blob; the points are rasterized, so SVG and PDF
stay small while text and axes stay vector. Every function takes arrays and
returns the matplotlib Figure; :func:`plot_embedding` also accepts an ``ax``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import UsageError
from .style import (
    DEFAULT_STYLE,
    STYLES,
    check_style,
    class_color,
    draw_order,
    frame_panel,
    measure_colors,
    measure_span,
    method_title,
    panel_title,
    point_style,
    robust_limits,
    style_rc,
    text_line,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

log = logging.getLogger(__name__)


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
    highlight_label: str = ""  # the legend entry of the highlighted points


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
    frame_panel(ax, (x0, x1), (y0, y1))
    if title:
        ax.set_title(title)
    if images is not None and exemplars > 0:
        _draw_exemplars(ax, embedding, labels, images, exemplars, seed)
    if legend:
        add_legend(ax, legend_handles(labels, class_names), 5, loc="upper center", bbox_to_anchor=(0.5, -0.02))
    return ax.figure


#: The most exemplar images per class a figure draws (more would hide the points).
MAX_EXEMPLARS = 20
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


#: How :func:`compare_figure` gives legends: one per column, one per row, or one for the whole figure.
LEGEND_LAYOUTS = ("columns", "rows", "one")
#: The smallest panel (inches) a paper figure shrinks its panels to, to fit the page's height.
MIN_PAPER_PANEL = 1.2


def compare_figure(
    panels: Sequence[Sequence[Panel | None]],
    *,
    style: str = DEFAULT_STYLE,
    width: float | None = None,
    exemplars: int = 0,
    seed: int = 0,
    suptitle: str | None = None,
    legends: str = "columns",
    row_titles: Sequence[str] | None = None,
) -> Figure:
    """A grid of embeddings: ``panels[row][col]``; None leaves a gap.

    ``legends`` says what shares a legend, since each data set has its own
    class names: ``"columns"`` (each column one data set; the legend sits
    below a single row and above several, where the reader of a tall figure
    starts), ``"rows"`` (each row one data set: its legend below it and its
    ``row_titles`` entry above it) or ``"one"`` (every panel shows the same
    classes: one legend below the figure). Colours follow the class index
    everywhere. ``style`` is ``"screen"`` or ``"paper"``: paper fonts, 300 dpi,
    one panel a column's width (3.5 in) or several across a page's (7.2 in),
    and panels shrunk to keep the figure within a page's height (9.5 in; a
    warning says when even the smallest legible panels cannot). ``width``
    (inches) overrides the figure width.
    """
    import matplotlib.pyplot as plt

    conf = check_style(style)
    if legends not in LEGEND_LAYOUTS:
        raise UsageError(f"must be one of {', '.join(LEGEND_LAYOUTS)}, got {legends!r}", param="legends")
    rows, cols = len(panels), max(len(r) for r in panels)
    grid = [[r[c] if c < len(r) else None for c in range(cols)] for r in panels]
    drawn = [p for row in grid for p in row if p is not None]
    entries = max((len(_legend_entries(p)) for p in drawn), default=0)
    ncol = min(10 if legends == "one" and cols > 2 else 5, max(entries, 1))
    panel_w, size = figure_size(rows, cols, style, title_lines=max(
        (p.title.count("\n") + 1 for p in drawn if p.title), default=0), legend_lines=-(-entries // ncol),
        legends=legends, row_titles=bool(row_titles), suptitle_lines=suptitle.count("\n") + 1 if suptitle else 0,
        width=width)
    if "page_height" in conf and not width and (size[0] > conf["page_width"] + 1e-6
                                                  or size[1] > conf["page_height"] + 1e-6):
        log.warning("a %d x %d grid of panels does not fit a page in the paper style: the figure is %.1f x %.1f in (a "
                    "page holds %.1f x %.1f in) with panels of %.1f in; draw fewer rows or columns", rows, cols, *size,
                    conf["page_width"], conf["page_height"], panel_w)
    with plt.rc_context(style_rc(conf)):
        # created at the style's dpi: savefig(dpi="figure") uses the dpi a figure was made with
        fig = plt.figure(figsize=size, layout="constrained", dpi=conf["dpi"])
        if legends == "columns" and cols > 1:  # a subfigure per column: its legend spans just that column
            groups = [(sub, [(r, c) for r in range(rows)]) for c, sub in enumerate(fig.subfigures(1, cols))]
        elif legends == "rows" and rows > 1:
            groups = [(sub, [(r, c) for c in range(cols)]) for r, sub in enumerate(fig.subfigures(rows, 1))]
        else:
            groups = [(fig, [(r, c) for r in range(rows) for c in range(cols)])]
        for g, (where, cells) in enumerate(groups):
            shape = (rows, 1) if legends == "columns" and cols > 1 else (1, cols) if legends == "rows" and rows > 1 \
                else (rows, cols)
            axes = where.subplots(*shape, squeeze=False).ravel()
            mine = [(ax, grid[r][c]) for ax, (r, c) in zip(axes, cells, strict=True)]
            for ax, p in mine:
                if p is None:  # a missing panel (None, or a short row) stays blank
                    ax.set_axis_off()
                    continue
                plot_embedding(p.embedding, p.labels, p.class_names, ax=ax, title=p.title, legend=False,
                               images=p.images, exemplars=exemplars, seed=seed, highlight=p.highlight,
                               point_colors=p.colors)
            if legends == "rows" and row_titles:
                where.suptitle(row_titles[g], fontweight="bold")
            first = next((p for _, p in mine if p is not None), None)
            if first is not None:
                # a figure's own legend goes below: above, constrained layout would lay it over the suptitle
                below = legends != "columns" or rows == 1
                add_legend(where, _legend_entries(first), ncol, loc="outside lower center" if below
                           else "outside upper center")
        if suptitle:
            fig.suptitle(suptitle)
    return fig


def figure_size(rows: int, cols: int, style: str = DEFAULT_STYLE, *, title_lines: int = 2, legend_lines: int = 2,
                legends: str = "columns", row_titles: bool = False, suptitle_lines: int = 0,
                width: float | None = None) -> tuple[float, tuple[float, float]]:
    """How :func:`compare_figure` sizes a ``rows`` x ``cols`` grid: the panels' side and the figure's (width,
    height) in inches. In the paper style, panels take a column's width alone or share a page's, and shrink (to
    :data:`MIN_PAPER_PANEL` at the least) to keep the figure within a page's height."""
    conf = STYLES[style]
    line = text_line(conf)
    title_h = line * title_lines
    legend_h = line * 0.9 * legend_lines + 0.1
    extra = (legend_h * (rows if legends == "rows" else 1) + (line * rows if row_titles else 0)
             + line * 1.3 * suptitle_lines)
    if width:
        panel_w = width / cols
    elif "page_width" in conf:
        panel_w = conf["panel_width"] if cols == 1 else conf["page_width"] / cols
        fits = (conf["page_height"] - extra) / rows - title_h
        panel_w = max(min(panel_w, fits), MIN_PAPER_PANEL)
    else:
        panel_w = conf["panel_width"]
    return panel_w, (panel_w * cols, rows * (panel_w + title_h) + extra)


def _legend_entries(panel: Panel) -> list[Any]:
    """The legend of a panel: its classes, or the key of the colours it is drawn in; and its highlight."""
    from matplotlib.lines import Line2D

    if panel.key is not None:
        handles = [Line2D([], [], marker="o", linestyle="", markersize=6, color=c, label=n) for n, c in panel.key]
    else:
        handles = legend_handles(panel.labels, panel.class_names)
    if panel.highlight is not None:
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=6, markerfacecolor="white",
                              markeredgecolor="black", markeredgewidth=0.8,
                              label=panel.highlight_label or f"selected ({int(np.sum(panel.highlight)):,})"))
    return handles


def add_legend(where: Any, handles: Sequence[Any], ncol: int, **kwargs: Any) -> Any:
    """A legend of ``handles`` in ``ncol`` columns that reads row by row (matplotlib fills column by column)."""
    ncol = max(1, min(ncol, len(handles)))
    nrows = -(-len(handles) // ncol)
    ordered = [handles[r * ncol + c] for c in range(ncol) for r in range(nrows) if r * ncol + c < len(handles)]
    return where.legend(handles=ordered, ncol=ncol, **LEGEND_STYLE, **kwargs)


def results_figure(results: Sequence[Any], images: dict[str, np.ndarray] | None = None,
                   highlight: Any = None, color_by: str = "class", **kwargs: Any) -> Figure:
    """Embedding results as a grid (see :func:`compare_figure`); returns the Figure.

    One method: its data sets side by side, each with its legend. Several: a
    row per data set (titled by it, its legend below it) and a column per
    method, so four methods fit a page's width in the paper style.
    ``results`` are :class:`~fmnist_viz.results.EmbeddingResult`; titles
    carry the method, the number of points and, when computed, the 10-NN
    accuracy and trustworthiness. ``images`` maps a data set name to its
    (70000, h, w) images, for exemplars. ``highlight`` (a
    :class:`~fmnist_viz.data.selection.Selection`) makes its rows stand out in its
    data set's panels, with a legend entry. ``color_by`` other than
    ``"class"`` colours points by a measure in each result's ``pointwise``
    (see :mod:`fmnist_viz.quality.pointwise`).
    """
    from pathlib import Path

    methods = list(dict.fromkeys(r.method for r in results))
    datasets = list(dict.fromkeys(r.dataset for r in results))
    by_key = {(r.method, r.dataset): r for r in results}
    several = len(methods) > 1
    # one range of preservation's colours for every panel, so that a colour means one value everywhere
    span = measure_span([r.pointwise[color_by] for r in results]) if color_by == "preservation" else None

    def panel(r: Any) -> Panel:
        pictures = images[r.dataset][r.index] if images and r.dataset in images else None
        lit = np.isin(r.index, highlight.rows) if highlight is not None and highlight.dataset == r.dataset else None
        source = f" in {Path(highlight.source).name}" if highlight is not None and highlight.source else ""
        label = f"selected{source} ({int(lit.sum()):,})" if lit is not None else ""
        colors, key = measure_colors(r.pointwise[color_by], color_by, span) if color_by != "class" else (None, None)
        title = method_title(r) if several else panel_title(r)
        return Panel(r.positions, r.labels, r.class_names, title, pictures, lit, colors, key, label)

    if several:  # a row per data set, a column per method
        rows = [[panel(by_key[(m, d)]) for m in methods] for d in datasets]
        titles = [f"{by_key[(methods[0], d)].title}, {len(by_key[(methods[0], d)]):,} points" for d in datasets]
        return compare_figure(rows, legends="rows", row_titles=titles, **kwargs)
    return compare_figure([[panel(by_key[(methods[0], d)]) for d in datasets]], **kwargs)
