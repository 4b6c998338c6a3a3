"""Image maps: a 2-D layout covered by a regular grid, each occupied cell drawn as the image of the point nearest
its centre (the classic picture of an image embedding, as in van der Maaten's t-SNE maps of MNIST).

:func:`choose_cells` decides which point each cell shows (vectorised: 70,000
points in milliseconds), :func:`mosaic` puts those images into one raster,
:func:`plot_image_map` draws it on an ``ax`` at the layout's coordinates, and
:func:`image_map_figure` draws data sets side by side. One raster per panel,
so SVG and PDF embed it once instead of thousands of small images.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import UsageError, check_number
from .scatter import add_legend, legend_handles, plot_embedding
from .style import DEFAULT_STYLE, check_style, class_color, frame_panel, panel_title, style_rc, text_line

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Cells per side of the layout's longer extent.
DEFAULT_CELLS = 40
MIN_CELLS, MAX_CELLS = 2, 200


@dataclass(frozen=True)
class CellChoice:
    """Which point each occupied cell of the grid shows."""

    rows: np.ndarray  # (m,) indices into the positions: the point drawn in each occupied cell
    column: np.ndarray  # (m,) its cell's column, 0 at the left
    row: np.ndarray  # (m,) its cell's row, 0 at the bottom
    origin: tuple[float, float]  # the grid's lower-left corner, in data coordinates
    side: float  # a cell's side, in data coordinates
    shape: tuple[int, int]  # (rows, columns) of the grid

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """The grid's (left, right, bottom, top) in data coordinates, as matplotlib's ``imshow`` takes it."""
        (x0, y0), (rows, cols) = self.origin, self.shape
        return x0, x0 + cols * self.side, y0, y0 + rows * self.side


def check_cells(cells: int) -> int:
    """Cells per side, checked: a whole number from 2 to 200."""
    return int(check_number(cells, "cells", low=MIN_CELLS, high=MAX_CELLS, integer=True))


def check_box(box: Sequence[float]) -> tuple[float, float, float, float]:
    """A window of the layout, (x0, x1, y0, y1) in its coordinates, checked: four finite numbers, x0 < x1 and
    y0 < y1."""
    try:
        x0, x1, y0, y1 = (float(v) for v in box)
    except (TypeError, ValueError):
        raise UsageError(f"must be four numbers x0,x1,y0,y1, got {box!r}"[:200], param="box") from None
    if not all(np.isfinite([x0, x1, y0, y1])) or x0 >= x1 or y0 >= y1:
        raise UsageError(f"must be finite with x0 < x1 and y0 < y1, got {x0:g},{x1:g},{y0:g},{y1:g}", param="box")
    return x0, x1, y0, y1


#: The smallest box side, as a share of the layout's larger side (smaller ones cannot be drawn in floating point).
MIN_BOX_SHARE = 1e-9


def clip_box(box: Sequence[float], positions: np.ndarray) -> tuple[float, float, float, float]:
    """``box`` (x0, x1, y0, y1, checked) cut to the layout's extent (the bounding box of its finite points): a box
    reaching far past the layout maps the same points as the layout's own extent, so the map stays bounded. A
    box that does not meet the layout, or too small to draw, is refused with the layout's extent."""
    x0, x1, y0, y1 = check_box(box)
    xy = np.asarray(positions, dtype=np.float64)
    xy = xy[np.isfinite(xy).all(axis=1)] if xy.ndim == 2 and xy.shape[1:] == (2,) else xy[:0].reshape(0, 2)
    if not len(xy):
        raise UsageError("cannot be drawn: the layout holds no finite coordinates", param="box")
    (lx, ly), (hx, hy) = xy.min(axis=0), xy.max(axis=0)
    extent = f"the layout spans x {lx:.4g} to {hx:.4g}, y {ly:.4g} to {hy:.4g}"
    if x0 > hx or x1 < lx or y0 > hy or y1 < ly:
        raise UsageError(f"{x0:g},{x1:g},{y0:g},{y1:g} does not meet the layout: {extent}", param="box")
    clipped = max(x0, lx), min(x1, hx), max(y0, ly), min(y1, hy)
    if max(clipped[1] - clipped[0], clipped[3] - clipped[2]) <= MIN_BOX_SHARE * max(hx - lx, hy - ly, 1e-300):
        raise UsageError(f"{x0:g},{x1:g},{y0:g},{y1:g} is too small to draw (its sides at most {MIN_BOX_SHARE:g} "
                         f"of the layout's): {extent}", param="box")
    return clipped


