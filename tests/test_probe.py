"""The hardening probe's cases as tables: what a user can give that must be a clear message, never a traceback.

Each table row is one case found by a reliability probe (issue 20) or its neighbours: what is given, the exit
status (or exception) expected, and words the message must hold. The next probe starts from these tables; a new
case is a new row. The Dask cases (addresses, silent ports, lost workers and schedulers) are in
test_executors.py, the page API's in render/test_page_layout.py.
"""

from __future__ import annotations

import csv
import errno
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import fmnist_viz as fv
from fmnist_viz.cli.parser import main
from fmnist_viz.errors import FmnistVizError, UsageError
from fmnist_viz.results import HELDOUT_SCORES

from conftest import Tiny, patch_everywhere

# --------------------------------------------------------------------------- the command line

#: (case, argv, exit status, words of stderr). {d}: a folder holding the tiny data set; {o}: an output folder.
CLI_CASES = [
    ("grid value list of commas", ["sweep", "tsne", "--grid", "perplexity=,,,"], 2, "an empty value"),
    ("grid value left empty", ["sweep", "tsne", "--grid", "perplexity=3,,5"], 2, "an empty value"),
    ("seed given twice", ["sweep", "tsne", "--grid", "perplexity=3", "--seeds", "0,0", "--dataset", "tiny"], 2,
     "--seeds repeats 0"),
    ("no seed at all", ["sweep", "tsne", "--grid", "perplexity=3", "--seeds", ",", "--dataset", "tiny"], 2,
     "--seeds is empty"),
    ("compare with itself", ["sweep", "tsne", "--grid", "perplexity=3", "--dataset", "tiny", "--compare", "tiny"],
     2, "--compare tiny is the same data set"),
    ("a thousand workers", ["sweep", "tsne", "--grid", "perplexity=3", "--workers", "1000", "--dataset", "tiny"], 2,
     "--workers must be at most"),
    ("ten thousand cells", ["sweep", "tsne", "--grid", "perplexity=" + ",".join(map(str, range(1, 101))),
                            "--grid", "n_iter=" + ",".join(map(str, range(1, 101))), "--dataset", "tiny",
                            "--format", "csv"], 2, "--grid makes 10,000 cells ("),
    ("a figure too large to save", ["sweep", "tsne", "--grid", "perplexity=" + ",".join(map(str, range(1, 121))),
                                    "--dataset", "tiny", "--yes"], 2, "pixel figure at 300 dpi"),
    ("data folder that is not there", ["pca", "--dataset", "tiny", "--data-dir", "{d}/nowhere"], 2,
     "--data-dir '{d}/nowhere' does not exist"),
    ("page written over a folder", ["grid", "--dataset", "tiny", "-o", "{o}"], 2, "is a folder"),
]


