"""Aligning layouts: Procrustes recovers a pose exactly; results of a run are aligned onto one method."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fmnist_viz.errors import UsageError
from fmnist_viz.outputs.embeddings import save_result_npz
from fmnist_viz.quality.align import align_results, procrustes, reference_method

from conftest import fake_result


def test_procrustes_undoes_rotation_reflection_scale_and_shift() -> None:
    reference = np.random.default_rng(0).normal(size=(500, 2)).astype(np.float32)
    angle = 1.1
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    posed = 3.5 * reference @ rotation @ np.diag([1, -1]) + [10, -4]
    aligned, disparity = procrustes(posed, reference)
    np.testing.assert_allclose(aligned, reference, atol=1e-4)
    assert disparity < 1e-8
    unrelated = np.random.default_rng(1).normal(size=(500, 2))
    assert procrustes(unrelated, reference)[1] > 0.9  # nothing to recover: the residual is all of it


def test_results_are_aligned_onto_the_reference_of_each_data_set() -> None:
    pca, umap = fake_result("fashion", 300, 0), fake_result("fashion", 300, 1)
    pca.method = "pca"
    umap.index, umap.labels = pca.index, pca.labels
    umap.embedding = (2 * pca.embedding @ np.array([[0, 1], [-1, 0]]) + 5).astype(np.float32)
    assert align_results([umap, pca]) == "pca"  # auto: PCA, whatever the order
    assert pca.aligned is None and np.allclose(umap.positions, pca.embedding, atol=1e-4)
    assert np.array_equal(umap.embedding, (2 * pca.embedding @ np.array([[0, 1], [-1, 0]]) + 5).astype(np.float32))
    assert align_results([umap, pca], "none") is None and umap.aligned is None
    with pytest.raises(UsageError, match="align must be auto, none or one of the methods run"):
        align_results([umap, pca], "tsne")
    assert reference_method(["umap"]) is None  # one method: nothing to align to


def test_npz_keeps_the_raw_embedding_and_adds_the_aligned_one(tmp_path: Path) -> None:
    pca, umap = fake_result("fashion", 50, 0), fake_result("fashion", 50, 1)
    pca.method = "pca"
    umap.index, umap.labels = pca.index, pca.labels
    align_results([pca, umap])
    with np.load(save_result_npz(umap, tmp_path)) as npz:
        np.testing.assert_array_equal(npz["embedding"], umap.embedding)
        np.testing.assert_array_equal(npz["aligned"], umap.aligned)
    with np.load(save_result_npz(pca, tmp_path)) as npz:
        assert "aligned" not in npz.files
