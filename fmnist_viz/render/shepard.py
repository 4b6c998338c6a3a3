"""The Shepard diagram: each sampled pair of points, its distance in the data against its distance in the layout.

A layout that kept every distance's rank would draw a rising curve; t-SNE and
UMAP keep the short distances and bend or scatter the long ones. The pairs
(100,000, :func:`fmnist_viz.quality.structure.distance_pairs`) are drawn as a
density of hexagonal bins, coloured by the logarithm of their count, not as
dots that would hide one another; each panel's title carries Spearman's rank
correlation of the two distances (``distance_spearman`` of the metrics).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..embed.registry import method_label
from .scatter import figure_size
from .style import DEFAULT_STYLE, check_style, style_rc

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Hexagons across each panel.
GRID = 60
#: What the data's distances are measured in (the global measures' space).
DATA_AXIS = "distance in the data (100 principal components)"


def shepard_figure(results: Sequence[Any], distances: Sequence[tuple[np.ndarray, np.ndarray]], *,
                   style: str = DEFAULT_STYLE) -> Figure:
    """The Shepard diagrams of ``results`` (:class:`~fmnist_viz.results.EmbeddingResult`), laid out as the
    embeddings' figures are: a row per method, a column per data set. ``distances`` holds, for each result in
    turn, the sampled pairs' distances in the data and in the layout
    (:func:`fmnist_viz.pipeline.measure.shepard_distances`). Returns the Figure."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    conf = check_style(style)
    if len(distances) != len(results) or not results:
        raise ValueError(f"{len(results)} results need as many pairs of distances, got {len(distances)}")
    methods = list(dict.fromkeys(r.method for r in results))
    datasets = list(dict.fromkeys(r.dataset for r in results))
    where = {(r.method, r.dataset): k for k, r in enumerate(results)}
    _, size = figure_size(len(methods), len(datasets), style, title_lines=2, legend_lines=1)
    with plt.rc_context(style_rc(conf)):
        fig, axes = plt.subplots(len(methods), len(datasets), figsize=size, layout="constrained", squeeze=False)
        drawn = []
        for row, method in enumerate(methods):
            for col, dataset in enumerate(datasets):
                ax = axes[row][col]
                if (method, dataset) not in where:
                    ax.set_axis_off()
                    continue
                r = results[where[(method, dataset)]]
                high, low = distances[where[(method, dataset)]]
                drawn.append(ax.hexbin(high, low, gridsize=GRID, cmap="viridis", mincnt=1, linewidths=0,
                                       rasterized=True))
                rho = r.metrics.get("distance_spearman")
                rank = f", Spearman {rho:.3f}" if rho is not None else ""
                ax.set_title(f"{r.title}: {method_label(method)}\n{len(high):,} pairs of {len(r):,} points{rank}")
                ax.set_xlabel(DATA_AXIS if row == len(methods) - 1 else "")
                ax.set_ylabel("distance in the layout" if col == 0 else "")
                ax.set_xlim(0, None)
                ax.set_ylim(0, None)
        # one scale of counts for every panel (each bins the same number of pairs), so a colour means one count
        norm = LogNorm(vmin=1, vmax=max(float(np.max(h.get_array())) for h in drawn))
        for hexagons in drawn:
            hexagons.set_norm(norm)
        fig.colorbar(drawn[0], ax=axes, shrink=0.4, aspect=30, label="pairs per hexagon (the same scale in every "
                                                                     "panel)")
    return fig
