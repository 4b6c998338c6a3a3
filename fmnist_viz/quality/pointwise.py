"""Quality point by point: what "colour by" shows in pages and figures.

- ``disagreement``: the majority class of a point's 10 nearest neighbours in
  2-D is not its own (1), or is (0): where a picture mixes classes;
- ``preservation``: the share of a point's 10 nearest neighbours in the
  prepared space (the shared k-NN graph the methods used) that are also among
  its 10 nearest in 2-D: where a picture keeps, or tears, neighbourhoods.

Both are measured on the method's own embedding (alignment changes no
distance) and cached beside it.
"""

from __future__ import annotations

import numpy as np

from ..errors import UsageError
from .metrics import DEFAULT_K, neighbour_sets, shared_fraction

#: The measures of every embedding, above.
MEASURES = ("disagreement", "preservation")
#: What points can be coloured by: their class (the default) or one of the measures (held-out pages also by
#: held-out error: :data:`fmnist_viz.render.style.COLOR_MODES`).
COLOR_BY = ("class", *MEASURES)
#: Bump when a measure is computed differently, so cached values are measured again.
POINTWISE_VERSION = 2


def check_color_by(mode: str) -> str:
    """``mode`` if points can be coloured by it, else a UsageError naming the choices."""
    if mode not in COLOR_BY:
        raise UsageError(f"must be one of {', '.join(COLOR_BY)}, got {mode!r}", param="color_by")
    return mode


def disagreement(embedding: np.ndarray, labels: np.ndarray, k: int = DEFAULT_K) -> np.ndarray:
    """1 where the majority class of a point's ``k`` nearest 2-D neighbours differs from its own, else 0 (uint8)."""
    labels = np.asarray(labels).astype(np.int64)
    near = labels[neighbour_sets(np.asarray(embedding, dtype=np.float64), k)]
    votes = np.zeros((len(labels), int(labels.max()) + 1), dtype=np.int32)
    np.add.at(votes, (np.repeat(np.arange(len(labels)), k), near.ravel()), 1)
    return (votes.argmax(axis=1) != labels).astype(np.uint8)


def preservation(embedding: np.ndarray, graph: np.ndarray) -> np.ndarray:
    """The share of each point's neighbours in ``graph`` (n, k) that are among its k nearest in 2-D (float32)."""
    low = neighbour_sets(np.asarray(embedding, dtype=np.float64), graph.shape[1])
    return shared_fraction(graph, low).astype(np.float32)
