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

import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..digest import short_digest
from ..embed.registry import method_label
from ..errors import UsageError
from ..quality.metrics import DEFAULT_K as POINTWISE_K
from .style import (
    COLOR_MODES,
    COLOR_SCALES,
    POINT_OPACITY,
    class_color,
    draw_order,
    measure_span,
    method_title,
    panel_title,
    robust_limits,
)

if TYPE_CHECKING:
    import plotly.graph_objects as go

PLOTLY_JS_CHOICES = ("embed", "cdn")
#: plotly.js's gl2d bundle (scatter and scattergl only: a third of the full bundle, which took a second longer
#: to load), from npm's plotly.js package, dist/; its licence is assets/plotly-LICENSE.txt
PLOTLY_BUNDLE = "plotly-gl2d.min.js"


#: The most panels a data set's row holds on a page; more wrap onto further rows (a sweep's cells).
MAX_COLUMNS = 4


def interactive_figure(results: Sequence[Any], max_points: int | None = None, seed: int = 0, *,
                       titles: Mapping[tuple[str, str], str] | None = None, heading: str | None = None) -> go.Figure:
    """A Plotly figure of results: one WebGL panel per (data set, method), one legend per data set.

    One method: its data sets side by side. Several: each data set's panels
    in a block of rows, a column per method (at most :data:`MAX_COLUMNS` a
    row; draw them aligned: :func:`fmnist_viz.quality.align.align_results`). Each
    panel is one trace of its points in :func:`~.style.draw_order` (``seed``),
    at their :attr:`~fmnist_viz.results.EmbeddingResult.positions`, coloured
    by class (their classes in ``meta["labels"]``), carrying each point's row
    (into ``load(dataset, split="all")``) in ``customdata``; ``max_points``
    keeps a random subset. Every panel of a data set draws the same rows in
    the same order (:func:`drawn_rows`), so a point is the same trace index
    everywhere. ``titles`` gives a panel's title by (data set, method)
    (default :func:`~.style.panel_title`), ``heading`` a line above them all.
    The legend entries are empty traces; the page's script
    (:func:`write_page`) makes them toggle their class.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    if not results:
        raise UsageError("is empty: nothing to draw", param="results")
    methods = list(dict.fromkeys(r.method for r in results))
    datasets = list(dict.fromkeys(r.dataset for r in results))
    grid = len(methods) > 1  # a block of rows per data set, a column per method
    if grid:
        block = -(-len(methods) // MAX_COLUMNS)  # rows per data set
        cols = -(-len(methods) // block)
        rows = block * len(datasets)
        place = {(r.dataset, r.method): (datasets.index(r.dataset) * block + methods.index(r.method) // cols,
                                         methods.index(r.method) % cols) for r in results}
    else:
        block, rows, cols = 1, 1, len(results)
        place = {(r.dataset, r.method): (0, i) for i, r in enumerate(results)}
    # in a grid the data set is named once, beside its rows: a panel's title is its method and quality
    own = (lambda r: method_title(r, line_break="<br>", escape=html.escape)) if grid else (
        lambda r: panel_title(r, line_break="<br>", escape=html.escape))
    text = {(r.dataset, r.method): (titles or {}).get((r.dataset, r.method)) or own(r) for r in results}
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[" "] * (rows * cols),
                        horizontal_spacing=0.02 if grid else 0.04, vertical_spacing=0.08 if rows < 4 else 0.05)
    for r in results:  # each panel's title is an annotation of its own, which the page can change (morph)
        row, col = place[(r.dataset, r.method)]
        fig.layout.annotations[row * cols + col].text = text[(r.dataset, r.method)]
    legends: dict[str, str] = {}
    for r in results:
        row, col = (v + 1 for v in place[(r.dataset, r.method)])
        order = draw_order(len(r), seed, max_points)
        if r.is_placed is not None:  # held-out images drawn above the layout they were placed into
            order = order[np.argsort(r.is_placed[order], kind="stable")]
        labels = r.labels[order]
        xy = r.positions[order]
        fig.add_trace(go.Scattergl(
            x=xy[:, 0].astype(np.float32), y=xy[:, 1].astype(np.float32),
            mode="markers", customdata=r.index[order].astype(np.int32), hoverinfo="none", showlegend=False,
            # class numbers on a scale of the class colours, which Plotly.py checks as one array (a colour string a
            # point, it checked each: 3-6 s of a page of eight 70,000-point panels); the page's script gives the
            # points their colours itself (page_data leaves these out)
            marker={"color": labels.astype(np.int16), **class_scale(len(r.class_names)),
                    "size": 3 if len(order) > 20_000 else 5, "opacity": POINT_OPACITY},
            selected={"marker": {"opacity": 0.9}}, unselected={"marker": {"opacity": 0.05}},
            meta={"role": "points", "dataset": r.dataset, "method": r.method, "label": method_label(r.method),
                  "title": r.title, "quality": _quality(r),
                  "heading": (row - 1) * cols + col - 1,  # its title: layout.annotations[heading]
                  "classes": list(r.class_names), "labels": labels.astype(np.int16), **_measures(r, order),
                  **({} if r.is_placed is None else {"placed": r.is_placed[order].astype(np.uint8)})},
        ), row=row, col=col)
        fig.add_trace(go.Scattergl(  # where the page's Find marks a point (empty until then)
            x=[None], y=[None], mode="markers", hoverinfo="skip", showlegend=False,
            marker={"symbol": "circle-open", "size": 22, "color": "#000000", "line": {"width": 3}},
            meta={"role": "mark", "dataset": r.dataset, "method": r.method}), row=row, col=col)
        (x0, y0), (x1, y1) = robust_limits(r.positions)
        anchor = fig.get_subplot(row, col).xaxis.anchor  # this panel's y axis, e.g. "y5"
        fig.update_xaxes(visible=False, range=[x0, x1], row=row, col=col)
        fig.update_yaxes(visible=False, range=[y0, y1], scaleanchor=anchor.replace("y", "x"), row=row, col=col)
        if r.dataset in legends:
            continue
        legend = legends[r.dataset] = "legend" if not legends else f"legend{len(legends) + 1}"
        if grid:  # beside the data set's block of rows, which is named at its left
            first = datasets.index(r.dataset) * block + 1
            top, bottom = fig.get_subplot(first, 1).yaxis.domain, fig.get_subplot(first + block - 1, 1).yaxis.domain
            where = _row_legend((bottom[0], top[1]))
            fig.add_annotation(text=f"<b>{html.escape(r.title)}</b>, {len(r):,} points", textangle=-90,
                               x=0, xref="paper", xanchor="right", xshift=-4, y=(bottom[0] + top[1]) / 2,
                               yref="paper", yanchor="middle", showarrow=False, font={"size": 12})
        else:
            where = _legend_place(datasets.index(r.dataset), len(datasets))
        fig.update_layout({legend: {"title": {"text": html.escape(r.title)}, "itemsizing": "constant", **where}})
        for c in np.unique(r.labels[order]):
            fig.add_trace(go.Scattergl(
                x=[None], y=[None], mode="markers", name=html.escape(r.class_names[c]), legend=legend,
                marker={"color": class_color(int(c)), "size": 8}, hoverinfo="skip",
                meta={"role": "legend", "dataset": r.dataset, "class": int(c)}))
    if grid:
        fig.update_annotations(font_size=11)
    top = 84
    if heading:
        fig.update_layout(title={"text": heading, "x": 0.5, "xanchor": "center", "y": 0.995, "yanchor": "top",
                                 "font": {"size": 15}})
        top = 110
    fig.update_layout(template="plotly_white", margin={"l": 30 if grid else 10, "r": 10, "t": top, "b": 10},
                      hovermode="closest", dragmode="select",  # a drag selects; the mode bar has zoom and lasso
                      # how many rows of panels (the page grows taller than the window past two), and the range of
                      # preservation's colours in tenths, one for every panel (style.measure_span)
                      meta={"rows": rows, "spans": _spans(results)})
    return fig


#: The marker properties that colour a panel's points by class (:func:`class_scale`).
CLASS_SCALE_KEYS = ("color", "colorscale", "cmin", "cmax", "showscale")


def class_scale(n_classes: int) -> dict[str, Any]:
    """Marker properties that draw class number ``c`` (0 to ``n_classes - 1``) in :func:`class_color`: a colour
    scale of flat steps, one a class."""
    steps: list[list[Any]] = []
    for c in range(n_classes):
        steps += [[c / n_classes, class_color(c)], [(c + 1) / n_classes, class_color(c)]]
    return {"colorscale": steps, "cmin": -0.5, "cmax": n_classes - 0.5, "showscale": False}


#: The quality numbers the page's side pane lists for each panel, once measured: local, then global.
QUALITY_COLUMNS = {"knn_accuracy": "10-NN accuracy", "trustworthiness": "trustworthiness",
                   "random_triplet_accuracy": "random triplets", "centroid_triplet_accuracy": "centroid triplets",
                   "distance_spearman": "distance Spearman"}


def _quality(result: Any) -> dict[str, float]:
    """A panel's quality numbers for the side pane's table (those of :data:`QUALITY_COLUMNS` it has), rounded."""
    return {name: round(float(result.metrics[name]), 3) for name in QUALITY_COLUMNS
            if isinstance(result.metrics.get(name), (int, float)) and np.isfinite(result.metrics[name])}


def _spans(results: Sequence[Any]) -> dict[str, list[int]]:
    """The range preservation's colours span on the page, in tenths (as the points carry it)."""
    if not all("preservation" in r.pointwise for r in results):
        return {}
    low, high = measure_span([r.pointwise["preservation"] for r in results])
    return {"preservation": [round(low * 10), round(high * 10)]}


