"""Promises about the project itself: cheap imports, the public API, layout, packaging, README and CI agree."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO

HEAVY = ("matplotlib", "torch", "pymde", "umap", "sklearn", "plotly", "openTSNE", "faiss", "scipy")


def test_import_has_no_heavy_imports_or_side_effects() -> None:
    code = (
        "import logging, sys, fmnist_viz, fmnist_viz.cli, fmnist_viz.data, fmnist_viz.embed, fmnist_viz.render\n"
        f"heavy = sorted(m for m in {HEAVY!r} if m in sys.modules)\n"
        "print(heavy, logging.getLogger('fmnist_viz').handlers, logging.getLogger().handlers)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[] [] []"


def test_public_api_is_at_the_top_and_lazy() -> None:
    code = (
        "import sys\nimport fmnist_viz as fv\n"
        "light = 'fmnist_viz.pipeline' not in sys.modules\n"
        "fv.load, fv.run, fv.create, fv.save_results, fv.class_grid, fv.EmbeddingResult\n"
        f"print(light, sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True []"
    import fmnist_viz

    assert set(fmnist_viz.__all__) == {"__version__", *fmnist_viz._API}
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        fmnist_viz.nope  # noqa: B018


def test_layout_keeps_modules_small() -> None:
    package = REPO / "fmnist_viz"
    for sub in ("data", "embed", "render"):
        assert (package / sub / "__init__.py").is_file(), sub
    long = {str(p.relative_to(package)): n for p in package.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 350}
    assert not long, f"modules over 350 lines: {long}"


def test_wheel_ships_the_page_assets_and_the_installed_page_works(tmp_path: Path) -> None:
    """Build a wheel, import fmnist_viz from it (not from this checkout) and write a page with the hover script."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path / "dist"), str(REPO)], check=True, capture_output=True)
    (wheel,) = (tmp_path / "dist").glob("fmnist_viz-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    assert {f"fmnist_viz/render/assets/{name}" for name in
            ("page.js", "page.css", "plotly-gl2d.min.js", "plotly-LICENSE.txt")} <= names
    code = (
        "import numpy as np, fmnist_viz\n"
        "from fmnist_viz.results import EmbeddingResult\n"
        "from fmnist_viz.render.page import interactive_figure, write_html\n"
        "assert fmnist_viz.__file__.startswith(sys.argv[1]), fmnist_viz.__file__\n"
        "r = EmbeddingResult('d', 'D', 'umap', {}, np.zeros((3, 2), np.float32), np.zeros(3, np.uint8),\n"
        "                    np.arange(3), ('a',), 0, 'cpu', 0.0, False)\n"
        "path = write_html(interactive_figure([r]), sys.argv[1] + '/p.html', {'d': np.zeros((3, 28, 28), np.uint8)})\n"
        "text = path.read_text()\n"
        "print(\"gd.on('plotly_hover'\" in text, '#fmnist-viz-hover-image' in text)\n"
    )
    out = subprocess.run([sys.executable, "-c", "import sys\n" + code, str(tmp_path / "site")], check=True,
                         capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(tmp_path / "site"),
                                                                            "PATH": "/usr/bin:/bin"}).stdout
    assert out.strip() == "True True"


def readme_commands() -> list[str]:
    """The shell commands in README's 'Quick start' code block."""
    text = (REPO / "README.md").read_text()
    block = re.search(r"## Quick start.*?```(?:bash|sh)?\n(.*?)```", text, re.S)
    assert block, "README.md needs a '## Quick start' section with a code block"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def test_readme_has_exactly_two_commands_and_ci_runs_the_test_one() -> None:
    commands = readme_commands()
    assert len(commands) == 2, commands
    install_and_run, tests = commands
    assert "pip install" in install_and_run and "fmnist-viz " in install_and_run
    assert "pytest" in tests
    ci = (REPO / ".ci" / "run").read_text()
    assert tests in ci and "ruff check" in ci


def test_commands_write_where_git_does_not_look(tiny, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The Quick start's files go to out/, which .gitignore covers, never into the tracked figures/ (a picture
    redrawn on another machine differs in its last pixels and would show as a change)."""
    from fmnist_viz.cli import main

    ignored = subprocess.run(["git", "check-ignore", "out/umap_fashion-vs-mnist.png", "out/x.html"], cwd=REPO,
                             capture_output=True, text=True)
    assert ignored.stdout.split() == ["out/umap_fashion-vs-mnist.png", "out/x.html"]
    tiny.write(tmp_path / "d" / "tiny")
    monkeypatch.chdir(tmp_path)
    assert main(["pca", "--dataset", "tiny", "--data-dir", str(tmp_path / "d"), "--format", "png"]) == 0
    assert main(["grid", "--dataset", "tiny", "--data-dir", str(tmp_path / "d")]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["pca_tiny.png", "tiny-grid.png"]
    assert not (tmp_path / "figures").exists()


def test_ci_stops_at_once_when_the_install_fails(tmp_path: Path) -> None:
    """.ci/run's first command is an && chain, which `set -e` does not stop at: it must stop CI itself."""
    ci = (REPO / ".ci" / "run").read_text()
    install, tests = readme_commands()
    start = ci.index(install)
    line = ci[start:ci.index("\n", ci.index("||", start))].replace("\\\n", " ")
    assert "exit 1" in line
    failing = line.replace("python3 -m venv .venv", "false", 1)  # as if making the venv failed
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", f"{failing}\necho REACHED"], capture_output=True,
                          text=True, cwd=tmp_path)
    assert done.returncode != 0 and "REACHED" not in done.stdout and "README's first command failed" in done.stderr
