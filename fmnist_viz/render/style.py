"""What the static and interactive renderers share: class colours, styles, panel titles.

Kept in one place so a class has the same colour in a PNG and in a page, and
a panel reads the same in both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..embed.registry import method_label
from ..errors import UsageError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Ten colours, one per class index (the same in both data sets): Okabe & Ito's
#: colour-blind-safe set plus Tol's wine, placed so that classes that sit next to
#: each other in the pictures differ most: the tops (T-shirt/top, Pullover, Dress,
#: Coat, Shirt), the shoes (Sandal, Sneaker, Ankle boot), the digits 3/5/8 and
#: 4/9. Their smallest CIEDE2000 difference is 23.6, for normal vision and
#: simulated protanopia, deuteranopia and tritanopia alike (tests/render/test_palette.py).
CLASS_COLORS = (
    "#0072B2", "#009E73", "#D55E00", "#F0E442", "#000000",
    "#882255", "#999999", "#E69F00", "#CC79A7", "#56B4E9",
)

#: The most pixels a figure may have on a side (matplotlib's own limit is 2**16; memory runs out before).
MAX_PIXELS = 2**15
#: The style figures get unless asked for another; its name stays out of file names.
DEFAULT_STYLE = "screen"
#: Figure widths in inches, font sizes and resolution per style.
STYLES = {
    "screen": {"panel_width": 5.5, "font": 10, "dpi": 150},
    # one panel a journal column wide; several share a page's width, and the figure keeps within its height
    "paper": {"panel_width": 3.5, "page_width": 7.2, "page_height": 9.5, "font": 7, "dpi": 300},
}


def check_style(style: str) -> dict[str, Any]:
    """A figure style's settings (:data:`STYLES`), refusing a name that is not one."""
    if style not in STYLES:
        raise UsageError(f"must be one of {', '.join(STYLES)}, got {style!r}", param="style")
    return STYLES[style]


def style_rc(conf: dict[str, Any]) -> dict[str, Any]:
    """The matplotlib settings that apply a style's fonts and resolution (for ``plt.rc_context``)."""
    return {"font.size": conf["font"], "axes.titlesize": conf["font"], "legend.fontsize": conf["font"] * 0.9,
            "savefig.dpi": conf["dpi"]}


def text_line(conf: dict[str, Any]) -> float:
    """The height of one line of a style's text, in inches."""
    return conf["font"] * 1.45 / 72


def frame_panel(ax: Axes, xlim: Sequence[float], ylim: Sequence[float]) -> None:
    """How every static panel is framed: these limits, equal scales, no ticks, light grey edges."""
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color("0.8")


#: What points can be coloured by, and how the page's tool bar names each: their class, or a point-by-point
#: measure (:mod:`fmnist_viz.quality.pointwise`).
COLOR_MODES = {"class": "class", "disagreement": "2-D neighbour disagreement",
               "preservation": "neighbourhood preservation", "heldout": "held-out error",
               "stability": "stability across seeds"}
#: The points' opacity on a page (Plotly bakes it into each colour, which the page's script redraws).
POINT_OPACITY = 0.7

#: Colours of the colour-by modes: disagreement (agrees, disagrees) and preservation in tenths
#: (viridis: dark purple for torn neighbourhoods, yellow for kept ones).
COLOR_SCALES = {
    "disagreement": ["#D9D9D9", "#D55E00"],
    # fitted (faint), placed and classified right, placed and misclassified (red: no class has it, so the marks
    # stand out over any class colour in a held-out figure too)
    "heldout": ["#CCCCCC", "#0072B2", "#E8000B"],
    "preservation": ["#440154", "#482475", "#414487", "#355F8D", "#2A788E", "#21918C", "#22A884", "#44BF70",
                     "#7AD151", "#BDDF26", "#FDE725"],
}
#: Stability across seeds in tenths, on the same scale (:mod:`fmnist_viz.quality.stability`), from 0 to 1 as it is.
COLOR_SCALES["stability"] = COLOR_SCALES["preservation"]


def measure_span(values: Sequence[np.ndarray]) -> tuple[float, float]:
    """The range preservation's colours span: the 1st to the 99th percentile of every panel's values together, in
    tenths (most values are low: spread over 0 to 1, nearly every point would be the same purple). The page's
    script computes the same."""
    tenths = np.round(np.concatenate([np.asarray(v, dtype=float).ravel() for v in values]) * 10)
    low, high = np.percentile(tenths, [1, 99], method="lower"), np.percentile(tenths, [99], method="higher")[0]
    return float(low[0]) / 10, float(max(high, low[0] + 1)) / 10


