"""Interactive pages: one self-contained Plotly HTML file, every point, its image on hover.

The page's script and style sheet are files in ``assets/``, installed with the
package; names that reach the page (data sets, classes, methods, titles) are
escaped for the context they land in.

One WebGL scatter panel per data set and one trace per class (a legend click
toggles the class). Hovering a point shows its class, its row index and its
28 x 28 image. The images travel inside the page as 4-bit grey PNG sprite
sheets (10,000 images each, base64): all 70,000 Fashion-MNIST images take
about 12 MiB that way, MNIST about 7 MiB. A sheet is decoded only when a point
on it is first hovered, so the plot paints without waiting for the images.
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..atomic import atomic_path
from ..errors import UsageError
from .style import class_color, panel_title

if TYPE_CHECKING:
    import plotly.graph_objects as go

SHEET_COLUMNS = 100
SHEET_SIZE = 10_000
PLOTLY_JS_CHOICES = ("embed", "cdn")
#: Bump when the sheets are drawn differently, so cached ones are made again.
SPRITE_VERSION = 1


def sprite_sheets(images: np.ndarray, per_sheet: int = SHEET_SIZE, columns: int = SHEET_COLUMNS) -> list[str]:
    """Base64 PNG sheets of (n, h, w) uint8 images, 16 grey levels, dark on white, row-major."""
    from PIL import Image

    n, h, w = images.shape
    palette = []
    for level in range(16):
        grey = 255 - level * 17
        palette += [grey, grey, grey]
    sheets = []
    for start in range(0, n, per_sheet):
        chunk = images[start : start + per_sheet] >> 4
        rows = -(-len(chunk) // columns)
        canvas = np.zeros((rows * columns, h, w), dtype=np.uint8)
        canvas[: len(chunk)] = chunk
        tiled = canvas.reshape(rows, columns, h, w).transpose(0, 2, 1, 3).reshape(rows * h, columns * w)
        picture = Image.fromarray(tiled, mode="P")
        picture.putpalette(palette)
        buffer = io.BytesIO()
        picture.save(buffer, format="PNG", bits=4, compress_level=6)
        sheets.append(base64.b64encode(buffer.getvalue()).decode("ascii"))
    return sheets


def interactive_figure(results: Sequence[Any], max_points: int | None = None, seed: int = 0) -> go.Figure:
    """A Plotly figure of one method's results, one WebGL panel per data set, one trace per class.

    Every point is kept unless ``max_points`` asks for a random subset per panel.
    Each point carries its row index (into ``load(dataset, split="all")``) in
    ``customdata``; each trace names its panel in ``meta``.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    if not results:
        raise UsageError("is empty: nothing to draw", param="results")
    titles = [panel_title(r, line_break="<br>", escape=html.escape) for r in results]
    fig = make_subplots(rows=1, cols=len(results), subplot_titles=titles, horizontal_spacing=0.04)
    rng = np.random.default_rng(seed)
    for col, r in enumerate(results, start=1):
        keep = np.arange(len(r))
        if max_points is not None and len(r) > max_points:
            keep = np.sort(rng.choice(len(r), size=max_points, replace=False))
        data_title = html.escape(r.title)
        for c, class_name in enumerate(r.class_names):
            rows = keep[r.labels[keep] == c]
            if not len(rows):
                continue
            name = html.escape(class_name)
            fig.add_trace(go.Scattergl(
                x=r.embedding[rows, 0], y=r.embedding[rows, 1], mode="markers", name=name,
                legendgroup=f"{r.dataset}-{c}", legendgrouptitle_text=data_title if c == 0 else None,
                customdata=r.index[rows].astype(np.int32), meta=r.dataset,
                marker={"size": 3 if len(r) > 20_000 else 5, "color": class_color(c), "opacity": 0.7},
                hovertemplate=f"<b>{name}</b><br>{data_title} row %{{customdata}}<extra></extra>",
            ), row=1, col=col)
        fig.update_xaxes(visible=False, row=1, col=col)
        fig.update_yaxes(visible=False, scaleanchor=f"x{col if col > 1 else ''}", row=1, col=col)
    fig.update_layout(
        template="plotly_white", height=720, legend={"itemsizing": "constant", "groupclick": "toggleitem"},
        margin={"l": 10, "r": 10, "t": 60, "b": 10}, hoverlabel={"bgcolor": "white"},
    )
    return fig


