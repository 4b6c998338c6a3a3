"""Bad input is refused before any work: exit 2, one line naming the flag and the valid range."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fmnist_viz import data as fvdata
from fmnist_viz import pipeline, run, save_results
from fmnist_viz.cli import main
from fmnist_viz.errors import UsageError
from fmnist_viz.outputs import check_formats
from fmnist_viz.render.grids import class_grid

from conftest import Tiny, fake_result


@pytest.fixture
def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading data fails the test: these inputs must be refused first."""
    fail = lambda *a, **k: pytest.fail("started work before refusing the input")  # noqa: E731
    monkeypatch.setattr(fvdata, "load", fail)
    monkeypatch.setattr(pipeline.plan, "load_all", fail)


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