@pytest.mark.parametrize(("case", "argv", "status", "words"), CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_the_command_line_refuses_clearly(case: str, argv: list[str], status: int, words: str, tiny: Tiny,
                                          tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from fmnist_viz import pipeline

    tiny.write(tmp_path / "d" / "tiny")
    (tmp_path / "o").mkdir()
    monkeypatch.setenv("FMNIST_VIZ_DATA", str(tmp_path / "d"))
    patch_everywhere(monkeypatch, pipeline.plan_jobs, lambda *a, **k: pytest.fail("started work"))
    fill = {"d": str(tmp_path / "d"), "o": str(tmp_path / "o")}
    assert main([a.format(**fill) for a in argv]) == status
    err = capsys.readouterr().err
    assert words.format(**fill) in err and "internal error" not in err and "Traceback" not in err


# --------------------------------------------------------------------------- selection files

#: (case, file name, its content, words of the message); each is read as --rows-from and as --highlight.
SELECTIONS = [
    ("a row of 1e20", "s.json", '{"dataset": "tiny", "rows": [1e20]}', "rows must be whole numbers from 0"),
    ("a 26-digit row", "s.json", '{"dataset": "tiny", "rows": [12345678901234567890123456]}', "whole numbers"),
    ("Infinity", "s.json", '{"dataset": "tiny", "rows": [Infinity]}', "rows must be whole numbers, got Infinity"),
    ("NaN", "s.json", '{"dataset": "tiny", "rows": [NaN]}', "got NaN"),
    ("booleans", "s.json", '{"dataset": "tiny", "rows": [true, false]}', "rows must be row numbers, got True"),
    ("deep nesting", "s.json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("a CSV row of 26 digits", "s.csv", "dataset,row\ntiny,12345678901234567890123456\n", "whole numbers"),
    ("an unknown data set", "s.json", '{"dataset": "cifar", "rows": [1]}', "holds rows of the data set 'cifar'"),
    ("a data set name of a megabyte", "s.json", json.dumps({"dataset": "x" * 2**20, "rows": [1]}),
     "(1,048,576 characters)"),
    ("a row beyond the data", "s.json", '{"dataset": "tiny", "rows": [50]}', "row 50 is beyond the 50 rows of Tiny"),
]


@pytest.mark.parametrize(("case", "name", "text", "words"), SELECTIONS, ids=[c[0] for c in SELECTIONS])
@pytest.mark.parametrize("flag", ["--rows-from", "--highlight"])
def test_a_bad_selection_file_is_a_clear_error_of_its_own_flag(case: str, name: str, text: str, words: str,
                                                               flag: str, tiny: Tiny, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    (tmp_path / name).write_text(text)
    command = ["grid"] if flag == "--rows-from" else ["pca", "--dataset", "tiny", "--format", "png"]
    assert main([*command, flag, str(tmp_path / name), "--data-dir", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert f"{flag} " in err and words in err and "--dataset" not in err, err[:500]
    assert len(err) < 2000  # a huge name is not echoed in full


@pytest.mark.parametrize(("case", "make", "words"), [
    ("a folder", lambda p: p.mkdir(), "is a folder"),
    ("a device", None, "is not a regular file"),
    ("over 32 MiB", lambda p: p.write_bytes(b" " * (33 * 2**20)), "a selection file is at most 32 MiB"),
])
def test_a_selection_that_is_no_file_or_too_large_is_refused_unread(case: str, make: Callable[[Path], Any] | None,
                                                                    words: str, tmp_path: Path) -> None:
    from fmnist_viz.data.selection import read_selection

    path = Path("/dev/zero") if make is None else tmp_path / "s.json"
    if make is not None:
        make(path)
    with pytest.raises(UsageError, match=words):
        read_selection(path)


def test_a_csv_with_a_byte_order_mark_reads(tmp_path: Path) -> None:
    from fmnist_viz.data.selection import read_selection

    (tmp_path / "s.csv").write_bytes("\ufeffdataset,row,class\nfashion,3,Coat\n".encode())
    assert read_selection(tmp_path / "s.csv").rows.tolist() == [3]


def test_a_highlight_of_rows_outside_a_subsample_is_checked_on_the_whole_data_and_said(
        tiny: Tiny, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from fmnist_viz import pipeline

    tiny.write(tmp_path / "d" / "tiny")
    argv = ["pca", "--dataset", "tiny", "--n", "30", "--format", "png", "--out", str(tmp_path / "o"),
            "--highlight", str(tmp_path / "s.json"), "--data-dir", str(tmp_path / "d")]
    index = pipeline.run(["pca"], ["tiny"], n=30, data_dir=tmp_path / "d")[0].index
    row = int(next(r for r in range(50) if r not in index))  # a valid row the subsample does not draw
    (tmp_path / "s.json").write_text(json.dumps({"dataset": "tiny", "rows": [row]}))
    assert main(argv) == 0
    assert "1 of the 1 rows selected in s.json are not among the 30 points drawn of Tiny" in capsys.readouterr().err
    (tmp_path / "s.json").write_text('{"dataset": "mnist", "rows": [1]}')
    patch_everywhere(monkeypatch, pipeline.plan_jobs, lambda *a, **k: pytest.fail("started work"))
    assert main(argv) == 2  # a selection of another data set: refused before any work
    assert "--highlight holds rows of MNIST, which is not drawn here (Tiny)" in capsys.readouterr().err


# --------------------------------------------------------------------------- the Python API

#: (case, call, words of the UsageError).
API_CASES = [
    ("run(None)", lambda: fv.run(None, ["tiny"]), "methods must be a str or Embedder"),
    ("run of a dict", lambda: fv.run({"umap": 1}, ["tiny"]), "methods must be"),
    ("params='x'", lambda: fv.run(["pca"], ["tiny"], params="x"), "params must map method names"),
    ("datasets=None", lambda: fv.run(["pca"], None), "datasets must be a str"),
    ("grid=None", lambda: fv.sweep("tsne", None, ["tiny"]), "grid must map parameter names"),
    ("grid={}", lambda: fv.sweep("tsne", {}, ["tiny"]), "grid is empty"),
    ("grid of no values", lambda: fv.sweep("tsne", {"perplexity": []}, ["tiny"]), "non-empty list of values"),
    ("grid value twice", lambda: fv.sweep("tsne", {"perplexity": [5, 5.0]}, ["tiny"]), "repeats a value"),
    ("grid of a string", lambda: fv.sweep("tsne", {"perplexity": "5"}, ["tiny"]), "non-empty list of values"),
    ("seeds=5", lambda: fv.sweep("tsne", {"perplexity": [5]}, ["tiny"], seeds=5), "seeds must be a list"),
    ("seeds twice", lambda: fv.sweep("tsne", {"perplexity": [5]}, ["tiny"], seeds=[1, 1]), "seeds repeats 1"),
    ("scheduler=5", lambda: fv.sweep("tsne", {"perplexity": [5]}, ["tiny"], scheduler=5), "scheduler must be"),
    ("a data set twice", lambda: fv.sweep("tsne", {"perplexity": [5]}, ["tiny", "tiny"]), "names a data set twice"),
    ("fit_transform(None)", lambda: fv.create("pca").fit_transform(None), "X must be an (n, d) array"),
    ("fit_transform 1-D", lambda: fv.create("pca").fit_transform(np.zeros(10)), "got ndarray of shape (10,)"),
    ("fit_transform 3-D", lambda: fv.create("pca").fit_transform(np.zeros((5, 28, 28))), "X.reshape(len(X), -1)"),
    ("fit_transform NaN", lambda: fv.create("pca").fit_transform(np.full((9, 3), np.nan)), "not finite"),
    ("fit_transform text", lambda: fv.create("pca").fit_transform([["a", "b"]]), "array of numbers"),
    ("save_results(None)", lambda: fv.save_results(None, "o"), "results must be the EmbeddingResults"),
]


@pytest.mark.parametrize(("case", "call", "words"), API_CASES, ids=[c[0] for c in API_CASES])
def test_the_python_api_checks_what_it_is_given(case: str, call: Callable[[], Any], words: str, tiny: Tiny,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from fmnist_viz import pipeline

    monkeypatch.setattr(pipeline.plan, "load_all", lambda *a, **k: pytest.fail("started work"))
    with pytest.raises(UsageError) as caught:
        call()
    assert words in str(caught.value)


def test_a_single_name_is_one_method_and_one_data_set(tiny: Tiny, tmp_path: Path) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    (result,) = fv.run("pca", "tiny", data_dir=tmp_path / "d")  # not the methods "p", "c", "a"
    assert (result.method, result.dataset) == ("pca", "tiny")


def test_saving_a_sweep_or_page_where_it_cannot_go(tiny: Tiny, tmp_path: Path) -> None:
    from fmnist_viz.outputs.sweeps import save_sweep
    from fmnist_viz.studies.sweeps import Sweep

    tiny.write(tmp_path / "d" / "tiny")
    results = fv.run(["pca"], ["tiny"], data_dir=tmp_path / "d")
    with pytest.raises(UsageError, match="is a folder; give a file name ending in .html"):
        fv.page(results, data_dir=tmp_path / "d").save(tmp_path)
    with pytest.raises(UsageError, match="grid is empty"):
        save_sweep(Sweep("tsne", {}), tmp_path / "o", "csv,png")


# --------------------------------------------------------------------------- damaged caches

def _damage_entry(kind: str, change: Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]], cache: Path) -> None:
    for path in (cache / "computed" / kind).glob("*.npz"):
        with np.load(path) as npz:
            arrays = change({name: npz[name] for name in npz.files})
        np.savez(path, **arrays)


@pytest.mark.parametrize(("case", "kind", "change"), [
    ("embedding without its array", "embedding", lambda a: {"other": np.zeros(3)}),
    ("embedding of NaN", "embedding", lambda a: {"embedding": np.full_like(a["embedding"], np.nan)}),
    ("embedding of 10 points", "embedding", lambda a: {"embedding": a["embedding"][:10]}),
    ("embedding of three columns", "embedding", lambda a: {"embedding": np.zeros((len(a["embedding"]), 3))}),
    ("graph pointing past the data", "knn", lambda a: {**a, "indices": a["indices"] + 1000}),
    ("prepared data of text", "prepared", lambda a: {**a, "X": np.array(["x"])}),
    ("metrics above 1", "metrics", lambda a: {**a, "trustworthiness": np.array(7.0)}),
    ("point measures of other points", "pointwise", lambda a: {k: v[:5] for k, v in a.items()}),
])
def test_a_damaged_cache_entry_is_discarded_and_recomputed(case: str, kind: str, change: Callable[..., Any],
                                                           tiny: Tiny, tmp_path: Path, own_cache: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    argv = ["umap", "--dataset", "tiny", "--param", "n_epochs=20", "--format", "png,npz", "--color-by",
            "preservation", "--out", str(tmp_path / "o"), "--data-dir", str(tmp_path / "d")]
    assert main(argv) == 0
    first = np.load(tmp_path / "o" / "umap_tiny_n_epochs20.npz")["embedding"]
    _damage_entry(kind, change, own_cache)
    if kind in ("knn", "prepared"):  # read again only when something is computed from them
        for later in ("embedding", "metrics", "pointwise"):
            for path in (own_cache / "computed" / later).glob("*"):
                path.unlink()
    capsys.readouterr()
    assert main(argv) == 0  # every rerun works: the bad entry is dropped with a warning and made again
    err = capsys.readouterr().err
    assert f"discarding corrupt cache entry {kind}/" in err and "internal error" not in err
    again = np.load(tmp_path / "o" / "umap_tiny_n_epochs20.npz")["embedding"]
    assert again.shape == first.shape and np.isfinite(again).all()
    assert main(argv) == 0 and "discarding" not in capsys.readouterr().err  # and the new entry is good


def _damage_meta(kind: str, change: Callable[[dict[str, Any]], dict[str, Any] | None], cache: Path) -> None:
    """Change (or, when ``change`` gives None, delete) the metadata file of every entry of ``kind``."""
    paths = list((cache / "computed" / kind).glob("*.json"))
    assert paths
    for path in paths:
        meta = change(json.loads(path.read_text()))
        if meta is None:
            path.unlink()
        else:
            path.write_text(json.dumps(meta))


@pytest.mark.parametrize(("command", "kind", "change"), [
    ("pca", "embedding", lambda m: {**m, "seconds": "abc"}),
    ("pca", "embedding", lambda m: {**m, "seconds": -1}),
    ("pca", "embedding", lambda m: {**m, "n": "many"}),
    ("pca", "embedding", lambda m: None),
    ("pca", "embedding", lambda m: [m]),
    ("pca", "embedding", lambda m: {**m, "key": {"other": 1}}),
    ("heldout", "heldout", lambda m: None),
    ("heldout", "heldout", lambda m: {**m, "metrics": {}}),
    ("heldout", "heldout", lambda m: {**m, "metrics": {**m["metrics"], "knn5_accuracy": 3}}),
    ("heldout", "heldout", lambda m: {**m, "fit_seconds": "abc"}),
    ("heldout", "heldout", lambda m: {k: v for k, v in m.items() if k != "place_seconds"}),
])
def test_damaged_cache_metadata_is_discarded_and_made_again(command: str, kind: str, change: Callable[..., Any],
                                                            tmp_path: Path, own_cache: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    from fmnist_viz import data as fvdata

    from conftest import make_tiny

    tiny = make_tiny(n_train=60, n_test=30)  # enough test images to place
    monkeypatch.setitem(fvdata.DATASETS, "tiny", tiny.spec)
    tiny.write(tmp_path / "d" / "tiny")
    where = ["--dataset", "tiny", "--data-dir", str(tmp_path / "d"), "--out", str(tmp_path / "o")]
    argv = ["heldout", "pca", *where, "--format", "csv"] if command == "heldout" else ["pca", *where, "--format", "npz"]

    def made() -> list[Any]:  # the held-out scores, or the embedding
        if command == "pca":
            return np.load(tmp_path / "o" / "pca_tiny.npz")["embedding"].tolist()
        with open(tmp_path / "o" / "heldout_pca_tiny.csv") as f:
            return [[row[name] for name in HELDOUT_SCORES] for row in csv.DictReader(f)]

    assert main(argv) == 0
    first = made()
    assert all(score != "" for row in first for score in row) if command == "heldout" else first
    _damage_meta(kind, change, own_cache)
    capsys.readouterr()
    assert main(argv) == 0  # the bad entry dropped with a warning and made again, never an internal error
    err = capsys.readouterr().err
    assert f"discarding corrupt cache entry {kind}/" in err and "internal error" not in err, err
    assert made() == first
    assert main(argv) == 0 and "discarding" not in capsys.readouterr().err  # and the new entry is good


def test_a_decoded_array_cut_to_nothing_is_decoded_again(tiny: Tiny, tmp_path: Path, own_cache: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    argv = ["data", "info", "--dataset", "tiny", "--data-dir", str(tmp_path / "d")]
    assert main(argv) == 0
    for path in (own_cache / "decoded").glob("*-X.npy"):
        path.write_bytes(b"")
    assert main(argv) == 0 and main(argv) == 0
    assert "discarding damaged decoded cache" in capsys.readouterr().err


# --------------------------------------------------------------------------- disks and the cache folder

def test_a_full_disk_names_the_file_and_leaves_nothing_half_written(tiny: Tiny, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    import matplotlib.figure

    tiny.write(tmp_path / "d" / "tiny")
    real = matplotlib.figure.Figure.savefig

    def full(self: Any, fname: Any, **kwargs: Any) -> None:  # as a full disk does: some bytes, then ENOSPC
        Path(fname).write_bytes(b"\x89PNG half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", full)
    out = tmp_path / "o"
    assert main(["sweep", "tsne", "--grid", "perplexity=3", "--dataset", "tiny", "--format", "csv,png", "--out",
                 str(out), "--data-dir", str(tmp_path / "d")]) == 1
    err = capsys.readouterr().err
    assert "could not write" in err and "the disk is full" in err and "internal error" not in err
    assert sorted(p.suffix for p in out.iterdir()) == [".csv"]  # the table written before; no partial figure
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", real)


def test_clearing_a_cache_whose_part_is_a_link_frees_and_says_only_what_it_did(
        own_cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.npz").write_bytes(b"x" * 2**20)
    own_cache.mkdir(parents=True, exist_ok=True)
    (own_cache / "computed").symlink_to(elsewhere)
    (own_cache / "decoded").mkdir()
    (own_cache / "decoded" / "a.npy").write_bytes(b"y" * 2**19)
    assert main(["cache", "clear"]) == 0
    out = capsys.readouterr()
    assert "freed 0.5 MiB" in out.out and "is a link to" in out.err
    assert (elsewhere / "keep.npz").exists()  # what the link points to is not touched


def test_every_probe_error_is_one_of_ours() -> None:
    """The cases above expect UsageError or FmnistVizError: the base classes the CLI turns into messages."""
    assert issubclass(UsageError, FmnistVizError)
