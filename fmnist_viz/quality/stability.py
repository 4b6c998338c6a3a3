"""Would another seed draw the same picture? Stability of each point across the layouts of several seeds.

A point is stable when its nearest neighbours in the layout are the same
whichever seed drew it: :func:`neighbour_stability` is, for each point, the
mean Jaccard overlap of its ``k`` nearest 2-D neighbours over every pair of
seeds (1: the same neighbours in every layout; 0: none shared). It needs no
alignment of the layouts, since only their neighbour sets are compared.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from .metrics import DEFAULT_K, neighbour_sets, shared_fraction


def neighbour_stability(layouts: Sequence[np.ndarray], k: int = DEFAULT_K) -> np.ndarray:
    """For each point (row) of the layouts, the mean over every pair of layouts of the Jaccard overlap of its
    ``k`` nearest neighbours in the one and in the other: (n,) float32 in [0, 1]. The layouts are of the same
    points in the same order, two or more of them."""
    if len(layouts) < 2:
        raise ValueError(f"stability compares two or more layouts, got {len(layouts)}")
    n = len(layouts[0])
    if any(len(layout) != n for layout in layouts) or not 1 <= k < n:
        raise ValueError(f"layouts of {[len(layout) for layout in layouts]} points cannot be compared with k={k}")
    sets = [neighbour_sets(np.asarray(layout, dtype=np.float64), k) for layout in layouts]
    total = np.zeros(n)
    pairs = list(itertools.combinations(range(len(sets)), 2))
    for a, b in pairs:
        shared = shared_fraction(sets[a], sets[b]) * k
        total += shared / (2 * k - shared)  # |A and B| / |A or B| for two sets of k
    return (total / len(pairs)).astype(np.float32)
