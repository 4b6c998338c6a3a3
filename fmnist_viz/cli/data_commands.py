"""What the ``data`` and ``grid`` commands do, given their parsed arguments: the images themselves, no embedding.

:mod:`fmnist_viz.cli.commands` holds the commands that embed; both are called by
:mod:`fmnist_viz.cli.parser`, which builds the parser and maps errors to exit codes.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from ..data import DATASETS, fetch, get_spec, load, survey, verify
from ..data.selection import read_selection
from ..errors import DataNotFoundError, UsageError
from ..outputs.files import check_output_path, save_figure
from ..render.grids import class_grid, most_per_side, sample_picks
from ..store.paths import CACHE_ENV, DATA_ENV, cache_dir, env_data_dirs
from .commands import progress_of


def _dataset_names(value: str) -> list[str]:
    """Resolve 'all' or a comma-separated list of dataset names."""

    if value == "all":
        return list(DATASETS)
    return [get_spec(v).name for v in value.split(",") if v.strip()]

# --------------------------------------------------------------------------- data


def cmd_data_info(args: argparse.Namespace) -> int:

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

    for name in _dataset_names(args.dataset):
        spec = get_spec(name)
        elsewhere = next((s for s in survey(spec, args.data_dir) if s.complete), None)
        if elsewhere is not None and not args.force:
            print(f"{spec.title}: already available in {elsewhere.location.path} "
                  "(--force downloads a copy into the cache)")
            continue
        start = time.perf_counter()
        folder = fetch(spec, progress=progress_of(args))
        print(f"{spec.title}: in {folder} ({time.perf_counter() - start:.1f} s)")
    return 0

# --------------------------------------------------------------------------- grid


def cmd_grid(args: argparse.Namespace) -> int:
    chosen = None
    if args.rows_from:

        chosen = read_selection(args.rows_from, param="rows_from")
        if args.dataset and get_spec(args.dataset).name != chosen.dataset:
            raise UsageError(f"holds rows of {chosen.dataset}, not of {args.dataset}", param="rows_from")
        if args.split != "all":
            raise UsageError("rows from a page index the whole data set; leave out --split", param="split")
    elif args.per_class is not None:
        raise UsageError("applies to --rows-from only; without it, --rows and --cols set the images per class",
                         param="per_class")
    spec = get_spec(chosen.dataset if chosen else args.dataset or "fashion")
    output = check_output_path(args.output or Path(args.out) / f"{spec.name}-grid.png")
    data = load(spec.name, split=args.split, data_dir=args.data_dir, progress=progress_of(args))
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
