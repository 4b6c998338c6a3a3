"""README.md and the documentation pages: every Python block runs verbatim (as a plain script with no __main__
guard, on a cold cache), every link leads somewhere, the API reference and the page API's table are whole."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

PAGES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
#: Each distinct Python block of README.md and the docs, in page order (README repeats one of the guides').
BLOCKS = list(dict.fromkeys(block for page in PAGES for block in re.findall(r"```python\n(.*?)```", page.read_text(),
                                                                           re.S)))


def test_the_pages_have_python_blocks() -> None:
    assert len(BLOCKS) >= 5


#: What each block prints and writes, found by a line of it: (regular expressions its output must match, in
#: order, one line each; the files it must leave in its folder). A block this table does not know fails the test.
EXPECTED = {
    'fashion = fv.load("fashion")': ([], ["grid.pdf"]),
    'results = fv.run(["umap", "tsne"]': (
        [rf"^{d} {m} \(5000, 2\) \d+\.\d+$" for d in ("fashion", "mnist") for m in ("umap", "tsne")],
        ["my-figures/umap-tsne_fashion-vs-mnist_n5000_umap-n_neighbors30.png",
         "my-figures/umap-tsne_fashion-vs-mnist_n5000_umap-n_neighbors30.html", "my-figures/explore.html",
         "my-figures/umap_fashion_n5000_n_neighbors30.npz", "my-figures/tsne_mnist_n5000.npz"]),
    'swept = fv.sweep("umap"': (
        [rf"^{k} {s} 0\.\d+ 0\.\d+ done$" for k in (5, 15) for s in (0, 1)],
        ["out/sweep_umap_fashion_n_neighbors-5-15_min_dist-0.1_seeds-0-1_n2000.csv",
         "out/sweep_umap_fashion_n_neighbors-5-15_min_dist-0.1_seeds-0-1_n2000_seed0.png"]),
    'held = fv.heldout(': (
        [rf"^{m} \(5000, 2\) \(10000, 2\) 0\.\d+$" for m in ("pca", "umap")],
        ["out/heldout_pca-umap_fashion_fit5000.csv", "out/heldout_pca-umap_fashion_fit5000.png"]),
    'fig = fv.shepard(results)': ([rf"^{m} 0\.\d+ 0\.\d+$" for m in ("pca", "umap")], ["out/shepard_fashion.png"]),
    'fig = fv.image_map(results[0]': (
        [r"^out/umap_fashion-vs-mnist_n5000_image-map\.(png|pdf)$"] * 2
        + [r"^out/umap_fashion_n5000_zoom-[-.\d_]+\.png$"],
        ["umap-fashion-map.png", "out/umap_fashion-vs-mnist_n5000_image-map.png",
         "out/umap_fashion-vs-mnist_n5000_image-map.pdf"]),
}


def test_every_block_has_its_expectations() -> None:
    assert sorted(next(k for k in EXPECTED if k in block) for block in BLOCKS) == sorted(EXPECTED)


@pytest.mark.slow
@pytest.mark.parametrize("number", range(len(BLOCKS)))
def test_readme_python_block_runs_as_a_plain_script(number: int, real_data: Path, tmp_path: Path) -> None:
    script = tmp_path / f"block{number}.py"
    script.write_text(BLOCKS[number])
    env = {**os.environ, "FMNIST_VIZ_CACHE": str(tmp_path / "cold-cache"), "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, f"README block {number} failed:\n{BLOCKS[number]}\n{done.stderr[-3000:]}"
    patterns, files = next(v for k, v in EXPECTED.items() if k in BLOCKS[number])
    lines = done.stdout.splitlines()
    assert len(lines) == len(patterns), done.stdout
    for line, pattern in zip(lines, patterns, strict=True):
        assert re.match(pattern, line), (pattern, line)
    for name in files:
        assert (tmp_path / name).is_file() and (tmp_path / name).stat().st_size > 200, name


def test_every_call_of_the_page_api_is_documented() -> None:
    """Each member of window.fmnistViz (api.js) is named in the explorer guide's table of calls, and no other."""
    api = (REPO / "fmnist_viz" / "render" / "assets" / "page" / "api.js").read_text()
    members = set(re.findall(r"^  (\w+): function", api, re.M))
    guide = (REPO / "docs" / "guide" / "explorer.md").read_text()
    table = "\n".join(line for line in guide.splitlines() if "`fmnistViz." in line)
    documented = set(re.findall(r"(?:fmnistViz\.|/ )`?(\w+)\(", table))
    assert len(members) >= 15 and members == documented


def test_every_relative_link_of_readme_and_the_docs_leads_to_a_file() -> None:
    """README's links into docs/ (which GitHub shows as Markdown), and the pages' own, name files that exist."""
    for page in PAGES:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
            assert (page.parent / target).exists(), f"{page.relative_to(REPO)} links to missing {target}"


def test_the_api_reference_documents_every_public_name_where_it_is_defined() -> None:
    """Each name of ``fmnist_viz.__all__`` has its ``::: module.name`` on a reference page, at the module that
    defines it (so a module moved is a reference to update), and the reference names nothing else."""
    import fmnist_viz

    reference = "".join(p.read_text() for p in sorted((REPO / "docs" / "reference").glob("*.md")))
    documented = set(re.findall(r"^::: ([\w.]+)$", reference, re.M))
    assert documented == {f"{module}.{name}" for name, module in fmnist_viz._API.items()}
