"""Held-out placement: nothing of the placed images reaches the fit, the fitted layout does not move, placed
points land among their own class, fits are cached, bad input is refused before any work."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from fmnist_viz.cli.parser import main
from fmnist_viz.data import load
from fmnist_viz.embed import create
from fmnist_viz.embed.registry import RESERVED_NAMES, placing_methods
from fmnist_viz.errors import UsageError
from fmnist_viz.outputs.heldout import COLUMNS, save_heldout
from fmnist_viz.store.cache import ResultCache
from fmnist_viz.studies.heldout import heldout, place_dataset, prepare_split

from conftest import patch_everywhere

FIT, PLACED = 2000, 500


@pytest.fixture(scope="module")
def fashion(real_data_root: Path) -> object:
    return load("fashion", data_dir=real_data_root)


def split(data: object, fit: int = FIT, placed: int = PLACED, offset: int = 0) -> tuple[np.ndarray, np.ndarray]:
    train, test = np.flatnonzero(data.is_train), np.flatnonzero(~data.is_train)
    return train[:fit], test[offset:offset + placed]


def place(data: object, method: str, new_rows: np.ndarray, fit_rows: np.ndarray | None = None, pca_dims: int = 50,
          **params: object):
    fit_rows = split(data)[0] if fit_rows is None else fit_rows
    (result,) = place_dataset(data, fit_rows, new_rows, [create(method, params)], seed=0, gpu="cpu",
                              pca_dims=pca_dims, use_cache=False, progress=False)
    assert not result.error, result.error
    return result


#: Shorter runs of the iterative methods, enough to test placement.
QUICK = {"tsne": {"n_iter": 250}, "pymde": {"max_iter": 100}}


@pytest.mark.slow
@pytest.mark.parametrize("method", placing_methods())  # each method that declares it can place new points
def test_placed_images_never_reach_the_fit(fashion: object, method: str) -> None:
    """The fitted layout is the same whichever images are placed: neither the PCA nor the graph sees them."""
    params = QUICK.get(method, {})
    fit_rows, new = split(fashion)
    a = place(fashion, method, new, **params)
    b = place(fashion, method, split(fashion, placed=300, offset=5000)[1], **params)
    np.testing.assert_array_equal(a.fitted, b.fitted)
    assert a.fitted.shape == (FIT, 2) and a.placed.shape == (PLACED, 2) and b.placed.shape == (300, 2)
    assert a.metrics["knn5_accuracy"] > {"pca": 0.4}.get(method, 0.6)  # placed among their own class
    # a control: the same points at random fitted points' places are classified at chance
    shuffled = a.fitted[np.random.default_rng(0).integers(0, FIT, PLACED)]
    from sklearn.neighbors import KNeighborsClassifier

    chance = KNeighborsClassifier(5).fit(a.fitted, a.fitted_labels).score(shuffled, a.placed_labels)
    assert chance < 0.2 < a.metrics["knn5_accuracy"] - chance


def test_pca_placement_is_the_fitted_pca_applied(fashion: object) -> None:
    """PCA: the placed points are what scikit-learn's PCA fitted on the fitted images alone gives them."""
    from sklearn.decomposition import PCA

    fit_rows, new_rows = split(fashion)
    result = place(fashion, "pca", new_rows)
    model = PCA(2).fit(fashion.X[fit_rows] / 255.0)
    expected = model.transform(fashion.X[new_rows] / 255.0)
    signs = np.sign((result.placed * expected).sum(axis=0))  # a component's sign is arbitrary
    np.testing.assert_allclose(result.placed * signs, expected, atol=2e-3 * np.abs(expected).max())


def test_pymde_keeps_the_fitted_points_where_they_were(fashion: object) -> None:
    """PyMDE: the fit alone and the fit with points placed give the same fitted layout (they are anchored)."""
    from fmnist_viz.embed import Prepared

    fit_rows, new_rows = split(fashion)
    result = place(fashion, "pymde", new_rows, max_iter=100)
    features = prepare_split(fashion.X[fit_rows], fashion.X[new_rows], 50, 0, ResultCache(enabled=False), {})[0]
    alone = create("pymde", {"max_iter": 100}).embed(Prepared(features, pca=features, seed=0, progress=False), seed=0)
    np.testing.assert_allclose(result.fitted, alone, atol=1e-5)


