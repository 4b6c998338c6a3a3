"""The global measures, against plain loops over their definitions and on layouts whose answer is known."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from fmnist_viz.quality.structure import (
    centroid_triplet_accuracy,
    distance_pairs,
    distance_spearman,
    global_features,
    random_triplet_accuracy,
)


def loop_random_triplet(high: np.ndarray, low: np.ndarray, seed: int, per_point: int = 5) -> float:
    """The definition, one triplet at a time (the same random pairs as the measure draws)."""
    n = len(high)
    pairs = np.random.default_rng(seed).integers(0, n, size=(n, per_point, 2))
    agree = 0
    for i in range(n):
        for j, k in pairs[i]:
            near_high = np.linalg.norm(high[i] - high[j]) < np.linalg.norm(high[i] - high[k])
            near_low = np.linalg.norm(low[i] - low[j]) < np.linalg.norm(low[i] - low[k])
            agree += near_high == near_low
    return agree / (n * per_point)


def loop_centroid_triplet(high: np.ndarray, low: np.ndarray, labels: np.ndarray) -> float:
    classes = sorted(set(labels.tolist()))
    def distances(space: np.ndarray) -> list[float]:
        centres = [space[labels == c].mean(axis=0) for c in classes]
        return [float(np.linalg.norm(centres[a] - centres[b])) for a in range(len(classes)) for b in range(a)]
    high_d, low_d = distances(high), distances(low)
    agree = total = 0
    for i, j in itertools.combinations(range(len(high_d)), 2):
        agree += (high_d[i] > high_d[j] and low_d[i] > low_d[j]) or (high_d[i] <= high_d[j] and low_d[i] <= low_d[j])
        total += 1
    return agree / total


def spearman_by_ranks(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rho as the Pearson correlation of the ranks (no ties in continuous data)."""
    ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


@pytest.fixture
def blobs() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Four classes in 6-D at different distances from each other, and a 2-D layout that roughly keeps them."""
    rng = np.random.default_rng(3)
    centres = np.array([[0, 0, 0, 0, 0, 0], [4, 0, 0, 0, 0, 0], [0, 9, 0, 0, 0, 0], [0, 0, 16, 0, 0, 0]], float)
    labels = np.repeat(np.arange(4), 30)
    high = centres[labels] + rng.normal(0, 1, (120, 6))
    low = high[:, :2] + high[:, 2:3] * 0.3 + rng.normal(0, 0.5, (120, 2))
    return high.astype(np.float32), low, labels


def test_each_measure_is_its_definition(blobs: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    high, low, labels = blobs
    assert random_triplet_accuracy(high, low, seed=4) == pytest.approx(loop_random_triplet(high, low, 4))
    assert centroid_triplet_accuracy(high, low, labels) == pytest.approx(loop_centroid_triplet(high, low, labels))
    pairs = distance_pairs(len(high), 500, seed=2)
    assert (pairs[:, 0] != pairs[:, 1]).all() and len(pairs) == 500
    a = np.linalg.norm(high[pairs[:, 0]] - high[pairs[:, 1]], axis=1)
    b = np.linalg.norm(low[pairs[:, 0]] - low[pairs[:, 1]], axis=1)
    assert distance_spearman(high, low, seed=2, pairs=500) == pytest.approx(spearman_by_ranks(a, b), abs=1e-5)


def test_a_copy_scores_one_and_an_unrelated_layout_scores_chance(blobs: tuple[np.ndarray, np.ndarray,
                                                                              np.ndarray]) -> None:
    high, _, labels = blobs
    rng = np.random.default_rng(0)
    many = np.repeat(high, 20, axis=0) + rng.normal(0, 0.01, (2400, 6)).astype(np.float32)
    many_labels = np.repeat(labels, 20)
    copy = many * 3.0 + 1.0  # scaled and shifted: every order kept
    assert random_triplet_accuracy(many, copy) == 1.0
    assert centroid_triplet_accuracy(many, copy, many_labels) == 1.0
    assert distance_spearman(many, copy) == pytest.approx(1.0)
    shuffled = copy[rng.permutation(len(copy))]
    assert abs(random_triplet_accuracy(many, shuffled) - 0.5) < 0.03
    assert abs(distance_spearman(many, shuffled)) < 0.05
    two_classes = np.repeat([0, 1], 1200)
    assert np.isnan(centroid_triplet_accuracy(many, copy, two_classes))  # one distance: nothing to order


def test_the_space_is_pca_100_of_scaled_pixels() -> None:
    pixels = np.random.default_rng(1).integers(0, 256, (300, 784)).astype(np.uint8)
    space = global_features(pixels)
    assert space.shape == (300, 100) and space.dtype == np.float32
    small = pixels[:, :50]
    np.testing.assert_allclose(global_features(small), small / 255, atol=1e-6)  # no more dims than 100: as is


def test_the_metrics_table_carries_the_global_columns(tiny, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from fmnist_viz.cli.parser import main

    tiny.write(tmp_path / "d" / "tiny")
    assert main(["metrics", "--dataset", "tiny", "--methods", "pca", "--format", "csv", "--data-dir",
                 str(tmp_path / "d")]) == 0
    header, row = capsys.readouterr().out.strip().splitlines()[-2:]
    values = dict(zip(header.split(","), row.split(","), strict=True))
    for name in ("random_triplet_accuracy", "centroid_triplet_accuracy", "distance_spearman"):
        assert -1 <= float(values[name]) <= 1, values
    assert float(values["random_triplet_accuracy"]) > 0.55  # PCA keeps much of the global arrangement


def test_the_space_comes_from_the_run_s_prepared_data(tiny, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                      own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run with the default PCA and seed has prepared the global measures' space: measuring its results makes
    no PCA of its own. A run of another seed makes it once and caches it as that run would have."""
    from fmnist_viz import run
    from fmnist_viz.pipeline.measure import evaluate_results

    from conftest import patch_everywhere

    tiny.write(tmp_path / "d" / "tiny")
    made = []
    patch_everywhere(monkeypatch, global_features, lambda X: made.append(len(X)) or global_features(X))
    evaluate_results(run(["pca"], ["tiny"], seed=3, data_dir=tmp_path / "d"), data_dir=tmp_path / "d")
    evaluate_results(run(["umap"], ["tiny"], seed=3, params={"umap": {"n_epochs": 5}}, data_dir=tmp_path / "d"),
                     data_dir=tmp_path / "d")
    assert made == [50]  # once for the rows, then from the cache
    evaluate_results(run(["pca"], ["tiny"], pca_dims=20, data_dir=tmp_path / "d"), data_dir=tmp_path / "d")
    assert made == [50]  # another PCA for the methods, the same space for the measures
    evaluate_results(run(["pca"], ["tiny"], n=40, data_dir=tmp_path / "d"), data_dir=tmp_path / "d")
    assert made == [50]  # 40 rows at the default PCA and seed: the run prepared the space, none is made here
