"""Turning results into files: figures, interactive pages and ``.npz``, with predictable names.

:func:`save_results` is the one way results become files, for the CLI and for
scripts alike. Every write is atomic (temporary file, then rename), and names
and folders are checked before any work starts (:func:`check_formats`,
:func:`check_writable_dir`, :func:`check_output_path`), so a typo fails in
milliseconds, not after a long embedding.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..data import get_spec, load
from ..data.selection import Selection, read_selection
from ..embed import BUILTIN_METHODS
from ..errors import MAX_SEED, UsageError, check_number
from ..naming import embedding_filename, run_name, token, variant_suffix
from ..pipeline.measure import aligned_copies, measure_for_drawing
from ..quality.align import ALIGN_AUTO
from ..quality.pointwise import check_color_by
from ..render.page import check_plotly_js
from ..render.scatter import MAX_EXEMPLARS, results_figure
from ..render.style import DEFAULT_STYLE, check_style
from ..results import EmbeddingResult
from ..store.paths import DEFAULT_OUT
from ..store.unchanged import OutputRecords, inputs_digest
from .explorer import page
from .files import DEFAULT_FORMATS, STATIC_FORMATS, check_formats, check_writable_dir, save_figures, save_npz

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)


def check_highlight(highlight: Selection, datasets: Sequence[str], data_dir: str | os.PathLike[str] | None = None
                    ) -> Selection:
    """A selection to highlight, if it is of one of ``datasets`` and each row is one of its data set's."""

    if highlight.dataset not in datasets:
        shown = " and ".join(get_spec(d).title for d in datasets)
        raise UsageError(f"holds rows of {get_spec(highlight.dataset).title}, which is not drawn here ({shown})",
                         param=highlight.param)
    return highlight.check_rows(len(load(highlight.dataset, data_dir=data_dir)), get_spec(highlight.dataset).title)


def save_result_npz(result: EmbeddingResult, folder: str | os.PathLike[str]) -> Path:
    """Write one result as ``METHOD_DATASET[_VARIANT].npz`` (see :func:`variant_suffix`).

    Holds ``embedding`` (n, 2) float32 as the method made it, ``labels``,
    ``index`` (rows of ``load(dataset, split="all")``), ``class_names``,
    ``method``, ``params`` (JSON) and ``seed``; and ``aligned``, the layout as
    figures draw it, when it was aligned onto another method's.
    """
    extra = {"aligned": result.aligned} if result.aligned is not None else {}
    return save_npz(
        Path(folder) / embedding_filename(result.method, [result.dataset], "npz", variant_suffix([result])),
        embedding=result.embedding, labels=result.labels, index=result.index,
        class_names=np.array(result.class_names), method=np.array(result.method),
        params=np.array(json.dumps(result.params)), seed=np.array(result.seed), **extra,
    )


