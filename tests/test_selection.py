"""Selections downloaded from a page, replayed: exact grids, highlighted figures, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fmnist_viz.cli.parser import main
from fmnist_viz.data.selection import read_selection
from fmnist_viz.errors import UsageError
from fmnist_viz.render.grids import class_grid
from fmnist_viz.render.scatter import results_figure

from conftest import Tiny, fake_result, patch_everywhere


def test_json_and_csv_from_a_page_read_the_same(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text(json.dumps({"dataset": "fashion", "rows": [9, 3, 3, 70], "classes": ["a"] * 4}))
    (tmp_path / "s.csv").write_text('dataset,row,class\nfashion,9,"Bag"\nfashion,3,"Coat"\nfashion,70,"Bag"\n')
    for name in ("s.json", "s.csv"):
        chosen = read_selection(tmp_path / name)
        assert chosen.dataset == "fashion" and chosen.rows.tolist() == [3, 9, 70]


@pytest.mark.parametrize(("name", "text", "message"), [
    ("none.json", None, "does not exist"),
    ("bad.json", "{not json", "is not a selection"),
    ("list.json", "[1, 2]", 'expected {"dataset": NAME, "rows": \\[ROW, ...\\]}'),
    ("neg.json", '{"dataset": "fashion", "rows": [-1]}', "rows must be whole numbers from 0 to"),
    ("two.csv", "dataset,row\nfashion,1\nmnist,2\n", "expected rows of one data set"),
    ("empty.json", '{"dataset": "fashion", "rows": []}', "selects no rows"),
    ("sel.txt", "1,2", "expected a .json or .csv file"),
    ("cifar.json", '{"dataset": "cifar", "rows": [1]}', "holds rows of the data set 'cifar', which is not known"),
])
def test_malformed_selection_files_are_clear_errors(tmp_path: Path, name: str, text: str | None,
                                                   message: str) -> None:
    if text is not None:
        (tmp_path / name).write_text(text)
    with pytest.raises(UsageError, match=message):
        read_selection(tmp_path / name)


def test_a_grid_of_exactly_the_selected_images() -> None:
    images = np.arange(40, dtype=np.uint8)[:, None, None] * np.ones((1, 28, 28), np.uint8)  # image i is all i
    labels = np.arange(40) % 4
    picks = [np.array([0, 4, 8]), np.array([]), np.array([2]), np.array([])]
    fig = class_grid(images, labels, ["a", "b", "c", "d"], cols=2, picks=picks)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "c"]  # classes without picks left out
    canvas = ax.images[0].get_array()
    assert canvas.shape == (2 * (2 * 28) + 7, 2 * 28)  # two rows for class a (3 images in rows of 2), gap 7
    assert canvas[0, 0] == 0 and canvas[0, 28] == 4 and canvas[28, 0] == 8 and canvas[63, 0] == 2


def test_grid_rows_from_and_highlight_on_the_command_line(tiny: Tiny, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    chosen = tmp_path / "picked.json"
    chosen.write_text(json.dumps({"dataset": "tiny", "rows": [1, 2, 5, 7, 11]}))
    out = tmp_path / "g.png"
    assert main(["grid", "--rows-from", str(chosen), "-o", str(out), "--data-dir", str(tmp_path / "d")]) == 0
    assert out.is_file()
    chosen.write_text(json.dumps({"dataset": "tiny", "rows": [1, 500]}))
    assert main(["grid", "--rows-from", str(chosen), "-o", str(out), "--data-dir", str(tmp_path / "d")]) == 2
    assert "--rows-from " in (err := capsys.readouterr().err) and "row 500 is beyond the 50 rows of Tiny" in err
    chosen.write_text(json.dumps({"dataset": "tiny", "rows": [1, 2, 5]}))
    argv = ["pca", "--dataset", "tiny", "--format", "png", "--out", str(tmp_path / "o"), "--data-dir",
            str(tmp_path / "d"), "--highlight", str(chosen)]
    from fmnist_viz import run
    from fmnist_viz.outputs.files import save_figure

    figures: list = []
    patch_everywhere(monkeypatch, save_figure,
                     lambda fig, path, dpi=None: figures.append(fig) or save_figure(fig, path, dpi))
    assert main(argv) == 0
    assert (tmp_path / "o" / "pca_tiny_highlight-picked.png").is_file()
    (result,) = run(["pca"], ["tiny"], data_dir=tmp_path / "d")
    faded, lit = figures[0].axes[0].collections
    np.testing.assert_allclose(np.sort(lit.get_offsets(), axis=0), np.sort(result.embedding[[1, 2, 5]], axis=0),
                               atol=1e-5)  # exactly the three selected rows, where they are
    assert len(faded.get_offsets()) == 47 and "selected in picked.json (3)" in [
        t.get_text() for t in figures[0].legends[0].get_texts()]
    (tmp_path / "bad.json").write_text("{")
    assert main([*argv[:-1], str(tmp_path / "bad.json")]) == 2
    assert "--highlight" in capsys.readouterr().err


def test_highlighted_rows_stand_out_in_their_data_set_only() -> None:
    from fmnist_viz.data.selection import Selection

    a, b = fake_result("fashion", 200, 0), fake_result("mnist", 200, 1)
    fig = results_figure([a, b], highlight=Selection("fashion", a.index[:30]))
    left, right = fig.axes[0], fig.axes[1]
    assert [len(c.get_offsets()) for c in left.collections] == [170, 30]  # faded, then the highlighted on top
    assert [len(c.get_offsets()) for c in right.collections] == [200]
    entries = [[t.get_text() for t in sub.legends[0].get_texts()] for sub in fig.subfigs]
    assert "selected (30)" in entries[0] and not any(e.startswith("selected") for e in entries[1])


def test_a_selection_of_thousands_draws_a_sample_per_class_and_says_so(tiny: Tiny, tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str],
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib.pyplot as plt

    from fmnist_viz.render import grids

    tiny.write(tmp_path / "d" / "tiny")
    chosen = tmp_path / "picked.json"
    selected = [i for i in range(50) if i % 5]  # 40 rows, 10 of each class
    chosen.write_text(json.dumps({"dataset": "tiny", "rows": selected}))
    drawn = []
    real = grids.class_grid
    patch_everywhere(monkeypatch, real, lambda *a, **k: drawn.append((a, k)) or real(*a, **k))
    out = tmp_path / "g.png"
    argv = ["grid", "--rows-from", str(chosen), "-o", str(out), "--data-dir", str(tmp_path / "d")]
    assert main([*argv, "--per-class", "3", "--seed", "4"]) == 0
    (args, options), = drawn
    names, picks = args[2], options["picks"]
    labels = args[1]
    assert [len(p) for p in picks] == [3, 3, 3, 3]
    assert all(set(labels[p]) == {c} and set(p) <= set(selected) for c, p in enumerate(picks))
    counts = np.bincount(labels[selected], minlength=4)
    assert names == [f"class{c}\n3 of {counts[c]}" for c in range(4)]
    assert options["title"] == "Tiny: 12 of the 40 images selected in picked.json, at most 3 per class (seed 4)"
    plt.close("all")
    assert main([*argv, "--per-class", "3", "--cols", "99999"]) == 2
    assert "--cols must be at most 585 (images per row), got 99999" in capsys.readouterr().err
    assert main(["grid", "--per-class", "3", "--dataset", "tiny", "--data-dir", str(tmp_path / "d")]) == 2
    assert "--per-class applies to --rows-from only" in capsys.readouterr().err


def test_a_box_selection_of_sixteen_thousand_rows_makes_a_grid(real_data: Path, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    rows = np.random.default_rng(1).choice(70000, 16086, replace=False).tolist()
    (tmp_path / "s.json").write_text(json.dumps({"dataset": "fashion", "rows": rows}))
    argv = ["grid", "--rows-from", str(tmp_path / "s.json"), "-o", str(tmp_path / "g.png"),
            "--data-dir", str(real_data)]
    assert main(argv) == 0 and (tmp_path / "g.png").stat().st_size > 10_000
    assert main([*argv, "--per-class", "5000"]) == 2
    err = capsys.readouterr().err
    assert "--per-class asks for up to 5,000 images per class" in err and "give --per-class 1392 or less" in err
    assert "--rows and --cols" not in err
