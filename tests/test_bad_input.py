"""Bad input is refused before any work: exit 2, one line naming the flag and the valid range."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fmnist_viz import data as fvdata
from fmnist_viz import run, save_results
from fmnist_viz.cli.parser import main
from fmnist_viz.errors import UsageError
from fmnist_viz.outputs.files import check_formats
from fmnist_viz.render.grids import class_grid

from conftest import Tiny, fake_result, patch_everywhere


@pytest.fixture
def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading data fails the test: these inputs must be refused first."""
    fail = lambda *a, **k: pytest.fail("started work before refusing the input")  # noqa: E731
    patch_everywhere(monkeypatch, fvdata.load, fail)
    patch_everywhere(monkeypatch, fvdata.load_all, fail)


@pytest.mark.parametrize(("argv", "message"), [
    (["pca", "--seed", "-1"], "argument --seed: must be an integer from 0 to 4294967295, got -1"),
    (["pca", "--seed", "4294967296"], "argument --seed: must be an integer from 0 to 4294967295, got 4294967296"),
    (["pca", "--pca-dims", "-1"], "argument --pca-dims: must be 0 or an integer >= 2, got -1"),
    (["pca", "--pca-dims", "1"], "argument --pca-dims: must be 0 or an integer >= 2, got 1"),
    (["umap", "--param", "min_dist=2"], "umap parameter 'min_dist' must be <= spread (1), got 2"),
    (["tsne", "--param", "perplexity=nan"], "tsne parameter 'perplexity' must be a finite number, got 'nan'"),
    (["umap", "--param", "min_dist=inf"], "umap parameter 'min_dist' must be a finite number, got 'inf'"),
    (["pca", "--exemplars", "-1"], "argument --exemplars: must be an integer from 0 to 20, got -1"),
    (["grid", "--cmap", "nope"], "argument --cmap: must be a matplotlib colormap, got 'nope'"),
    (["grid", "--dpi", "-5"], "argument --dpi: must be a number from 10 to 1200, got -5"),
    (["grid", "--dpi", "nan"], "argument --dpi: must be a number from 10 to 1200, got nan"),
    (["metrics", "-k", "5000", "--n", "2000"], "-k must be at most 999 for 2,000 measured points"),
])
def test_refused_before_any_work(argv: list[str], message: str, no_work: None,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "internal error" not in err and "Traceback" not in err


def test_the_library_refuses_the_same_values(no_work: None) -> None:
    for kwargs, message in (({"seed": -1}, "seed must be an integer from 0"), ({"seed": 2**32}, "seed must be"),
                            ({"pca_dims": 1}, "pca_dims must be an integer >= 2"), ({"n": 0}, "n must be")):
        with pytest.raises(UsageError, match=message):
            run(["pca"], ["fashion"], **kwargs)
    with pytest.raises(UsageError, match="exemplars must be an integer from 0 to 20, got -1"):
        save_results([fake_result("fashion", 10, 0)], "out", "png", exemplars=-1)
    with pytest.raises(UsageError, match="tsne parameter 'perplexity' must be a finite number"):
        run(["tsne"], ["fashion"], params={"tsne": {"perplexity": float("nan")}})


def test_a_grid_too_large_to_draw_is_refused_with_the_limits(tmp_path: Path) -> None:
    images = np.zeros((100, 28, 28), np.uint8)
    with pytest.raises(UsageError, match=r"would make a 56 x \d+ pixel image; the most is 32768 on a side, so at most"):
        class_grid(images, np.arange(100) % 10, [str(i) for i in range(10)], rows=10_000, cols=1)
    with pytest.raises(UsageError, match="cmap must be a matplotlib colormap, got 'nope'; did you mean"):
        class_grid(images, np.arange(100) % 10, [str(i) for i in range(10)], cmap="nope")


def test_grid_rows_bound_on_the_command_line(tiny: Tiny, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    out = tmp_path / "g.png"
    code = main(["grid", "--dataset", "tiny", "--rows", "10000", "--cols", "1", "-o", str(out),
                 "--data-dir", str(tmp_path / "d")])
    assert code == 2 and "--rows and --cols would make" in capsys.readouterr().err
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith("g.png") or ".part" in p.name]  # nothing half-made


def test_a_repeated_format_is_written_once() -> None:
    assert check_formats("png,PNG, png,html") == ["png", "html"]


def test_a_missing_data_dir_is_refused_not_searched_around(tiny: Tiny, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FMNIST_VIZ_DATA", str(tmp_path / "e"))
    tiny.write(tmp_path / "e" / "tiny")  # the data is there, elsewhere: a typo must not pick it up silently
    with pytest.raises(UsageError, match=r"data_dir '.*nowhere' does not exist; give the folder"):
        fvdata.load("tiny", data_dir=tmp_path / "nowhere", download=False)
    (tmp_path / "file").write_text("x")
    for argv in (["data", "info", "--dataset", "tiny"], ["pca", "--dataset", "tiny"], ["grid", "--dataset", "tiny"]):
        for where, what in ((tmp_path / "nowhere", "does not exist"), (tmp_path / "file", "is a file, not a folder")):
            assert main([*argv, "--data-dir", str(where)]) == 2, argv
            assert f"--data-dir '{where}' {what}" in capsys.readouterr().err


def test_data_info_never_shows_a_corrupt_copy_as_found(tiny: Tiny, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    bad = tiny.write(tmp_path / "d" / "tiny", gz=False)
    (bad / "train-labels-idx1-ubyte").write_bytes((bad / "train-labels-idx1-ubyte").read_bytes()[:-3] + b"\x07\x07\x07")
    good = tiny.write(tmp_path / "e" / "tiny")
    monkeypatch.setenv("FMNIST_VIZ_DATA", str(tmp_path / "e"))
    assert main(["data", "info", "--dataset", "tiny", "--data-dir", str(tmp_path / "d")]) == 0
    out = capsys.readouterr().out
    assert f"found in {good} ($FMNIST_VIZ_DATA)" in out
    assert f"{bad}  complete but unusable (skipped; `fmnist-viz data verify` says why)" in out


def test_metrics_refuses_an_empty_method_list_and_runs_a_repeated_one_once(
        tiny: Tiny, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    where = ["--dataset", "tiny", "--data-dir", str(tmp_path / "d")]
    assert main(["metrics", "--methods", "", *where]) == 2
    assert "--methods must name one or more methods, comma-separated" in capsys.readouterr().err
    assert main(["metrics", "--methods", " , ", *where]) == 2
    capsys.readouterr()
    assert main(["metrics", "--methods", "pca,pca", *where, "--format", "csv"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()
    assert len(rows) == 2 and rows[1].startswith("tiny,pca,")


def test_an_empty_out_is_refused(tiny: Tiny, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    assert main(["pca", "--dataset", "tiny", "--data-dir", str(tmp_path / "d"), "--out", ""]) == 2
    assert "--out must name a folder, got ''; give . for the current folder" in capsys.readouterr().err
    assert list((tmp_path / "here").iterdir()) == []  # nothing written here
    with pytest.raises(UsageError, match="out must name a folder"):
        save_results([fake_result("fashion", 10, 0)], "", "png")


def test_a_folder_where_a_file_goes_is_refused_before_any_file_is_written(
        tiny: Tiny, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    out = tmp_path / "o"
    (out / "pca_tiny.png").mkdir(parents=True)
    argv = ["pca", "--dataset", "tiny", "--data-dir", str(tmp_path / "d"), "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--out holds a folder named 'pca_tiny.png' where that file is to be written" in err
    assert "-o/--output" not in err and sorted(p.name for p in out.iterdir()) == ["pca_tiny.png"]  # no page written
    (out / "pca_tiny.png").rmdir()
    (out / "pca_tiny_image-map.png").mkdir()  # an image map's name: checked before the figure and page are written
    assert main([*argv, "--image-map"]) == 2
    assert "'pca_tiny_image-map.png'" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["pca_tiny_image-map.png"]


@pytest.mark.parametrize(("call", "says"), [
    (lambda fv: fv.create("umap", [1, 2]), "params must map parameter names to values"),
    (lambda fv: fv.create("umap", {"n_neighbors": True}), "umap parameter 'n_neighbors' must be of type int, got True"),
    (lambda fv: fv.create("tsne", {"perplexity": 1e300}),
     "tsne parameter 'perplexity' is too large: 1e[+]300 needs 3 x perplexity [+] 2 points, and the data sets hold "
     "70,000; give at most 23,332"),
    (lambda fv: fv.class_grid(np.zeros((0, 28, 28), np.uint8), np.zeros(0, int), ["a"]),
     "images is empty: give at least one image"),
    (lambda fv: fv.class_grid(np.zeros((4, 28, 28), np.uint8), np.array([0, 1, 2, 9]), ["a", "b", "c"]),
     "labels must be class indices from 0 to 2 .one per class name., got int64 from 0 to 9"),
    (lambda fv: fv.class_grid(np.zeros((4, 28, 28), np.uint8), np.array([0, -1, 0, 1]), ["a", "b"]),
     "labels must be class indices from 0 to 1"),
    (lambda fv: fv.class_grid(np.full((4, 28, 28), np.nan), np.array([0, 1, 0, 1]), ["a", "b"]),
     "images holds 4 image.s. with no finite pixel .all NaN or infinite., the first at row 0"),
])
def test_the_python_api_refuses_with_a_message(call: object, says: str) -> None:
    import fmnist_viz as fv

    with pytest.raises(UsageError, match=says):
        call(fv)
