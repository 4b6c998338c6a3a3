"""save_results: the one way results become files, with predictable names and early checks."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from fmnist_viz import run, save_results
from fmnist_viz.errors import UsageError
from fmnist_viz.outputs.files import check_formats

from conftest import Tiny, fake_result, patch_everywhere


def test_save_results_writes_every_format_with_predictable_names(tiny: Tiny, tmp_path: Path) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    results = run(["pca"], ["tiny"], data_dir=tmp_path / "d", use_cache=False)
    written = save_results(results, tmp_path / "out", "npz,png,svg,html", data_dir=tmp_path / "d")
    assert [p.name for p in written] == ["pca_tiny.npz", "pca_tiny.html", "pca_tiny.png", "pca_tiny.svg"]
    assert all(p.stat().st_size > 0 for p in written)
    saved = np.load(written[0])
    np.testing.assert_array_equal(saved["embedding"], results[0].embedding)
    assert not results[0].metrics  # the caller's results unchanged; the titles measured on copies:
    assert re.search(r"10-NN accuracy 0\.\d{3}, trustworthiness 0\.\d{3}", written[1].read_text())
    assert "Tiny: PCA of 50 points" in written[1].read_text()
    assert not list((tmp_path / "out").glob("*.part*"))


def test_save_results_names_several_methods_by_the_methods(tiny: Tiny, tmp_path: Path) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    results = run(["pca", "pymde"], ["tiny"], data_dir=tmp_path / "d", use_cache=False,
                  params={"pymde": {"n_neighbors": 5, "max_iter": 5}})
    names = [p.name for p in save_results(results, tmp_path, ["png"], data_dir=tmp_path / "d")]
    assert names == ["pca-pymde_tiny_pymde-n_neighbors5_pymde-max_iter5.png"]  # "all" is every built-in method
    named = save_results(results, tmp_path, "png", name="mine", data_dir=tmp_path / "d")
    assert [p.name for p in named] == ["mine_tiny_pymde-n_neighbors5_pymde-max_iter5.png"]


def test_bad_formats_and_folders_fail_before_any_work(tmp_path: Path) -> None:
    assert check_formats(" PNG, html ") == ["png", "html"]
    with pytest.raises(UsageError, match="formats must name formats among png, svg, pdf, html, npz; got gif"):
        save_results([], tmp_path, "png,gif")
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="out '.*file/sub' cannot be created"):
        save_results([], tmp_path / "file" / "sub", "png")
    with pytest.raises(UsageError, match="results is empty"):
        save_results([], tmp_path, "png")


def test_usage_error_names_the_parameter_and_the_cli_its_flag() -> None:
    error = UsageError("must be between 1 and 5, got 9", param="n")
    assert str(error) == "n must be between 1 and 5, got 9"
    assert error.named("--n") == "--n must be between 1 and 5, got 9"
    assert UsageError("plain").named("--x") == "plain"


def test_names_say_what_differs_from_the_defaults(tiny: Tiny, tmp_path: Path) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    default = run(["pca"], ["tiny"], data_dir=tmp_path / "d", use_cache=False)
    other = run(["pca", "pymde"], ["tiny"], n=40, seed=3, pca_dims=10, data_dir=tmp_path / "d", use_cache=False,
                params={"pymde": {"n_neighbors": 5, "init": "random"}})
    assert default[0].variant == {}
    assert other[1].variant == {"n": 40, "seed": 3, "pca": 10, "n_neighbors": 5, "init": "random"}
    names = [p.name for p in save_results(default, tmp_path / "o", "png,npz", data_dir=tmp_path / "d")]
    assert names == ["pca_tiny.npz", "pca_tiny.png"]
    names = [p.name for p in save_results(other, tmp_path / "o", "png,npz", style="paper", exemplars=1,
                                          data_dir=tmp_path / "d")]
    assert names == ["pca_tiny_n40_seed3_pca10.npz", "pymde_tiny_n40_seed3_pca10_n_neighbors5_initrandom.npz",
                     "pca-pymde_tiny_n40_seed3_pca10_pymde-n_neighbors5_pymde-initrandom_paper_exemplars1.png"]
    assert len(list((tmp_path / "o").iterdir())) == 5  # nothing overwritten


@pytest.mark.slow
def test_a_run_and_its_measures_share_one_neighbour_graph(tiny: Tiny, tmp_path: Path, own_cache: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The k-NN graph of a run (14 neighbours for UMAP's 15) also gives the point-by-point measures their 10:
    one graph per data set, computed once, with the cache on or off, and found in the cache by a later run."""
    from fmnist_viz.embed import prepare
    from fmnist_viz.pipeline.measure import point_quality

    tiny.write(tmp_path / "d" / "tiny")
    made: list[int] = []
    real = prepare.knn_graph
    patch_everywhere(monkeypatch, real, lambda Z, k, **kw: made.append(k) or real(Z, k, **kw))
    for use_cache in (False, True):
        made.clear()
        results = run(["pca", "umap"], ["tiny"], data_dir=tmp_path / "d", use_cache=use_cache,
                      params={"umap": {"n_epochs": 5}})
        point_quality(results, data_dir=tmp_path / "d")
        assert made == [14], use_cache
    made.clear()
    again = run(["pca", "umap"], ["tiny"], data_dir=tmp_path / "d", params={"umap": {"n_epochs": 5}})
    assert all(r.cached for r in again)
    point_quality(again, data_dir=tmp_path / "d")  # measured before: from the cache; nothing computed
    for r in again:
        r.pointwise = {}
    from fmnist_viz.store.cache import ResultCache

    monkeypatch.setattr(ResultCache, "load", lambda self, kind, key, _real=ResultCache.load:
                        None if kind == "pointwise" else _real(self, kind, key))
    point_quality(again, data_dir=tmp_path / "d")  # measured again: on the cached 14-neighbour graph
    assert made == []


