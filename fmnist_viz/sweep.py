"""Sweeps: one method over a grid of parameter values and seeds, on one or two data sets.

Every combination x seed x data set is a *cell*. Cells run through
:func:`fmnist_viz.run`, so each data set is prepared once (scaling, PCA, one
k-NN graph for the largest k any cell needs, all cached), a cell already in
the cache is not computed again, and an interrupted sweep continues where it
stopped. A cell that fails is recorded with its error; the others go on.

This is the local, one-process engine; parallel and Dask execution build on
the same cells.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import FmnistVizError, UsageError

log = logging.getLogger(__name__)

#: Columns of the sweep table, before one column per grid parameter is inserted after ``seed``.
COLUMNS = ("dataset", "method", "seed", "seconds", "knn_accuracy", "trustworthiness", "neighborhood_preservation",
           "status", "error")


def parse_grid(specs: Sequence[str], method: str) -> dict[str, list[Any]]:
    """``["n_neighbors=5,15,50", "min_dist=0,0.1"]`` -> ``{"n_neighbors": [5, 15, 50], "min_dist": [0.0, 0.1]}``.

    Every value is checked by the method's own parameter (type, range), so a
    typo fails before any work.
    """
    from .embed import get_embedder_class

    known = {p.name: p for p in get_embedder_class(method).params}
    grid: dict[str, list[Any]] = {}
    for spec in specs:
        name, sep, values = spec.partition("=")
        name = name.strip()
        if not sep or not name or not values.strip():
            raise UsageError(f"must look like NAME=V1,V2,..., got {spec!r}", param="grid")
        if name not in known:
            raise UsageError(f"names {name!r}, not a parameter of {method}; valid: {', '.join(known) or '(none)'}",
                             param="grid")
        if name in grid:
            raise UsageError(f"gives {name!r} twice", param="grid")
        parsed = [known[name].parse(v.strip(), method) for v in values.split(",") if v.strip()]
        if len(set(map(repr, parsed))) != len(parsed):
            raise UsageError(f"repeats a value of {name!r}: {values}", param="grid")
        grid[name] = parsed
    if not grid:
        raise UsageError("is empty: give at least one --grid NAME=V1,V2", param="grid")
    return grid


@dataclass
class Cell:
    """One embedding of a sweep: parameter values, seed, data set, and what came of it."""

    dataset: str
    params: dict[str, Any]
    seed: int
    result: Any = None  # EmbeddingResult once done
    error: str = ""

    @property
    def status(self) -> str:
        return "failed" if self.error else "done" if self.result is not None else "pending"


@dataclass
class Sweep:
    """A sweep's cells, in grid order, and its table."""

    method: str
    grid: dict[str, list[Any]]
    cells: list[Cell] = field(default_factory=list)

    @property
    def failed(self) -> list[Cell]:
        return [c for c in self.cells if c.error]

    def rows(self) -> list[dict[str, Any]]:
        """One table row per cell: data set, method, seed, the grid values, time, quality, status, error."""
        rows = []
        for c in self.cells:
            metrics = c.result.metrics if c.result is not None else {}
            row: dict[str, Any] = {"dataset": c.dataset, "method": self.method, "seed": c.seed}
            row.update({name: c.params[name] for name in self.grid})
            row["seconds"] = round(c.result.seconds, 2) if c.result is not None else ""
            for name in ("knn_accuracy", "trustworthiness", "neighborhood_preservation"):
                row[name] = round(metrics[name], 4) if name in metrics else ""
            row.update(status=c.status, error=c.error)
            rows.append(row)
        return rows


