"""The command line's argument types and the option groups several commands share.

Choices come from the library's own constants; a value argparse rejects gets
the same message the library gives (:func:`fmnist_viz.errors.check_number`).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from ..embed.devices import DEVICES
from ..embed.prepare import DEFAULT_PCA_DIMS
from ..errors import MAX_SEED, UsageError, check_number
from ..render.grids import check_colormap
from ..render.image_map import check_box
from ..store.paths import DEFAULT_OUT

DATASET_HINT = "fashion (Fashion-MNIST) or mnist"


def number(low: float | None = None, high: float | None = None, *, integer: bool = True,
            zero: bool = False) -> Callable[[str], float | int]:
    """An argparse type: a finite number (an integer when ``integer``) in [low, high] (or 0 when ``zero``)."""

    def parse(text: str) -> float | int:
        try:
            value: float | int = int(text) if integer else float(text)
        except ValueError:
            value = text  # type: ignore[assignment]  # check_number names what is wrong
        if zero and value == 0:
            return value
        try:
            return check_number(value, "value", low=low, high=high, integer=integer)
        except UsageError as exc:
            detail = exc.detail.replace("must be ", "must be 0 or ", 1) if zero else exc.detail
            raise argparse.ArgumentTypeError(detail) from None

    parse.__name__ = "integer" if integer else "number"  # argparse names the type in its messages
    return parse


positive_int = number(1)


def colormap(name: str) -> str:
    """An argparse type: the name of a matplotlib colormap."""

    try:
        return check_colormap(name)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(exc.detail) from None


def box(text: str) -> tuple[float, float, float, float]:
    """An argparse type: a window of a layout, ``x0,x1,y0,y1``."""

    try:
        return check_box([part.strip() for part in text.split(",")])
    except UsageError as exc:
        raise argparse.ArgumentTypeError(exc.detail) from None


def out_option(parser: argparse._ActionsContainer, names: str = "") -> None:
    """``--out DIR``, the output folder, the same on every command that writes files (``names``: what it writes
    there, where the help should say)."""
    into = f", written as {names}" if names else ""
    parser.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                        help=f"output folder (default {DEFAULT_OUT}/{into})")


def common_options(suppress: bool) -> argparse.ArgumentParser:
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


def embedding_options(device: bool, subsample: bool = True) -> argparse.ArgumentParser:
    """Options of every command that computes embeddings (``--device`` where a method can use a GPU, ``--n`` where
    it can embed a subsample)."""

    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--dataset", default="fashion", help=f"{DATASET_HINT} (default fashion)")
    options.add_argument("--compare", metavar="DATASET", help="a second data set, embedded the same way")
    if subsample:
        options.add_argument("--n", type=positive_int, help="stratified subsample of N points (default: all)")
    options.add_argument("--seed", type=number(0, MAX_SEED), default=0,
                         help="random seed (default 0): the same picture again on the same machine and library "
                              "versions; a close one elsewhere")
    if device:
        options.add_argument("--device", default="auto", choices=DEVICES,
                             help="where GPU-capable methods run (PyMDE; t-SNE and UMAP through TorchDR): auto uses a "
                                  "CUDA GPU when PyTorch sees one")
    else:
        options.set_defaults(device="cpu")
    options.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                         help="method parameter (METHOD.KEY=VALUE with several methods); see `fmnist-viz list`")
    options.add_argument("--pca-dims", type=number(2, zero=True), default=DEFAULT_PCA_DIMS, metavar="D",
                         help=f"PCA dimensions before embedding (default {DEFAULT_PCA_DIMS}; 0 turns PCA off)")
    options.add_argument("--no-cache", action="store_true", help="recompute, neither reading nor writing the cache")
    return options