def _measures(result: Any, order: np.ndarray) -> dict[str, np.ndarray]:
    """The point-by-point measures a panel can be coloured by, in drawing order, as small integers.

    ``disagreement`` is 0 or 1, ``preservation`` and ``stability`` in tenths (0 to 10), ``heldout`` 0 (fitted), 1
    (placed, classified right) or 2 (placed, misclassified).
    """
    tenths = ("preservation", "stability")
    return {name: (np.round(values[order] * 10) if name in tenths else values[order]).astype(np.uint8)
            for name, values in result.pointwise.items() if name in COLOR_MODES}


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


def _row_legend(domain: Sequence[float]) -> dict[str, Any]:
    """A legend right of the panels, beside the row whose y domain is ``domain``."""
    return {"x": 1.01, "xanchor": "left", "y": (domain[0] + domain[1]) / 2, "yanchor": "middle"}


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


def check_plotly_js(value: str) -> str:
    """``value`` if a page can get plotly.js that way (``embed`` or ``cdn``), else a UsageError."""
    if value not in PLOTLY_JS_CHOICES:
        raise UsageError(f"must be one of {', '.join(PLOTLY_JS_CHOICES)}, got {value!r}", param="plotly_js")
    return value


#: The page's script, in parts (``assets/page/NAME.js``), joined in this order into one function: each part
#: uses only what the parts before it define (tests/render/test_page.py checks).
PAGE_PARTS = ("data", "state", "plotly", "plotly-lit", "plotly-views", "draw", "hover", "images", "legend", "selection",
              "toolbar", "api", "gl-context", "start")


