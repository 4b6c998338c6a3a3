"""The results every layer passes around: one embedding (:class:`EmbeddingResult`) and one sweep cell (:class:`Cell`).

On the ground floor: this module imports nothing of the package, so data
loading, embedding, rendering, pipelines and outputs can all name these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class EmbeddingResult:
    """One method's 2-D embedding of one data set (or a subsample of it)."""

    dataset: str
    title: str
    method: str
    params: dict[str, Any]
    embedding: np.ndarray  # (n, 2) float32
    labels: np.ndarray  # (n,) uint8
    index: np.ndarray  # (n,) int64: rows of load(dataset, split="all")
    class_names: tuple[str, ...]
    seed: int
    device: str
    seconds: float  # time the embedding took when it was computed
    cached: bool
    metrics: dict[str, Any] = field(default_factory=dict)
    #: The settings that differ from the defaults (``n``, ``seed``, ``pca``, method parameters);
    #: output names carry them, so runs with other settings never overwrite each other.
    variant: dict[str, Any] = field(default_factory=dict)
    #: The key of its cache entry (None when caching is off): measured quality is cached under it.
    cache_key: dict[str, Any] | None = field(default=None, repr=False)
    #: The embedding rotated/scaled onto the run's reference method (:func:`fmnist_viz.align.align_results`).
    aligned: np.ndarray | None = field(default=None, repr=False)
    #: Quality point by point, once measured (:func:`fmnist_viz.pointwise.point_quality`).
    pointwise: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    #: The k-NN graph of the prepared data its run computed or loaded (n, k + 1; each point first), kept in memory
    #: so the point-by-point measures use the same graph instead of making another.
    neighbors: np.ndarray | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.embedding)

    @property
    def positions(self) -> np.ndarray:
        """The coordinates figures draw: the aligned layout when there is one, else the embedding."""
        return self.aligned if self.aligned is not None else self.embedding


@dataclass
class Cell:
    """One embedding of a sweep: parameter values, seed, data set, and what came of it."""

    dataset: str
    params: dict[str, Any]
    seed: int
    result: EmbeddingResult | None = None  # once done
    error: str = ""

    @property
    def status(self) -> str:
        return "failed" if self.error else "done" if self.result is not None else "pending"
