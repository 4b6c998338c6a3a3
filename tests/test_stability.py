"""Stability across seeds: the measure against its definition, the study's refusals, the command's files."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import numpy as np
import pytest

from fmnist_viz.cli.parser import main
from fmnist_viz.errors import UsageError
from fmnist_viz.quality.stability import neighbour_stability
from fmnist_viz.studies.stability import stability

from conftest import Tiny, patch_everywhere


def loop_stability(layouts: list[np.ndarray], k: int) -> np.ndarray:
    """The definition, point by point: the mean over pairs of layouts of |A & B| / |A | B| of its k nearest."""
    def nearest(layout: np.ndarray, i: int) -> set[int]:
        gaps = np.linalg.norm(layout - layout[i], axis=1)
        gaps[i] = np.inf
        return set(np.argsort(gaps, kind="stable")[:k].tolist())

    n = len(layouts[0])
    found = np.zeros(n)
    pairs = list(itertools.combinations(layouts, 2))
    for i in range(n):
        found[i] = np.mean([len(nearest(a, i) & nearest(b, i)) / len(nearest(a, i) | nearest(b, i))
                            for a, b in pairs])
    return found


def test_the_measure_is_its_definition() -> None:
    rng = np.random.default_rng(0)
    base = rng.normal(size=(80, 2))
    layouts = [base + rng.normal(0, s, base.shape) for s in (0.05, 0.2, 0.5)]
    np.testing.assert_allclose(neighbour_stability(layouts, 5), loop_stability(layouts, 5), atol=1e-6)
    turned = base @ np.array([[0, -1], [1, 0]]) * 7 + 3  # rotated, scaled, moved: the same neighbours
    assert (neighbour_stability([base, turned], 5) == 1).all()
    unrelated = neighbour_stability([base, rng.normal(size=(80, 2))], 5)
    assert unrelated.mean() < 0.1 and unrelated.min() >= 0
    with pytest.raises(ValueError, match="two or more layouts"):
        neighbour_stability([base], 5)


def test_what_cannot_be_measured_is_refused_before_any_work(tiny: Tiny, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from fmnist_viz import pipeline

    tiny.write(tmp_path / "d" / "tiny")
    patch_everywhere(monkeypatch, pipeline.plan_jobs, lambda *a, **k: pytest.fail("started work"))
    kw = {"data_dir": tmp_path / "d"}
    for call, says in [
        (lambda: stability("umap", [0], ["tiny"], **kw), "needs two or more seeds"),
        (lambda: stability("umap", [0, 0], ["tiny"], **kw), "repeats 0"),
        (lambda: stability("pca", [0, 1], ["tiny"], **kw), "pca with these parameters draws the same layout"),
        (lambda: stability("tsne", [0, 1], ["tiny"], **kw), "same layout whatever the seed"),  # PCA start
        (lambda: stability("umap", [0, 1], ["tiny"], n=20, k=20, **kw), "must be below the 20 points"),
        (lambda: stability("umap", [0, 1], ["tiny"], params={"n_neighbours": 5}, **kw), "n_neighbours"),
    ]:
        with pytest.raises(UsageError, match=says):
            call()


def test_the_command_writes_a_value_per_point_a_figure_and_a_page(tiny: Tiny, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    argv = ["stability", "umap", "--seeds", "0,1,2", "--dataset", "tiny", "--param", "n_epochs=20", "-k", "5",
            "--format", "csv,png,html,npz", "--out", str(tmp_path / "o"), "--data-dir", str(tmp_path / "d")]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "| dataset | class | points | mean | median | lowest_tenth |" in out
    stem = tmp_path / "o" / "stability_umap_tiny_n_epochs-20_seeds-0-1-2"
    with open(f"{stem}.csv") as f:
        rows = list(csv.DictReader(f))
    values = [float(r["stability"]) for r in rows]
    assert len(rows) == 50 and {r["dataset"] for r in rows} == {"tiny"}
    assert all(0 <= v <= 1 for v in values) and len(set(values)) > 3  # a value per point, not one for all
    assert sorted(int(r["index"]) for r in rows) == list(range(50))
    saved = np.load(f"{stem}_tiny.npz")
    assert saved["layouts"].shape == (3, 50, 2)
    np.testing.assert_allclose(saved["stability"], loop_stability(list(saved["layouts"]), 5), atol=1e-4)
    assert Path(f"{stem}.png").read_bytes().startswith(b"\x89PNG")
    assert '"stability"' in Path(f"{stem}.html").read_text()  # the page can colour by it
    assert main([*argv[:3], "0", *argv[4:]]) == 2
    assert "--seeds needs two or more seeds" in capsys.readouterr().err
