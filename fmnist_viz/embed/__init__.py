"""The embedding layer: one interface, a registry with plugins, the built-in methods, shared preparation.

- :mod:`.base`: :class:`Embedder` and :class:`Param`, the interface every method implements;
- :mod:`.registry`: built-ins and entry-point plugins by name (:func:`create`);
- :mod:`.methods`: PCA, t-SNE, UMAP and PyMDE;
- :mod:`.prepare`: scaling, PCA and the shared k-NN graph (:class:`Prepared`).
"""

from __future__ import annotations

from .base import Embedder, Param, check_enough_points
from .prepare import DEFAULT_PCA_DIMS, Prepared, check_pca_dims, knn_graph
from .registry import (
    BUILTIN_METHODS,
    ENTRY_POINT_GROUP,
    create,
    embedder_names,
    get_embedder_class,
    load_embedders,
    method_label,
    register,
)

__all__ = [
    "BUILTIN_METHODS", "DEFAULT_PCA_DIMS", "check_pca_dims", "ENTRY_POINT_GROUP", "Embedder", "Param", "Prepared",
    "check_enough_points", "create", "embedder_names", "get_embedder_class", "knn_graph", "load_embedders",
    "method_label", "register",
]
