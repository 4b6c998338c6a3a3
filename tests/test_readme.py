"""Every Python block in README.md runs verbatim, as a plain script with no __main__ guard, on a cold cache."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

BLOCKS = re.findall(r"```python\n(.*?)```", (REPO / "README.md").read_text(), re.S)


def test_readme_has_python_blocks() -> None:
    assert len(BLOCKS) >= 2


@pytest.mark.realdata
@pytest.mark.parametrize("number", range(len(BLOCKS)))
def test_readme_python_block_runs_as_a_plain_script(number: int, real_data: Path, tmp_path: Path) -> None:
    script = tmp_path / f"block{number}.py"
    script.write_text(BLOCKS[number])
    env = {**os.environ, "FMNIST_VIZ_CACHE": str(tmp_path / "cold-cache"), "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, f"README block {number} failed:\n{BLOCKS[number]}\n{done.stderr[-3000:]}"
