"""Sweeps on this machine: grids checked before work, one row per cell, failures kept, reruns from the cache."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from fmnist_viz.cli.parser import main
from fmnist_viz.errors import UsageError
from fmnist_viz.studies.sweep_grid import parse_grid

from conftest import Tiny


def test_grids_are_checked_by_the_methods_own_parameters() -> None:
    assert parse_grid(["n_neighbors=5,15", "min_dist=0,0.5"], "umap") == {"n_neighbors": [5, 15],
                                                                          "min_dist": [0.0, 0.5]}
    for specs, message in ((["n_neighbors"], "must look like NAME=V1,V2"),
                           (["perplexity=5"], "not a parameter of umap"),
                           (["n_neighbors=5,x"], "must be of type int"),
                           (["min_dist=nan"], "must be a finite number"),
                           (["n_neighbors=5", "n_neighbors=6"], "gives 'n_neighbors' twice"),
                           (["n_neighbors=5,5"], "repeats a value"), ([], "is empty")):
        with pytest.raises(UsageError, match=message):
            parse_grid(specs, "umap")


def test_a_sweep_writes_a_row_per_cell_keeps_failures_and_reruns_from_the_cache(
        tiny: Tiny, tmp_path: Path, own_cache: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    argv = ["sweep", "tsne", "--dataset", "tiny", "--grid", "perplexity=3,5,20", "--grid", "init=random,pca",
            "--seeds", "0,1", "--format", "csv,png,html", "--out", str(tmp_path / "o"),
            "--data-dir", str(tmp_path / "d")]
    assert main(argv) == 1  # perplexity 20 needs 60 neighbours of 50 points: those cells fail, the rest run
    # t-SNE from the PCA start ignores the seed: said before any work, and those settings run with seed 0 only
    printed = capsys.readouterr()
    assert "the seed changes nothing here: t-SNE with init=pca" in printed.err and "vary init=random" in printed.err
    assert printed.err.index("the seed changes nothing") < printed.err.index("neighbour graph")  # before any work
    out = printed.out.split()
    stem = tmp_path / "o" / "sweep_tsne_tiny_perplexity-3-5-20_init-random-pca_seeds-0-1"
    table = Path(f"{stem}.csv")
    assert str(table) in out and f"{stem}_seed0.png" in out and f"{stem}_seed1.png" in out
    assert f"{stem}_knn_accuracy.png" in out  # the heat map
    page = Path(f"{stem}.html").read_text()  # one panel per finished cell, named by its values
    assert all(f"perplexity={p}, init=random, seed {s}" in page for p in (3, 5) for s in (0, 1))
    assert "perplexity=3, init=pca, seed 0" in page and "init=pca, seed 1" not in page
    assert "perplexity=20" not in page  # the failed cells have no panel
    with table.open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 3 * (2 + 1)  # init=random with both seeds, init=pca with seed 0
    assert list(rows[0])[:5] == ["dataset", "method", "seed", "perplexity", "init"]
    done = [r for r in rows if r["status"] == "done"]
    failed = [r for r in rows if r["status"] == "failed"]
    assert {r["perplexity"] for r in failed} == {"20.0"} and len(failed) == 3
    assert all(0 <= float(r["knn_accuracy"]) <= 1 and float(r["trustworthiness"]) > 0 for r in done)
    assert all("needs at least" in r["error"] for r in failed)
    # random starts: the seeds draw different layouts; the PCA start's one layout has no disparity to report
    assert all(float(r["seed_disparity"]) > 1e-3 for r in done if r["init"] == "random")
    assert all(r["seed_disparity"] == "" and r["seed"] == "0" for r in rows if r["init"] == "pca")

    from fmnist_viz.embed.methods import TSNEEmbedder

    monkeypatch.setattr(TSNEEmbedder, "_embed", lambda *a, **k: pytest.fail("computed a cached cell again"))
    assert main(argv) == 1  # the same sweep again: every finished cell comes from the cache
    with table.open() as f:
        assert [r["status"] for r in csv.DictReader(f)] == [r["status"] for r in rows]


def test_sweeps_that_differ_write_files_of_their_own(tiny: Tiny, tmp_path: Path, own_cache: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """Two sweeps that differ only in --grid, --seeds or --n name every file differently."""
    tiny.write(tmp_path / "d" / "tiny")
    base = ["sweep", "tsne", "--dataset", "tiny", "--grid", "perplexity=3", "--out", str(tmp_path / "o"),
            "--data-dir", str(tmp_path / "d"), "--format", "csv,png"]
    names = []
    for extra in ([], ["--seeds", "1"], ["--n", "40"]):
        assert main([*base, *extra]) == 0
        names.append(set(capsys.readouterr().out.split()))
    assert all(a.isdisjoint(b) for i, a in enumerate(names) for b in names[i + 1:]), names


def test_bad_sweep_input_fails_before_work(capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from fmnist_viz import pipeline

    monkeypatch.setattr(pipeline.plan, "load_all", lambda *a, **k: pytest.fail("started work"))
    assert main(["sweep", "umap", "--grid", "perplexity=5"]) == 2
    assert "--grid names 'perplexity', not a parameter of umap" in capsys.readouterr().err
    assert main(["sweep", "umap", "--grid", "n_neighbors=5", "--seeds", "a"]) == 2
    assert "--seeds must be comma-separated whole numbers" in capsys.readouterr().err
    assert main(["sweep", "umap", "--grid", "n_neighbors=5", "--format", "gif"]) == 2


def test_sweep_figures_say_the_size_and_the_values_as_given(tiny: Tiny, tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    from fmnist_viz.render.sweep_figures import heat_maps, small_multiples
    from fmnist_viz.studies.sweeps import sweep

    tiny.write(tmp_path / "d" / "tiny")
    swept = sweep("tsne", {"perplexity": [3.0, 5.0]}, ["tiny"], seeds=[0], n=40, data_dir=tmp_path / "d")
    (dataset, label, fig), = small_multiples(swept)
    assert (dataset, label) == ("tiny", "")  # one figure: no seed in its name
    assert fig._suptitle.get_text() == "t-SNE on Tiny, 40 points"
    assert [ax.get_title().split("\n")[0] for ax in fig.axes if ax.get_title()] == [
        "perplexity=3, seed=0", "perplexity=5, seed=0"]
    plt.close(fig)
    (_, label, fig), = heat_maps(swept)
    assert label == "_knn_accuracy" and fig.axes[0].get_title().startswith("t-SNE on Tiny, 40 points:")
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["3", "5"]
    plt.close(fig)