def choose_cells(positions: np.ndarray, cells: int = DEFAULT_CELLS,
                 box: Sequence[float] | None = None) -> CellChoice:
    """Cover the layout (its central 99.9% on each axis, as the scatter plots frame it; or exactly ``box``,
    (x0, x1, y0, y1)) with square cells, ``cells`` along its longer side, and pick for each occupied cell the
    point nearest the cell's centre (ties: the lower index)."""
    cells = check_cells(cells)
    positions = np.asarray(positions, dtype=np.float64)
    if positions.ndim != 2 or positions.shape[1] != 2 or not len(positions):
        raise UsageError(f"must be (n, 2) coordinates, got shape {positions.shape}", param="positions")
    finite = np.flatnonzero(np.isfinite(positions).all(axis=1))
    if not len(finite):
        raise UsageError("holds no finite coordinates", param="positions")
    if box is not None:
        x0, x1, y0, y1 = check_box(box)
        if not np.isfinite([x1 - x0, y1 - y0]).all():
            raise UsageError(f"is too large: its sides overflow, got {x0:g},{x1:g},{y0:g},{y1:g}; cut it to the "
                             "layout first (clip_box)", param="box")
    else:
        low, high = np.percentile(positions[finite], [0.05, 99.95], axis=0)  # a few far-flung points fall outside
        pad = 0.02 * max(float((high - low).max()), 1e-9)
        (x0, y0), (x1, y1) = low - pad, high + pad
    side = max(x1 - x0, y1 - y0) / cells
    cols, rows = (max(1, int(np.ceil((hi - lo) / side - 1e-9))) for lo, hi in ((x0, x1), (y0, y1)))
    xy = positions[finite]
    col = np.floor((xy[:, 0] - x0) / side).astype(np.int64)
    row = np.floor((xy[:, 1] - y0) / side).astype(np.int64)
    inside = (col >= 0) & (col < cols) & (row >= 0) & (row < rows)
    if box is not None:  # the last row or column of cells may reach past the box: its points alone count
        inside &= (xy[:, 0] <= x1) & (xy[:, 1] <= y1)
    col, row, xy, points = col[inside], row[inside], xy[inside], finite[inside]
    centre = np.stack([x0 + (col + 0.5) * side, y0 + (row + 0.5) * side], axis=1)
    distance = ((xy - centre) ** 2).sum(axis=1)
    cell = row * cols + col
    order = np.lexsort((points, distance, cell))  # by cell, then nearest, then lowest index
    if not len(order):
        lo, hi = positions[finite].min(axis=0), positions[finite].max(axis=0)
        raise UsageError(f"holds no point: the layout spans x {lo[0]:.3g} to {hi[0]:.3g}, y {lo[1]:.3g} to "
                         f"{hi[1]:.3g}", param="box")
    first = np.r_[True, cell[order][1:] != cell[order][:-1]]
    pick = order[first]
    return CellChoice(points[pick], col[pick], row[pick], (float(x0), float(y0)), float(side), (rows, cols))


