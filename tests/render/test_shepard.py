"""The Shepard diagram: one density panel per method and data set, on one scale of counts, from the CLI too."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fmnist_viz.render.shepard import shepard_figure

from conftest import Tiny, fake_result


def test_a_panel_per_method_and_data_set_on_one_scale() -> None:
    results = [fake_result(d, 300, s) for d in ("fashion", "mnist") for s in (0,)]
    results += [fake_result(d, 300, 1) for d in ("fashion", "mnist")]
    for r, method in zip(results, ["pca", "pca", "umap", "umap"], strict=True):
        r.method, r.metrics = method, {"distance_spearman": 0.5}
    rng = np.random.default_rng(0)
    distances = [(rng.uniform(0, 10, 2000), rng.uniform(0, 5 * (k + 1), 2000)) for k in range(4)]
    fig = shepard_figure(results, distances)
    panels = [ax for ax in fig.axes if ax.collections and ax.get_label() != "<colorbar>"]
    assert len(panels) == 4 and [ax.get_title().split("\n")[0] for ax in panels[:2]] == [
        f"{results[0].title}: PCA", f"{results[1].title}: PCA"]  # a row per method, a column per data set
    assert all("2,000 pairs of 300 points, Spearman 0.500" in ax.get_title() for ax in panels)
    assert len({id(ax.collections[0].norm) for ax in panels}) == 1  # one colour scale for every panel
    assert all(ax.get_xlim()[0] == 0 and ax.get_ylim()[0] == 0 for ax in panels)
    with pytest.raises(ValueError, match="need as many pairs of distances"):
        shepard_figure(results, distances[:3])


def test_metrics_draws_it_and_refuses_a_bad_name_first(tiny: Tiny, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    import fmnist_viz as fv
    from fmnist_viz.cli.parser import build_parser, main

    assert "Shepard diagram" in build_parser()._subparsers._group_actions[0].choices["metrics"].format_help()
    tiny.write(tmp_path / "d" / "tiny")
    argv = ["metrics", "--dataset", "tiny", "--methods", "pca", "--data-dir", str(tmp_path / "d")]
    assert main([*argv, "--shepard", str(tmp_path / "s.jpeg")]) == 2  # refused before any embedding
    assert "use one of: .png, .svg, .pdf" in capsys.readouterr().err
    assert main([*argv, "--shepard", str(tmp_path / "s.png")]) == 0
    assert (tmp_path / "s.png").read_bytes().startswith(b"\x89PNG")
    (result,) = fv.run(["pca"], ["tiny"], data_dir=tmp_path / "d")
    fig = fv.shepard(result, data_dir=tmp_path / "d")
    assert not result.metrics  # the caller's result is not changed
    (panel,) = [ax for ax in fig.axes if ax.collections and ax.get_label() != "<colorbar>"]
    assert "1,225 pairs of 50 points" in panel.get_title()  # every pair of 50 points
