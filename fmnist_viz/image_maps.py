"""Image maps as files: each method's results, its data sets side by side, drawn by :mod:`fmnist_viz.render.image_map`.

:func:`save_image_maps` is what ``--image-map`` runs after a command's other
files: names say what differs (``umap_fashion-vs-mnist_image-map.png``,
``_image-map60`` for another number of cells, ``_frames``, ``_paper``), and a
map already written from the same results and options is left as it is.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path

from .errors import UsageError, check_number
from .naming import embedding_filename, variant_suffix
from .paths import DEFAULT_OUT
from .render.image_map import DEFAULT_CELLS, MAX_CELLS, MIN_CELLS
from .render.style import DEFAULT_STYLE
from .results import EmbeddingResult


def check_image_map(formats: Sequence[str], cells: int | None, frames: bool = False) -> None:
    """Cells per side of an image map (None: none asked for) checked, and a static format to draw it in."""
    from .outputs import STATIC_FORMATS

    if cells is None:
        if frames:
            raise UsageError("frames the images of an image map: ask for one too (--image-map)",
                             param="image_frames")
        return
    check_number(cells, "image_map", low=MIN_CELLS, high=MAX_CELLS, integer=True)
    if not any(f in STATIC_FORMATS for f in formats):
        raise UsageError(f"draws a static figure: add {' or '.join(STATIC_FORMATS)} to the formats",
                         param="image_map")


def save_image_maps(results: Sequence[EmbeddingResult], out: str | os.PathLike[str] = DEFAULT_OUT,
                    formats: str | Sequence[str] = ("png",), *, cells: int = DEFAULT_CELLS, frames: bool = False,
                    style: str = DEFAULT_STYLE, align: str = "auto",
                    data_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """Write an image map of each method's results (its data sets side by side) in each static format; returns
    the paths written. With several methods each data set's layouts are aligned as :func:`fmnist_viz.save_results`
    aligns them (``align``), so the maps match that figure; titles carry the quality, measured or cached. The
    results themselves are not changed."""
    from .align import ALIGN_AUTO, align_results
    from .data import load
    from .metrics import evaluate_results
    from .outputs import STATIC_FORMATS, check_formats, check_writable_dir, save_figures
    from .render.image_map import image_map_figure
    from .unchanged import Written, inputs_digest

    formats = check_formats(formats)
    check_image_map(formats, cells, frames)
    if isinstance(results, EmbeddingResult):
        results = [results]
    if not results or not all(isinstance(r, EmbeddingResult) for r in results):
        raise UsageError("must be the EmbeddingResults fmnist_viz.run returns, and at least one", param="results")
    out = check_writable_dir(out)
    results = [dataclasses.replace(r) for r in results]  # aligned and measured on copies
    reference = align_results(results, align)
    aligned_to = None if reference is None or align == ALIGN_AUTO else f"align-{align}"
    evaluate_results([r for r in results if not r.metrics], data_dir=data_dir)
    records = Written(enabled=all(r.cache_key is not None for r in results))
    written: list[Path] = []
    for method in dict.fromkeys(r.method for r in results):
        mine = [r for r in results if r.method == method]
        suffix = variant_suffix(mine, style=None if style == DEFAULT_STYLE else style, align=aligned_to,
                                map="image-map" if cells == DEFAULT_CELLS else f"image-map{cells}",
                                frames="frames" if frames else None)
        paths = [out / embedding_filename(method, [r.dataset for r in mine], fmt, suffix)
                 for fmt in formats if fmt in STATIC_FORMATS]

        def draw(mine: list[EmbeddingResult] = mine, paths: list[Path] = paths) -> list[Path]:
            images = {r.dataset: load(r.dataset, data_dir=data_dir).images for r in mine}
            return save_figures(image_map_figure(mine, images, cells=cells, frames=frames, style=style), paths)

        written += records.write(paths, inputs_digest("image-map", mine, cells=cells, frames=frames, style=style,
                                                      align=align), draw)
    return written