def sweep(method: str, grid: dict[str, list[Any]], datasets: Sequence[str] = ("fashion",),
          seeds: Sequence[int] = (0,), *, n: int | None = None, data_dir: str | os.PathLike[str] | None = None,
          use_cache: bool = True, progress: bool | None = None) -> Sweep:
    """Run every cell of ``grid`` x ``seeds`` x ``datasets`` with ``method``; failures are kept, not raised.

    Returns the :class:`Sweep` with each cell's result (measured: 10-NN
    accuracy, trustworthiness, neighbourhood preservation) or error.
    """
    from .embed import create
    from .errors import MAX_SEED, check_number
    from .metrics import evaluate_results
    from .pipeline import run

    for s in seeds:
        check_number(s, "seeds", low=0, high=MAX_SEED, integer=True)
    names = list(grid)
    result = Sweep(method, grid)
    for dataset in datasets:
        for values in itertools.product(*(grid[k] for k in names)):
            for seed in seeds:
                result.cells.append(Cell(dataset, dict(zip(names, values, strict=True)), seed))
    knn_k = max(create(method, c.params).n_neighbors for c in result.cells)
    for i, cell in enumerate(result.cells, start=1):
        what = ", ".join(f"{k}={v}" for k, v in cell.params.items())
        log.info("cell %d of %d: %s on %s, %s, seed %d", i, len(result.cells), method, cell.dataset, what, cell.seed)
        try:
            (cell.result,) = run([create(method, cell.params)], [cell.dataset], n=n, seed=cell.seed,
                                 data_dir=data_dir, use_cache=use_cache, progress=progress, knn_k=knn_k)
            evaluate_results([cell.result], data_dir=data_dir)
        except (FmnistVizError, ValueError, RuntimeError, MemoryError) as exc:
            cell.error = f"{type(exc).__name__}: {exc}"
            log.warning("cell %d failed: %s", i, cell.error)
    return result


#: How the heat maps name their measure.
METRIC_LABELS = {"knn_accuracy": "10-NN accuracy", "trustworthiness": "trustworthiness"}
#: What :func:`save_sweep` writes.
SWEEP_FORMATS = ("csv", "png", "svg", "pdf", "npz")


def save_sweep(result: Sweep, out: str | os.PathLike[str] = "figures", formats: str | Sequence[str] = ("csv", "png"),
               *, name_suffix: str = "") -> list[Any]:
    """Write a sweep: ``sweep_METHOD.csv`` (one row per cell), small multiples and a heat map of 10-NN accuracy
    per data set, npz per cell.

    In the figure of a data set, rows are the values of the first grid
    parameter and columns those of the second (or the seeds); further
    parameters and seeds make one figure each (named by their values). Each
    panel is titled with its values, 10-NN accuracy and trustworthiness.
    """
    from pathlib import Path

    from .atomic import atomic_write_bytes
    from .metrics import format_table
    from .outputs import STATIC_FORMATS, check_formats, check_writable_dir, save_figure, save_result_npz

    formats = check_formats(formats, SWEEP_FORMATS)
    out = check_writable_dir(out)
    stem = f"sweep_{result.method}{name_suffix}"
    written: list[Any] = []
    if "csv" in formats:
        written.append(atomic_write_bytes(out / f"{stem}.csv", (format_table(result.rows(), "csv") + "\n").encode()))
    if "npz" in formats:
        written += [save_result_npz(c.result, out) for c in result.cells if c.result is not None]
    figures = [f for f in formats if f in STATIC_FORMATS]
    if figures:
        import matplotlib.pyplot as plt

        for label, fig in [*_small_multiples(result), *_heat_maps(result)]:
            try:
                written += [save_figure(fig, out / f"{stem}_{label}.{fmt}") for fmt in figures]
            finally:
                plt.close(fig)
    return [Path(p) for p in written]


