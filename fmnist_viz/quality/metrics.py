"""How good is an embedding? Quality numbers for figures, tables and benchmarks.

- :func:`trustworthiness`: scikit-learn's trustworthiness@k on a fixed random
  sample (the full 70,000 x 70,000 problem would not fit in memory);
- :func:`knn_accuracy`: k-NN classification accuracy in 2-D, fit on the
  training split and scored on the test split;
- :func:`neighborhood_preservation`: the mean fraction of each point's k
  nearest neighbours in the original space that are also among its k nearest
  in 2-D, on the same sample;
- :func:`explained_variance`: for PCA, the share of the pixels' variance its
  two components hold;
- the global measures of :mod:`.structure`: random-triplet and
  centroid-triplet accuracy, the rank correlation of distances.

Distances in the original space are Euclidean on pixels scaled to [0, 1]
(for the global measures, on their first 100 principal components).
:func:`evaluate` computes them all and how long each took;
(:func:`fmnist_viz.pipeline.measure.evaluate_results` fills results with them,
cached beside each embedding); :func:`format_table` writes rows of them as markdown, CSV or JSON.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..embed.prepare import scale_pixels
from ..errors import UsageError, check_number
from .structure import centroid_triplet_accuracy, distance_spearman, global_features, random_triplet_accuracy

DEFAULT_K = 10
DEFAULT_SAMPLE = 5000
#: Bump when a metric is computed differently, so cached numbers are measured again.
METRICS_VERSION = 3
#: Methods whose two axes are linear projections of the pixels: they also report explained variance.
LINEAR_METHODS = ("pca",)
#: What :func:`format_table` writes.
TABLE_FORMATS = ("markdown", "csv", "json")


def sample_rows(n: int, size: int = DEFAULT_SAMPLE, seed: int = 0) -> np.ndarray:
    """A fixed random sample of row numbers (all rows when ``n <= size``), sorted."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))


