"""Per-class sample grids: a few rows of real images for every class.

The picture the Fashion-MNIST README opens with: each class takes ``rows``
rows of ``cols`` random samples, class names as row labels. The images are
tiled into one array and drawn with a single ``imshow``, so the figure is
pixel-exact in PNG and a single embedded raster in SVG and PDF.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..errors import MAX_SEED, UsageError, check_number
from .style import MAX_PIXELS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def wrap_title(title: str, width: int) -> str:
    """``title`` in lines of at most ``width`` characters, broken between its phrases where possible.

    Phrases end after ``": "`` and before ``" ("``, so "Fashion-MNIST: 10
    random samples per class (test split, seed 7)" breaks before "(test"
    rather than after "per"; a phrase longer than a line is broken by words.
    """
    lines = [""]
    for phrase in re.split(r"(?<=: )|(?= \()", title):
        if lines[-1].strip() and len(lines[-1].rstrip()) + len(phrase.rstrip()) > width:
            lines.append(phrase.lstrip())
        else:
            lines[-1] += phrase
    return "\n".join(textwrap.fill(line.strip(), width) for line in lines)


def sample_per_class(labels: np.ndarray, n_classes: int, k: int, seed: int | None = 0) -> list[np.ndarray]:
    """Up to ``k`` random row indices per class, reproducible for a given ``seed``."""
    rng = np.random.default_rng(seed)
    labels = np.asarray(labels)
    picks = []
    for c in range(n_classes):
        members = np.flatnonzero(labels == c)
        picks.append(np.sort(rng.choice(members, size=min(k, len(members)), replace=False)))
    return picks


def most_per_side(n_classes: int, shape: tuple[int, int] = (28, 28), scale: float = 2.0) -> tuple[int, int]:
    """The most rows per class and images per row a grid of ``n_classes`` classes of ``shape`` images may have
    at ``scale`` screen pixels per image pixel (:data:`~.style.MAX_PIXELS` on a side)."""
    h, w = shape
    return int((MAX_PIXELS / (n_classes * scale) - max(2, h // 4)) / h), int(MAX_PIXELS / (w * scale))


def sample_picks(picks: Sequence[np.ndarray], per_class: int, seed: int | None = 0) -> list[np.ndarray]:
    """At most ``per_class`` of each class's rows in ``picks``, drawn at random with ``seed`` (sorted)."""
    rng = np.random.default_rng(seed)
    return [np.sort(rng.choice(p, size=per_class, replace=False)) if len(p) > per_class else np.asarray(p)
            for p in picks]


def tile_classes(
    images: np.ndarray, picks: Sequence[np.ndarray], rows: int, cols: int, gap: int, fill: int = 0
) -> np.ndarray:
    """Tile the picked images: ``rows`` x ``cols`` per class, classes stacked with ``gap`` pixels between."""
    h, w = images.shape[1:3]
    block_h = rows * h
    canvas = np.full((len(picks) * block_h + (len(picks) - 1) * gap, cols * w), fill, dtype=images.dtype)
    for c, idx in enumerate(picks):
        top = c * (block_h + gap)
        for i, j in enumerate(idx):
            r, col = divmod(i, cols)
            canvas[top + r * h: top + (r + 1) * h, col * w: (col + 1) * w] = images[j]
    return canvas


def check_colormap(name: str) -> str:
    """``name`` if matplotlib has a colormap of that name, else a UsageError suggesting close ones."""
    import difflib

    import matplotlib

    if name not in matplotlib.colormaps:
        close = difflib.get_close_matches(name, list(matplotlib.colormaps), n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "e.g. gray_r, gray, viridis, magma"
        raise UsageError(f"must be a matplotlib colormap, got {name!r}; {hint}", param="cmap")
    return name


def check_grid_input(images: np.ndarray, labels: np.ndarray, n_classes: int) -> None:
    """Refuse what a grid cannot draw: no images, labels that are not class indices into the class names, images
    that are not numbers or hold no finite pixel."""
    if not len(images):
        raise UsageError("is empty: give at least one image to draw", param="images")
    if images.dtype.kind not in "uif" or images.ndim != 3:
        raise UsageError(f"must be (n, h, w) numbers, got {images.dtype} of shape {images.shape}", param="images")
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu" or labels.min() < 0 or labels.max() >= n_classes:
        raise UsageError(f"must be class indices from 0 to {n_classes - 1} (one per class name), got "
                         f"{labels.dtype} from {labels.min()} to {labels.max()}", param="labels")
    if images.dtype.kind == "f":
        finite = np.isfinite(images).reshape(len(images), -1).any(axis=1)
        if not finite.all():
            raise UsageError(f"holds {int((~finite).sum()):,} image(s) with no finite pixel (all NaN or infinite), "
                             f"the first at row {int(np.flatnonzero(~finite)[0])}", param="images")


def class_grid(
    images: np.ndarray,
    labels: np.ndarray,
    class_names: Sequence[str],
    *,
    rows: int = 3,
    cols: int = 24,
    seed: int | None = 0,
    cmap: str = "gray_r",
    title: str | None = None,
    scale: float = 2.0,
    ax: Axes | None = None,
    picks: Sequence[np.ndarray] | None = None,
) -> Figure:
    """Draw ``rows`` x ``cols`` random samples of every class; returns the Figure.

    ``images`` is (n, h, w) (or (n, h*w) for square images) and ``labels`` (n,)
    class indices into ``class_names``. ``seed`` picks the samples
    reproducibly, unless ``picks`` gives the images of each class (row indices
    into ``images``, a list per class: as many rows as the largest needs).
    ``scale`` is screen pixels per image pixel when a new figure is made;
    with ``ax`` the grid is drawn there instead.
    """
    import matplotlib.pyplot as plt

    if rows < 1 or cols < 1:
        raise UsageError(f"must both be at least 1, got rows={rows}, cols={cols}", param="rows and cols")
    check_colormap(cmap)
    if seed is not None:
        check_number(seed, "seed", low=0, high=MAX_SEED, integer=True)
    images = np.asarray(images)
    if images.ndim == 2:
        side = int(round(images.shape[1] ** 0.5))
        if side * side != images.shape[1]:
            raise UsageError(f"has {images.shape[1]}-pixel rows, which are not square images; pass (n, h, w)",
                             param="images")
        images = images.reshape(len(images), side, side)
    if len(images) != len(labels):
        raise UsageError(f"has {len(labels)} entries for {len(images)} images", param="labels")
    check_grid_input(images, labels, len(class_names))
    given = picks is not None  # a size error is then about the picks, not about rows and cols
    if picks is None:
        picks = sample_per_class(labels, len(class_names), rows * cols, seed)
    else:  # exactly these images, each class's in rows of ``cols``; classes without any left out
        kept = [c for c, p in enumerate(picks) if len(p)]
        class_names, picks = [class_names[c] for c in kept], [np.asarray(picks[c]) for c in kept]
        rows = max(1, -(-max((len(p) for p in picks), default=1) // cols))
    n_classes = len(class_names)
    h, w = images.shape[1:3]
    most_rows, most_cols = most_per_side(n_classes, (h, w), scale)
    if ax is None and (rows > most_rows or cols > most_cols):
        tall, wide = n_classes * (rows * h + max(2, h // 4)) * scale, cols * w * scale
        what = "picks" if given and cols <= most_cols else "rows and cols"
        raise UsageError(f"would make a {wide:.0f} x {tall:.0f} pixel image; the most is {MAX_PIXELS} on a side, "
                         f"so at most {most_rows} rows per class and {most_cols} columns here", param=what)
    gap = max(2, h // 4)
    canvas = tile_classes(images, picks, rows, cols, gap, fill=0)

    if ax is None:
        dpi = 100
        label_in = 0.1 * max(len(line) for n in class_names for line in n.split("\n")) + 0.3
        width = canvas.shape[1] * scale / dpi
        if title:  # wrap long titles to the grid's width rather than clip them
            title = wrap_title(title, max(20, int(width * 72 / (13 * 0.6))))
        title_in = 0.5 + 0.25 * title.count("\n") if title else 0.1
        height = canvas.shape[0] * scale / dpi
        fig = plt.figure(figsize=(width + label_in + 0.1, height + title_in + 0.1), dpi=dpi)
        ax = fig.add_axes((
            label_in / (width + label_in + 0.1), 0.1 / (height + title_in + 0.1),
            width / (width + label_in + 0.1), height / (height + title_in + 0.1),
        ))
    fig = ax.figure
    vmax = 255 if images.dtype == np.uint8 else float(images.max())
    ax.imshow(canvas, cmap=cmap, vmin=0, vmax=vmax, interpolation="none", aspect="equal")
    block = rows * h + gap
    ax.set_yticks([c * block + rows * h / 2 for c in range(n_classes)], list(class_names))
    ax.set_xticks([])
    ax.tick_params(axis="y", length=0, pad=6, labelsize=12)
    for spine in ax.spines.values():
        spine.set_visible(False)
    for c in range(1, n_classes):  # a thin rule between class blocks
        ax.axhline(c * block - gap / 2 - 0.5, color="0.6", lw=0.6)
    if title:
        ax.set_title(title, loc="left", fontsize=13, pad=8)
    return fig
