"""Quality numbers are cached beside their embedding, and tables format them."""

from __future__ import annotations

from pathlib import Path

import pytest

from fmnist_viz import run
from fmnist_viz.pipeline.measure import evaluate_results
from fmnist_viz.quality import metrics
from fmnist_viz.quality.metrics import format_table, quality_rows

from conftest import Tiny, patch_everywhere


def test_metrics_are_measured_once_then_come_from_the_cache(tiny: Tiny, tmp_path: Path, own_cache: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    first = run(["pca"], ["tiny"], data_dir=tmp_path / "d")
    evaluate_results(first, data_dir=tmp_path / "d")
    assert 0 < first[0].metrics["trustworthiness"] <= 1
    patch_everywhere(monkeypatch, metrics.evaluate, lambda *a, **k: pytest.fail("measured again"))
    patch_everywhere(monkeypatch, metrics.measure, lambda *a, **k: pytest.fail("measured again"))
    again = run(["pca"], ["tiny"], data_dir=tmp_path / "d")
    evaluate_results(again, data_dir=tmp_path / "d")
    assert again[0].metrics == pytest.approx(first[0].metrics)
    with pytest.raises(pytest.fail.Exception, match="measured again"):  # another k is another measurement
        evaluate_results(again, data_dir=tmp_path / "d", k=5)


def test_uncached_results_are_measured_every_time(tiny: Tiny, tmp_path: Path, own_cache: Path) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    (result,) = run(["pca"], ["tiny"], data_dir=tmp_path / "d", use_cache=False)
    assert result.cache_key is None
    evaluate_results([result], data_dir=tmp_path / "d")
    assert result.metrics and not (own_cache / "computed" / "metrics").exists()


def test_table_formats(tiny: Tiny, tmp_path: Path) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    results = run(["pca"], ["tiny"], data_dir=tmp_path / "d", use_cache=False)
    evaluate_results(results, data_dir=tmp_path / "d")
    rows = quality_rows(results)
    assert rows[0]["dataset"] == "tiny" and rows[0]["n"] == 50
    assert format_table(rows, "csv").splitlines()[0].startswith("dataset,method,n,device")
    assert format_table(rows, "markdown").startswith("| dataset | method |")
    assert '"method": "pca"' in format_table(rows, "json")


@pytest.mark.slow
def test_pca_reports_the_variance_its_two_components_explain(real_data: Path, own_cache: Path) -> None:
    from sklearn.decomposition import PCA

    from fmnist_viz.data import load
    from fmnist_viz.embed.prepare import scale_pixels
    from fmnist_viz.render.style import panel_title

    results = run(["pca", "umap"], ["fashion"], n=2000, seed=0, data_dir=real_data, use_cache=False)
    evaluate_results(results, data_dir=real_data)
    pca, umap = results
    X = scale_pixels(load("fashion", "all", data_dir=real_data).X[pca.index])
    expected = PCA(n_components=2).fit(X).explained_variance_ratio_.sum()  # about 0.47 for Fashion-MNIST
    assert pca.metrics["explained_variance"] == pytest.approx(expected, rel=0.01)
    assert "explained_variance" not in umap.metrics  # no such meaning for a non-linear map
    assert panel_title(pca).startswith(f"Fashion-MNIST: PCA of 2,000 points, {expected:.0%} of the variance\n")
    rows = quality_rows(results)
    assert list(rows[0]) == list(rows[1]) and rows[1]["explained_variance"] == ""
    assert format_table(rows, "csv").splitlines()[2].endswith(",")


def test_point_measures_use_each_points_own_nearest_neighbours() -> None:
    import numpy as np

    from fmnist_viz.quality.metrics import neighbour_sets
    from fmnist_viz.quality.pointwise import disagreement, preservation

    points = np.random.default_rng(0).normal(size=(300, 2))
    graph = neighbour_sets(points, 10)
    assert (graph != np.arange(300)[:, None]).all()  # never the point itself
    # each point's 10 nearest others, by brute force: neighbour_sets must find exactly these
    distances = np.linalg.norm(points[:, None] - points[None], axis=2)
    np.fill_diagonal(distances, np.inf)
    by_hand = np.argsort(distances, axis=1)[:, :10]
    assert (np.sort(graph, axis=1) == np.sort(by_hand, axis=1)).all()
    np.testing.assert_array_equal(preservation(points, by_hand), np.ones(300))  # the same space keeps them all
    # a graph of other neighbours: the share kept, counted by hand
    other = np.roll(by_hand, 1, axis=0)
    kept = [len(set(a) & set(b)) / 10 for a, b in zip(other, by_hand, strict=True)]
    np.testing.assert_allclose(preservation(points, other), kept)
    assert 0 < np.mean(kept) < 0.5
    labels = (points[:, 0] > 0).astype(int)
    assert disagreement(points, labels).mean() < 0.1  # two halves: only points at the border disagree
