"""Interactive pages: one self-contained Plotly HTML file, every point, its image on hover.

The page's script and style sheet are files in ``assets/``, installed with the
package; names that reach the page (data sets, classes, methods, titles) are
escaped for the context they land in.

One WebGL scatter panel per data set, its points in a random order fixed by
the seed (as in the static figures, so no class hides another), and one legend
per data set whose entries toggle a class (double click isolates it). Hovering
a point shows its 28 x 28 image with its class and row. The page carries the
images of the points it draws, no more, as 4-bit grey PNG sprite sheets
(10,000 images each, base64): all 70,000 Fashion-MNIST images take about
12 MiB that way, MNIST about 7 MiB. A sheet is decoded only when a point on it
is first hovered, so the plot paints without waiting for the images.
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
from .style import class_color, draw_order, panel_title, robust_limits

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
    """A Plotly figure of one method's results: a WebGL panel per data set, a legend per data set.

    Each panel is one trace of its points in :func:`~.style.draw_order`
    (``seed``), coloured by class (their classes in ``meta["labels"]``), carrying each point's row index (into
    ``load(dataset, split="all")``) in ``customdata``; ``max_points`` keeps a
    random subset per panel. Every panel of a data set draws the same rows in
    the same order (:func:`drawn_rows`). The legend entries are empty traces;
    the page's script (:func:`write_page`) makes them toggle their class.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    if not results:
        raise UsageError("is empty: nothing to draw", param="results")
    titles = [panel_title(r, line_break="<br>", escape=html.escape) for r in results]
    fig = make_subplots(rows=1, cols=len(results), subplot_titles=titles, horizontal_spacing=0.04)
    legends: dict[str, str] = {}
    datasets = list(dict.fromkeys(r.dataset for r in results))
    for col, r in enumerate(results, start=1):
        order = draw_order(len(r), seed, max_points)
        labels = r.labels[order]
        palette = np.array([class_color(c) for c in range(len(r.class_names))])
        fig.add_trace(go.Scattergl(
            x=r.embedding[order, 0].astype(np.float32), y=r.embedding[order, 1].astype(np.float32),
            mode="markers", customdata=r.index[order].astype(np.int32), hoverinfo="none", showlegend=False,
            # colours as strings, not class numbers on a colorscale: Plotly paints them ~0.5 s sooner
            marker={"color": palette[labels].tolist(), "size": 3 if len(order) > 20_000 else 5, "opacity": 0.7},
            meta={"role": "points", "dataset": r.dataset, "title": r.title, "classes": list(r.class_names),
                  "labels": labels.astype(np.int16)},
        ), row=1, col=col)
        (x0, y0), (x1, y1) = robust_limits(r.embedding)
        fig.update_xaxes(visible=False, range=[x0, x1], row=1, col=col)
        fig.update_yaxes(visible=False, range=[y0, y1], scaleanchor=f"x{col if col > 1 else ''}", row=1, col=col)
        if r.dataset in legends:
            continue
        legend = legends[r.dataset] = "legend" if not legends else f"legend{len(legends) + 1}"
        fig.update_layout({legend: {"title": {"text": html.escape(r.title)}, "itemsizing": "constant",
                                    **_legend_place(datasets.index(r.dataset), len(datasets))}})
        for c in np.unique(r.labels[order]):
            fig.add_trace(go.Scattergl(
                x=[None], y=[None], mode="markers", name=html.escape(r.class_names[c]), legend=legend,
                marker={"color": class_color(int(c)), "size": 8}, hoverinfo="skip",
                meta={"role": "legend", "dataset": r.dataset, "class": int(c)}))
    fig.update_layout(template="plotly_white", margin={"l": 10, "r": 10, "t": 60, "b": 10},
                      hovermode="closest")
    return fig


