"""A stability study as files: a row per point (csv) and a summary per class, the layouts coloured by stability
(png/svg/pdf), the explorer page with a colour-by-stability mode (html), and the arrays (npz)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import UsageError
from ..quality.metrics import format_table
from ..render.stability import stability_figure
from ..render.style import DEFAULT_STYLE, check_style
from ..store.atomic import atomic_write_bytes
from ..store.paths import DEFAULT_OUT
from ..studies.stability import Stability
from .explorer import page
from .files import STABILITY_FORMATS, STATIC_FORMATS, check_formats, check_writable_dir, save_figures, save_npz


def save_stability(result: Stability, out: str | os.PathLike[str] = DEFAULT_OUT,
                   formats: str | Sequence[str] = ("csv", "png"), *, style: str = DEFAULT_STYLE,
                   data_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """Write a stability study (:func:`fmnist_viz.studies.stability.stability`) and return the files, in order.

    Names start with :attr:`Stability.stem` (method, data sets, parameters, seeds, n): ``STEM.csv`` (data set,
    ``index`` into ``load(name, split="all")``, label, stability), ``STEM_classes.csv`` (per class: points,
    mean, median, lowest tenth), ``STEM.png`` (a panel per data set, its first seed's layout coloured by
    stability), ``STEM.html`` (the page, whose colour-by offers stability) and ``STEM_DATASET.npz`` (rows,
    labels, stability, and every seed's layout).
    """
    formats = check_formats(formats, STABILITY_FORMATS)
    check_style(style)
    if not isinstance(result, Stability) or not result.results:
        raise UsageError(f"must be the Stability fmnist_viz.stability returns, got {type(result).__name__}",
                         param="result")
    out = check_writable_dir(out)
    written: list[Path] = []
    if "csv" in formats:
        for suffix, rows in (("", result.rows()), ("_classes", result.class_rows())):
            written.append(atomic_write_bytes(out / f"{result.stem}{suffix}.csv",
                                              (format_table(rows, "csv") + "\n").encode()))
    if "npz" in formats:
        for d, layouts in result.results.items():
            written.append(save_npz(out / f"{result.stem}_{d}.npz", index=layouts[0].index, labels=layouts[0].labels,
                                    stability=result.scores[d], seeds=np.array(result.seeds),
                                    layouts=np.stack([r.embedding for r in layouts])))
    firsts = [layouts[0] for layouts in result.results.values()]
    if "html" in formats:
        written.append(page(firsts, data_dir=data_dir, title=f"fmnist-viz: {result.method} stability").save(
            out / f"{result.stem}.html"))
    figures = [f for f in formats if f in STATIC_FORMATS]
    if figures:
        fig = stability_figure(firsts, [result.scores[d] for d in result.results], result.seeds, result.k,
                               style=style)
        written += save_figures(fig, [out / f"{result.stem}.{fmt}" for fmt in figures])
    return [Path(p) for p in written]
