"""A sweep as files: its table, small multiples, heat maps, npz per cell and one interactive page."""

from __future__ import annotations

import dataclasses
import html
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..embed.registry import method_label
from ..errors import FmnistVizError, UsageError
from ..naming import format_value, sweep_stem
from ..quality.metrics import format_table
from ..render.style import quality_line
from ..render.sweep_figures import check_size, data_title, heat_maps, small_multiples
from ..store.atomic import atomic_write_bytes
from ..store.paths import DEFAULT_OUT
from ..studies.sweep_grid import check_grid
from ..studies.sweeps import Sweep
from .embeddings import save_result_npz
from .explorer import page
from .files import STATIC_FORMATS, SWEEP_FORMATS, check_formats, check_writable_dir, save_figure


def sweep_page(result: Sweep, *, data_dir: str | os.PathLike[str] | None = None, **options: Any) -> Any:
    """The interactive page of a sweep (:class:`fmnist_viz.outputs.explorer.Page`): the cells of each data set in
    a block of rows, each panel titled by its own values and quality alone (what they share is said once above them),
    aligned onto the first cell's layout, with linked selection, colour-by and morph between cells. ``options``
    go to :func:`fmnist_viz.outputs.explorer.page`."""
    several_seeds = len({c.seed for c in result.cells}) > 1
    panels, titles = [], {}
    for c in result.cells:
        if c.result is not None:
            label = ", ".join([f"{k}={format_value(v)}" for k, v in c.params.items()]
                              + ([f"seed {c.seed}"] if several_seeds else []))
            panels.append(dataclasses.replace(c.result, method=label))
            titles[(c.dataset, label)] = html.escape(label) + "<br>" + quality_line(c.result, short=True)
    if not panels:
        raise FmnistVizError("no cell of the sweep finished, so there is no page to draw")
    shown = [data_title(result, d) for d in dict.fromkeys(c.dataset for c in result.cells)]
    seeds = f"seeds {', '.join(map(str, result.seeds))}" if several_seeds else f"seed {result.seeds[0]}"
    heading = f"{method_label(result.method)} sweep: {' and '.join(map(html.escape, shown))}; {seeds}"
    return page(panels, data_dir=data_dir, title=f"fmnist-viz: {method_label(result.method)} sweep", titles=titles,
                heading=heading, **options)


def save_sweep(result: Sweep, out: str | os.PathLike[str] = DEFAULT_OUT, formats: str | Sequence[str] = ("csv", "png"),
               *, data_dir: str | os.PathLike[str] | None = None) -> list[Any]:
    """Write a sweep: a table (csv, one row per cell), small multiples and a heat map of 10-NN accuracy per data
    set, npz per cell, and (``html``) one interactive page whose panels are the cells.

    Names start with :attr:`Sweep.stem`, which spells out the method, data
    sets, grid, seeds and n, so sweeps that differ never overwrite each
    other: ``STEM.csv`` and ``STEM.html`` for the whole sweep; per data set
    the stem names that data set alone, then ``.png`` for its small
    multiples (``_seed1``, ``_init-pca``... when further parameters or seeds
    make one figure each) and ``_knn_accuracy.png`` for its heat map.
    In the small multiples, rows are the values of the first grid parameter
    and columns those of the second (or the seeds). Each panel is titled
    with its values, 10-NN accuracy and trustworthiness.
    """
    formats = check_formats(formats, SWEEP_FORMATS)
    if not isinstance(result, Sweep):
        raise UsageError(f"must be the Sweep fmnist_viz.sweep returns, got {type(result).__name__}", param="result")
    result.grid = check_grid(result.grid, result.method)
    out = check_writable_dir(out)
    figures = [f for f in formats if f in STATIC_FORMATS]
    if figures:
        check_size(result.grid, result.seeds)
    written: list[Any] = []
    if "csv" in formats:
        table = (format_table(result.rows(), "csv") + "\n").encode()
        written.append(atomic_write_bytes(out / f"{result.stem}.csv", table))
    if "npz" in formats:
        written += [save_result_npz(c.result, out) for c in result.cells if c.result is not None]
    if "html" in formats and any(c.result is not None for c in result.cells):
        written.append(sweep_page(result, data_dir=data_dir).save(out / f"{result.stem}.html"))
    if figures:
        import matplotlib.pyplot as plt

        for dataset, label, fig in [*small_multiples(result), *heat_maps(result)]:
            stem = sweep_stem(result.method, [dataset], result.grid, result.seeds, result.n) + label
            try:
                written += [save_figure(fig, out / f"{stem}.{fmt}") for fmt in figures]
            finally:
                plt.close(fig)
    return [Path(p) for p in written]