def save_results(
    results: Sequence[EmbeddingResult],
    out: str | os.PathLike[str] = DEFAULT_OUT,
    formats: str | Sequence[str] = DEFAULT_FORMATS,
    *,
    name: str | None = None,
    style: str = DEFAULT_STYLE,
    exemplars: int = 0,
    seed: int = 0,
    max_points: int | None = None,
    plotly_js: str = "embed",
    data_dir: str | os.PathLike[str] | None = None,
    align: str = "auto",
    highlight: str | os.PathLike[str] | Selection | None = None,
    color_by: str = "class",
) -> list[Path]:
    """Write results as files and return their paths; the results themselves are not changed.

    What the files show beyond the embeddings is computed by the pipeline, on
    copies (:mod:`fmnist_viz.pipeline.measure`): the alignment
    (:func:`fmnist_viz.align_results`), the quality in the titles
    (:func:`fmnist_viz.evaluate_results`, from the cache when measured before)
    and, for pages and ``color_by``, the point-by-point measures
    (:mod:`fmnist_viz.quality.pointwise`); this function writes what it is handed.

    Parameters
    ----------
    results : sequence of EmbeddingResult
        From :func:`fmnist_viz.run`, in (data set, method) order.
    out : path
        Output folder (created if needed).
    formats : str or sequence of str
        Any of ``png``, ``svg``, ``pdf`` (one figure: methods as rows, data
        sets as columns), ``html`` (one interactive page: with several
        methods, a row per data set and a column per method) and ``npz`` (one
        file per method and data set).
    name : str, optional
        What the figure's file name starts with (default: the method, the
        methods joined as in ``umap-tsne``, or ``all`` for the four built-in
        ones), as in ``umap_fashion-vs-mnist.png``. Every name
        ends with what differs from the defaults (:func:`variant_suffix`), as
        in ``tsne_fashion-vs-mnist_n5000_paper.pdf``, so runs with other
        settings never overwrite each other.
    style : str
        ``screen`` or ``paper`` (single-column panels, 300 dpi).
    exemplars : int
        Real images of each class drawn near its centre in static figures.
    seed : int
        Drawing order, exemplars and ``max_points`` sampling.
    max_points : int, optional
        At most this many random points per panel in the page (default: all).
    plotly_js : str
        ``embed`` (works offline) or ``cdn`` (small file, needs internet).
    data_dir : path, optional
        Where to find the images for pages and exemplars (see :func:`fmnist_viz.load`).
    align : str
        With several methods, each data set's layouts are rotated, reflected,
        scaled and shifted onto one method's (:mod:`fmnist_viz.quality.align`):
        ``auto`` (PCA when run, else the first method), a method name, or
        ``none``. Figures and pages draw the aligned layouts; npz files keep
        the raw embedding and add ``aligned``.
    highlight : path or Selection, optional
        A selection downloaded from a page (``selection.json``/``.csv``):
        static figures draw its rows on top and fade the rest (the name gets
        ``_highlight-STEM``).
    color_by : str
        Static figures colour points by ``class`` (default), ``disagreement``
        or ``preservation`` (see :mod:`fmnist_viz.quality.pointwise`; the name gets
        ``_color-MODE``); pages offer all three.

    Returns
    -------
    list of Path
        The files written, in the order written.
    """

    formats = check_formats(formats)
    check_color_by(color_by)
    if isinstance(results, EmbeddingResult):
        results = [results]
    if not isinstance(results, Sequence) or not all(isinstance(r, EmbeddingResult) for r in results):
        raise UsageError(f"must be the EmbeddingResults fmnist_viz.run returns, got {results!r}"[:200],
                         param="results")
    if highlight is not None and not isinstance(highlight, Selection):
        highlight = read_selection(highlight)
    check_number(exemplars, "exemplars", low=0, high=MAX_EXEMPLARS, integer=True)
    check_number(seed, "seed", low=0, high=MAX_SEED, integer=True)
    if max_points is not None:
        check_number(max_points, "max_points", low=1, integer=True)
    check_style(style)
    check_plotly_js(plotly_js)
    out = check_writable_dir(out)
    if not results:
        raise UsageError("is empty: nothing to save", param="results")
    methods = list(dict.fromkeys(r.method for r in results))
    datasets = list(dict.fromkeys(r.dataset for r in results))
    if name is None:

        name = run_name(methods, BUILTIN_METHODS)
    if highlight is not None:
        check_highlight(highlight, datasets, data_dir)
        shown = next(r for r in results if r.dataset == highlight.dataset)
        drawn = int(np.isin(highlight.rows, shown.index).sum())
        if drawn < len(highlight.rows):
            log.warning("%s of the %s rows selected in %s are not among the %s points drawn of %s (a subsample: "
                        "--n); %s", f"{len(highlight.rows) - drawn:,}", f"{len(highlight.rows):,}",
                        Path(highlight.source).name, f"{len(shown):,}", shown.title,
                        "none is highlighted" if not drawn else f"{drawn:,} are highlighted")
    results, aligned_to, records = drawn_copies(results, align)
    paths = result_paths(results, out, formats, name=name, aligned_to=aligned_to, style=style, exemplars=exemplars,
                         max_points=max_points, highlight=highlight, color_by=color_by)
    check_targets([p for group in paths.values() for p in group])  # before any file is written
    written = []
    for r, path in zip(results if "npz" in formats else [], paths["npz"], strict=True):
        written += records.write([path], inputs_digest("npz", [r]), lambda r=r: [save_result_npz(r, out)])
    figures = [f for f in formats if f in STATIC_FORMATS]
    if not figures and "html" not in formats:
        return written
    measure_for_drawing(results, pointwise="html" in formats or color_by != "class", data_dir=data_dir)
    if "html" in formats:

        [path] = paths["html"]
        digest = inputs_digest("html", results, max_points=max_points, seed=seed, align=align, plotly_js=plotly_js)
        written += records.write([path], digest, lambda: [page(results, max_points=max_points, seed=seed,
                                                               align=align, data_dir=data_dir,
                                                               plotly_js=plotly_js).save(path)])
    if figures:
        digest = inputs_digest("figure", results, style=style, exemplars=exemplars, seed=seed, color_by=color_by,
                               highlight=highlight.rows.tobytes() if highlight is not None else None)
        written += records.write(paths["figure"], digest,
                                 lambda: _draw(results, paths["figure"], data_dir, highlight=highlight,
                                               color_by=color_by, style=style, exemplars=exemplars, seed=seed))
    return written


