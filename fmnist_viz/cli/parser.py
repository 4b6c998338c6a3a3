"""The ``fmnist-viz`` command line: the argument parser and :func:`main`.

The commands themselves are in :mod:`fmnist_viz.cli.commands`. Choices come from
the library's own constants (devices, styles, formats, splits). Library errors
(:class:`~fmnist_viz.errors.FmnistVizError`) become a one-line message on
stderr and a non-zero exit (2 for usage errors), naming the flag where the
library names its parameter; the traceback is shown only with ``--debug``.
"""

from __future__ import annotations

import argparse
import difflib
import logging
import re
import signal
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from ..data import ALL_SPLITS
from ..data.locations import check_data_dir
from ..embed import BUILTIN_METHODS, embedder_names, get_embedder_class
from ..errors import MAX_SEED, FmnistVizError, UsageError
from ..outputs.files import DEFAULT_FORMATS, HELDOUT_FORMATS, RESULT_FORMATS, STABILITY_FORMATS, SWEEP_FORMATS
from ..quality.align import ALIGN_AUTO, ALIGN_NONE
from ..quality.metrics import TABLE_FORMATS
from ..quality.pointwise import COLOR_BY
from ..render.image_map import DEFAULT_CELLS, MAX_CELLS, MIN_CELLS
from ..render.page import PLOTLY_JS_CHOICES
from ..render.scatter import MAX_EXEMPLARS
from ..render.style import DEFAULT_STYLE, STYLES
from ..studies.sweep_grid import MAX_CELLS as MAX_SWEEP_CELLS
from ..version import __version__
from .options import (
    DATASET_HINT,
    box,
    colormap,
    common_options,
    embedding_options,
    number,
    out_option,
    positive_int,
)

log = logging.getLogger("fmnist_viz")

#: Library parameter -> the flag that sets it, where that is not simply --name-with-dashes.
FLAGS = {"formats": "--format", "params": "--param", "method": "METHOD", "output": "-o/--output", "k": "-k",
         "selection": "--highlight", "grid": "--grid", "seeds": "--seeds",
         "rows and cols": "--rows and --cols", "box": "--zoom-box", "cells": "--image-map"}

#: What to write instead of ``--out`` / ``--output`` where a command does not take them: on a command that writes
#: files (it has --out), the folder; on one that prints, a redirection.
OUT_HINTS = {
    True: "--out DIR names the output folder; the file names follow the method, data sets and options",
    False: "this command prints its result; to keep it, redirect standard output: > FILE",
}


class _Parser(argparse.ArgumentParser):
    """argparse with whole option names only (``--out`` is never taken for ``--output``), and errors of three lines:
    the command's short usage, the message (with the nearest command for a mistyped one: ``umpa``? ``umap``), and
    where the options are listed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def short_usage(self) -> str:
        """``PROG POSITIONALS REQUIRED-OPTIONS [options]``: the command's shape without its optional flags."""
        words, optional = [self.prog], False
        for action in self._actions:
            if not action.option_strings:
                words.append(action.metavar or action.dest)
            elif action.required:
                words.append(f"{action.option_strings[-1]} {action.metavar or action.dest.upper()}")
            elif action.help != argparse.SUPPRESS:
                optional = True
        return " ".join(words + ["[options]"] * optional)

    def parse_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                   namespace: argparse.Namespace | None = None) -> argparse.Namespace:
        """argparse's, but an unknown option is reported by the command it was given to, with that command's usage."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            self._chosen(parsed).error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed

    def _chosen(self, parsed: argparse.Namespace) -> _Parser:
        """The innermost (sub)command parser that ``parsed`` went through."""
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                sub = action.choices.get(getattr(parsed, action.dest, None))
                if isinstance(sub, _Parser):
                    return sub._chosen(parsed)
        return self

    def error(self, message: str) -> NoReturn:
        wrong = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if wrong:
            choices = re.findall(r"'([^']*)'", wrong.group(2))
            close = difflib.get_close_matches(wrong.group(1), choices, n=1, cutoff=0.6)
            if close:
                message += f"; did you mean {close[0]!r}?"
        if re.match(r"unrecognized arguments: --out(put)?(=|\s|$)", message):
            message += f" ({OUT_HINTS[any('--out' in a.option_strings for a in self._actions)]})"
        self.exit(2, f"usage: {self.short_usage()}\n{self.prog}: error: {message}\n"
                     f"Run '{self.prog} --help' for its options.\n")


@dataclass(frozen=True)
class _Command:
    """A command's function, imported when the command runs: the command modules import the whole library (the
    pipeline, the executors, the writers), which ``--help`` and a refused option need not wait for."""

    family: str  # the module of its family: "commands" or "data_commands"
    name: str

    def __call__(self, args: argparse.Namespace) -> int:
        from . import commands, data_commands  # deferred: they import the whole library (see the class docstring)

        return getattr({"commands": commands, "data_commands": data_commands}[self.family], self.name)(args)


def _flag(param: str) -> str:
    return FLAGS.get(param, "--" + param.replace("_", "-"))


def _setup_logging(verbosity: int) -> None:
    """Send the library's log records to stderr; -q shows warnings only, -v debug."""
    level = {-1: logging.WARNING, 0: logging.INFO}.get(verbosity, logging.DEBUG)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s" if level > logging.DEBUG else "%(name)s: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False


