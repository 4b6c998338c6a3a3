"""The ``fmnist-viz`` command line: parses arguments and calls the library.

Library errors (:class:`~fmnist_viz.errors.FmnistVizError`) become a one-line
message on stderr and a non-zero exit (2 for usage errors); the traceback is
shown only with ``--debug``. Heavy libraries are imported by the command that
needs them, so ``--help`` and ``data info`` start fast.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence

from . import __version__
from .errors import FmnistVizError

log = logging.getLogger("fmnist_viz")

DATASET_CHOICES_HINT = "fashion (Fashion-MNIST) or mnist"


def _setup_logging(verbosity: int) -> None:
    """Send the library's log records to stderr; -q shows warnings only, -v debug."""
    level = {-1: logging.WARNING, 0: logging.INFO}.get(verbosity, logging.DEBUG)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s" if level > logging.DEBUG else "%(name)s: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False


def _progress(args: argparse.Namespace) -> bool | None:
    """Progress bars: off with -q, else shown when stderr is a terminal."""
    return False if args.quiet else None


def _dataset_names(value: str) -> list[str]:
    """Resolve 'all' or a comma-separated list of dataset names."""
    from .datasets import DATASETS, get_spec

    if value == "all":
        return list(DATASETS)
    return [get_spec(v).name for v in value.split(",") if v.strip()]


# --------------------------------------------------------------------------- data

def cmd_data_info(args: argparse.Namespace) -> int:
    from .datasets import get_spec, survey
    from .paths import CACHE_ENV, DATA_ENV, cache_dir, env_data_dirs

    env = ", ".join(str(p) for p in env_data_dirs()) or "(not set)"
    print(f"cache folder: {cache_dir()}  (${CACHE_ENV} overrides)")
    print(f"${DATA_ENV}: {env}")
    if args.data_dir:
        print(f"--data-dir: {args.data_dir}")
    for name in _dataset_names(args.dataset):
        spec = get_spec(name)
        report = survey(spec, args.data_dir)
        used = next((s for s in report if s.complete), None)
        where = f"found in {used.location.path} ({used.location.origin})" if used else "NOT FOUND"
        print(f"\n{spec.title} [{spec.name}]: {where}")
        shown = [s for s in report if s.present or args.all or used is None]
        for status in shown:
            if status.complete:
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
    return 0


def cmd_data_verify(args: argparse.Namespace) -> int:
    from .datasets import verify

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
    from .datasets import fetch, get_spec, survey

    for name in _dataset_names(args.dataset):
        spec = get_spec(name)
        elsewhere = next((s for s in survey(spec, args.data_dir) if s.complete), None)
        if elsewhere is not None and not args.force:
            print(f"{spec.title}: already available in {elsewhere.location.path} (--force downloads a copy into the cache)")
            continue
        start = time.perf_counter()
        folder = fetch(spec, progress=_progress(args))
        print(f"{spec.title}: in {folder} ({time.perf_counter() - start:.1f} s)")
    return 0


# --------------------------------------------------------------------------- grid

def cmd_grid(args: argparse.Namespace) -> int:
    from .datasets import get_spec, load
    from .grids import class_grid
    from .output import check_output_path, save_figure

    spec = get_spec(args.dataset)
    output = check_output_path(args.output or f"figures/{spec.name}-grid.png")
    data = load(spec.name, split=args.split, data_dir=args.data_dir, progress=_progress(args))
    title = None if args.no_title else (
        f"{spec.title}: {args.rows * args.cols} random samples per class "
        f"({'train+test' if args.split == 'all' else args.split + ' split'}, seed {args.seed})"
    )
    fig = class_grid(data.images, data.y, data.class_names, rows=args.rows, cols=args.cols,
                     seed=args.seed, cmap=args.cmap, title=title)
    save_figure(fig, output, dpi=args.dpi)
    print(output)
    return 0


# --------------------------------------------------------------------------- embeddings

EMBED_FORMATS = ("png", "svg", "pdf", "html", "npz")