def result_paths(results: Sequence[EmbeddingResult], out: Path, formats: Sequence[str], *, name: str,
                 aligned_to: str | None, style: str = DEFAULT_STYLE, exemplars: int = 0,
                 max_points: int | None = None, highlight: Selection | None = None,
                 color_by: str = "class") -> dict[str, list[Path]]:
    """The files :func:`save_results` writes for ``formats``, by kind: ``npz`` (one per result), ``html`` (the
    page) and ``figure`` (one per static format), each named by what differs from the defaults."""
    datasets = list(dict.fromkeys(r.dataset for r in results))
    paths: dict[str, list[Path]] = {"npz": [], "html": [], "figure": []}
    if "npz" in formats:
        paths["npz"] = [out / embedding_filename(r.method, [r.dataset], "npz", variant_suffix([r])) for r in results]
    if "html" in formats:
        paths["html"] = [out / embedding_filename(name, datasets, "html",
                                                  variant_suffix(results, max=max_points, align=aligned_to))]
    lit = f"highlight-{token(Path(highlight.source).stem)}" if highlight is not None else None
    suffix = variant_suffix(results, style=None if style == DEFAULT_STYLE else style, exemplars=exemplars,
                            align=aligned_to, highlight=lit, color=None if color_by == "class" else f"color-{color_by}")
    paths["figure"] = [out / embedding_filename(name, datasets, fmt, suffix) for fmt in formats
                       if fmt in STATIC_FORMATS]
    return paths


def check_targets(paths: Sequence[Path]) -> None:
    """Refuse to start writing when one of ``paths`` is taken by a folder (it would fail after the others were
    written): every file a command writes is checked before the first is."""
    for path in paths:
        if path.is_dir():
            raise UsageError(f"holds a folder named {path.name!r} where that file is to be written ({path}): move "
                             "the folder away, or write into another folder", param="out")


def drawn_copies(results: Sequence[EmbeddingResult], align: str
                 ) -> tuple[list[EmbeddingResult], str | None, OutputRecords]:
    """What files are drawn from: copies of the results (what the files show is computed on them, by the steps
    that own it; the caller's results stay as they are), aligned (``align``, see :func:`save_results`); the name
    part that says so when a reference method was named; and the records of the files written before, so that a
    file already written from the same inputs is left as it is (:mod:`fmnist_viz.store.unchanged`; kept only when every
    result is cached)."""
    copies, reference = aligned_copies(results, align)
    aligned_to = None if reference is None or align == ALIGN_AUTO else f"align-{align}"
    return copies, aligned_to, OutputRecords(enabled=all(r.cache_key is not None for r in copies))


def _draw(results: Sequence[EmbeddingResult], paths: Sequence[Path], data_dir: str | os.PathLike[str] | None,
          *, exemplars: int, **options: Any) -> list[Path]:
    """Draw the results' static figure once and save it as each of ``paths``."""

    datasets = list(dict.fromkeys(r.dataset for r in results))
    images = {d: load(d, data_dir=data_dir).images for d in datasets} if exemplars else None
    return save_figures(results_figure(results, images, exemplars=exemplars, **options), paths)

