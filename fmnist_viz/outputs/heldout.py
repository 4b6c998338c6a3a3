"""Held-out results to files: the score table (CSV, and markdown for a terminal), the figure, the arrays.

Names follow :mod:`fmnist_viz.naming`: ``heldout_umap_fashion-vs-mnist.csv``
(``heldout_all_...`` for every built-in method), with every setting that differs
from the defaults: ``_fit50000`` when fitted on the first 50,000 training images,
``_seed1``, ``_pca20``, ``_perplexity20``, and ``_paper`` for that style. The
table records the settings too (``pca_dims``, ``params`` as JSON).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..embed import BUILTIN_METHODS
from ..errors import UsageError
from ..naming import run_name, variant_suffix
from ..quality.metrics import format_table
from ..render.heldout_figure import heldout_figure
from ..render.style import DEFAULT_STYLE, check_style
from ..results import HELDOUT_SCORES, HeldoutResult
from ..store.atomic import atomic_write_bytes
from ..store.paths import DEFAULT_OUT
from .explorer import page
from .files import HELDOUT_FORMATS, STATIC_FORMATS, check_formats, check_writable_dir, save_figure, save_npz

#: The table's columns, in order.
COLUMNS = ("dataset", "method", "seed", "fitted", "placed", "pca_dims", "params", *HELDOUT_SCORES, "fit_seconds",
           "place_seconds", "status", "error")


def heldout_rows(results: Sequence[HeldoutResult], settings: bool = True) -> list[dict[str, Any]]:
    """One table row per result, numbers rounded; a failed one keeps its error. With ``settings`` (the CSV), every
    row records its PCA dimensions and the method's parameters (JSON) too; without (a terminal's table), not."""
    rows = []
    for r in results:
        row: dict[str, Any] = {"dataset": r.dataset, "method": r.method, "seed": r.seed,
                               "fitted": len(r.fitted_index), "placed": len(r.placed_index)}
        if settings:
            row.update(pca_dims=r.pca_dims, params=json.dumps(r.params, sort_keys=True))
        row.update({k: round(r.metrics[k], 4) if k in r.metrics else "" for k in HELDOUT_SCORES})
        row.update(fit_seconds=round(r.fit_seconds, 2) if not r.error else "",
                   place_seconds=round(r.place_seconds, 2) if not r.error else "", status=r.status, error=r.error)
        rows.append(row)
    return rows


def heldout_name(results: Sequence[HeldoutResult], style: str = DEFAULT_STYLE) -> str:
    """What a held-out run's files start with: ``heldout_METHOD(S)_DATASETS`` and every setting that differs from
    the defaults (:attr:`HeldoutResult.variant`: ``_fitN`` when fitted on the first N training images, ``_seedS``,
    ``_pcaD``, the methods' parameters, as the embedding commands name them); a static figure's name ends with
    its ``style`` when that is not the default (``_paper``)."""

    methods = list(dict.fromkeys(r.method for r in results))
    datasets = list(dict.fromkeys(r.dataset for r in results))
    return (f"heldout_{run_name(methods, BUILTIN_METHODS)}_{'-vs-'.join(datasets)}"
            + variant_suffix(results, style=None if style == DEFAULT_STYLE else style))


def save_heldout(results: Sequence[HeldoutResult], out: str | os.PathLike[str] = DEFAULT_OUT,
                 formats: str | Sequence[str] = ("csv", "png"), *, style: str = DEFAULT_STYLE,
                 plotly_js: str = "embed", data_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """Write held-out results: the table (``csv``), the figure (``png``, ``svg``, ``pdf``: a row per method, a
    column per data set), the interactive page (``html``: the placed points a layer above the fitted ones, colour
    by held-out error) and the arrays (``npz``: ``fitted``, ``placed`` and their rows and labels per result)."""

    formats = check_formats(formats, HELDOUT_FORMATS)
    if not results or not all(isinstance(r, HeldoutResult) for r in results):
        raise UsageError("must be the HeldoutResults fmnist_viz.studies.heldout returns", param="results")
    out = check_writable_dir(out)
    check_style(style)
    stem = heldout_name(results)
    written: list[Path] = []
    if "csv" in formats:
        written.append(atomic_write_bytes(out / f"{stem}.csv",
                                          (format_table(heldout_rows(results), "csv") + "\n").encode()))
    if "npz" in formats:
        for r in (r for r in results if r.placed is not None):
            written.append(save_npz(out / f"{stem.replace('heldout_', 'heldout-', 1)}_{r.method}_{r.dataset}.npz",
                                    fitted=r.fitted, placed=r.placed, fitted_index=r.fitted_index,
                                    placed_index=r.placed_index, fitted_labels=r.fitted_labels,
                                    placed_labels=r.placed_labels, class_names=np.array(r.class_names)))
    if "html" in formats and any(r.placed is not None for r in results):
        written.append(page(results, plotly_js=plotly_js, data_dir=data_dir,
                            title=f"fmnist-viz: held-out {', '.join(dict.fromkeys(r.method for r in results))}"
                            ).save(out / f"{stem}.html"))
    figures = [f for f in formats if f in STATIC_FORMATS]
    if figures and any(r.placed is not None for r in results):
        import matplotlib.pyplot as plt

        fig = heldout_figure(results, style=style)
        try:
            written += [save_figure(fig, out / f"{heldout_name(results, style)}.{fmt}") for fmt in figures]
        finally:
            plt.close(fig)
    return written
