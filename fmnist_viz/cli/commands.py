"""What the ``fmnist-viz`` commands that embed do (and ``list``, ``cache``), given their parsed arguments: calls
into the library, prints.

:mod:`fmnist_viz.cli.parser` builds the parser and maps errors to exit codes;
:mod:`fmnist_viz.cli.data_commands` holds ``data`` and ``grid``. Each command
imports the library parts it needs when it runs, so ``--help`` and ``data
info`` start fast.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import time
from collections.abc import Iterator, Sequence

from ..data import get_spec
from ..data.selection import read_selection
from ..embed import BUILTIN_METHODS, load_embedders
from ..errors import FmnistVizError, UsageError
from ..outputs.embeddings import check_highlight, check_targets, save_results
from ..outputs.files import (
    HELDOUT_FORMATS,
    STABILITY_FORMATS,
    SWEEP_FORMATS,
    check_formats,
    check_output_path,
    check_writable_dir,
)
from ..outputs.heldout import heldout_rows, save_heldout
from ..outputs.image_maps import (
    check_formats_of,
    check_image_map,
    plan_image_maps,
    plan_zoom_figures,
    write_planned,
)
from ..outputs.shepard import save_shepard
from ..outputs.stability import save_stability
from ..outputs.sweeps import save_sweep
from ..pipeline import run
from ..pipeline.measure import evaluate_results
from ..quality.metrics import DEFAULT_SAMPLE, check_k, format_table, quality_rows
from ..render.sweep_figures import check_size
from ..store.cache import ResultCache, clear, section_sizes
from ..store.paths import CACHE_ENV, cache_dir
from ..studies.heldout import heldout
from ..studies.stability import stability
from ..studies.sweep_grid import MAX_CELLS, check_seeds, parse_grid
from ..studies.sweeps import sweep

log = logging.getLogger("fmnist_viz")


def progress_of(args: argparse.Namespace) -> bool | None:
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

    datasets = [get_spec(args.dataset).name]
    if args.compare:
        with _as_param("compare"):
            datasets.append(get_spec(args.compare).name)
        if datasets[0] == datasets[1]:
            raise UsageError(f"{args.compare} is the same data set as --dataset", param="compare")
    return datasets


def _run_embeddings(args: argparse.Namespace, methods: list[str]) -> list:

    return run(
        methods, _datasets(args), params=_parse_params(args.param, methods), n=args.n, seed=args.seed,
        device=args.device, pca_dims=args.pca_dims, use_cache=not args.no_cache,
        data_dir=args.data_dir, progress=progress_of(args),
    )


def cmd_embed(args: argparse.Namespace) -> int:

    methods = list(BUILTIN_METHODS) if args.command == "all" else [args.command]
    formats = check_formats(args.format)
    check_image_map(formats, args.image_map)
    if args.zoom_box is not None:
        check_formats_of(formats, param="zoom_box")
    if args.image_frames and args.image_map is None and args.zoom_box is None:
        raise UsageError("frames the images of an image map or a zoom box: give --image-map or --zoom-box too",
                         param="image_frames")
    check_writable_dir(args.out)
    highlight = None
    if args.highlight:  # read and checked before the long work: a bad file fails at once

        highlight = check_highlight(read_selection(args.highlight, param="highlight"), _datasets(args),
                                    args.data_dir)
    start = time.perf_counter()
    results = _run_embeddings(args, methods)
    align = getattr(args, "align", "auto")
    # the image maps and zoom figures named and checked (a box that meets no layout, a name taken by a folder)
    # before save_results writes anything; save_results checks its own files before its first
    plans = []
    if args.image_map is not None:
        plans += plan_image_maps(results, args.out, formats, cells=args.image_map, frames=args.image_frames,
                                 style=args.style, align=align, data_dir=args.data_dir)
    if args.zoom_box is not None:
        plans += plan_zoom_figures(results, args.zoom_box, args.out, formats, frames=args.image_frames,
                                   style=args.style, align=align, data_dir=args.data_dir)
    check_targets([p for plan in plans for p in plan.paths])
    for path in save_results(results, args.out, formats, name=args.command, style=args.style,
                             exemplars=args.exemplars, seed=args.seed, max_points=args.max_points,
                             plotly_js=args.plotly_js, data_dir=args.data_dir, align=align,
                             highlight=highlight, color_by=args.color_by):
        print(path)
    for path in write_planned(plans):
        print(path)
    log.info("all done in %.1f s", time.perf_counter() - start)
    return 0


def _seeds(text: str) -> list[int]:
    """``--seeds 0,1,2`` as seeds, each checked and each once."""
    try:
        return check_seeds([int(s) for s in text.split(",") if s.strip()])
    except ValueError as exc:
        if isinstance(exc, UsageError):
            raise
        raise UsageError(f"must be comma-separated whole numbers, got {text[:80]!r}", param="seeds") from None


def cmd_sweep(args: argparse.Namespace) -> int:

    grid = parse_grid(args.grid, args.method)  # everything checked before any work
    formats = check_formats(args.format, SWEEP_FORMATS)
    seeds = _seeds(args.seeds)
    datasets = _datasets(args)
    check_writable_dir(args.out)
    if set(formats) & {"png", "svg", "pdf"}:

        check_size(grid, seeds)
    start = time.perf_counter()
    result = sweep(args.method, grid, datasets, seeds, n=args.n, data_dir=args.data_dir,
                   use_cache=not args.no_cache, progress=progress_of(args), workers=args.workers,
                   scheduler=args.scheduler, max_cells=None if args.yes else MAX_CELLS, worker_wait=args.worker_wait)
    for path in save_sweep(result, args.out, formats, data_dir=args.data_dir):
        print(path)
    failed = result.failed
    log.info("%d cells in %.1f s%s", len(result.cells), time.perf_counter() - start,
             f"; {len(failed)} failed (see the table's error column)" if failed else "")
    return 1 if failed else 0


def cmd_stability(args: argparse.Namespace) -> int:
    formats = check_formats(args.format, STABILITY_FORMATS)  # everything checked before any work
    seeds = _seeds(args.seeds)
    params = _parse_params(args.param, [args.method]).get(args.method, {})
    datasets = _datasets(args)
    check_writable_dir(args.out)
    start = time.perf_counter()
    result = stability(args.method, seeds, datasets, params=params, n=args.n, k=args.k, data_dir=args.data_dir,
                       use_cache=not args.no_cache, progress=progress_of(args), workers=args.workers,
                       scheduler=args.scheduler, worker_wait=args.worker_wait)
    print(format_table(result.class_rows(), "markdown"))
    for path in save_stability(result, args.out, formats, data_dir=args.data_dir):
        print(path)
    log.info("stability of %s over seeds %s in %.1f s", args.method, ", ".join(map(str, seeds)),
             time.perf_counter() - start)
    return 0


def cmd_heldout(args: argparse.Namespace) -> int:

    methods = list(BUILTIN_METHODS) if args.method == "all" else [args.method]
    formats = check_formats(args.format, HELDOUT_FORMATS)
    check_writable_dir(args.out)
    start = time.perf_counter()
    results = heldout(methods, _datasets(args), fit_first=args.fit_first, seed=args.seed,
                      params=_parse_params(args.param, methods), device=args.device, pca_dims=args.pca_dims,
                      use_cache=not args.no_cache, data_dir=args.data_dir, progress=progress_of(args))
    paths = save_heldout(results, args.out, formats, style=args.style, plotly_js=args.plotly_js,
                         data_dir=args.data_dir)
    print(format_table(heldout_rows(results, settings=False), "markdown"))
    for path in paths:
        print(path)
    failed = [r for r in results if r.error]
    log.info("done in %.1f s%s", time.perf_counter() - start,
             f"; {len(failed)} could not place (see the table's error column)" if failed else "")
    return 1 if failed else 0


def cmd_list(args: argparse.Namespace) -> int:

    classes, failed = load_embedders()
    for name, cls in classes.items():
        ok, why = cls.available()
        version = cls.backend_version()
        state = f"{cls.backend} {version}" if ok else f"UNAVAILABLE: {why}"
        device = _gpu_description() if cls.supports_gpu and ok else "cpu"
        print(f"{name:<8} {cls.summary}")
        print(f"         backend: {state}; device: {device}")
        print(f"         seed: {cls.seed_note or 'passed to the method (what it changes is up to the plugin)'}")
        print(f"         places held-out images: {'yes (fmnist-viz heldout)' if cls.can_place() else 'no'}")
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

    if args.methods is None:
        methods = list(BUILTIN_METHODS)
    else:  # each named once; an empty list is refused, not taken for all
        methods = list(dict.fromkeys(m.strip() for m in args.methods.split(",") if m.strip()))
        if not methods:
            raise UsageError(f"must name one or more methods, comma-separated (e.g. pca,umap), got "
                             f"{args.methods!r}", param="methods")
    check_k(args.k, args.n or DEFAULT_SAMPLE)  # before any work; evaluate_results checks the real size again
    if args.shepard:
        check_output_path(args.shepard)
    results = _run_embeddings(args, methods)
    evaluate_results(results, data_dir=args.data_dir, k=args.k)
    print(format_table(quality_rows(results), args.format))
    if args.shepard:  # the table is what stdout holds: the figure's path goes to the log
        log.info("wrote %s", save_shepard(results, args.shepard, data_dir=args.data_dir))
    return 0


def cmd_cache(args: argparse.Namespace) -> int:
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
        given = row.get("params")
        params = ", ".join(f"{k}={v}" for k, v in given.items()) if isinstance(given, dict) else ""
        seconds = row.get("seconds")  # an entry's metadata is checked when it is read, not when it is listed
        took = f"{seconds:.1f} s" if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) else "? s"
        print(f"  {row.get('dataset', '?')!s:<8} {row.get('method', '?')!s:<6} n={row.get('n', '?')!s:<6} "
              f"seed={row.get('seed', '?')} {row.get('device', '')} {took}  {params}")
    return 0
