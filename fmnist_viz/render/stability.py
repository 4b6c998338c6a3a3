"""Stability across seeds as a picture: each data set's layout (its first seed's) coloured by how much each point's
nearest neighbours agree from seed to seed, on one colour bar from 0 (none shared) to 1 (the same in every
layout)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..embed.registry import method_label
from .scatter import figure_size, plot_embedding
from .style import DEFAULT_STYLE, check_style, style_rc

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: The colour map of stability (perceptually even, legible in grey).
STABILITY_CMAP = "viridis"


def stability_figure(results: Sequence[Any], scores: Sequence[np.ndarray], seeds: Sequence[int], k: int, *,
                     style: str = DEFAULT_STYLE) -> Figure:
    """One panel per data set: ``results[i]``'s layout (an :class:`~fmnist_viz.results.EmbeddingResult`, one
    seed's) with each point coloured by ``scores[i]``, its stability across ``seeds`` (the mean Jaccard overlap
    of its ``k`` nearest 2-D neighbours); titled with the mean; one colour bar. Returns the Figure."""
    import matplotlib.pyplot as plt
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    conf = check_style(style)
    if not results or len(scores) != len(results):
        raise ValueError(f"{len(results)} layouts need as many arrays of scores, got {len(scores)}")
    norm, cmap = Normalize(0, 1), plt.get_cmap(STABILITY_CMAP)
    _, size = figure_size(1, len(results), style, title_lines=2, legend_lines=2)
    with plt.rc_context(style_rc(conf)):
        fig, axes = plt.subplots(1, len(results), figsize=size, layout="constrained", squeeze=False)
        for ax, r, mine in zip(axes[0], results, scores, strict=True):
            title = (f"{r.title}: {method_label(r.method)} of {len(r):,} points, seed {r.seed}\n"
                     f"mean stability {float(np.mean(mine)):.3f} over seeds {', '.join(map(str, seeds))}")
            plot_embedding(r.positions, r.labels, r.class_names, ax=ax, title=title, legend=False,
                           point_colors=cmap(norm(mine)))
        fig.colorbar(ScalarMappable(norm, cmap), ax=axes, orientation="horizontal", shrink=0.6, aspect=40,
                     label=f"stability across seeds\n(mean Jaccard overlap of each point's {k} nearest neighbours "
                           "in the layout, over every pair of seeds)")
    return fig
