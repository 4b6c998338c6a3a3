"""The interactive page as an object: build it from results, save it, or show it in a notebook.

:func:`page` does everything a page needs (aligned layouts, point-by-point
quality for colour-by, the figure, the images of the drawn points);
:class:`Page` writes it (:meth:`Page.save`) or displays inline in Jupyter.
``save_results(..., formats="html")`` uses the same path.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..data import load
from ..digest import short_digest
from ..errors import UsageError
from ..pipeline.measure import aligned_copies, measure_for_drawing
from ..render.page import check_plotly_js, drawn_rows, interactive_figure, page_html
from ..render.sprites import SHEET_COLUMNS, SHEET_SIZE, SPRITE_VERSION, hover_images, sprite_sheets
from ..render.style import heldout_title
from ..results import HeldoutResult
from ..store.atomic import atomic_path
from ..store.cache import ResultCache
from .files import check_output_path

if TYPE_CHECKING:
    import plotly.graph_objects as go


def write_page(fig: go.Figure, path: str | os.PathLike[str], hover: Mapping[str, dict[str, Any]],
               plotly_js: str = "embed", title: str = "fmnist-viz") -> Path:
    """Write ``fig`` (from :func:`~fmnist_viz.render.page.interactive_figure`) as one self-contained HTML file,
    atomically, with its hover images made by :func:`~fmnist_viz.render.sprites.hover_images`
    (``hover_images(images, drawn_rows(fig))``)."""
    text = page_html(fig, hover, plotly_js=plotly_js, title=title)
    path = Path(path)
    with atomic_path(path, suffix=".html") as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


@dataclass
class Page:
    """One self-contained interactive page: the figure and the images it shows."""

    figure: go.Figure
    hover: dict[str, dict[str, Any]]
    title: str = "fmnist-viz"
    plotly_js: str = "embed"

    def html(self) -> str:
        """The page as text (plotly.js included unless ``plotly_js="cdn"``)."""

        return page_html(self.figure, self.hover, plotly_js=self.plotly_js, title=self.title)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` (a ``.html`` file) atomically and return the path; it opens offline from
        ``file://``."""

        return write_page(self.figure, check_output_path(path, ("html",)), self.hover, plotly_js=self.plotly_js,
                          title=self.title)

    def _repr_html_(self) -> str:
        """Jupyter shows the page inline, in a frame of its own."""
        return (f"<iframe srcdoc=\"{html.escape(self.html(), quote=True)}\" "
                "style='width: 100%; height: 820px; border: 0' sandbox='allow-scripts allow-downloads'></iframe>")


def page(results: Sequence[Any], *, max_points: int | None = None, seed: int = 0, align: str = "auto",
         data_dir: str | os.PathLike[str] | None = None, plotly_js: str = "embed", title: str | None = None,
         titles: Mapping[tuple[str, str], str] | None = None, heading: str | None = None) -> Page:
    """The interactive page of ``results`` (from :func:`fmnist_viz.run`): a :class:`Page` to save or display.

    Held-out results (:func:`fmnist_viz.studies.heldout`) draw their placed points above the layout they were placed
    into, as a layer the tool bar shows or hides, and can be coloured by held-out error. With several methods: a
    row per data set, a column per method, layouts
    aligned onto ``align`` (see :func:`fmnist_viz.quality.align.align_results`), linked
    selection, colour-by, find and morph. ``max_points`` draws a random subset
    of each panel; ``seed`` fixes the drawing order. ``title`` is the browser
    tab's; ``titles`` (by (data set, method), HTML) replace the panels' own,
    and ``heading`` (HTML) is a line above every panel.
    """

    if not results:
        raise UsageError("is empty: nothing to draw", param="results")
    check_plotly_js(plotly_js)
    results, titles = _drawn(results, titles, align)
    measure_for_drawing(results, quality=False, pointwise=True, data_dir=data_dir)  # what points can be coloured by
    figure = interactive_figure(results, max_points=max_points, seed=seed, titles=titles, heading=heading)
    images = {d: load(d, data_dir=data_dir).images for d in dict.fromkeys(r.dataset for r in results)}
    # the sheets are cached unless the results were made with the cache off
    use_cache = all(r.cache_key is not None for r in results)
    hover = hover_images(images, drawn_rows(figure), sheets=lambda stack: cached_sprite_sheets(stack, use_cache))
    methods = ", ".join(dict.fromkeys(r.method for r in results))
    return Page(figure, hover, title or f"fmnist-viz: {methods}", plotly_js)


def _drawn(results: Sequence[Any], titles: Mapping[tuple[str, str], str] | None, align: str = "auto"
           ) -> tuple[list[Any], Mapping[tuple[str, str], str] | None]:
    """What a page draws of ``results``, as aligned copies (the caller's stay unchanged): each held-out result as
    the fitted and placed points together, titled with its held-out score."""

    held = [r for r in results if isinstance(r, HeldoutResult)]
    if not held:
        return aligned_copies(results, align)[0], titles
    if len(held) < len(results):
        raise UsageError("mixes held-out results with others; draw each kind on a page of its own", param="results")

    short = len({r.method for r in held}) > 1  # in a grid, the row names the data set
    own = {(r.dataset, r.method): heldout_title(r, line_break="<br>", escape=html.escape, short=short)
           for r in held if r.placed is not None}
    return aligned_copies([r.as_embedding() for r in held if r.placed is not None], align)[0], {**own, **(titles or {})}


def cached_sprite_sheets(images: np.ndarray, use_cache: bool = True) -> list[str]:
    """:func:`~fmnist_viz.render.sprites.sprite_sheets`, kept in the cache by the images' digest: every page of a data
    set reuses them."""
    cache = ResultCache(enabled=use_cache)
    key = {"images": short_digest(images), "shape": list(images.shape), "per_sheet": SHEET_SIZE,
           "columns": SHEET_COLUMNS, "version": SPRITE_VERSION}
    entry = cache.get_or_compute("sprites", key, lambda: (
        {"sheets": np.array([sheet.encode("ascii") for sheet in sprite_sheets(images)])}, None))
    return [sheet.decode("ascii") for sheet in entry.arrays["sheets"]]
