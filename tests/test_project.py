"""Promises about the project itself: cheap imports, the public API, layout, packaging, README and CI agree."""

from __future__ import annotations

import ast
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
        "import logging, sys, fmnist_viz, fmnist_viz.cli.parser, fmnist_viz.data, fmnist_viz.embed, fmnist_viz.render\n"
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


#: The package's top level, which is its architecture: the ground modules everything may use, then one folder
#: per layer (see docs/design.md).
GROUND = ("errors", "results", "naming", "digest", "progress", "version")
LAYERS = ("store", "data", "embed", "quality", "render", "executors", "pipeline", "studies", "outputs", "cli")

#: Which layer may import which (imports inside a layer are its own business). Data flows one way: a layer
#: imports only layers listed before it, and never the root package (``fmnist_viz/__init__.py``: the lazy
#: public names).
ALLOWED = {
    "ground": set(),
    "store": {"ground"},
    "data": {"ground", "store"},
    "embed": {"ground", "store", "data"},
    "quality": {"ground", "store", "data", "embed"},
    "render": {"ground", "embed", "quality"},  # drawn from what it is given: neither the data nor the store
    "executors": {"ground", "store", "data", "embed", "quality"},
    "pipeline": {"ground", "store", "data", "embed", "quality", "executors"},
    "studies": {"ground", "store", "data", "embed", "quality", "executors", "pipeline"},
    "outputs": {"ground", "store", "data", "embed", "quality", "render", "pipeline", "studies"},
    "cli": {"ground", "store", "data", "embed", "quality", "render", "executors", "pipeline", "studies", "outputs"},
    "root": {"ground", *LAYERS},  # __init__ (its lazy names) and __main__
}


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")


def layer_of(module: str) -> str:
    """``fmnist_viz.store.cache`` -> ``store``; a ground module -> ``ground``; the package and __main__ -> root."""
    part = module.split(".")[1] if "." in module else ""
    return "ground" if part in GROUND else part if part in LAYERS else "root"


def is_module(name: str) -> bool:
    where = REPO.joinpath(*name.split("."))
    return where.with_suffix(".py").is_file() or (where / "__init__.py").is_file()


def imports(path: Path) -> list[tuple[int, str, bool]]:
    """Every fmnist_viz module a file imports, as (line, absolute name, inside a function), counting imports inside
    functions and under ``TYPE_CHECKING``; ``from pkg import name`` counts ``pkg.name`` when that is a module."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text())
    inside = {id(node) for fn in ast.walk(tree) if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
              for node in ast.walk(fn)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            names = [f"{base}.{a.name}" if is_module(f"{base}.{a.name}") else base for a in node.names]
        else:
            continue
        found += [(node.lineno, name, id(node) in inside) for name in names if name.split(".")[0] == "fmnist_viz"]
    return found


def package_files() -> list[Path]:
    return sorted((REPO / "fmnist_viz").rglob("*.py"))


def test_each_layer_imports_only_the_layers_its_table_allows() -> None:
    """The allow-list, checked on every import in the source: one outside it fails with both modules named."""
    broken = []
    for path in package_files():
        module = module_name(path)
        for line, name, _ in imports(path):
            mine, theirs = layer_of(module), layer_of(name)
            if (theirs != mine and theirs not in ALLOWED[mine]) or (name == "fmnist_viz" and mine != "root"):
                broken.append(f"{module} ({mine}) imports {name} ({theirs}), line {line}")
    assert not broken, "\n".join(broken)


def test_no_module_imports_itself_back() -> None:
    """No import cycle, counting imports inside functions and the re-exports of packages' __init__s."""
    graph = {module_name(p): {n for _, n, _ in imports(p) if is_module(n)} for p in package_files()}
    state: dict[str, int] = {}
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for other in sorted(graph.get(module, ())):
            if state.get(other) == 1:
                cycles.append(" -> ".join([*path[path.index(other):], other]))
            elif other not in state:
                visit(other, [*path, other])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, "\n".join(cycles)


def test_the_project_s_own_modules_are_imported_at_the_top() -> None:
    """Only heavy third-party libraries wait for the function that needs them; an import of our own inside a
    function says why on its line (a comment), or it hides the real dependencies from readers and tools."""
    hidden = []
    for path in package_files():
        lines = path.read_text().splitlines()
        hidden += [f"{module_name(path)} line {line}: {name}" for line, name, inside in imports(path)
                   if inside and "#" not in lines[line - 1]]
    assert not hidden, "\n".join(hidden)


def test_the_folder_listing_is_the_architecture() -> None:
    """At most 8 modules at the top (the ground and the entry points), every folder a layer of the table."""
    package = REPO / "fmnist_viz"
    modules = sorted(p.stem for p in package.glob("*.py"))
    folders = sorted(p.name for p in package.iterdir() if (p / "__init__.py").is_file())
    assert modules == sorted(["__init__", "__main__", *GROUND]) and len(modules) <= 8
    assert folders == sorted(LAYERS)


