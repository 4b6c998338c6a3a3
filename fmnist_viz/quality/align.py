"""Aligning 2-D layouts: the same class in roughly the same place in every method's panel.

Each method's layout of a data set is rotated, reflected, uniformly scaled and
shifted onto a reference layout of the same points (orthogonal Procrustes with
scaling): no distortion, only the pose changes, so a reader comparing panels
compares shapes, not orientations. t-SNE's and UMAP's axes mean nothing, so
nothing is lost; PCA's axes do, which is why PCA is the default reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import UsageError

#: ``align`` values besides a method name: pick the reference (PCA when run, else the first method), or none.
ALIGN_AUTO, ALIGN_NONE = "auto", "none"


def procrustes(embedding: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, float]:
    """``embedding`` rotated/reflected, uniformly scaled and shifted to best match ``reference`` (same rows).

    Returns the aligned (n, 2) float32 array and the disparity: the squared
    residual left after alignment, relative to the reference's spread (0 for
    a perfect match, 1 for no relation).
    """
    x = np.asarray(embedding, dtype=np.float64)
    y = np.asarray(reference, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 2:
        raise UsageError(f"must have the reference's shape {y.shape}, got {x.shape}", param="embedding")
    x_mean, y_mean = x.mean(axis=0), y.mean(axis=0)
    xc, yc = x - x_mean, y - y_mean
    u, s, vt = np.linalg.svd(xc.T @ yc)
    rotation = u @ vt
    norm = float((xc**2).sum())
    scale = float(s.sum()) / norm if norm else 1.0
    aligned = scale * xc @ rotation + y_mean
    spread = float((yc**2).sum())
    disparity = float(((aligned - y) ** 2).sum()) / spread if spread else 0.0
    return aligned.astype(np.float32), disparity


def reference_method(methods: Sequence[str], align: str = ALIGN_AUTO) -> str | None:
    """The method every layout is aligned onto: ``align`` itself, PCA for ``auto`` (else the first), or None."""
    if align == ALIGN_NONE or len(methods) < 2:
        return None
    if align == ALIGN_AUTO:
        return "pca" if "pca" in methods else methods[0]
    if align not in methods:
        raise UsageError(f"must be auto, none or one of the methods run ({', '.join(methods)}), got {align!r}",
                         param="align")
    return align


def align_results(results: Sequence[Any], align: str = ALIGN_AUTO) -> str | None:
    """Set each result's ``aligned`` layout onto the reference method's layout of the same data set.

    ``results`` are :class:`~fmnist_viz.results.EmbeddingResult`. Returns the
    reference method (None when nothing is aligned: ``align="none"`` or a
    single method). The reference's own layout is kept as it is.
    """
    methods = list(dict.fromkeys(r.method for r in results))
    reference = reference_method(methods, align)
    for r in results:
        r.aligned = None
    if reference is None:
        return None
    anchors = {r.dataset: r for r in results if r.method == reference}
    for r in results:
        anchor = anchors.get(r.dataset)
        if anchor is None or r is anchor:
            continue
        if not np.array_equal(anchor.index, r.index):
            raise UsageError(f"of {r.title} cover other rows than the {reference} result; align results of one run",
                             param="results")
        r.aligned, _ = procrustes(r.embedding, anchor.embedding)
    return reference