def _parse_params(pairs: Sequence[str], methods: Sequence[str]) -> dict[str, dict[str, str]]:
    """``KEY=VALUE`` (one method) or ``METHOD.KEY=VALUE`` pairs -> {method: {key: value}}."""
    from .errors import UsageError

    params: dict[str, dict[str, str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--param takes KEY=VALUE, got {pair!r}")
        method, dot, name = key.rpartition(".")
        if not dot:
            if len(methods) != 1:
                raise UsageError(f"--param {pair!r}: say which method, as METHOD.{key}=VALUE")
            method = methods[0]
        if method not in methods:
            raise UsageError(f"--param {pair!r}: method {method!r} is not run here ({', '.join(methods)})")
        params.setdefault(method, {})[name] = value
    return params


def _formats(text: str, valid: Sequence[str]) -> list[str]:
    from .errors import UsageError

    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [f for f in formats if f not in valid]
    if bad or not formats:
        raise UsageError(f"unknown format {', '.join(bad) or repr(text)}; valid formats: {', '.join(valid)}")
    return formats


def _run_embeddings(args: argparse.Namespace, methods: list[str]) -> list:
    from .datasets import get_spec
    from .pipeline import run

    datasets = [get_spec(args.dataset).name]
    if args.compare:
        datasets.append(get_spec(args.compare).name)
        if datasets[0] == datasets[1]:
            from .errors import UsageError

            raise UsageError(f"--compare {args.compare} is the same data set as --dataset")
    return run(
        methods, datasets, params=_parse_params(args.param, methods), n=args.n, seed=args.seed,
        device=args.device, pca_dims=args.pca_dims, use_cache=not args.no_cache,
        data_dir=args.data_dir, progress=_progress(args),
    )


def cmd_embed(args: argparse.Namespace) -> int:
    from .embedding import BUILTIN_METHODS
    from .output import check_writable_dir, embedding_filename, save_figure, save_result_npz

    methods = list(BUILTIN_METHODS) if args.command == "all" else [args.command]
    formats = _formats(args.format, EMBED_FORMATS)
    out = check_writable_dir(args.out)
    start = time.perf_counter()
    results = _run_embeddings(args, methods)
    if "npz" in formats:
        for result in results:
            print(save_result_npz(result, out))
    figures = [f for f in formats if f not in ("npz", "html")]
    if not figures and "html" not in formats:
        log.info("all done in %.1f s", time.perf_counter() - start)
        return 0
    from .datasets import load
    from .pipeline import evaluate_results

    evaluate_results(results, data_dir=args.data_dir)
    datasets = list(dict.fromkeys(r.dataset for r in results))
    need_images = "html" in formats or args.exemplars
    images = {d: load(d, data_dir=args.data_dir).images for d in datasets} if need_images else None
    if "html" in formats:
        from .interactive import interactive_figure, write_html

        for method in methods:
            page = interactive_figure([r for r in results if r.method == method], max_points=args.max_points,
                                      seed=args.seed)
            print(write_html(page, out / embedding_filename(method, datasets, "html"), images,  # type: ignore[arg-type]
                             plotly_js=args.plotly_js, title=f"fmnist-viz: {method}"))
    if figures:
        from .scatter import results_figure

        fig = results_figure(results, images if args.exemplars else None, style=args.style,
                             exemplars=args.exemplars, seed=args.seed)
        for fmt in figures:
            print(save_figure(fig, out / embedding_filename(args.command, datasets, fmt)))
    log.info("all done in %.1f s", time.perf_counter() - start)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from .embedding import load_all

    classes, failed = load_all()
    for name, cls in classes.items():
        ok, why = cls.available()
        version = cls.backend_version()
        state = f"{cls.backend} {version}" if ok else f"UNAVAILABLE: {why}"
        device = _gpu_description() if cls.supports_gpu and ok else "cpu"
        print(f"{name:<8} {cls.summary}")
        print(f"         backend: {state}; device: {device}")
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
    from .embedding import BUILTIN_METHODS
    from .pipeline import evaluate_results

    methods = [m.strip() for m in args.methods.split(",") if m.strip()] if args.methods else list(BUILTIN_METHODS)
    table_format = _formats(args.format, ("markdown", "csv", "json"))[0]
    results = _run_embeddings(args, methods)
    evaluate_results(results, data_dir=args.data_dir, k=args.k)
    rows = [{
        "dataset": r.dataset, "method": r.method, "n": len(r), "device": r.device,
        "embed_seconds": round(r.seconds, 2), "cached": r.cached,
        **{key: round(value, 4) for key, value in r.metrics.items()},
    } for r in results]
    print(_format_table(rows, table_format))
    return 0


def _format_table(rows: list[dict], table_format: str) -> str:
    if table_format == "json":
        return json.dumps(rows, indent=1)
    columns = list(rows[0]) if rows else []
    if table_format == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue().rstrip("\n")
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(row[c]) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def cmd_cache(args: argparse.Namespace) -> int:
    from .cache import ResultCache, clear, section_sizes
    from .paths import cache_dir

    root = cache_dir()
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


# --------------------------------------------------------------------------- parser

def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _common_options(suppress: bool) -> argparse.ArgumentParser:
    """Options accepted before and after the command name.

    The copy given to subcommands uses SUPPRESS defaults, so an option given
    before the command (``fmnist-viz -q grid``) is not reset by the subparser.
    """
    default = (lambda value: argparse.SUPPRESS) if suppress else (lambda value: value)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR", default=default(None),
                        help="folder holding the IDX files (searched first)")
    common.add_argument("-q", "--quiet", action="store_true", default=default(False),
                        help="only warnings and errors")
    common.add_argument("-v", "--verbose", action="store_true", default=default(False),
                        help="debug messages")
    common.add_argument("--debug", action="store_true", default=default(False),
                        help="show tracebacks of errors")
    return common


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``fmnist-viz``."""
    common = _common_options(suppress=True)
    parser = argparse.ArgumentParser(
        prog="fmnist-viz",
        description="Dimensionality-reduction pictures of Fashion-MNIST beside MNIST.",
        parents=[_common_options(suppress=False)],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    data = sub.add_parser("data", help="find, verify and download the data sets")
    data_sub = data.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    for action, func, text in (
        ("info", cmd_data_info, "where each data set was found, or why not"),
        ("verify", cmd_data_verify, "check every file's checksum; exit 1 on any problem"),
        ("fetch", cmd_data_fetch, "download missing data sets into the cache"),
    ):
        p = data_sub.add_parser(action, help=text, description=text, parents=[common])
        p.add_argument("--dataset", default="all", help=f"{DATASET_CHOICES_HINT}, or all (default)")
        if action == "info":
            p.add_argument("-a", "--all", action="store_true", help="list every place searched")
        if action == "fetch":
            p.add_argument("--force", action="store_true", help="download even if found elsewhere")
        p.set_defaults(func=func)

    grid = sub.add_parser(
        "grid", parents=[common], help="per-class grid of sample images",
        description="Draw ROWS x COLS random sample images of every class, class names as row labels.",
    )
    grid.add_argument("--dataset", default="fashion", help=f"{DATASET_CHOICES_HINT} (default fashion)")
    grid.add_argument("--split", default="all", choices=("train", "test", "all"), help="default all")
    grid.add_argument("--rows", type=_positive_int, default=3, help="rows per class (default 3)")
    grid.add_argument("--cols", type=_positive_int, default=24, help="images per row (default 24)")
    grid.add_argument("--seed", type=int, default=0, help="picks the samples reproducibly (default 0)")
    grid.add_argument("--cmap", default="gray_r", help="matplotlib colormap (default gray_r: dark on white)")
    grid.add_argument("--dpi", type=float, default=None, help="resolution for PNG (default: 2 px per image pixel)")
    grid.add_argument("--no-title", action="store_true", help="leave out the title")
    grid.add_argument("-o", "--output", metavar="FILE",
                      help="PNG, SVG or PDF, by extension (default figures/DATASET-grid.png)")
    grid.set_defaults(func=cmd_grid)

    from .embedding import embedder_names

    embed_options = _embedding_options()
    for name in [*embedder_names(), "all"]:
        text = ("all four built-in methods (pca, tsne, umap, pymde)" if name == "all"
                else f"embed with {name}")
        p = sub.add_parser(name, parents=[common, embed_options], help=text, description=text.capitalize() + ".")
        p.add_argument("--format", default="png,html",
                       help=f"comma-separated output formats: {', '.join(EMBED_FORMATS)} (default png,html)")
        p.add_argument("--plotly-js", default="embed", choices=("embed", "cdn"),
                       help="embed plotly.js in the HTML (default; works offline) or load it from a CDN")
        p.add_argument("--max-points", type=_positive_int, metavar="N",
                       help="draw at most N random points per panel in the HTML (default: every point)")
        p.add_argument("--style", default="screen", choices=("screen", "paper"),
                       help="screen (default) or paper: single-column panels, paper fonts, 300 dpi")
        p.add_argument("--exemplars", type=int, default=0, metavar="K",
                       help="draw K real images of each class near its centre (default 0)")
        p.add_argument("--out", default="figures", metavar="DIR", help="output folder (default figures/)")
        p.set_defaults(func=cmd_embed)

    metrics = sub.add_parser("metrics", parents=[common, embed_options], help="quality table of embeddings",
                             description="Trustworthiness, 10-NN accuracy and neighbourhood preservation.")
    metrics.add_argument("--methods", help="comma-separated methods (default pca,tsne,umap,pymde)")
    metrics.add_argument("--format", default="markdown", help="markdown (default), csv or json")
    metrics.add_argument("-k", type=_positive_int, default=10, help="neighbours for the metrics (default 10)")
    metrics.set_defaults(func=cmd_metrics)

    lister = sub.add_parser("list", parents=[common], help="embedders, their parameters and backends")
    lister.set_defaults(func=cmd_list)

    cache = sub.add_parser("cache", help="show or clear the cache")
    cache_sub = cache.add_subparsers(dest="cache_command", metavar="ACTION", required=True)
    cache_sub.add_parser("info", parents=[common], help="what the cache holds").set_defaults(func=cmd_cache)
    clearer = cache_sub.add_parser("clear", parents=[common], help="delete computed results and decoded data")
    clearer.add_argument("--downloads", action="store_true", help="delete the downloaded data sets too")
    clearer.set_defaults(func=cmd_cache)
    return parser


def _embedding_options() -> argparse.ArgumentParser:
    """Options of every command that computes embeddings."""
    from .prepare import DEFAULT_PCA_DIMS

    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--dataset", default="fashion", help=f"{DATASET_CHOICES_HINT} (default fashion)")
    options.add_argument("--compare", metavar="DATASET", help="a second data set, embedded the same way")
    options.add_argument("--n", type=_positive_int, help="stratified subsample of N points (default: all)")
    options.add_argument("--seed", type=int, default=0, help="random seed: same seed, same result (default 0)")
    options.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"),
                         help="where PyMDE runs: auto uses a CUDA GPU when PyTorch sees one")
    options.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                         help="method parameter (METHOD.KEY=VALUE with several methods); see `fmnist-viz list`")
    options.add_argument("--pca-dims", type=int, default=DEFAULT_PCA_DIMS, metavar="D",
                         help=f"PCA dimensions before embedding (default {DEFAULT_PCA_DIMS}; 0 turns PCA off)")
    options.add_argument("--no-cache", action="store_true", help="recompute, neither reading nor writing the cache")
    return options


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(-1 if args.quiet else 1 if args.verbose else 0)
    try:
        return args.func(args)
    except FmnistVizError as exc:
        if args.debug:
            raise
        print(f"fmnist-viz: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("fmnist-viz: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`fmnist-viz cache info | head`): stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:  # an unexpected failure: short by default, full with --debug
        if args.debug:
            raise
        print(f"fmnist-viz: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
              file=sys.stderr)
        return 1
