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
    #: The embedding rotated/scaled onto the run's reference method (:func:`fmnist_viz.quality.align.align_results`).
    aligned: np.ndarray | None = field(default=None, repr=False)
    #: Quality point by point, once measured (:func:`fmnist_viz.pipeline.measure.point_quality`).
    pointwise: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    #: The k-NN graph of the prepared data its run computed or loaded (n, k + 1; each point first), kept in memory
    #: so the point-by-point measures use the same graph instead of making another.
    neighbors: np.ndarray | None = field(default=None, repr=False)
    #: A flag per point: placed into a layout fitted on the others (held-out images, drawn above them; None: all
    #: fitted): :meth:`HeldoutResult.as_embedding`. (:attr:`HeldoutResult.placed` are the placed points' coordinates.)
    is_placed: np.ndarray | None = field(default=None, repr=False)

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


#: The neighbours a held-out result's placed points are classified by, and the scores it carries.
HELDOUT_K = (1, 5, 10)
HELDOUT_SCORES = (*(f"knn{k}_accuracy" for k in HELDOUT_K), "trustworthiness")


@dataclass
class HeldoutResult:
    """One method fitted on one data set's training images, with its test images placed into that layout."""

    dataset: str
    title: str
    method: str
    params: dict[str, Any]
    seed: int
    class_names: tuple[str, ...]
    fitted_index: np.ndarray  # (n,) rows of load(dataset, split="all") it was fitted on
    fitted_labels: np.ndarray
    placed_index: np.ndarray  # (m,) rows placed: the test split
    placed_labels: np.ndarray
    device: str = "cpu"
    fit_first: int | None = None  # fitted on the first this many training images; None: on all of them
    pca_dims: int = 0  # PCA dimensions of the fitted and placed images (0: the pixels as they are)
    #: The settings that differ from the defaults (``fit``, ``seed``, ``pca``, method parameters), as
    #: :attr:`EmbeddingResult.variant`: file names carry them.
    variant: dict[str, Any] = field(default_factory=dict)
    fitted: np.ndarray | None = field(default=None, repr=False)  # (n, 2) float32
    placed: np.ndarray | None = field(default=None, repr=False)  # (m, 2) float32, the fitted points unmoved
    fit_seconds: float = 0.0
    place_seconds: float = 0.0
    cached: bool = False
    metrics: dict[str, float] = field(default_factory=dict)  # knn1/5/10_accuracy, trustworthiness
    wrong: np.ndarray | None = field(default=None, repr=False)  # (m,) bool: misclassified by its 5 nearest fitted
    error: str = ""  # why it could not be placed

    @property
    def status(self) -> str:
        return "failed" if self.error else "done"

    def as_embedding(self) -> EmbeddingResult:
        """The fitted and placed points as one :class:`EmbeddingResult` (what pages draw): ``is_placed`` marks the
        placed ones, and ``pointwise["heldout"]`` is 0 for a fitted point, 1 for a placed one its 5 nearest fitted
        points classify right, 2 for a misclassified one."""
        if self.placed is None or self.fitted is None:
            raise ValueError(f"{self.method} on {self.dataset} was not placed: {self.error or 'no layout'}")
        n, m = len(self.fitted), len(self.placed)
        wrong = np.zeros(m, bool) if self.wrong is None else self.wrong
        return EmbeddingResult(
            self.dataset, self.title, self.method, dict(self.params), np.concatenate([self.fitted, self.placed]),
            np.concatenate([self.fitted_labels, self.placed_labels]).astype(np.uint8),
            np.concatenate([self.fitted_index, self.placed_index]).astype(np.int64), self.class_names, self.seed,
            self.device, self.fit_seconds + self.place_seconds, self.cached, metrics=dict(self.metrics),
            pointwise={"heldout": np.concatenate([np.zeros(n, np.uint8), 1 + wrong.astype(np.uint8)])},
            is_placed=np.concatenate([np.zeros(n, bool), np.ones(m, bool)]))