def mosaic(images: np.ndarray, choice: CellChoice, colors: Sequence[str] | None = None, *, invert: bool = True,
           frame: int = 1) -> np.ndarray:
    """The chosen images in their cells as one RGB raster (rows x h, columns x w, 3) uint8, top row first.

    ``images`` holds every point's image ((n, h, w), or (n, h * w) of square images). ``invert`` draws ink dark
    on white paper (empty cells white); ``colors`` (a colour per chosen cell) frames each image in it, ``frame``
    pixels wide."""
    from matplotlib.colors import to_rgb

    images = np.asarray(images)
    if images.ndim == 2:
        side = int(round(np.sqrt(images.shape[1])))
        if side * side != images.shape[1]:
            raise UsageError(f"must be (n, h, w) images or (n, h * w) square ones, got shape {images.shape}",
                             param="images")
        images = images.reshape(len(images), side, side)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise UsageError(f"must be (n, h, w) uint8 images, got shape {images.shape}, {images.dtype}", param="images")
    h, w = images.shape[1:]
    tiles = images[choice.rows]
    tiles = np.repeat((255 - tiles if invert else tiles)[..., None], 3, axis=3)
    if colors is not None:
        if len(colors) != len(choice.rows):
            raise UsageError(f"must give a colour per chosen cell ({len(choice.rows)}), got {len(colors)}",
                             param="colors")
        rgb = (np.array([to_rgb(c) for c in colors]) * 255).round().astype(np.uint8)[:, None, None, :]
        f = max(1, min(int(frame), min(h, w) // 4))
        tiles[:, :f], tiles[:, -f:], tiles[:, :, :f], tiles[:, :, -f:] = rgb, rgb, rgb, rgb
    rows, cols = choice.shape
    grid = np.full((rows, cols, h, w, 3), 255, np.uint8)
    grid[rows - 1 - choice.row, choice.column] = tiles  # the raster's first row is the grid's top
    return grid.transpose(0, 2, 1, 3, 4).reshape(rows * h, cols * w, 3)


def draw_image_map(ax: Axes, positions: np.ndarray, images: np.ndarray, labels: np.ndarray | None = None, *,
                   cells: int = DEFAULT_CELLS, frames: bool = False, invert: bool = True,
                   box: Sequence[float] | None = None) -> CellChoice:
    """Draw the image map of an (n, 2) layout on ``ax``, at the layout's own coordinates; returns which point each
    cell shows. ``images`` are the points' images ((n, h, w) uint8), ``labels`` their class indices (for
    ``frames``: each image framed in its class's colour, the colours of the scatter plots); ``box`` (x0, x1, y0,
    y1) maps that window of the layout alone."""
    if len(images) != len(positions):
        raise UsageError(f"must hold an image per point ({len(positions)}), got {len(images)}", param="images")
    choice = choose_cells(positions, cells, box)
    colors = None
    if frames:
        if labels is None or len(labels) != len(positions):
            raise UsageError("frames need a class label per point", param="labels")
        colors = [class_color(int(c)) for c in np.asarray(labels)[choice.rows]]
    ax.imshow(mosaic(images, choice, colors, invert=invert), extent=choice.extent, interpolation="antialiased")
    frame_panel(ax, choice.extent[:2], choice.extent[2:])
    return choice


def plot_image_map(positions: np.ndarray, images: np.ndarray, labels: np.ndarray | None = None, *,
                   cells: int = DEFAULT_CELLS, frames: bool = False, invert: bool = True, ax: Axes | None = None,
                   title: str | None = None) -> Figure:
    """The image map of an (n, 2) layout (see :func:`draw_image_map`), on ``ax`` or a figure of its own; returns
    the Figure."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 6), layout="constrained")
    draw_image_map(ax, positions, images, labels, cells=cells, frames=frames, invert=invert)
    if title:
        ax.set_title(title)
    return ax.figure


def map_title(result: Any, choice: CellChoice) -> str:
    return f"{panel_title(result)}\n{len(choice.rows):,} cells: the image nearest each centre"


def image_map_figure(results: Sequence[Any], images: dict[str, np.ndarray], *, cells: int = DEFAULT_CELLS,
                     frames: bool = False, style: str = DEFAULT_STYLE) -> Figure:
    """One method's results side by side (Fashion-MNIST beside MNIST), each as an image map titled by its data
    set, method and how many cells show an image, with its classes' legend below when ``frames``; ``images``
    maps a data set to all its images ((70000, h, w)); returns the Figure."""
    import matplotlib.pyplot as plt

    conf = check_style(style)
    if not results:
        raise UsageError("is empty: nothing to draw", param="results")
    # on screen a panel is wide enough for every image at its own size (28 pixels), up to 14 in
    pixels = cells * max(np.asarray(v).shape[-1] for v in images.values())
    side = conf["page_width"] / max(2, len(results)) if "page_width" in conf else \
        min(14.0, max(conf["panel_width"] * 1.25, pixels / conf["dpi"]))
    with plt.rc_context(style_rc(conf)):
        fig = plt.figure(figsize=(side * len(results), side + text_line(conf) * (3 + 2 * frames)), layout="constrained",
                         dpi=conf["dpi"])
        for ax, r in zip(fig.subplots(1, len(results), squeeze=False)[0], results, strict=True):
            choice = draw_image_map(ax, r.positions, images[r.dataset][r.index], r.labels, cells=cells,
                                    frames=frames)
            ax.set_title(map_title(r, choice))
            if frames:
                add_legend(ax, legend_handles(r.labels, r.class_names), 5, loc="upper center",
                           bbox_to_anchor=(0.5, -0.01))
    return fig


#: Cells along the longer side of a zoom box's image map.
ZOOM_CELLS = 16


def zoom_figure(result: Any, images: np.ndarray, box: Sequence[float], *, cells: int = ZOOM_CELLS,
                frames: bool = False, style: str = DEFAULT_STYLE) -> Figure:
    """The whole and the detail: one result's scatter (its coordinates on the axes, so a box can be read off)
    with ``box`` (x0, x1, y0, y1, cut to the layout's extent: :func:`clip_box`) outlined, and beside it that box
    enlarged as an image map, joined by lines; ``images`` are all the data set's images. Returns the Figure."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import ConnectionPatch, Rectangle
    from matplotlib.ticker import MaxNLocator

    conf = check_style(style)
    x0, x1, y0, y1 = box = clip_box(box, result.positions)
    side = conf["page_width"] / 2 if "page_width" in conf else conf["panel_width"]
    with plt.rc_context(style_rc(conf)):
        fig = plt.figure(figsize=(2 * side, side + text_line(conf) * 5), layout="constrained",
                         dpi=conf["dpi"])
        whole, detail = fig.subplots(1, 2)
        plot_embedding(result.positions, result.labels, result.class_names, ax=whole, title=panel_title(result))
        whole.tick_params(labelsize=conf["font"] * 0.8)
        for axis in (whole.xaxis, whole.yaxis):
            axis.set_major_locator(MaxNLocator(5))
        whole.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="black", linewidth=1))
        choice = draw_image_map(detail, result.positions, np.asarray(images)[result.index], result.labels,
                                cells=cells, frames=frames, box=box)
        for spine in detail.spines.values():
            spine.set_color("black")
        detail.set_title(f"x {x0:g} to {x1:g}, y {y0:g} to {y1:g}: {len(choice.rows):,} cells,\n"
                         "the image nearest each centre")
        left, right, bottom, top = choice.extent
        for mine, theirs in (((x1, y1), (left, top)), ((x1, y0), (left, bottom))):
            fig.add_artist(ConnectionPatch(mine, theirs, "data", "data", axesA=whole, axesB=detail, color="0.4",
                                           linewidth=0.6))
    return fig