def _add_data_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    data = sub.add_parser("data", help="find, verify and download the data sets")
    data_sub = data.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    for action, func, text in (
        ("info", _Command("data_commands", "cmd_data_info"), "where each data set was found, or why not"),
        ("verify", _Command("data_commands", "cmd_data_verify"), "check every file's checksum; exit 1 on any problem"),
        ("fetch", _Command("data_commands", "cmd_data_fetch"), "download missing data sets into the cache"),
    ):
        p = data_sub.add_parser(action, help=text, description=text, parents=[common])
        p.add_argument("--dataset", default="all", help=f"{DATASET_HINT}, or all (default)")
        if action == "info":
            p.add_argument("-a", "--all", action="store_true", help="list every place searched")
        if action == "fetch":
            p.add_argument("--force", action="store_true", help="download even if found elsewhere")
        p.set_defaults(func=func)


def _add_grid_command(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:

    grid = sub.add_parser(
        "grid", parents=[common], help="per-class grid of sample images",
        description="Draw ROWS x COLS random sample images of every class, class names as row labels.",
    )
    grid.add_argument("--dataset", help=f"{DATASET_HINT} (default fashion, or the one of --rows-from)")
    grid.add_argument("--split", default="all", choices=ALL_SPLITS, help="default all")
    grid.add_argument("--rows", type=positive_int, default=3, help="rows per class (default 3)")
    grid.add_argument("--cols", type=positive_int, default=24, help="images per row (default 24)")
    grid.add_argument("--seed", type=number(0, MAX_SEED), default=0,
                      help="picks the samples reproducibly (default 0)")
    grid.add_argument("--cmap", type=colormap, default="gray_r",
                      help="matplotlib colormap (default gray_r: dark on white)")
    grid.add_argument("--dpi", type=number(10, 1200, integer=False), default=None,
                      help="resolution for PNG (default: 2 px per image pixel)")
    grid.add_argument("--no-title", action="store_true", help="leave out the title")
    grid.add_argument("--rows-from", metavar="FILE",
                      help="draw the images of a selection downloaded from a page (selection.json or .csv)")
    grid.add_argument("--per-class", type=positive_int, metavar="N",
                      help="with --rows-from: at most N images of each class, drawn with --seed (default --rows x "
                           "--cols, 72); the title says how many of how many")
    where = grid.add_mutually_exclusive_group()
    out_option(where, "DATASET-grid.png")
    where.add_argument("-o", "--output", metavar="FILE", help="the file instead: PNG, SVG or PDF, by extension")
    grid.set_defaults(func=_Command("data_commands", "cmd_grid"))


def _add_embedding_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:

    with_device, cpu_only = embedding_options(device=True), embedding_options(device=False)
    default_formats = ",".join(DEFAULT_FORMATS)
    for name in [*embedder_names(), "all"]:
        text = "all four built-in methods (pca, tsne, umap, pymde)" if name == "all" else f"embed with {name}"
        # a plugin is not imported to build the parser: it gets --device in case it uses it
        gpu = name not in BUILTIN_METHODS or get_embedder_class(name).supports_gpu
        p = sub.add_parser(name, parents=[common, with_device if gpu else cpu_only], help=text,
                           description=text.capitalize() + ".")
        p.add_argument("--format", default=default_formats,
                       help=f"comma-separated output formats: {', '.join(RESULT_FORMATS)} (default {default_formats})")
        p.add_argument("--plotly-js", default="embed", choices=PLOTLY_JS_CHOICES,
                       help="embed plotly.js in the HTML (default; works offline) or load it from a CDN")
        p.add_argument("--max-points", type=positive_int, metavar="N",
                       help="draw at most N random points per panel in the HTML (default: every point)")
        p.add_argument("--style", default=DEFAULT_STYLE, choices=tuple(STYLES),
                       help="screen (default) or paper: a journal's column or page width, within its height, "
                            "paper fonts, 300 dpi")
        p.add_argument("--exemplars", type=number(0, MAX_EXEMPLARS), default=0, metavar="K",
                       help="draw K real images of each class near its centre (default 0)")
        out_option(p)
        p.add_argument("--color-by", default="class", choices=COLOR_BY,
                       help="colour static figures by class (default), 2-D neighbour disagreement or neighbourhood "
                            "preservation")
        p.add_argument("--highlight", metavar="FILE",
                       help="make the rows of a selection downloaded from a page stand out in the figure")
        p.add_argument("--image-map", type=number(MIN_CELLS, MAX_CELLS), nargs="?", const=DEFAULT_CELLS,
                       metavar="CELLS", help="also draw each method's image map: the layout covered by CELLS "
                       f"squares along its longer side (default {DEFAULT_CELLS}), each showing the image nearest "
                       "its centre (METHOD_..._image-map.png)")
        p.add_argument("--zoom-box", type=box, metavar="X0,X1,Y0,Y1",
                       help="also draw, for each method, the first data set's scatter (with its coordinates) with "
                            "this box outlined and enlarged beside it as images (METHOD_DATASET_zoom-....png); "
                            "write --zoom-box=-4,-1,2,5 when X0 is negative")
        p.add_argument("--image-frames", action="store_true",
                       help="with --image-map or --zoom-box: frame each image in its class's colour")
        if name == "all":
            p.add_argument("--align", default=ALIGN_AUTO, choices=(ALIGN_AUTO, ALIGN_NONE, *BUILTIN_METHODS),
                           help="rotate/scale every layout onto this method's, so classes sit alike in every "
                                "panel (default auto: PCA)")
        p.set_defaults(func=_Command("commands", "cmd_embed"))

    metrics = sub.add_parser("metrics", parents=[common, with_device], help="quality table of embeddings",
                             description="Local quality (trustworthiness, 10-NN accuracy, neighbourhood "
                                         "preservation) and global structure (random-triplet and centroid-triplet "
                                         "accuracy, Spearman correlation of distances) of each embedding.")
    metrics.add_argument("--methods", help="comma-separated methods (default pca,tsne,umap,pymde)")
    metrics.add_argument("--format", default="markdown", choices=TABLE_FORMATS, help="default markdown")
    metrics.add_argument("-k", type=positive_int, default=10, help="neighbours for the metrics (default 10)")
    metrics.add_argument("--shepard", metavar="FILE",
                         help="also draw the Shepard diagram (each sampled pair's distance in the data against "
                              "its distance in the layout, a density per method and data set) into FILE "
                              "(.png, .svg or .pdf)")
    metrics.set_defaults(func=_Command("commands", "cmd_metrics"))


def _add_sweep_command(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:

    sweep = sub.add_parser(
        "sweep", parents=[common], help="one method over a grid of parameters and seeds",
        description="Embed with METHOD for every combination of --grid values and --seeds, on --dataset (and "
                    "--compare); write a table (csv) and small multiples per data set. Cells in the cache are not "
                    "computed again, so an interrupted sweep continues.")
    sweep.add_argument("method", choices=embedder_names(), metavar="METHOD", help="e.g. umap or tsne")
    sweep.add_argument("--grid", action="append", default=[], metavar="NAME=V1,V2,...", required=True,
                       help="a parameter and its values (repeat for more parameters)")
    sweep.add_argument("--seeds", default="0", help="comma-separated seeds (default 0)")
    sweep.add_argument("--dataset", default="fashion", help=f"{DATASET_HINT} (default fashion)")
    sweep.add_argument("--compare", metavar="DATASET", help="a second data set, swept the same way")
    sweep.add_argument("--n", type=positive_int, help="stratified subsample of N points (default: all)")
    sweep.add_argument("--format", default="csv,png", help=f"any of {', '.join(SWEEP_FORMATS)} (default csv,png)")
    out_option(sweep)
    sweep.add_argument("--no-cache", action="store_true", help="recompute, neither reading nor writing the cache")
    sweep.add_argument("--yes", action="store_true",
                       help=f"run a sweep of more than {MAX_SWEEP_CELLS} cells (the log says how many and roughly how "
                            "long)")
    _where_options(sweep)
    sweep.set_defaults(func=_Command("commands", "cmd_sweep"))


def _where_options(parser: argparse.ArgumentParser) -> None:
    """Where a study's cells run: this machine's workers, or a Dask cluster."""
    where = parser.add_argument_group("where the cells run")
    where.add_argument("--workers", type=positive_int, metavar="N",
                       help="cells at once on this machine (default: one per core for single-threaded methods "
                            "such as UMAP, else one), or the size of --scheduler local")
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="run the cells on the Dask cluster at tcp://HOST:PORT (default: $DASK_SCHEDULER_ADDRESS), "
                            "or 'local' for a Dask cluster on this machine; needs pip install 'fmnist-viz[dask]'")
    where.add_argument("--worker-wait", type=number(0, 86400, integer=False), default=60.0, metavar="SECONDS",
                       help="how long to wait for a Dask worker when the cluster has none, at the start or after "
                            "its workers died (default 60)")


def _add_stability_command(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    stab = sub.add_parser(
        "stability", parents=[common], help="how much each point's neighbours change from seed to seed",
        description="Embed with METHOD once per seed (cached runs are reused) and score each point by how much its "
                    "-k nearest neighbours in the layout agree across the seeds: the mean Jaccard overlap of its "
                    "neighbour sets over every pair of seeds, 0 to 1. Writes a row per point (csv) and a summary "
                    "per class, the layouts coloured by stability, and a page that can colour by it.")
    stab.add_argument("method", choices=embedder_names(), metavar="METHOD", help="e.g. umap or tsne")
    stab.add_argument("--seeds", default="0,1,2", help="two or more comma-separated seeds (default 0,1,2)")
    stab.add_argument("--dataset", default="fashion", help=f"{DATASET_HINT} (default fashion)")
    stab.add_argument("--compare", metavar="DATASET", help="a second data set, measured the same way")
    stab.add_argument("--n", type=positive_int, help="stratified subsample of N points (default: all)")
    stab.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                      help="a parameter of METHOD (repeat for more), e.g. n_neighbors=30")
    stab.add_argument("-k", type=positive_int, default=10,
                      help="nearest neighbours in the layout compared from seed to seed (default 10)")
    stab.add_argument("--format", default="csv,png",
                      help=f"any of {', '.join(STABILITY_FORMATS)} (default csv,png)")
    out_option(stab)
    stab.add_argument("--no-cache", action="store_true", help="recompute, neither reading nor writing the cache")
    _where_options(stab)
    stab.set_defaults(func=_Command("commands", "cmd_stability"))


def _add_heldout_command(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    held = sub.add_parser(
        "heldout", parents=[common, embedding_options(device=True, subsample=False)],
        help="fit on the training images, place the test images, score them",
        description="Fit METHOD on each data set's training images (all 60,000, or the first --fit-first N), place "
                    "the 10,000 test images into that layout without moving it, and classify them by their nearest "
                    "fitted points in 2-D (1, 5 and 10 neighbours), as Sainburg et al. (2021) compare methods. "
                    "Writes a table (csv, also printed as markdown) and a figure; fits and placements are cached.")
    held.add_argument("method", metavar="METHOD", help="pca, tsne, umap, pymde, or all (`fmnist-viz list` says "
                                                       "which methods can place)")
    held.add_argument("--fit-first", type=positive_int, metavar="N",
                      help="fit on the first N training images only (default: all 60,000; 50000 is the paper's "
                           "protocol)")
    held.add_argument("--format", default="csv,png", help=f"any of {', '.join(HELDOUT_FORMATS)} (default csv,png)")
    held.add_argument("--style", default=DEFAULT_STYLE, choices=tuple(STYLES), help="screen (default) or paper")
    held.add_argument("--plotly-js", default="embed", choices=PLOTLY_JS_CHOICES,
                      help="embed plotly.js in the HTML (default; works offline) or load it from a CDN")
    out_option(held)
    held.set_defaults(func=_Command("commands", "cmd_heldout"))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``fmnist-viz``."""
    common = common_options(suppress=True)
    parser = _Parser(
        prog="fmnist-viz",
        description="Dimensionality-reduction pictures of Fashion-MNIST beside MNIST.",
        parents=[common_options(suppress=False)],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_data_commands(sub, common)
    _add_grid_command(sub, common)
    _add_embedding_commands(sub, common)

    _add_sweep_command(sub, common)
    _add_stability_command(sub, common)
    _add_heldout_command(sub, common)

    lister = sub.add_parser("list", parents=[common], help="embedders, their parameters and backends",
                            description="List every embedder (built-in and plugins) with its backend, the device "
                                        "it runs on, and its parameters (set them with --param KEY=VALUE).")
    lister.set_defaults(func=_Command("commands", "cmd_list"))

    cache = sub.add_parser("cache", help="show or clear the cache")
    cache_sub = cache.add_subparsers(dest="cache_command", metavar="ACTION", required=True)
    cache_sub.add_parser("info", parents=[common], help="what the cache holds").set_defaults(
        func=_Command("commands", "cmd_cache"))
    clearer = cache_sub.add_parser("clear", parents=[common], help="delete computed results and decoded data")
    clearer.add_argument("--downloads", action="store_true", help="delete the downloaded data sets too")
    clearer.set_defaults(func=_Command("commands", "cmd_cache"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # usage errors, --help, --version: an exit code, not an exception
        return exc.code if isinstance(exc.code, int) else 2
    _setup_logging(-1 if args.quiet else 1 if args.verbose else 0)
    previous = _exit_on_sigterm()
    try:
        if getattr(args, "data_dir", None) is not None:  # a typo must not let the data come from elsewhere

            check_data_dir(args.data_dir)
        return args.func(args)
    except FmnistVizError as exc:
        if args.debug:
            raise
        message = exc.named(_flag(exc.param)) if isinstance(exc, UsageError) and exc.param else str(exc)
        print(f"fmnist-viz: error: {message}", file=sys.stderr)
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
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm() -> Any:
    """Make SIGTERM (``kill``) unwind like Ctrl-C, so temporary files are removed; returns the old handler."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def terminate(signum: int, frame: object) -> None:
        print("fmnist-viz: terminated", file=sys.stderr)
        raise SystemExit(128 + signum)

    return signal.signal(signal.SIGTERM, terminate)
