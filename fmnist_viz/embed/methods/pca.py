"""PCA: the first two principal components, from the shared PCA."""

from __future__ import annotations

import numpy as np

from ..base import Embedder
from ..place import Placement, place_pca
from ..prepare import Prepared


class PCAEmbedder(Embedder):
    """The first two principal components, from the shared PCA."""

    name = "pca"
    label = "PCA"
    summary = "principal component analysis: the two directions of largest variance"
    backend = "scikit-learn"
    backend_module = "sklearn"
    cost_per_1000 = 0.01  # the shared PCA
    seed_note = "changes nothing but the rows of a subsample (--n): PCA is deterministic"

    def seed_ignored(self) -> str:
        return "PCA is deterministic: every seed gives the same two components of the same prepared data"

    def _embed(self, data: Prepared, *, seed: int, device: str) -> np.ndarray:
        return data.principal_components(2)

    def _fit_place(self, fit: Prepared, new: np.ndarray, *, seed: int, device: str) -> Placement:
        return place_pca(fit, new, seed)