def _heat_maps(result: Sweep, metric: str = "knn_accuracy") -> list[tuple[str, Any]]:
    """(file label, Figure): ``metric`` over the first two grid parameters (mean over seeds), per data set."""
    import matplotlib.pyplot as plt
    import numpy as np

    from .embed.registry import method_label

    names = list(result.grid)
    rows_of, cols_of = result.grid[names[0]], result.grid[names[1]] if len(names) > 1 else [None]
    figures = []
    for dataset in dict.fromkeys(c.dataset for c in result.cells):
        grid = np.full((len(rows_of), len(cols_of)), np.nan)
        for i, rv in enumerate(rows_of):
            for j, cv in enumerate(cols_of):
                values = [c.result.metrics[metric] for c in result.cells
                          if c.dataset == dataset and c.result is not None and c.params[names[0]] == rv
                          and (cv is None or c.params[names[1]] == cv)]
                if values:
                    grid[i, j] = float(np.mean(values))
        fig, ax = plt.subplots(figsize=(1.2 * len(cols_of) + 2.2, 0.8 * len(rows_of) + 1.4), layout="constrained")
        image = ax.imshow(grid, cmap="viridis", aspect="auto")
        for (i, j), v in np.ndenumerate(grid):  # the number in each cell; a failed one says so
            ax.text(j, i, "failed" if np.isnan(v) else f"{v:.3f}", ha="center", va="center",
                    color="white" if np.isnan(v) or v < np.nanmean(grid) else "black", fontsize=9)
        ax.set_yticks(range(len(rows_of)), [str(v) for v in rows_of])
        ax.set_ylabel(names[0])
        ax.set_xticks(range(len(cols_of)), [str(v) for v in cols_of] if len(names) > 1 else [""])
        ax.set_xlabel(names[1] if len(names) > 1 else "")
        title = next((c.result.title for c in result.cells if c.dataset == dataset and c.result is not None), dataset)
        ax.set_title(f"{method_label(result.method)} on {title}: {METRIC_LABELS.get(metric, metric)}"
                     + (" (mean over seeds)" if len({c.seed for c in result.cells}) > 1 else ""), fontsize=10)
        fig.colorbar(image, ax=ax, shrink=0.8)
        figures.append((f"{dataset}_{metric}", fig))
    return figures


def _small_multiples(result: Sweep) -> list[tuple[str, Any]]:
    """(file label, Figure) per data set and per combination of the values beyond the first two axes."""
    from .outputs import _token
    from .render.scatter import Panel, compare_figure
    from .render.style import panel_title

    names = list(result.grid)
    axes = names[:2] if len(names) >= 2 else [*names, "seed"]
    rest = [k for k in [*names, "seed"] if k not in axes]

    def value(cell: Cell, key: str) -> Any:
        return cell.seed if key == "seed" else cell.params[key]

    figures = []
    for dataset in dict.fromkeys(c.dataset for c in result.cells):
        mine = [c for c in result.cells if c.dataset == dataset]
        for fixed in dict.fromkeys(tuple(value(c, k) for k in rest) for c in mine):
            group = [c for c in mine if tuple(value(c, k) for k in rest) == fixed]
            row_values = list(dict.fromkeys(value(c, axes[0]) for c in group))
            col_values = list(dict.fromkeys(value(c, axes[1]) for c in group))
            rows = []
            for rv in row_values:
                row = []
                for cv in col_values:
                    cell = next(c for c in group if value(c, axes[0]) == rv and value(c, axes[1]) == cv)
                    r = cell.result
                    if r is None:
                        row.append(None)  # a failed cell leaves its panel blank; the table says why
                        continue
                    title = f"{axes[0]}={rv}, {axes[1]}={cv}\n" + panel_title(r).split("\n", 1)[-1]
                    row.append(Panel(r.embedding, r.labels, r.class_names, title))
                rows.append(row)
            label = "_".join([dataset, *(f"{k}{_token(v)}" for k, v in zip(rest, fixed, strict=True))])
            suptitle = f"{result.method} on {group[0].result.title if group[0].result else dataset}" + (
                "".join(f", {k}={v}" for k, v in zip(rest, fixed, strict=True)))
            figures.append((label, compare_figure(rows, style="paper", suptitle=suptitle)))
    return figures