@pytest.mark.slow
def test_a_rerun_leaves_files_written_from_the_same_inputs_as_they_are(tiny: Tiny, tmp_path: Path, own_cache: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A cached rerun draws nothing again: each file is left as it is while it is the one written from the same
    results and options; a file changed since, other options, or results made with the cache off are written."""
    from fmnist_viz.outputs import explorer
    from fmnist_viz.render import scatter

    tiny.write(tmp_path / "d" / "tiny")
    kwargs = {"data_dir": tmp_path / "d"}
    results = run(["pca", "umap"], ["tiny"], params={"umap": {"n_epochs": 5}}, **kwargs)
    first = save_results(results, tmp_path / "o", "png,html,npz", **kwargs)
    stamps = {p: p.stat().st_mtime_ns for p in first}
    again = run(["pca", "umap"], ["tiny"], params={"umap": {"n_epochs": 5}}, **kwargs)
    with monkeypatch.context() as patch:
        patch_everywhere(patch, scatter.results_figure, lambda *a, **k: pytest.fail("drew the figure again"))
        patch_everywhere(patch, explorer.page, lambda *a, **k: pytest.fail("built the page again"))
        assert save_results(again, tmp_path / "o", "png,html,npz", **kwargs) == first
    assert {p: p.stat().st_mtime_ns for p in first} == stamps

    png = next(p for p in first if p.suffix == ".png")
    png.write_bytes(b"changed by hand")
    assert save_results(again, tmp_path / "o", "png", **kwargs) == [png]
    assert png.read_bytes().startswith(b"\x89PNG")  # written again
    before = png.stat().st_mtime_ns
    save_results(again, tmp_path / "o", "png", seed=1, **kwargs)  # another drawing order: the same name, redrawn
    assert png.stat().st_mtime_ns != before
    uncached = run(["pca"], ["tiny"], use_cache=False, **kwargs)
    npz = save_results(uncached, tmp_path / "o", "npz", **kwargs)[0]
    before = npz.stat().st_mtime_ns
    save_results(uncached, tmp_path / "o", "npz", **kwargs)
    assert npz.stat().st_mtime_ns != before  # nothing recorded for results made with the cache off


@pytest.mark.slow
def test_another_folder_gets_copies_of_files_written_from_the_same_inputs(tiny: Tiny, tmp_path: Path,
                                                                          own_cache: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Saved into a new folder from the same results and options, each file is copied from the cache instead of
    drawn again; a kept file changed since (edited in place) is drawn anew; the folders' files are not linked."""
    from fmnist_viz.outputs import explorer
    from fmnist_viz.render import scatter

    tiny.write(tmp_path / "d" / "tiny")
    kwargs = {"data_dir": tmp_path / "d"}
    results = run(["pca", "umap"], ["tiny"], params={"umap": {"n_epochs": 5}}, **kwargs)
    first = save_results(results, tmp_path / "a", "png,html,npz", **kwargs)
    with monkeypatch.context() as patch:
        patch_everywhere(patch, scatter.results_figure, lambda *a, **k: pytest.fail("drew the figure again"))
        patch_everywhere(patch, explorer.page, lambda *a, **k: pytest.fail("built the page again"))
        second = save_results(results, tmp_path / "b", "png,html,npz", **kwargs)
    assert [p.name for p in second] == [p.name for p in first]
    assert all(a.read_bytes() == b.read_bytes() and a.stat().st_ino != b.stat().st_ino
               for a, b in zip(first, second, strict=True))
    png = next(p for p in second if p.suffix == ".png")
    png.write_bytes(b"changed by hand")  # a copy, not a link: the first folder's file stays as it was
    assert next(p for p in first if p.suffix == ".png").read_bytes().startswith(b"\x89PNG")
    first_png = next(p for p in first if p.suffix == ".png")
    with open(first_png, "r+b") as f:  # edited in place: the cache's own copy (a link to it) changes too
        f.write(b"\x00")
    drawn = []
    with monkeypatch.context() as patch:
        real = scatter.results_figure
        patch_everywhere(patch, real, lambda *a, **k: drawn.append(1) or real(*a, **k))
        third = next(p for p in save_results(results, tmp_path / "c", "png,html,npz", **kwargs) if p.suffix == ".png")
    assert drawn == [1] and third.read_bytes().startswith(b"\x89PNG")  # drawn anew, not copied damaged


@pytest.mark.slow
def test_saving_changes_nothing_in_the_results_given(tiny: Tiny, tmp_path: Path) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    results = run(["pca", "umap"], ["tiny"], params={"umap": {"n_epochs": 5}}, data_dir=tmp_path / "d",
                  use_cache=False)
    before = [(r.metrics, r.aligned, r.pointwise, r.embedding.copy()) for r in results]
    save_results(results, tmp_path / "o", "png,html,npz", color_by="preservation", data_dir=tmp_path / "d")
    for r, (metrics, aligned, pointwise, embedding) in zip(results, before, strict=True):
        assert r.metrics == metrics == {} and r.aligned is aligned is None and r.pointwise == pointwise == {}
        np.testing.assert_array_equal(r.embedding, embedding)


def test_a_read_only_folder_is_refused_before_anything_is_drawn(tmp_path: Path) -> None:
    """A real read-only folder (no simulation): refused with a message, nothing left in it. Root ignores file modes,
    so as root this proves nothing and is skipped."""
    import os
    import stat

    if os.geteuid() == 0:
        pytest.skip("runs as root, whom file modes do not stop: a read-only folder proves nothing here (run the "
                    "suite as a normal user to check it)")
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(UsageError, match="is not writable; choose another folder"):
            save_results([fake_result("fashion", 50, 0)], folder, "png")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(stat.S_IRWXU)
