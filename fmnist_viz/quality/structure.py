"""Global structure: does a layout keep which points, and which classes, lie near which?

The local measures (:mod:`.metrics`) ask whether neighbours stay neighbours.
These ask about the whole arrangement, as the PaCMAP authors' evaluation
defines it (Wang et al., JMLR 2021), in the space of the first
:data:`GLOBAL_DIMS` principal components of the pixels scaled to [0, 1]
(:func:`global_features`):

- :func:`random_triplet_accuracy`: for each point, :data:`TRIPLETS_PER_POINT`
  random pairs of other points; the share of these triplets whose nearer
  point is the same in the layout as in the data;
- :func:`centroid_triplet_accuracy`: the same question of the class
  centroids, over every pair of centroid-to-centroid distances;
- :func:`distance_spearman`: Spearman's rank correlation of the distances of
  :data:`DISTANCE_PAIRS` random point pairs (those :func:`distance_pairs`
  gives, which a Shepard diagram draws).

A perfect copy of the data's arrangement scores 1; a layout unrelated to it
scores about 0.5 on the triplets and 0 on the correlation.
"""

from __future__ import annotations

import numpy as np

from ..embed.prepare import Prepared

#: The principal components the global measures compare the layout with, and the seed of their PCA.
GLOBAL_DIMS = 100
GLOBAL_SEED = 0
#: Random triplets per point (the PaCMAP authors' five).
TRIPLETS_PER_POINT = 5
#: Point pairs whose distances the rank correlation (and a Shepard diagram) compares.
DISTANCE_PAIRS = 100_000
#: Anchors whose triplets are measured at once (memory: chunk x per point x dimensions floats, twice).
CHUNK = 8192


def global_features(X: np.ndarray) -> np.ndarray:
    """The space the global measures work in: pixels scaled to [0, 1], then their first :data:`GLOBAL_DIMS`
    principal components (seed 0; the scaled pixels as they are when they have no more dimensions than that).
    It is what a run with the default PCA and seed prepares for the methods (made by the same preparation), so
    the pipeline finds it cached."""
    return Prepared.from_features(X, seed=GLOBAL_SEED, pca_dims=GLOBAL_DIMS, label="global structure").features


def _check_pair(features: np.ndarray, embedding: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    high, low = np.asarray(features, dtype=np.float32), np.asarray(embedding, dtype=np.float64)
    if high.ndim != 2 or low.ndim != 2 or len(high) != len(low):
        raise ValueError(f"features {high.shape} and embedding {low.shape} must be two tables of the same rows")
    return high, low


def random_triplet_accuracy(features: np.ndarray, embedding: np.ndarray, seed: int = 0,
                            per_point: int = TRIPLETS_PER_POINT) -> float:
    """The share of random triplets (each point with ``per_point`` random pairs of points, drawn with
    replacement as the authors do) whose nearer point of the pair is the same in ``embedding`` as in
    ``features``: 1 for a layout that keeps every such order, about 0.5 for one unrelated to the data."""
    high, low = _check_pair(features, embedding)
    n = len(high)
    pairs = np.random.default_rng(seed).integers(0, n, size=(n, per_point, 2))
    agree = 0
    for start in range(0, n, CHUNK):
        rows = np.arange(start, min(n, start + CHUNK))
        chosen = pairs[rows]
        orders = []
        for space in (high, low):
            anchor = space[rows][:, None, None, :]
            gaps = np.linalg.norm(space[chosen] - anchor, axis=-1)  # (rows, per_point, 2)
            orders.append(gaps[..., 0] < gaps[..., 1])
        agree += int((orders[0] == orders[1]).sum())
    return agree / (n * per_point)


def centroid_triplet_accuracy(features: np.ndarray, embedding: np.ndarray, labels: np.ndarray) -> float:
    """Over every pair of the class-centroid distances (45 for ten classes: 990 pairs), the share ordered the
    same way in ``embedding`` as in ``features`` (ties count as the second being the larger, as the authors do);
    NaN with fewer than three classes (fewer than two distances)."""
    high, low = _check_pair(features, embedding)
    classes = np.unique(labels)
    if len(classes) < 3:
        return float("nan")
    lower = np.tril_indices(len(classes), -1)
    orders = []
    for space in (high, low):
        centroids = np.stack([space[labels == c].mean(axis=0, dtype=np.float64) for c in classes])
        distances = np.linalg.norm(centroids[:, None] - centroids[None], axis=-1)[lower]
        orders.append(distances[:, None] > distances[None, :])  # [i, j]: distance i larger than distance j
    first, second = np.triu_indices(len(orders[0]), 1)
    return float((orders[0][first, second] == orders[1][first, second]).mean())


def distance_pairs(n: int, pairs: int = DISTANCE_PAIRS, seed: int = 0) -> np.ndarray:
    """``pairs`` random pairs of different points among ``n`` (every pair when there are fewer), (m, 2)."""
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    if n * (n - 1) // 2 <= pairs:
        return np.stack(np.triu_indices(n, 1), axis=1).astype(np.int64)
    rng = np.random.default_rng(seed)
    first = rng.integers(0, n, pairs)
    second = (first + rng.integers(1, n, pairs)) % n  # never the point itself
    return np.stack([first, second], axis=1)


def pair_distances(features: np.ndarray, embedding: np.ndarray, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distances of each pair of points in ``features`` and in ``embedding`` (what a Shepard diagram draws)."""
    high, low = _check_pair(features, embedding)
    i, j = pairs[:, 0], pairs[:, 1]
    return (np.linalg.norm(high[i] - high[j], axis=1).astype(np.float64),
            np.linalg.norm(low[i] - low[j], axis=1))


def distance_spearman(features: np.ndarray, embedding: np.ndarray, seed: int = 0,
                      pairs: int = DISTANCE_PAIRS) -> float:
    """Spearman's rank correlation of the distances of ``pairs`` random point pairs in ``features`` and in
    ``embedding``: 1 when the layout keeps every distance's rank, about 0 when it keeps none."""
    from scipy.stats import spearmanr

    high, low = pair_distances(features, embedding, distance_pairs(len(features), pairs, seed))
    if len(high) < 2:
        return float("nan")
    return float(spearmanr(high, low).statistic)