def check_k(k: int, n: int, sample: int = DEFAULT_SAMPLE) -> int:
    """``k`` if the metrics can use that many neighbours on ``n`` points, else a UsageError saying the most.

    Trustworthiness needs fewer than half of the points it measures (at most
    ``sample`` of them) as neighbours; a larger ``k`` is refused, not cut down.
    """

    measured = min(n, sample)
    highest = max(1, (measured - 1) // 2)
    if check_number(k, "k", low=1, integer=True) > highest:
        raise UsageError(f"must be at most {highest} for {measured:,} measured points (trustworthiness needs "
                         f"fewer neighbours than half the points), got {k}", param="k")
    return k


def trustworthiness(X: np.ndarray, embedding: np.ndarray, k: int = DEFAULT_K,
                    sample: int = DEFAULT_SAMPLE, seed: int = 0) -> float:
    """Trustworthiness@k of ``embedding`` for the rows of ``X``, on a fixed random sample."""
    from sklearn.manifold import trustworthiness as sk_trustworthiness

    rows = sample_rows(len(X), sample, seed)
    check_k(k, len(X), sample)
    return float(sk_trustworthiness(scale_pixels(X[rows]), embedding[rows], n_neighbors=k))


def knn_accuracy(embedding: np.ndarray, labels: np.ndarray, is_train: np.ndarray, k: int = DEFAULT_K) -> float:
    """Accuracy of k-NN classification in 2-D: fit on the ``is_train`` rows, scored on the rest.

    NaN when either side is empty (e.g. a test-only subset).
    """
    from sklearn.neighbors import KNeighborsClassifier

    train, test = np.flatnonzero(is_train), np.flatnonzero(~is_train)
    if len(train) == 0 or len(test) == 0:
        return float("nan")
    k = min(k, len(train))
    classifier = KNeighborsClassifier(n_neighbors=k).fit(embedding[train], labels[train])
    return float(classifier.score(embedding[test], labels[test]))


def neighbour_sets(points: np.ndarray, k: int) -> np.ndarray:
    """Each point's ``k`` nearest neighbours (n, k), the point itself excluded."""
    from sklearn.neighbors import NearestNeighbors

    # kneighbors() without a query already leaves each point out of its own list
    return NearestNeighbors(n_neighbors=k).fit(points).kneighbors(return_distance=False)


def shared_fraction(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per row, the share of ``a``'s entries that are also in ``b`` (both (n, k), distinct entries per row)."""
    # sorted together, each shared entry appears twice in a row
    both = np.sort(np.concatenate([a, b], axis=1), axis=1)
    return (both[:, 1:] == both[:, :-1]).sum(axis=1) / a.shape[1]


def neighborhood_preservation(X: np.ndarray, embedding: np.ndarray, k: int = DEFAULT_K,
                              sample: int = DEFAULT_SAMPLE, seed: int = 0) -> float:
    """Mean share of each point's k nearest neighbours kept in 2-D, within a fixed sample."""
    rows = sample_rows(len(X), sample, seed)
    check_k(k, len(X), sample)
    high = neighbour_sets(scale_pixels(X[rows]), k)
    low = neighbour_sets(np.asarray(embedding[rows], dtype=np.float64), k)
    return float(shared_fraction(high, low).mean())


def explained_variance(X: np.ndarray, embedding: np.ndarray) -> float:
    """The share of the (scaled) pixels' total variance that the embedding's axes hold.

    For PCA that is the explained variance ratio of its two components; for a
    non-linear method the number has no such meaning, so only
    :data:`LINEAR_METHODS` report it.
    """
    total = float(scale_pixels(X).var(axis=0, dtype=np.float64).sum())
    return float(np.asarray(embedding, dtype=np.float64).var(axis=0).sum() / total) if total else float("nan")


def evaluate(X: np.ndarray, embedding: np.ndarray, labels: np.ndarray, is_train: np.ndarray,
             k: int = DEFAULT_K, sample: int = DEFAULT_SAMPLE, seed: int = 0,
             features: np.ndarray | None = None) -> dict[str, Any]:
    """All quality numbers of one embedding, local and global, with the seconds each took. ``features`` are
    the global measures' space (:func:`~.structure.global_features` of ``X``; made here when not given)."""
    check_k(k, len(X), sample)
    space = global_features(X) if features is None else features
    results: dict[str, Any] = {}
    for name, func in (
        ("knn_accuracy", lambda: knn_accuracy(embedding, labels, is_train, k)),
        ("trustworthiness", lambda: trustworthiness(X, embedding, k, sample, seed)),
        ("neighborhood_preservation", lambda: neighborhood_preservation(X, embedding, k, sample, seed)),
        ("random_triplet_accuracy", lambda: random_triplet_accuracy(space, embedding, seed)),
        ("centroid_triplet_accuracy", lambda: centroid_triplet_accuracy(space, embedding, labels)),
        ("distance_spearman", lambda: distance_spearman(space, embedding, seed)),
    ):
        start = time.perf_counter()
        results[name] = func()
        results[f"{name}_seconds"] = time.perf_counter() - start
    return results


def measure(method: str, X: np.ndarray, embedding: np.ndarray, labels: np.ndarray, is_train: np.ndarray,
            seed: int = 0, features: np.ndarray | None = None, *, k: int = DEFAULT_K,
            sample: int = DEFAULT_SAMPLE) -> dict[str, float]:
    """:func:`evaluate` of one method's embedding, with PCA's explained variance: what
    :func:`fmnist_viz.pipeline.measure.evaluate_results` fills a result with, also run where a sweep's cell ran."""
    found = evaluate(X, embedding, labels, is_train, k=k, sample=sample, seed=seed, features=features)
    if method in LINEAR_METHODS:
        found["explained_variance"] = explained_variance(X, embedding)
    return {name: float(value) for name, value in found.items()}


def metrics_key(embedding_key: dict[str, Any], k: int = DEFAULT_K, sample: int = DEFAULT_SAMPLE) -> dict[str, Any]:
    """Where the quality of the embedding cached under ``embedding_key`` is cached."""
    return {"embedding": embedding_key, "k": k, "sample": sample, "version": METRICS_VERSION}


def quality_rows(results: Sequence[Any]) -> list[dict[str, Any]]:
    """One table row per evaluated :class:`~fmnist_viz.results.EmbeddingResult`, numbers rounded.

    Every row has the same columns; a number only some methods have (e.g.
    ``explained_variance``) is empty in the others' rows.
    """
    rows = [{
        "dataset": r.dataset, "method": r.method, "n": len(r), "device": r.device,
        "embed_seconds": round(r.seconds, 2), "cached": r.cached,
        **{key: round(value, 4) for key, value in r.metrics.items()},
    } for r in results]
    columns = list(dict.fromkeys(key for row in rows for key in row))
    return [{column: row.get(column, "") for column in columns} for row in rows]


def format_table(rows: Sequence[dict[str, Any]], table_format: str = "markdown") -> str:
    """Rows of equal keys as a markdown table, CSV or JSON (``table_format``)."""

    if table_format not in TABLE_FORMATS:
        raise UsageError(f"must be one of {', '.join(TABLE_FORMATS)}, got {table_format!r}", param="format")
    if table_format == "json":
        return json.dumps(list(rows), indent=1)
    columns = list(rows[0]) if rows else []
    if table_format == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue().rstrip("\n")
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(row[c]) for c in columns) + " |" for row in rows]
    return "\n".join(lines)
