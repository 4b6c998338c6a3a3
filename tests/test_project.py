"""Promises about the project itself: cheap imports, no import side effects, README and CI agree."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import REPO


def test_import_has_no_heavy_imports_or_side_effects() -> None:
    code = (
        "import logging, sys, fmnist_viz, fmnist_viz.cli, fmnist_viz.data, fmnist_viz.embed, fmnist_viz.render.grids\n"
        "heavy = sorted(m for m in ('matplotlib', 'torch', 'pymde', 'umap', 'sklearn', 'plotly', 'openTSNE')"
        " if m in sys.modules)\n"
        "print(heavy, logging.getLogger('fmnist_viz').handlers, logging.getLogger().handlers)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[] [] []"


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
    assert tests in (REPO / ".ci" / "run").read_text()