def page_script() -> str:
    """The page's script: its parts joined in :data:`PAGE_PARTS` order, inside one function of their own."""
    body = "\n".join(_asset(f"page/{name}.js") for name in PAGE_PARTS)
    return f"(function () {{\n{body}}})();\n"


def _asset(name: str) -> str:
    """The text of a file shipped in ``fmnist_viz/render/assets/``."""
    from importlib.resources import files

    return files(__package__).joinpath("assets", name).read_text(encoding="utf-8")


def plotly_bundle_version() -> str:
    """The version of the plotly.js bundle the pages carry, from its header (``v4.1.1`` -> ``4.1.1``)."""
    import re

    found = re.search(r"plotly\.js \(gl2d - minified\) v(\S+)", _asset(PLOTLY_BUNDLE)[:300])
    if not found:
        raise RuntimeError(f"cannot read the plotly.js version of assets/{PLOTLY_BUNDLE}")
    return found.group(1)


def _json_for_script(value: Any) -> str:
    """JSON (numpy arrays as base64, as Plotly writes them) that is safe inside a ``<script>`` element."""
    from plotly.io.json import to_json_plotly

    return to_json_plotly(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page_data(fig: go.Figure, hover: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """What the page's script plots: the figure, with what its panels share kept once per data set.

    The panels of a data set draw the same rows in the same order, so their
    rows, classes and colours travel once, beside the data set's images
    (``hover``), and the script gives them back to each panel before plotting.
    """
    figure = fig.to_plotly_json()
    datasets: dict[str, dict[str, Any]] = {}
    for trace in figure["data"]:
        meta = trace.get("meta") or {}
        if meta.get("role") != "points":
            continue
        name = meta["dataset"]
        if name not in datasets:
            classes = list(meta["classes"])
            datasets[name] = {**hover[name], "title": meta["title"], "classes": classes,
                              "colors": [class_color(c) for c in range(len(classes))],
                              "labels": np.asarray(meta["labels"]), "rows": np.asarray(trace["customdata"])}
        trace["marker"] = {k: v for k, v in trace["marker"].items() if k not in CLASS_SCALE_KEYS}
        trace.pop("customdata")
        if "placed" in meta:
            datasets[name]["placed"] = np.asarray(meta["placed"])
        trace["meta"] = {k: v for k, v in meta.items() if k not in ("labels", "classes", "title", "placed")}
    panels = [t["meta"] for t in figure["data"] if (t.get("meta") or {}).get("role") == "points"]
    modes = [[mode, label] for mode, label in COLOR_MODES.items()  # those every panel can be coloured by
             if mode == "class" or all(mode in meta for meta in panels)]
    return {"figure": figure, "datasets": datasets, "scales": COLOR_SCALES, "measures": {"k": POINTWISE_K},
            "modes": modes, "opacity": POINT_OPACITY,
            "config": {"responsive": True, "displaylogo": False, "scrollZoom": True}}


#: The page's frame: the tool bar above, the panels, and the side pane (the found row, the selection) docked
#: beside them, where it covers no panel; the script fills them in.
PAGE_BODY = (
    "<div id='fmnist-viz-tools'></div>\n<div id='fmnist-viz-main'>"
    "<div id='fmnist-viz-scroll'><div id='fmnist-viz-plot'></div></div>"
    "<aside id='fmnist-viz-side'><div class='side-head'><button id='fmnist-viz-collapse' "
    "title='hide or show this pane (the selection stays)'>&raquo;</button><span class='side-title'>Selection</span>"
    "</div><div class='side-body'><div id='fmnist-viz-found'></div><div id='fmnist-viz-pane'></div>"
    "<p class='side-hint'>Drag a box (or pick the lasso in the mode bar) in any panel: those points light up in "
    "every panel of their data set, and here you see how many, of which classes, and their images. Hover a point "
    "for its image; click a legend entry to hide its class.</p></div></aside></div>"
)


def page_html(fig: go.Figure, hover: Mapping[str, dict[str, Any]], plotly_js: str = "embed",
              title: str = "fmnist-viz") -> str:
    """The whole self-contained page of ``fig`` with its images, as text."""

    check_plotly_js(plotly_js)
    for name, drawn in drawn_rows(fig).items():
        if name not in hover or hover[name]["rows"] != short_digest(np.ascontiguousarray(drawn, dtype=np.int32)):
            raise UsageError(f"has no images of the points the figure draws of {name!r}; "
                             "make it with hover_images(images, drawn_rows(fig))", param="hover")
    cdn = f"https://cdn.plot.ly/plotly-gl2d-{plotly_bundle_version()}.min.js"
    plotly = (f"<script>{_asset(PLOTLY_BUNDLE)}</script>" if plotly_js == "embed" else
              f"<script src='{cdn}' charset='utf-8'></script>")
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<style>\n{_asset('page.css')}</style></head>\n<body>\n"
        f"{PAGE_BODY}\n"
        f"<script type='application/json' id='fmnist-viz-data'>{_json_for_script(page_data(fig, hover))}</script>\n"
        f"{plotly}\n<script>\n{page_script()}</script>\n</body></html>\n"
    )