def _legend_place(k: int, count: int) -> dict[str, Any]:
    """Where data set ``k`` of ``count`` puts its legend: the first left of the panels, the others right.

    Beside the panels, each legend sits next to its own data set and the
    margins grow to fit it, however narrow the window.
    """
    if k == 0 and count > 1:
        return {"x": -0.02, "xanchor": "right", "y": 0.5, "yanchor": "middle"}
    right = count - 1 if count > 1 else 1
    j = k - 1 if count > 1 else 0
    return {"x": 1.02, "xanchor": "left", "y": 0.5 if right == 1 else 1 - j / (right - 1),
            "yanchor": "middle" if right == 1 else ("top" if j == 0 else "bottom" if j == right - 1 else "middle")}


def drawn_rows(fig: go.Figure) -> dict[str, np.ndarray]:
    """Each data set's rows in the order its panels draw them (what the page needs images of)."""
    rows: dict[str, np.ndarray] = {}
    for trace in fig.data:
        meta = trace.meta if isinstance(trace.meta, dict) else {}
        if meta.get("role") != "points":
            continue
        mine = np.asarray(trace.customdata)
        seen = rows.setdefault(meta["dataset"], mine)
        if seen is not mine and not np.array_equal(seen, mine):
            raise UsageError(f"draws other rows of {meta['dataset']!r} than another panel; "
                             "draw every panel of a data set from the same points and seed", param="fig")
    return rows


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


def hover_images(images: Mapping[str, np.ndarray], rows: Mapping[str, np.ndarray], *,
                 use_cache: bool = True) -> dict[str, dict[str, Any]]:
    """What a page carries for its hover images: sprite sheets of the drawn points, in drawing order.

    ``images`` maps each data set to its (n, h, w) images, indexed by row;
    ``rows`` are the rows each data set's panels draw (:func:`drawn_rows`).
    Build it once and hand it to :func:`write_page` for every page that draws
    the same rows.
    """
    from ..digest import short_digest

    payload = {}
    for name, drawn in rows.items():
        pictures = images[name]
        payload[name] = {"sheets": _cached_sprite_sheets(pictures[drawn], use_cache), "per_sheet": SHEET_SIZE,
                         "columns": SHEET_COLUMNS, "h": int(pictures.shape[1]), "w": int(pictures.shape[2]),
                         "rows": short_digest(np.ascontiguousarray(drawn, dtype=np.int32))}
    return payload


def write_html(fig: go.Figure, path: str | os.PathLike[str], images: Mapping[str, np.ndarray],
               plotly_js: str = "embed", title: str = "fmnist-viz") -> Path:
    """Write ``fig`` (from :func:`interactive_figure`) as one HTML file with its hover images, atomically.

    ``images`` maps each panel's data set name to its (n, h, w) images, indexed
    by the rows in the traces' ``customdata``; only the drawn ones go in.
    ``plotly_js`` is ``"embed"`` (works offline from file://) or ``"cdn"`` (a
    small file for readers online).
    """
    return write_page(fig, path, hover_images(images, drawn_rows(fig)), plotly_js=plotly_js, title=title)


def write_page(fig: go.Figure, path: str | os.PathLike[str], hover: Mapping[str, dict[str, Any]],
               plotly_js: str = "embed", title: str = "fmnist-viz") -> Path:
    """:func:`write_html` with the hover images already made by :func:`hover_images`."""
    from ..digest import short_digest

    if plotly_js not in PLOTLY_JS_CHOICES:
        raise UsageError(f"must be one of {', '.join(PLOTLY_JS_CHOICES)}, got {plotly_js!r}", param="plotly_js")
    for name, drawn in drawn_rows(fig).items():
        if name not in hover or hover[name]["rows"] != short_digest(np.ascontiguousarray(drawn, dtype=np.int32)):
            raise UsageError(f"has no images of the points the figure draws of {name!r}; "
                             "make it with hover_images(images, drawn_rows(fig))", param="hover")
    body = fig.to_html(
        full_html=False, include_plotlyjs=True if plotly_js == "embed" else "cdn", default_height="100vh",
        post_script=_asset("page.js"), config={"responsive": True, "displaylogo": False}, div_id="fmnist-viz-plot",
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
