"""What the static and interactive renderers share: class colours, styles, panel titles.

Kept in one place so a class has the same colour in a PNG and in a page, and
a panel reads the same in both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

#: Ten colours that stay distinct with the common colour-vision deficiencies
#: (seaborn's "colorblind" palette, after Okabe & Ito).
CLASS_COLORS = (
    "#0173B2", "#DE8F05", "#029E73", "#D55E00", "#CC78BC",
    "#CA9161", "#FBAFE4", "#949494", "#ECE133", "#56B4E9",
)

#: The style figures get unless asked for another; its name stays out of file names.
DEFAULT_STYLE = "screen"
#: Figure widths in inches, font sizes and resolution per style.
STYLES = {
    "screen": {"panel_width": 5.5, "font": 10, "dpi": 150},
    "paper": {"panel_width": 3.5, "font": 7, "dpi": 300},  # single column; two panels make ~7.2 in
}


def class_color(index: int) -> str:
    """The colour of class ``index`` (cycles past ten classes)."""
    return CLASS_COLORS[index % len(CLASS_COLORS)]


def point_style(n: int) -> tuple[float, float]:
    """Marker area (pt^2) and opacity that suit ``n`` points in one panel."""
    size = float(np.clip(20000.0 / max(n, 1), 0.6, 16.0))
    alpha = float(np.clip(0.5 + 5000.0 / max(n, 1), 0.5, 0.9))
    return size, alpha


def panel_title(result: Any, *, line_break: str = "\n", escape: Callable[[str], str] = str) -> str:
    """The title of one result's panel: data set, method, size and, once measured, its quality.

    ``result`` is an :class:`~fmnist_viz.pipeline.EmbeddingResult`; ``escape``
    makes the names safe for the target (``html.escape`` for a page), and
    ``line_break`` is the target's line break (``<br>`` for Plotly).
    """
    from ..embed.registry import method_label

    title = f"{escape(result.title)}: {escape(method_label(result.method))} of {len(result):,} points"
    if result.metrics:
        title += (f"{line_break}10-NN accuracy {result.metrics['knn_accuracy']:.3f}, "
                  f"trustworthiness {result.metrics['trustworthiness']:.3f}")
    return title
