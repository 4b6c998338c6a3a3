"""Shepard diagrams as figures and files: the sampled pairs' distances measured by the pipeline, drawn by
:mod:`fmnist_viz.render.shepard` (``fmnist-viz metrics --shepard FILE``, or :func:`shepard` from Python)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..pipeline.measure import aligned_copies, measure_for_drawing, shepard_distances
from ..render.shepard import shepard_figure
from ..render.style import DEFAULT_STYLE, check_style
from ..results import EmbeddingResult
from .files import check_output_path, save_figures

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def shepard(results: Sequence[EmbeddingResult], *, data_dir: str | os.PathLike[str] | None = None,
            style: str = DEFAULT_STYLE) -> Figure:
    """The Shepard diagrams of ``results`` (from :func:`fmnist_viz.run`): for each method and data set, the
    distances of 100,000 random point pairs in the data (its first 100 principal components) against their
    distances in the layout, as a density, titled with their Spearman correlation. The results are not changed.
    Returns the Figure."""
    check_style(style)
    if isinstance(results, EmbeddingResult):
        results = [results]
    if not results or not all(isinstance(r, EmbeddingResult) for r in results):
        raise UsageError("must be one or more of the EmbeddingResults fmnist_viz.run returns", param="results")
    copies, _ = aligned_copies(results, "none")
    measure_for_drawing(copies, data_dir=data_dir)  # the Spearman numbers of the titles
    return shepard_figure(copies, shepard_distances(copies, data_dir), style=style)


def save_shepard(results: Sequence[EmbeddingResult], path: str | os.PathLike[str], *,
                 data_dir: str | os.PathLike[str] | None = None, style: str = DEFAULT_STYLE) -> Path:
    """Write :func:`shepard`'s figure to ``path`` (``.png``, ``.svg`` or ``.pdf``, atomically); returns it."""
    target = check_output_path(path)
    [written] = save_figures(shepard(results, data_dir=data_dir, style=style), [target])
    return written