def test_a_rerun_comes_from_the_cache(real_data: Path, own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (first,) = heldout("pca", "mnist", fit_first=FIT, progress=False)
    assert not first.cached and first.placed.shape == (10_000, 2) and first.fitted.shape == (FIT, 2)
    from fmnist_viz.embed.base import Embedder

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("computed again")

    monkeypatch.setattr(Embedder, "fit_place", refuse)
    (again,) = heldout("pca", "mnist", fit_first=FIT, progress=False)
    assert again.cached
    np.testing.assert_array_equal(again.placed, first.placed)
    assert again.metrics == first.metrics
    # MNIST's PCA: about 0.42 5-NN when fitted on 50,000 (the paper); far above chance on 2,000
    assert 0.3 < first.metrics["knn5_accuracy"] < 0.5


@pytest.mark.parametrize(("fit_first", "says"), [
    (0, "argument --fit-first: must be an integer >= 1, got 0"),
    (60_001, "--fit-first must be an integer from 1 to 60000, got 60001"),
    (5, "--fit-first must be at least 16 for these methods (their neighbours and the 10-NN score need that many "
        "fitted points), got 5; Fashion-MNIST has 60,000 training images"),
])
def test_cli_refuses_a_bad_fit_first(real_data: Path, capsys: pytest.CaptureFixture[str], fit_first: int,
                                     says: str) -> None:
    assert main(["heldout", "umap", "--fit-first", str(fit_first)]) == 2
    err = capsys.readouterr().err
    assert says in err, err


def test_a_method_that_cannot_place_is_refused(real_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fmnist_viz.embed import Embedder, registry

    class Fixed(Embedder):
        name = "fixed2d"
        summary = "cannot place"

        def _embed(self, data: object, *, seed: int, device: str) -> np.ndarray:
            return np.zeros((len(data), 2))

    monkeypatch.setattr(registry, "_loaded", {**registry._loaded, "fixed2d": Fixed})
    monkeypatch.setattr(registry, "_BUILTINS", {**registry._BUILTINS, "fixed2d": "x:y"})
    assert not Fixed.can_place() and create("umap").can_place()
    with pytest.raises(UsageError, match="fixed2d cannot place new points .* methods that can: pca, tsne, umap, "
                                         "pymde"):
        heldout("fixed2d", progress=False)


@pytest.mark.slow
def test_cli_writes_the_table_and_figure(real_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "o"
    assert main(["heldout", "pca", "--compare", "mnist", "--fit-first", str(FIT), "--out", str(out),
                 "--format", "csv,png,npz", "-q"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("| dataset | method | seed | fitted | placed | knn1_accuracy |")
    stem = f"heldout_pca_fashion-vs-mnist_fit{FIT}"
    with open(out / f"{stem}.csv") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == COLUMNS and [r["dataset"] for r in rows] == ["fashion", "mnist"]
    assert all(r["status"] == "done" and r["fitted"] == str(FIT) and r["placed"] == "10000" for r in rows)
    fashion_acc = float(rows[0]["knn5_accuracy"])
    assert 0.4 < fashion_acc < 0.6 and f"| {fashion_acc} |" in printed
    assert (out / f"{stem}.png").stat().st_size > 20_000
    arrays = np.load(out / f"heldout-pca_fashion-vs-mnist_fit{FIT}_pca_mnist.npz")
    assert arrays["placed"].shape == (10_000, 2) and arrays["fitted_index"].max() < 60_000
    assert arrays["placed_index"].min() == 60_000  # the test split's rows of load(split="all")


def test_figure_marks_the_misclassified(fashion: object, tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    from fmnist_viz.render.heldout_figure import heldout_figure

    result = place(fashion, "pca", split(fashion)[1])
    wrong = result.wrong
    assert 0 < wrong.mean() == pytest.approx(1 - result.metrics["knn5_accuracy"])
    fig = heldout_figure([result])
    (ax,) = fig.axes
    assert f"held-out 5-NN accuracy {result.metrics['knn5_accuracy']:.3f}" in ax.get_title()
    assert f"{int(wrong.sum()):,} misclassified" in ax.get_title()
    crosses = ax.collections[2].get_offsets()
    assert len(crosses) == wrong.sum()
    plt.close(fig)
    assert [p.name for p in save_heldout([result], tmp_path, "png,csv")] == [
        f"heldout_pca_fashion_fit{FIT}_pca50.csv", f"heldout_pca_fashion_fit{FIT}_pca50.png"]


@pytest.mark.parametrize("pca_dims", [784, 785])
def test_pca_dims_of_the_pixels_or_more_places_by_the_pixels_own_pca(fashion: object, pca_dims: int) -> None:
    """At --pca-dims 784 or more the split keeps the pixels as they are: PCA's placement is then the first two
    components of a PCA of the pixels, the same picture as the default's (it took two raw pixels for them)."""
    new = split(fashion)[1]
    raw, reduced = place(fashion, "pca", new, pca_dims=pca_dims), place(fashion, "pca", new)
    assert raw.metrics["knn10_accuracy"] > 0.35  # chance is 0.1
    assert abs(raw.metrics["knn10_accuracy"] - reduced.metrics["knn10_accuracy"]) < 0.02


@pytest.mark.slow
def test_held_out_files_are_named_by_every_setting_and_the_table_records_them(fashion: object,
                                                                              tmp_path: Path) -> None:
    new = split(fashion)[1][:100]
    plain, fewer, near = (place(fashion, "tsne", new, pca_dims=p, n_iter=50, **more)
                          for p, more in ((100, {}), (20, {}), (100, {"perplexity": 20.0})))
    names = {r.pca_dims: [p.name for p in save_heldout([r], tmp_path, "csv")] for r in (plain, fewer)}
    assert names == {100: [f"heldout_tsne_fashion_fit{FIT}_n_iter50.csv"],
                     20: [f"heldout_tsne_fashion_fit{FIT}_pca20_n_iter50.csv"]}
    assert [p.name for p in save_heldout([near], tmp_path, "csv,png", style="paper")] == [
        f"heldout_tsne_fashion_fit{FIT}_perplexity20_n_iter50.csv",
        f"heldout_tsne_fashion_fit{FIT}_perplexity20_n_iter50_paper.png"]
    with open(tmp_path / f"heldout_tsne_fashion_fit{FIT}_pca20_n_iter50.csv") as f:
        (row,) = csv.DictReader(f)
    assert row["pca_dims"] == "20"
    assert json.loads(row["params"]) == {**create("tsne").values, "n_iter": 50}


def test_python_refuses_what_the_cli_refuses() -> None:
    with pytest.raises(UsageError, match="pca_dims must be an integer >= 2, got 1"):
        heldout("pca", pca_dims=1, progress=False)
    with pytest.raises(UsageError, match="params must map method names to their parameters"):
        heldout("pca", params=[1, 2], progress=False)


def test_list_says_which_methods_can_place(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert out.count("places held-out images: yes (fmnist-viz heldout)") == 4


@pytest.mark.parametrize(("kind", "change"), [
    ("heldout", lambda a: {**a, "placed": np.full_like(a["placed"], np.nan)}),
    ("heldout", lambda a: {k: v for k, v in a.items() if k != "wrong"}),
    ("split", lambda a: {**a, "new": a["new"][:3]}),
])
def test_a_damaged_held_out_entry_is_discarded_and_made_again(kind: str, change: object, tmp_path: Path,
                                                              own_cache: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    from fmnist_viz import data as fvdata

    from conftest import make_tiny

    tiny = make_tiny(n_train=60, n_test=30)
    monkeypatch.setitem(fvdata.DATASETS, "tiny", tiny.spec)
    tiny.write(tmp_path / "d" / "tiny")
    argv = ["heldout", "pca", "--dataset", "tiny", "--data-dir", str(tmp_path / "d"), "--out", str(tmp_path / "o"),
            "--format", "csv"]
    assert main(argv) == 0
    first = (tmp_path / "o" / "heldout_pca_tiny.csv").read_text()
    for path in (own_cache / "computed" / kind).glob("*.npz"):
        with np.load(path) as npz:
            arrays = change({name: npz[name] for name in npz.files})
        np.savez(path, **arrays)
    if kind == "split":  # read again only when a placement is made from it
        for path in (own_cache / "computed" / "heldout").glob("*"):
            path.unlink()
    capsys.readouterr()
    assert main(argv) == 0
    assert f"discarding corrupt cache entry {kind}/" in capsys.readouterr().err
    rows = lambda text: [line.rsplit(",", 4)[0] for line in text.splitlines()]  # noqa: E731 (without the seconds)
    assert rows((tmp_path / "o" / "heldout_pca_tiny.csv").read_text()) == rows(first)


def test_too_few_test_images_are_refused_before_any_work(tiny: object, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    tiny.write(tmp_path / "d" / "tiny")  # 40 training images, 10 test images
    assert main(["heldout", "pca", "--dataset", "tiny", "--data-dir", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert "error: Tiny has 10 test images; placing needs at least 22" in err and "fitted on" not in err


def test_a_backend_that_cannot_place_is_refused_before_any_work(monkeypatch: pytest.MonkeyPatch) -> None:
    import fmnist_viz.data as fvdata

    patch_everywhere(monkeypatch, fvdata.load_all, lambda *a, **k: pytest.fail("loaded data before refusing"))
    with pytest.raises(UsageError, match="t-SNE places new points with openTSNE, not torchdr"):
        heldout("tsne", params={"tsne": {"backend": "torchdr"}}, progress=False)
    with pytest.raises(UsageError, match="UMAP places new points with umap-learn, not TorchDR"):
        heldout(["pca", "umap"], params={"umap": {"backend": "torchdr"}}, progress=False)


def test_no_plugin_can_take_the_name_of_a_command() -> None:
    """Every command the CLI has (heldout too) is a name an embedder plugin cannot take."""
    import argparse

    from fmnist_viz.cli.parser import build_parser

    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert set(commands) - set(placing_methods()) - {"pca", "tsne", "umap", "pymde"} <= RESERVED_NAMES
    assert "heldout" in commands



def test_each_method_says_where_it_places() -> None:
    """Placement runs where each method declares: PyMDE's on the GPU with the run, openTSNE's and umap-learn's on
    the CPU (TorchDR, their GPU path, cannot place), PCA's on the CPU."""
    where = {name: create(name).place_device_for("cuda") for name in placing_methods()}
    assert where == {"pca": "cpu", "tsne": "cpu", "umap": "cpu", "pymde": "cuda"}
