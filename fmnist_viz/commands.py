"""What each ``fmnist-viz`` command does, given its parsed arguments: calls into the library, prints.

:mod:`fmnist_viz.cli` builds the parser and maps errors to exit codes. Each
command imports the library parts it needs when it runs, so ``--help`` and
``data info`` start fast.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .errors import UsageError
from .paths import DEFAULT_OUT

log = logging.getLogger("fmnist_viz")


def _progress(args: argparse.Namespace) -> bool | None:
    """Progress bars: off with -q, else shown when stderr is a terminal."""
    return False if args.quiet else None


@contextlib.contextmanager
def _as_param(param: str) -> Iterator[None]:
    """Report usage errors raised inside as errors of ``param`` (e.g. a data set given as ``compare``)."""
    try:
        yield
    except UsageError as exc:
        if exc.param is None:
            raise
        raise UsageError(exc.detail, param=param) from exc


def _dataset_names(value: str) -> list[str]:
    """Resolve 'all' or a comma-separated list of dataset names."""
    from .data import DATASETS, get_spec

    if value == "all":
        return list(DATASETS)
    return [get_spec(v).name for v in value.split(",") if v.strip()]


# --------------------------------------------------------------------------- data

def cmd_data_info(args: argparse.Namespace) -> int:
    from .data import get_spec, load, survey
    from .errors import DataNotFoundError
    from .paths import CACHE_ENV, DATA_ENV, cache_dir, env_data_dirs

    env = ", ".join(str(p) for p in env_data_dirs()) or "(not set)"
    print(f"cache folder: {cache_dir()}  (${CACHE_ENV} overrides)")
    print(f"${DATA_ENV}: {env}")
    if args.data_dir:
        print(f"--data-dir: {args.data_dir}")
    missing = 0
    for name in _dataset_names(args.dataset):
        spec = get_spec(name)
        report = survey(spec, args.data_dir)
        try:  # the copy a run would use: verified, so a corrupt copy is never the one shown as found
            chosen = load(spec.name, data_dir=args.data_dir, download=False).location
        except DataNotFoundError:
            chosen = None
        used = next((s for s in report if s.location.path == chosen), None)
        where = f"found in {used.location.path} ({used.location.origin})" if used else "NOT FOUND"
        print(f"\n{spec.title} [{spec.name}]: {where}")
        shown = [s for s in report if s.present or args.all or used is None]
        for status in shown:
            if status.complete and (used is None or report.index(status) < report.index(used)):
                state = "complete but unusable (skipped; `fmnist-viz data verify` says why)"
            elif status.complete:
                kinds = {"gzip" if p.suffix == ".gz" else p.suffix.lstrip(".") or "raw" for p in status.present}
                state = f"complete ({len(status.present)} files: {', '.join(sorted(kinds))})"
            elif status.present:
                state = f"incomplete, missing {', '.join(status.missing)}"
            else:
                state = "absent"
            mark = "->" if status is used else "  "
            print(f" {mark} {status.location.origin:<17} {status.location.path}  {state}")
        if len(shown) < len(report):
            print(f"    ({len(report) - len(shown)} other places searched, all empty; --all lists them)")
        missing += used is None
    if missing:
        print(f"\n{missing} data set(s) not found: `fmnist-viz data fetch` downloads them, or point "
              "--data-dir / $FMNIST_VIZ_DATA at a folder holding their files", file=sys.stderr)
    return 1 if missing else 0


def cmd_data_verify(args: argparse.Namespace) -> int:
    from .data import verify

    failed = 0
    for name in _dataset_names(args.dataset):
        for check in verify(name, args.data_dir):
            failed += not check.ok
            where = check.path if check.path is not None else "-"
            print(f"{'OK ' if check.ok else 'BAD'}  {check.dataset:<8} {check.filename:<26} {where}  {check.message}")
    if failed:
        print(f"{failed} file(s) failed verification", file=sys.stderr)
        return 1
    return 0


def cmd_data_fetch(args: argparse.Namespace) -> int:
    from .data import fetch, get_spec, survey

    for name in _dataset_names(args.dataset):
        spec = get_spec(name)
        elsewhere = next((s for s in survey(spec, args.data_dir) if s.complete), None)
        if elsewhere is not None and not args.force:
            print(f"{spec.title}: already available in {elsewhere.location.path} "
                  "(--force downloads a copy into the cache)")
            continue
        start = time.perf_counter()
        folder = fetch(spec, progress=_progress(args))
        print(f"{spec.title}: in {folder} ({time.perf_counter() - start:.1f} s)")
    return 0


# --------------------------------------------------------------------------- grid

def cmd_grid(args: argparse.Namespace) -> int:
    from .data import get_spec, load
    from .outputs import check_output_path, save_figure
    from .render.grids import class_grid

    chosen = None
    if args.rows_from:
        from .selection import read_selection

        chosen = read_selection(args.rows_from, param="rows_from")
        if args.dataset and get_spec(args.dataset).name != chosen.dataset:
            raise UsageError(f"holds rows of {chosen.dataset}, not of {args.dataset}", param="rows_from")
        if args.split != "all":
            raise UsageError("rows from a page index the whole data set; leave out --split", param="split")
    elif args.per_class is not None:
        raise UsageError("applies to --rows-from only; without it, --rows and --cols set the images per class",
                         param="per_class")
    spec = get_spec(chosen.dataset if chosen else args.dataset or "fashion")
    output = check_output_path(args.output or f"{DEFAULT_OUT}/{spec.name}-grid.png")
    data = load(spec.name, split=args.split, data_dir=args.data_dir, progress=_progress(args))
    names, picks = list(data.class_names), None
    if chosen:
        names, picks, title = _selected_picks(args, chosen.check_rows(len(data), spec.title), data)
    else:
        title = (f"{spec.title}: {args.rows * args.cols} random samples per class "
                 f"({'train+test' if args.split == 'all' else args.split + ' split'}, seed {args.seed})")
    fig = class_grid(data.images, data.y, names, rows=args.rows, cols=args.cols, seed=args.seed, cmap=args.cmap,
                     title=None if args.no_title else title, picks=picks)
    save_figure(fig, output, dpi=args.dpi)
    print(output)
    return 0


def _selected_picks(args: argparse.Namespace, chosen: Any, data: Any) -> tuple[list[str], list[Any], str]:
    """A selection's rows as a grid draws them: at most --per-class of each class (drawn with --seed), the class
    names with how many of how many are shown, and the title. Refuses, naming the options given, a grid that
    would be too large."""
    from .render.grids import most_per_side, sample_picks

    per_class = args.per_class or args.rows * args.cols
    selected = [chosen.rows[data.y[chosen.rows] == c] for c in range(len(data.class_names))]
    most_rows, most_cols = most_per_side(len(data.class_names), data.images.shape[1:3])
    if args.cols > most_cols:
        raise UsageError(f"must be at most {most_cols} (images per row), got {args.cols}", param="cols")
    drawn = min(per_class, max(len(p) for p in selected))
    needed = -(-drawn // args.cols)
    if needed > most_rows:
        fits = most_rows * args.cols
        given, verb = ("per_class", "asks") if args.per_class else ("rows and cols", "ask")
        raise UsageError(f"{verb} for up to {per_class:,} images per class: {drawn:,} of one class take {needed} "
                         f"rows of {args.cols}, and at most {fits:,} per class fit ({most_rows} rows of {args.cols}); "
                         f"give --per-class {fits} or less", param=given)
    picks = sample_picks(selected, per_class, args.seed)
    names = [f"{name}\n{len(p):,} of {len(s):,}" for name, p, s in zip(data.class_names, picks, selected, strict=True)]
    shown = sum(len(p) for p in picks)
    sampled = f", at most {per_class:,} per class (seed {args.seed})" if shown < len(chosen.rows) else ""
    source = Path(chosen.source).name
    title = f"{data.title}: {shown:,} of the {len(chosen.rows):,} images selected in {source}{sampled}"
    return names, picks, title


# --------------------------------------------------------------------------- embeddings

def _parse_params(pairs: Sequence[str], methods: Sequence[str]) -> dict[str, dict[str, str]]:
    """``KEY=VALUE`` (one method) or ``METHOD.KEY=VALUE`` pairs -> {method: {key: value}}."""
    params: dict[str, dict[str, str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"takes KEY=VALUE, got {pair!r}", param="params")
        method, dot, name = key.rpartition(".")
        if not dot:
            if len(methods) != 1:
                raise UsageError(f"{pair!r}: say which method, as METHOD.{key}=VALUE", param="params")
            method = methods[0]
        if method not in methods:
            raise UsageError(f"{pair!r}: method {method!r} is not run here ({', '.join(methods)})", param="params")
        params.setdefault(method, {})[name] = value
    return params


def _datasets(args: argparse.Namespace) -> list[str]:
    """--dataset, and --compare when given (another data set)."""
    from .data import get_spec

    datasets = [get_spec(args.dataset).name]
    if args.compare:
        with _as_param("compare"):
            datasets.append(get_spec(args.compare).name)
        if datasets[0] == datasets[1]:
            raise UsageError(f"{args.compare} is the same data set as --dataset", param="compare")
    return datasets


def _run_embeddings(args: argparse.Namespace, methods: list[str]) -> list:
    from .pipeline import run

    return run(
        methods, _datasets(args), params=_parse_params(args.param, methods), n=args.n, seed=args.seed,
        device=args.device, pca_dims=args.pca_dims, use_cache=not args.no_cache,
        data_dir=args.data_dir, progress=_progress(args),
    )


def cmd_embed(args: argparse.Namespace) -> int:
    from .embed import BUILTIN_METHODS
    from .outputs import check_formats, check_writable_dir, save_results

    methods = list(BUILTIN_METHODS) if args.command == "all" else [args.command]
    formats = check_formats(args.format)
    check_writable_dir(args.out)
    highlight = None
    if args.highlight:  # read and checked before the long work: a bad file fails at once
        from .outputs import check_highlight
        from .selection import read_selection

        highlight = check_highlight(read_selection(args.highlight, param="highlight"), _datasets(args),
                                    args.data_dir)
    start = time.perf_counter()
    results = _run_embeddings(args, methods)
    for path in save_results(results, args.out, formats, name=args.command, style=args.style,
                             exemplars=args.exemplars, seed=args.seed, max_points=args.max_points,
                             plotly_js=args.plotly_js, data_dir=args.data_dir, align=getattr(args, "align", "auto"),
                             highlight=highlight, color_by=args.color_by):
        print(path)
    log.info("all done in %.1f s", time.perf_counter() - start)
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from .outputs import check_formats, check_writable_dir
    from .sweep_checks import MAX_CELLS, check_seeds, parse_grid
    from .sweeps import SWEEP_FORMATS, save_sweep, sweep

    grid = parse_grid(args.grid, args.method)  # everything checked before any work
    formats = check_formats(args.format, SWEEP_FORMATS)
    try:
        seeds = check_seeds([int(s) for s in args.seeds.split(",") if s.strip()])
    except ValueError as exc:
        if isinstance(exc, UsageError):
            raise
        raise UsageError(f"must be comma-separated whole numbers, got {args.seeds[:80]!r}", param="seeds") from None
    datasets = _datasets(args)
    check_writable_dir(args.out)
    if set(formats) & {"png", "svg", "pdf"}:
        from .render.sweep_figures import check_size

        check_size(grid, seeds)
    start = time.perf_counter()
    result = sweep(args.method, grid, datasets, seeds, n=args.n, data_dir=args.data_dir,
                   use_cache=not args.no_cache, progress=_progress(args), workers=args.workers,
                   scheduler=args.scheduler, max_cells=None if args.yes else MAX_CELLS, worker_wait=args.worker_wait)
    for path in save_sweep(result, args.out, formats, data_dir=args.data_dir):
        print(path)
    failed = result.failed
    log.info("%d cells in %.1f s%s", len(result.cells), time.perf_counter() - start,
             f"; {len(failed)} failed (see the table's error column)" if failed else "")
    return 1 if failed else 0


def cmd_list(args: argparse.Namespace) -> int:
    from .embed import load_all

    classes, failed = load_all()
    for name, cls in classes.items():
        ok, why = cls.available()
        version = cls.backend_version()
        state = f"{cls.backend} {version}" if ok else f"UNAVAILABLE: {why}"
        device = _gpu_description() if cls.supports_gpu and ok else "cpu"
        print(f"{name:<8} {cls.summary}")
        print(f"         backend: {state}; device: {device}")
        print(f"         seed: {cls.seed_note or 'passed to the method (what it changes is up to the plugin)'}")
        for p in cls.params:
            extra = f" (one of {', '.join(map(str, p.choices))})" if p.choices else ""
            print(f"         --param {p.name}={p.default}  {p.help}{extra}")
    for name, why in failed.items():
        print(f"{name:<8} BROKEN PLUGIN: {why}")
    return 0


def _gpu_description() -> str:
    """What --device auto picks for GPU-capable methods here."""
    import torch

    if torch.cuda.is_available():
        return f"cuda ({torch.cuda.get_device_name(0)}) with --device auto"
    return "cpu (no CUDA GPU visible to PyTorch; cuda when there is one)"


def cmd_metrics(args: argparse.Namespace) -> int:
    from .embed import BUILTIN_METHODS
    from .metrics import DEFAULT_SAMPLE, check_k, evaluate_results, format_table, quality_rows

    methods = [m.strip() for m in args.methods.split(",") if m.strip()] if args.methods else list(BUILTIN_METHODS)
    check_k(args.k, args.n or DEFAULT_SAMPLE)  # before any work; evaluate_results checks the real size again
    results = _run_embeddings(args, methods)
    evaluate_results(results, data_dir=args.data_dir, k=args.k)
    print(format_table(quality_rows(results), args.format))
    return 0


def cmd_cache(args: argparse.Namespace) -> int:
    from .cache import ResultCache, clear, section_sizes
    from .errors import FmnistVizError
    from .paths import CACHE_ENV, cache_dir

    root = cache_dir()
    if root.exists() and not root.is_dir():
        raise FmnistVizError(f"the cache path {root} is a file, not a folder: move it away, or point "
                             f"${CACHE_ENV} at a folder")
    if args.cache_command == "clear":
        freed = clear(root, downloads=args.downloads)
        kept = "" if args.downloads else " (downloads kept; --downloads removes them too)"
        print(f"freed {freed / 2**20:.1f} MiB in {root}{kept}")
        return 0
    print(f"cache folder: {root}")
    for label, (size, count) in section_sizes(root).items():
        print(f"  {label:<34} {size / 2**20:9.1f} MiB in {count} files")
    for row in ResultCache(root).entries()["embedding"]:
        params = ", ".join(f"{k}={v}" for k, v in (row.get("params") or {}).items())
        print(f"  {row.get('dataset', '?'):<8} {row.get('method', '?'):<6} n={row.get('n', '?'):<6} "
              f"seed={row.get('seed', '?')} {row.get('device', '')} {row.get('seconds', 0):.1f} s  {params}")
    return 0