def _cached_sprite_sheets(images: np.ndarray, use_cache: bool) -> list[str]:
    """:func:`sprite_sheets`, kept in the cache by the images' digest: every page of a data set reuses them."""
    from ..cache import ResultCache
    from ..digest import short_digest

    cache = ResultCache(enabled=use_cache)
    key = {"images": short_digest(images), "shape": list(images.shape), "per_sheet": SHEET_SIZE,
           "columns": SHEET_COLUMNS, "version": SPRITE_VERSION}
    found = cache.load("sprites", key)
    if found is not None:
        return [sheet.decode("ascii") for sheet in found[0]["sheets"]]
    sheets = sprite_sheets(images)
    cache.store("sprites", key, {"sheets": np.array([sheet.encode("ascii") for sheet in sheets])})
    return sheets


def _asset(name: str) -> str:
    """The text of a file shipped in ``fmnist_viz/render/assets/``."""
    from importlib.resources import files

    return files(__package__).joinpath("assets", name).read_text(encoding="utf-8")


def _json_for_script(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``</script>`` or ``<!--`` can form."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def hover_images(images: Mapping[str, np.ndarray], *, use_cache: bool = True) -> dict[str, dict[str, Any]]:
    """What a page carries for its hover images: each data set's sprite sheets and their layout.

    ``images`` maps each panel's data set name to its (n, h, w) images, indexed
    by the rows in the traces' ``customdata``. Build it once and hand it to
    :func:`write_page` for every page of the same data sets.
    """
    return {
        name: {"sheets": _cached_sprite_sheets(pictures, use_cache), "per_sheet": SHEET_SIZE,
               "columns": SHEET_COLUMNS, "h": int(pictures.shape[1]), "w": int(pictures.shape[2])}
        for name, pictures in images.items()
    }


def write_html(fig: go.Figure, path: str | os.PathLike[str], images: Mapping[str, np.ndarray],
               plotly_js: str = "embed", title: str = "fmnist-viz") -> Path:
    """Write ``fig`` as one HTML file with the hover images, atomically.

    ``images`` maps each panel's data set name to its (n, h, w) images, indexed
    by the rows in the traces' ``customdata``. ``plotly_js`` is ``"embed"``
    (works offline from file://) or ``"cdn"`` (a small file for readers online).
    """
    return write_page(fig, path, hover_images(images), plotly_js=plotly_js, title=title)


def write_page(fig: go.Figure, path: str | os.PathLike[str], hover: Mapping[str, dict[str, Any]],
               plotly_js: str = "embed", title: str = "fmnist-viz") -> Path:
    """:func:`write_html` with the hover images already made by :func:`hover_images`."""
    if plotly_js not in PLOTLY_JS_CHOICES:
        raise UsageError(f"must be one of {', '.join(PLOTLY_JS_CHOICES)}, got {plotly_js!r}", param="plotly_js")
    body = fig.to_html(
        full_html=False, include_plotlyjs=True if plotly_js == "embed" else "cdn",
        post_script=_asset("hover.js"), config={"responsive": True, "displaylogo": False}, div_id="fmnist-viz-plot",
    )
    page = (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<style>\n{_asset('page.css')}</style></head>\n<body>\n"
        f"<script type='application/json' id='fmnist-viz-sprites'>{_json_for_script(dict(hover))}</script>\n"
        f"{body}\n</body></html>\n"
    )
    path = Path(path)
    with atomic_path(path, suffix=".html") as tmp:
        tmp.write_text(page, encoding="utf-8")
    return path