def measure_colors(values: np.ndarray, mode: str,
                   span: tuple[float, float] | None = None) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """Per-point colours for a colour-by ``mode`` and the legend entries (name, colour) that explain them.

    ``values`` are a result's ``pointwise[mode]``: disagreement 0/1,
    preservation a share in [0, 1], whose colours span ``span`` (default:
    :func:`measure_span` of these values; give one span to every panel of a
    figure so that a colour means the same value in each).
    """
    scale = np.array(COLOR_SCALES[mode])
    if mode == "disagreement":
        return scale[np.asarray(values, dtype=int)], [("class agrees with its 10 neighbours", scale[0]),
                                                      ("disagrees", scale[1])]
    low, high = span or measure_span([values])
    share = np.clip((np.round(np.asarray(values, dtype=float) * 10) / 10 - low) / (high - low), 0, 1)
    steps = np.round(share * (len(scale) - 1)).astype(int)
    middle = (low + high) / 2
    return scale[steps], [(f"{low:.1f} of neighbours kept (or fewer)", scale[0]), (f"{middle:.2f}", scale[5]),
                          (f"{high:.1f} (or more)", scale[-1])]


def class_color(index: int) -> str:
    """The colour of class ``index`` (cycles past ten classes)."""
    return CLASS_COLORS[index % len(CLASS_COLORS)]


def draw_order(n: int, seed: int = 0, limit: int | None = None) -> np.ndarray:
    """The order points are drawn in: a random permutation of ``range(n)`` fixed by ``seed``.

    Drawn in class order, the last class would cover the others where they
    meet; in a random order every class shows where it is. Both renderers use
    this, so a PNG and a page of one result stack their points alike. With
    ``limit``, only the first ``limit`` of that order are drawn (a random subset).
    """
    order = np.random.default_rng(seed).permutation(n)
    return order if limit is None else order[:limit]


def robust_limits(embedding: np.ndarray, keep: float = 99.9, pad: float = 0.04) -> tuple[np.ndarray, np.ndarray]:
    """Square axis limits that hold the central ``keep`` percent of the points on each axis, padded.

    A handful of far-flung points (PyMDE and UMAP can throw a few) would
    otherwise shrink everything else to a dot; they fall outside the frame.
    """
    tail = (100 - keep) / 2
    low, high = np.percentile(embedding, [tail, 100 - tail], axis=0)
    span = max(float((high - low).max()), 1e-9)  # square: every panel gets the same box
    centre = (low + high) / 2
    half = span * (0.5 + pad)
    return centre - half, centre + half


def point_style(n: int) -> tuple[float, float]:
    """Marker area (pt^2) and opacity that suit ``n`` points in one panel."""
    size = float(np.clip(20000.0 / max(n, 1), 0.6, 16.0))
    alpha = float(np.clip(0.5 + 5000.0 / max(n, 1), 0.5, 0.9))
    return size, alpha


def panel_title(result: Any, *, line_break: str = "\n", escape: Callable[[str], str] = str) -> str:
    """The title of one result's panel: data set, method, size and, once measured, its quality.

    ``result`` is an :class:`~fmnist_viz.results.EmbeddingResult`; ``escape``
    makes the names safe for the target (``html.escape`` for a page), and
    ``line_break`` is the target's line break (``<br>`` for Plotly).
    """

    title = f"{escape(result.title)}: {escape(method_label(result.method))} of {len(result):,} points"
    if "explained_variance" in result.metrics:
        title += f", {result.metrics['explained_variance']:.0%} of the variance"
    if result.metrics:
        title += line_break + quality_line(result)
    return title


def quality_line(result: Any, short: bool = False) -> str:
    """A result's measured quality as titles show it ("" before it is measured); ``short`` for narrow panels."""
    if not result.metrics:
        return ""
    accuracy, trust = result.metrics["knn_accuracy"], result.metrics["trustworthiness"]
    if short:
        return f"10-NN acc. {accuracy:.3f}, trust. {trust:.3f}"
    return f"10-NN accuracy {accuracy:.3f}, trustworthiness {trust:.3f}"


def heldout_title(result: Any, *, line_break: str = "\n", escape: Callable[[str], str] = str,
                  short: bool = False) -> str:
    """The title of a held-out result's panel (:class:`~fmnist_viz.results.HeldoutResult`): data set (unless
    ``short``), method, how many placed into how many, and the held-out 5-NN accuracy."""

    score = result.metrics.get("knn5_accuracy")
    name = escape(method_label(result.method))
    name = name if short else f"{escape(result.title)}: {name}"
    wrong = "" if result.wrong is None else f", {int(result.wrong.sum()):,} misclassified"
    return (f"{name}, {len(result.placed):,} test images placed into {len(result.fitted):,} fitted{line_break}"
            f"held-out 5-NN accuracy {'n/a' if score is None else f'{score:.3f}'}{wrong}")


def method_title(result: Any, *, line_break: str = "\n", escape: Callable[[str], str] = str) -> str:
    """A panel's title where its row already names the data set and size: the method (with PCA's share of the
    variance) and, once measured, its quality in short."""

    title = escape(method_label(result.method))
    if "explained_variance" in result.metrics:
        title += f", {result.metrics['explained_variance']:.0%} of the variance"
    return title + (line_break + quality_line(result, short=True) if result.metrics else "")
