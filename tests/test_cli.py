"""The command line: exit codes, messages, and the data commands on tiny data sets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fmnist_viz import data as fvdata
from fmnist_viz.cli.parser import main
from fmnist_viz.errors import DataNotFoundError

from conftest import Mirror, Tiny, make_tiny, patch_everywhere


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fmnist_viz", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_help_and_version_run_as_module() -> None:
    result = run_cli("--help")
    assert result.returncode == 0 and "grid" in result.stdout and "data" in result.stdout
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("fmnist-viz ")


def test_usage_error_exits_2() -> None:
    result = run_cli("grid", "--rows", "0")
    assert result.returncode == 2 and "argument --rows: must be an integer >= 1, got 0" in result.stderr


def test_unknown_dataset_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grid", "--dataset", "cifar10"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fmnist-viz: error: --dataset 'cifar10' is not a known data set; valid data sets: fashion")
    assert "Traceback" not in err and err.count("\n") == 1


def test_bad_extension_fails_before_loading(capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    patch_everywhere(monkeypatch, fvdata.load, lambda *a, **k: pytest.fail("loaded data before checking -o"))
    assert main(["grid", "-o", "grid.jpeg"]) == 2
    assert "use one of: .png, .svg, .pdf" in capsys.readouterr().err


def test_unwritable_output_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["grid", "-o", str(blocker / "sub" / "g.png")]) == 2
    err = capsys.readouterr().err
    assert "cannot be created: Not a directory" in err and err.startswith("fmnist-viz: error: -o/--output ")


def test_missing_data_message_and_debug_traceback(tiny: Tiny, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grid", "--dataset", "tiny", "-o", "g.png"]) == 1
    err = capsys.readouterr().err
    assert "fmnist-viz: error: Tiny (all split) was not found" in err and "Traceback" not in err
    assert not Path("g.png").exists()
    with pytest.raises(DataNotFoundError):
        main(["grid", "--dataset", "tiny", "-o", "g.png", "--debug"])


def test_grid_on_tiny_data(tiny: Tiny, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    out = tmp_path / "g.svg"
    assert main(["grid", "--dataset", "tiny", "--data-dir", str(tmp_path / "d"), "--rows", "2", "--cols", "3",
                 "-o", str(out)]) == 0
    assert out.read_text().startswith("<?xml")


def test_options_before_the_command_are_kept(tiny: Tiny, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    assert main(["-q", "--data-dir", str(tmp_path / "d"), "grid", "--dataset", "tiny", "-o", "x.png"]) == 0
    assert capsys.readouterr().err == ""  # -q before the command silenced the log


def test_data_info(tiny: Tiny, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "info", "--dataset", "tiny"]) == 1  # not found is a failure, for scripts too
    captured = capsys.readouterr()
    assert "Tiny [tiny]: NOT FOUND" in captured.out and "absent" in captured.out
    assert "1 data set(s) not found: `fmnist-viz data fetch` downloads them" in captured.err
    tiny.write(tmp_path / "d" / "tiny", names=["train-images-idx3-ubyte"])
    tiny.write(tmp_path / "e" / "tiny")
    assert main(["data", "info", "--dataset", "tiny", "--data-dir", str(tmp_path / "e")]) == 0
    out = capsys.readouterr().out
    assert f"found in {tmp_path / 'e' / 'tiny'} (--data-dir)" in out
    assert "complete (4 files: gzip)" in out


def test_data_verify_exit_codes(tiny: Tiny, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "verify", "--dataset", "tiny"]) == 1  # nothing anywhere
    assert "not found anywhere" in capsys.readouterr().out
    folder = tiny.write(tmp_path / "d" / "tiny")
    assert main(["data", "verify", "--dataset", "tiny", "--data-dir", str(tmp_path / "d")]) == 0
    assert capsys.readouterr().out.count("OK ") == 4
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    assert main(["data", "verify", "--dataset", "tiny", "--data-dir", str(tmp_path / "d")]) == 1
    assert "BAD  tiny     t10k-labels-idx1-ubyte" in capsys.readouterr().out


def test_data_fetch(tiny: Tiny, mirror: Mirror, own_cache: Path, monkeypatch: pytest.MonkeyPatch,
                    capsys: pytest.CaptureFixture[str]) -> None:
    import gzip

    for name, raw in tiny.raw.items():
        mirror.files[f"/m/{name}.gz"] = gzip.compress(raw)
    monkeypatch.setitem(fvdata.DATASETS, "tiny",
                        fvdata.DatasetSpec(**{**tiny.spec.__dict__, "mirrors": (mirror.url("m"),)}))
    assert main(["-q", "data", "fetch", "--dataset", "tiny"]) == 0
    assert f"Tiny: in {own_cache / 'tiny'}" in capsys.readouterr().out
    assert len(list((own_cache / "tiny").glob("*.gz"))) == 4
    assert main(["data", "fetch", "--dataset", "tiny"]) == 0  # nothing more to do
    assert "already available" in capsys.readouterr().out
    assert len(mirror.requests) == 4


def test_a_compare_run_names_every_missing_data_set(tiny: Tiny, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    other = make_tiny("tiny2")
    monkeypatch.setitem(fvdata.DATASETS, "tiny2", other.spec)
    assert main(["pca", "--dataset", "tiny", "--compare", "tiny2", "--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "error: this run needs Tiny and Tiny2, and neither was found." in err
    assert "Tiny (all split) was not found" in err and "Tiny2 (all split) was not found" in err
    tiny.write(tmp_path / "tiny")
    assert main(["pca", "--dataset", "tiny", "--compare", "tiny2", "--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "error: this run needs Tiny and Tiny2, and Tiny2 was not found." in err
    assert "Tiny (all split) was not found" not in err and not list(tmp_path.glob("*.png"))


def test_cache_info_when_the_cache_path_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder")
    monkeypatch.setenv("FMNIST_VIZ_CACHE", str(blocker))
    for action in ("info", "clear"):
        assert main(["cache", action]) == 1
        err = capsys.readouterr().err
        assert f"the cache path {blocker} is a file, not a folder" in err and "internal error" not in err


def test_a_read_only_cache_with_a_corrupt_entry_recomputes(tiny: Tiny, tmp_path: Path, own_cache: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    argv = ["pca", "--dataset", "tiny", "--format", "npz", "--out", str(tmp_path / "out"),
            "--data-dir", str(tmp_path / "d")]
    assert main(argv) == 0
    (entry,) = (own_cache / "computed" / "embedding").glob("*.npz")
    entry.write_bytes(b"garbage")

    def read_only(self: Path, missing_ok: bool = False) -> None:  # root ignores modes: simulate a read-only cache
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "unlink", read_only)
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "discarding corrupt cache entry" in err and "cannot remove" in err and "internal error" not in err


def drawn_figures(monkeypatch: pytest.MonkeyPatch) -> list:
    """The figures the command line saves, as they are saved (their points, colours and legends)."""
    from fmnist_viz.outputs.files import save_figure

    figures: list = []
    patch_everywhere(monkeypatch, save_figure,
                     lambda fig, path, dpi=None: figures.append(fig) or save_figure(fig, path, dpi))
    return figures


def test_color_by_on_the_command_line(tiny: Tiny, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib.colors as mcolors
    import numpy as np

    from fmnist_viz import run
    from fmnist_viz.pipeline.measure import point_quality
    from fmnist_viz.render.style import COLOR_SCALES, draw_order

    tiny.write(tmp_path / "d" / "tiny")
    figures = drawn_figures(monkeypatch)
    argv = ["pca", "--dataset", "tiny", "--format", "png", "--out", str(tmp_path / "o"), "--data-dir",
            str(tmp_path / "d"), "--color-by", "disagreement"]
    assert main(argv) == 0 and (tmp_path / "o" / "pca_tiny_color-disagreement.png").is_file()
    (result,) = run(["pca"], ["tiny"], data_dir=tmp_path / "d")
    point_quality([result], data_dir=tmp_path / "d")
    expected = np.array([mcolors.to_rgb(COLOR_SCALES["disagreement"][v])
                         for v in result.pointwise["disagreement"][draw_order(len(result))]])
    drawn = figures[0].axes[0].collections[0].get_facecolors()[:, :3]
    np.testing.assert_allclose(drawn, expected, atol=1e-6)  # each point in the colour of its own measure
    assert 0 < result.pointwise["disagreement"].sum() < len(result)  # both colours present
    assert main([*argv[:-1], "rainbow"]) == 2


def test_list_says_what_the_seed_changes_and_device_help_names_every_gpu_method(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    seeds = [line.strip() for line in out.splitlines() if line.strip().startswith("seed:")]
    assert len(seeds) >= 4 and any("init=random" in s for s in seeds) and any("PCA is deterministic" in s
                                                                                for s in seeds)
    assert main(["umap", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "PyMDE; t-SNE and UMAP through TorchDR" in text


def test_the_guides_tables_are_whole() -> None:
    """The method table is one table (no paragraph cutting it), and the command table lists every command."""
    import re

    from conftest import REPO

    guide = (REPO / "docs" / "guide" / "embeddings.md").read_text()
    methods = re.search(r"\| method \| library \|.*?\n\n", guide, re.S).group(0)  # type: ignore[union-attr]
    assert [re.match(r"\| `(\w+)`", line).group(1) for line in methods.strip().splitlines()[2:]] == [  # type: ignore[union-attr]
        "pca", "tsne", "umap", "pymde"]
    cli = (REPO / "docs" / "guide" / "cli.md").read_text()
    commands = re.search(r"\| command \| what it does \|.*?\n\n", cli, re.S).group(0)  # type: ignore[union-attr]
    from fmnist_viz.cli.parser import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:  # type: ignore[union-attr]
        if name not in ("pca", "tsne", "umap", "pymde", "all"):
            assert f"`fmnist-viz {name}" in commands, name


@pytest.mark.parametrize(("argv", "wrong"), [
    (["grid", "--outp", "x.png"], "--outp x.png"),  # once taken for --output
    (["umap", "--comp", "mnist"], "--comp mnist"),  # once taken for --compare
    (["data", "info", "--al"], "--al"),  # once taken for --all
])
def test_abbreviated_options_are_refused(argv: list[str], wrong: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert f"error: unrecognized arguments: {wrong}" in capsys.readouterr().err
    assert not Path("x.png").exists()


def test_an_error_prints_the_short_usage_the_message_and_where_help_is(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["umap", "--n", "0"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "usage: fmnist-viz umap [options]",
        "fmnist-viz umap: error: argument --n: must be an integer >= 1, got 0",
        "Run 'fmnist-viz umap --help' for its options.",
    ]
    assert main(["sweep", "umap"]) == 2
    assert capsys.readouterr().err.startswith("usage: fmnist-viz sweep METHOD --grid NAME=V1,V2,... [options]\n")


@pytest.mark.parametrize(("argv", "hint"), [
    (["metrics", "--out", "x"], "redirect standard output"),
    (["metrics", "--output=x"], "redirect standard output"),  # metrics has no --out to point to
    (["umap", "--output", "x.png"], "--out DIR names the output folder"),
    (["sweep", "umap", "--grid", "k=1", "--output", "x"], "--out DIR names the output folder"),
])
def test_an_option_a_command_lacks_names_the_right_one(argv: list[str], hint: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert hint in capsys.readouterr().err


def test_grid_out_is_a_folder_as_on_every_command(tiny: Tiny, tmp_path: Path) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    argv = ["grid", "--dataset", "tiny", "--data-dir", str(tmp_path / "d"), "--rows", "1", "--cols", "2"]
    assert main([*argv, "--out", str(tmp_path / "figs")]) == 0
    assert (tmp_path / "figs" / "tiny-grid.png").read_bytes().startswith(b"\x89PNG")
    assert main([*argv, "--out", str(tmp_path / "figs"), "-o", str(tmp_path / "g.png")]) == 2  # one or the other
    assert not (tmp_path / "g.png").exists()


def test_every_command_names_a_function_of_its_module() -> None:
    """Commands are looked up by name when they run (so --help imports none of them): each name is a function."""
    import argparse

    from fmnist_viz.cli import commands, data_commands
    from fmnist_viz.cli.parser import build_parser

    def parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        return [parser, *(p for s in subs for child in s.choices.values() for p in parsers(child))]

    found = [p.get_default("func") for p in parsers(build_parser()) if p.get_default("func") is not None]
    modules = {"commands": commands, "data_commands": data_commands}
    assert len(found) >= 12 and all(callable(getattr(modules[f.family], f.name)) for f in found)