def test_writers_are_handed_what_they_draw() -> None:
    """No writer (outputs/) imports a measuring function: the pipeline measures (and caches), writers write."""
    measuring = {"evaluate_results", "point_quality", "align_results", "procrustes", "evaluate", "measure",
                 "trustworthiness", "knn_accuracy", "neighborhood_preservation", "explained_variance",
                 "disagreement", "preservation"}
    found = []
    for path in sorted((REPO / "fmnist_viz" / "outputs").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                found += [f"{path.name} imports {a.name}" for a in node.names if a.name in measuring]
    assert not found, "\n".join(found)


def test_wheel_ships_the_page_assets_and_the_installed_page_works(tmp_path: Path) -> None:
    """Build a wheel, import fmnist_viz from it (not from this checkout) and write a page with the hover script."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path / "dist"), str(REPO)], check=True, capture_output=True)
    (wheel,) = (tmp_path / "dist").glob("fmnist_viz-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    from fmnist_viz.render.page import PAGE_PARTS

    assert {f"fmnist_viz/render/assets/{name}" for name in
            ("page.css", "plotly-gl2d.min.js", "plotly-LICENSE.txt", *(f"page/{p}.js" for p in PAGE_PARTS))} <= names
    code = (
        "import numpy as np, fmnist_viz\n"
        "from fmnist_viz.results import EmbeddingResult\n"
        "from fmnist_viz.outputs.explorer import write_page\n"
        "from fmnist_viz.render.page import drawn_rows, interactive_figure\n"
        "from fmnist_viz.render.sprites import hover_images\n"
        "assert fmnist_viz.__file__.startswith(sys.argv[1]), fmnist_viz.__file__\n"
        "r = EmbeddingResult('d', 'D', 'umap', {}, np.zeros((3, 2), np.float32), np.zeros(3, np.uint8),\n"
        "                    np.arange(3), ('a',), 0, 'cpu', 0.0, False)\n"
        "fig = interactive_figure([r])\n"
        "hover = hover_images({'d': np.zeros((3, 28, 28), np.uint8)}, drawn_rows(fig))\n"
        "path = write_page(fig, sys.argv[1] + '/p.html', hover)\n"
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
    from fmnist_viz.cli.parser import main

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


def test_each_part_of_the_page_script_uses_only_names_defined_before_it() -> None:
    """The page's script parts are joined in order; a name a part declares (``var`` or ``function`` at its top
    level) is not used by an earlier part."""
    from fmnist_viz.render.page import PAGE_PARTS

    folder = REPO / "fmnist_viz" / "render" / "assets" / "page"
    texts = [re.sub(r"//[^\n]*|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"", "", (folder / f"{p}.js").read_text())
             for p in PAGE_PARTS]
    assert sorted(p.name for p in folder.glob("*.js")) == sorted(f"{p}.js" for p in PAGE_PARTS)
    late = []
    for k, text in enumerate(texts):
        for name in re.findall(r"^(?:var|function) ([A-Za-z_$][\w$]*)", text, re.M):
            users = [PAGE_PARTS[j] for j in range(k) if re.search(rf"(?<![\w$.]){re.escape(name)}(?![\w$])", texts[j])]
            late += [f"{PAGE_PARTS[k]}.js declares {name}, used before in {u}.js" for u in users]
    assert not late, "\n".join(late)


def page_parts() -> dict[str, str]:
    """The page script's parts, in order, with comments and strings blanked (what is left is code)."""
    from fmnist_viz.render.page import PAGE_PARTS

    folder = REPO / "fmnist_viz" / "render" / "assets" / "page"
    return {p: re.sub(r"//[^\n]*|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"", "''", (folder / f"{p}.js").read_text())
            for p in PAGE_PARTS}


def assigned_again(name: str, code: str) -> bool:
    """Whether ``name`` is assigned anywhere but where it, or a function's own variable of that name, is declared
    (``var a = 1, name = 2``)."""
    assignment = re.compile(rf"(?<![\w$.]){re.escape(name)}\s*(?:=(?!=)|\+=|-=|\+\+|--)")
    for line in code.splitlines():
        declaring = re.match(r"\s*(?:var|let|const) ", line)
        for found in assignment.finditer(line):
            before = line[:found.start()].rstrip()
            if not (declaring and (before.endswith(",") or re.search(r"(?:var|let|const)$", before))):
                return True
    return False


def test_the_page_s_state_lives_in_state_js_and_one_part_patches_a_built_in() -> None:
    """Every variable of the page that is assigned again (its state) is declared in state.js; components keep what
    is theirs alone inside their closures. Only gl-context.js changes a browser built-in's prototype."""
    parts = page_parts()
    code = "\n".join(parts.values())
    elsewhere = []
    for part, text in parts.items():
        for declared in re.findall(r"^var ([^;]*)", text, re.M):
            for name in re.findall(r"(?:^|,\s*)([A-Za-z_$][\w$]*)\s*=", declared):
                if part != "state" and assigned_again(name, code):
                    elsewhere.append(f"{part}.js: {name}")
    assert not elsewhere, "state declared outside state.js: " + ", ".join(elsewhere)
    patching = [p for p, text in parts.items() if re.search(r"\.prototype\.\w+\s*=(?!=)", text)]
    assert patching == ["gl-context"], patching


def test_help_imports_no_command_s_machinery() -> None:
    """``fmnist-viz --help`` builds the parser only: the pipeline, the executors and the writers wait for a command
    to run (benchmarks/bench_startup.py times it)."""
    code = ("import contextlib, io, sys\nfrom fmnist_viz.cli.parser import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    main(['--help'])\n"
            "print(sorted(m for m in sys.modules if m.split('.')[:2] in (['fmnist_viz', 'pipeline'], "
            "['fmnist_viz', 'executors'], ['fmnist_viz', 'cli']) or m in ('fmnist_viz.outputs.embeddings', "
            "'fmnist_viz.studies.sweeps')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['fmnist_viz.cli', 'fmnist_viz.cli.options', 'fmnist_viz.cli.parser']"
