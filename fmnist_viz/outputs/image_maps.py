"""Image maps as files: each method's results, its data sets side by side, and zoom boxes, drawn by
:mod:`fmnist_viz.render.image_map`.

:func:`save_image_maps` is what ``--image-map`` runs after a command's other
files, :func:`save_zoom_figures` what ``--zoom-box`` runs: names say what
differs (``umap_fashion-vs-mnist_image-map.png``, ``_image-map60`` for another
number of cells, ``umap_fashion_zoom-10.5_13.5_1.3_4.3``, ``_frames``,
``_paper``), and a figure already written from the same results and options
is left as it is. ``plan_*`` name and check the files without drawing them, so a
command can check every file it will write before it writes the first.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..data import load
from ..errors import UsageError, check_number
from ..naming import embedding_filename, exact_number, variant_suffix
from ..pipeline import as_list
from ..pipeline.measure import measure_for_drawing
from ..render.image_map import (
    DEFAULT_CELLS,
    MAX_CELLS,
    MIN_CELLS,
    check_box,
    clip_box,
    draw_image_map,
    image_map_figure,
    map_title,
    zoom_figure,
)
from ..render.style import DEFAULT_STYLE
from ..results import EmbeddingResult
from ..store.paths import DEFAULT_OUT
from ..store.unchanged import inputs_digest
from .embeddings import check_targets, drawn_copies
from .files import STATIC_FORMATS, check_formats, check_writable_dir, save_figures

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..store.unchanged import OutputRecords


def image_map(result: Any, *, cells: int = DEFAULT_CELLS, frames: bool = False, ax: Axes | None = None,
              images: np.ndarray | None = None, data_dir: str | os.PathLike[str] | None = None,
              title: str | None = None) -> Figure:
    """The image map of one embedding result (``fv.run``'s :class:`~fmnist_viz.results.EmbeddingResult`), on
    ``ax`` or a figure of its own: its layout (aligned, when it was) covered by ``cells`` square cells along the
    longer side, each occupied one drawn as the image of the point nearest its centre, framed in its class's
    colour with ``frames``. ``images`` are all the data set's images ((70000, h, w)), loaded when not given.
    Returns the Figure."""
    import matplotlib.pyplot as plt

    if images is None:
        images = load(result.dataset, data_dir=data_dir).images
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 6.4), layout="constrained")
    choice = draw_image_map(ax, result.positions, np.asarray(images)[result.index], result.labels, cells=cells,
                            frames=frames)
    ax.set_title(title if title is not None else map_title(result, choice))
    return ax.figure


def check_image_map(formats: Sequence[str], cells: int | None) -> None:
    """Cells per side of an image map (None: none asked for) checked, and a static format to draw it in."""
    if cells is not None:
        check_number(cells, "image_map", low=MIN_CELLS, high=MAX_CELLS, integer=True)
        check_formats_of(formats)


def save_image_maps(results: Sequence[EmbeddingResult], out: str | os.PathLike[str] = DEFAULT_OUT,
                    formats: str | Sequence[str] = ("png",), *, cells: int = DEFAULT_CELLS, frames: bool = False,
                    style: str = DEFAULT_STYLE, align: str = "auto",
                    data_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """Write an image map of each method's results (its data sets side by side) in each static format; returns
    the paths written. With several methods each data set's layouts are aligned as :func:`fmnist_viz.save_results`
    aligns them (``align``), so the maps match that figure; titles carry the quality, measured or cached. The
    results themselves are not changed."""
    return write_planned(plan_image_maps(results, out, formats, cells=cells, frames=frames, style=style,
                                         align=align, data_dir=data_dir))


def save_zoom_figures(results: Sequence[EmbeddingResult], box: Sequence[float],
                      out: str | os.PathLike[str] = DEFAULT_OUT, formats: str | Sequence[str] = ("png",), *,
                      frames: bool = False, style: str = DEFAULT_STYLE, align: str = "auto",
                      data_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """Write, for each method, the first data set's scatter with ``box`` (x0, x1, y0, y1, in the coordinates
    drawn: aligned as :func:`save_image_maps` aligns them; cut to the layout's extent) outlined and that box
    enlarged beside it as an image map (:func:`fmnist_viz.render.image_map.zoom_figure`), in each static format;
    returns the paths written. A box that does not meet a layout is refused before any file is written."""
    return write_planned(plan_zoom_figures(results, box, out, formats, frames=frames, style=style, align=align,
                                           data_dir=data_dir))


@dataclass
class Planned:
    """Files to write (one figure in each static format), what they are made from, and how to draw them."""

    paths: list[Path]
    digest: str | None
    draw: Callable[[], Figure]
    records: OutputRecords


def plan_image_maps(results: Sequence[EmbeddingResult], out: str | os.PathLike[str] = DEFAULT_OUT,
                    formats: str | Sequence[str] = ("png",), *, cells: int = DEFAULT_CELLS, frames: bool = False,
                    style: str = DEFAULT_STYLE, align: str = "auto",
                    data_dir: str | os.PathLike[str] | None = None) -> list[Planned]:
    """The image maps :func:`save_image_maps` writes, named and checked, not drawn yet (:func:`write_planned`)."""

    formats = check_formats(formats)
    check_image_map(formats, cells)
    results, folder, aligned_to, records = _ready(results, out, align, data_dir)
    plans = []
    for method in dict.fromkeys(r.method for r in results):
        mine = [r for r in results if r.method == method]
        suffix = variant_suffix(mine, style=None if style == DEFAULT_STYLE else style, align=aligned_to,
                                map="image-map" if cells == DEFAULT_CELLS else f"image-map{cells}",
                                frames="frames" if frames else None)

        def draw(mine: list[EmbeddingResult] = mine) -> Figure:
            images = {r.dataset: load(r.dataset, data_dir=data_dir).images for r in mine}
            return image_map_figure(mine, images, cells=cells, frames=frames, style=style)

        plans.append(_plan(records, folder, mine, formats, suffix, draw, "image-map", cells=cells, frames=frames,
                           style=style, align=align))
    return plans


def plan_zoom_figures(results: Sequence[EmbeddingResult], box: Sequence[float],
                      out: str | os.PathLike[str] = DEFAULT_OUT, formats: str | Sequence[str] = ("png",), *,
                      frames: bool = False, style: str = DEFAULT_STYLE, align: str = "auto",
                      data_dir: str | os.PathLike[str] | None = None) -> list[Planned]:
    """The zoom figures :func:`save_zoom_figures` writes, named and checked (the box against every layout), not
    drawn yet (:func:`write_planned`)."""

    check_box(box)
    formats = check_formats_of(formats, param="zoom_box")
    results, folder, aligned_to, records = _ready(results, out, align, data_dir)
    plans = []
    for r, clipped in zoom_boxes(results, box):
        # named by the box as asked (every digit of it: two boxes never share a name), drawn as cut to the layout
        suffix = variant_suffix([r], style=None if style == DEFAULT_STYLE else style, align=aligned_to,
                                zoom="zoom-" + "_".join(exact_number(v) for v in box),
                                frames="frames" if frames else None)

        def draw(r: EmbeddingResult = r, clipped: tuple[float, ...] = clipped) -> Figure:
            return zoom_figure(r, load(r.dataset, data_dir=data_dir).images, clipped, frames=frames, style=style)

        plans.append(_plan(records, folder, [r], formats, suffix, draw, "zoom", box=clipped, frames=frames,
                           style=style, align=align))
    return plans


def write_planned(plans: Sequence[Planned]) -> list[Path]:
    """Draw and save planned figures, after checking that no file name is taken by a folder; a figure already
    written from the same inputs is left as it is. Returns the paths."""

    check_targets([p for plan in plans for p in plan.paths])
    written: list[Path] = []
    for plan in plans:
        written += plan.records.write(plan.paths, plan.digest,
                                      lambda plan=plan: save_figures(plan.draw(), plan.paths))
    return written


def zoom_boxes(results: Sequence[EmbeddingResult], box: Sequence[float]
               ) -> list[tuple[EmbeddingResult, tuple[float, float, float, float]]]:
    """Each result of the first data set, with ``box`` cut to its layout as drawn
    (:func:`fmnist_viz.render.image_map.clip_box`); a box that does not meet a layout is refused."""

    first = results[0].dataset
    return [(r, clip_box(box, r.positions)) for r in results if r.dataset == first]


def check_formats_of(formats: str | Sequence[str], param: str = "image_map") -> list[str]:
    """The formats, checked, with a static one among them (what these figures are drawn in)."""

    formats = check_formats(formats)
    if not any(f in STATIC_FORMATS for f in formats):
        raise UsageError(f"draws a static figure: add {' or '.join(STATIC_FORMATS)} to the formats", param=param)
    return formats


def _ready(results: Sequence[EmbeddingResult], out: str | os.PathLike[str], align: str,
           data_dir: str | os.PathLike[str] | None) -> tuple[list[EmbeddingResult], Path, str | None, OutputRecords]:
    """Copies of the results as save_results draws them (:func:`fmnist_viz.outputs.embeddings.drawn_copies`),
    measured for the titles; the output folder, checked; the alignment's name part; the records of files written
    before."""

    results = as_list(results, "results", (EmbeddingResult,))
    folder = check_writable_dir(out)
    copies, aligned_to, records = drawn_copies(results, align)
    measure_for_drawing(copies, data_dir=data_dir)
    return copies, folder, aligned_to, records


def _plan(records: OutputRecords, out: Path, results: list[EmbeddingResult], formats: list[str], suffix: str,
          draw: Callable[[], Figure], kind: str, **options: Any) -> Planned:
    """The figure ``draw`` makes, to be saved as each of the (checked) static ``formats`` under its name."""

    paths = [out / embedding_filename(results[0].method, [r.dataset for r in results], fmt, suffix)
             for fmt in formats if fmt in STATIC_FORMATS]
    return Planned(paths, inputs_digest(kind, results, **options), draw, records)
