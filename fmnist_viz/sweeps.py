"""Sweeps: one method over a grid of parameter values and seeds, on one or two data sets.

Every combination x seed x data set is a *cell*. Cells run through
:func:`fmnist_viz.run`, so each data set is prepared once (scaling, PCA, one
k-NN graph for the largest k any cell needs, all cached), a cell already in
the cache is not computed again, and an interrupted sweep continues where it
stopped. A cell that fails is recorded with its error; the others go on.

Cells run in this process, in a pool of worker processes, or on a Dask
cluster (:mod:`fmnist_viz.executors`); the client prepares the data, writes
the cache and every output.
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

    def seed_disparity(self) -> dict[tuple[str, str], float]:
        """Per (data set, setting) with two or more seeds done: the mean Procrustes disparity between their layouts.

        0 means the seeds draw the same picture up to rotation, reflection,
        scale and shift; 1 means unrelated pictures. The settings are keyed by
        ``repr`` of their parameter values.
        """
        from .align import procrustes

        groups: dict[tuple[str, str], list[Any]] = {}
        for c in self.cells:
            if c.result is not None:
                groups.setdefault((c.dataset, repr(c.params)), []).append(c.result.embedding)
        return {key: sum(procrustes(b, a)[1] for a, b in pairs) / len(pairs)
                for key, layouts in groups.items() if (pairs := list(itertools.combinations(layouts, 2)))}

    def rows(self) -> list[dict[str, Any]]:
        """One table row per cell: data set, method, seed, the grid values, time, quality, seed disparity,
        status, error."""
        disparity = self.seed_disparity()
        rows = []
        for c in self.cells:
            metrics = c.result.metrics if c.result is not None else {}
            row: dict[str, Any] = {"dataset": c.dataset, "method": self.method, "seed": c.seed}
            row.update({name: c.params[name] for name in self.grid})
            row["seconds"] = round(c.result.seconds, 2) if c.result is not None else ""
            for name in ("knn_accuracy", "trustworthiness", "neighborhood_preservation"):
                row[name] = round(metrics[name], 4) if name in metrics else ""
            found = disparity.get((c.dataset, repr(c.params)))
            row["seed_disparity"] = round(found, 4) if found is not None and c.result is not None else ""
            row.update(status=c.status, error=c.error)
            rows.append(row)
        return rows


def sweep(method: str, grid: dict[str, list[Any]], datasets: Sequence[str] = ("fashion",),
          seeds: Sequence[int] = (0,), *, n: int | None = None, data_dir: str | os.PathLike[str] | None = None,
          use_cache: bool = True, progress: bool | None = None, workers: int | None = None,
          scheduler: str | None = None) -> Sweep:
    """Run every cell of ``grid`` x ``seeds`` x ``datasets`` with ``method``; failures are kept, not raised.

    Each data set is subsampled and prepared once, with the first seed, so
    the seeds vary the embedding alone and their layouts can be compared
    point for point. Cells run in this process, in a pool of ``workers``
    processes (default: one per core for single-threaded methods such as
    seeded UMAP, else one), or on a Dask cluster (``scheduler``: an address,
    or ``"local"``); see :mod:`fmnist_viz.executors`. Returns the
    :class:`Sweep` with each cell's result (measured: 10-NN accuracy,
    trustworthiness, neighbourhood preservation) or error.
    """
    from .embed import create, get_embedder_class
    from .errors import MAX_SEED, check_number
    from .executors import compute_on, make_executor
    from .metrics import evaluate_results
    from .pipeline import plan_jobs
    from .progress import progress_bar

    if not seeds:
        raise UsageError("is empty: give at least one seed", param="seeds")
    for s in seeds:
        check_number(s, "seeds", low=0, high=MAX_SEED, integer=True)
    names = list(grid)
    combos = [dict(zip(names, values, strict=True)) for values in itertools.product(*(grid[k] for k in names))]
    pairs = [(create(method, params), seed) for params in combos for seed in seeds]
    result = Sweep(method, grid)
    result.cells = [Cell(dataset, params, seed) for dataset in datasets for params in combos for seed in seeds]
    knn_k = max(e.n_neighbors for e, _ in pairs)
    library = get_embedder_class(method).import_name()
    with make_executor(single_threaded=pairs[0][0].single_threaded, workers=workers, scheduler=scheduler,
                       preload=(library,) if library else ()) as executor:
        plan = plan_jobs(pairs, datasets, n=n, sample_seed=seeds[0], use_cache=use_cache, data_dir=data_dir,
                         progress=progress, keep_going=True)
        todo = plan.todo
        log.info("%d cells: %d from the cache, %d refused, %d to compute on %s", len(plan.jobs),
                 sum(1 for j in plan.jobs if j.cached), sum(1 for j in plan.jobs if j.error), len(todo),
                 executor.describe())
        finished = itertools.count(1)
        with progress_bar(len(todo), "sweep", unit="cell", progress=progress) as bar:
            def report(job: Any, outcome: Any) -> None:
                bar.update(1)
                what = ", ".join(f"{k}={v}" for k, v in job.embedder.values.items() if k in grid)
                count = f"{next(finished)} of {len(todo)}"
                if outcome.error:
                    log.warning("cell %s failed: %s on %s, %s, seed %d: %s", count, method, job.subset.data.name,
                                what, job.seed, outcome.error)
                else:
                    log.info("cell %s done in %.1f s (%s): %s on %s, %s, seed %d", count, outcome.seconds,
                             outcome.where, method, job.subset.data.name, what, job.seed)

            compute_on(executor, todo, plan.cache, progress, knn_k, on_done=report)
        shipped = executor.shipped
    if shipped:
        log.info("prepared arrays sent to workers: %.1f MB", shipped / 1e6)
    for cell, job in zip(result.cells, plan.jobs, strict=True):
        cell.error = job.error
        cell.result = job.result(plan.cache) if job.embedding is not None else None
    evaluate_results([c.result for c in result.cells if c.result is not None], data_dir=data_dir)
    return result


#: How the heat maps name their measure.
METRIC_LABELS = {"knn_accuracy": "10-NN accuracy", "trustworthiness": "trustworthiness"}
#: What :func:`save_sweep` writes.
SWEEP_FORMATS = ("csv", "png", "svg", "pdf", "npz", "html")


def sweep_page(result: Sweep, *, data_dir: str | os.PathLike[str] | None = None, **options: Any) -> Any:
    """The interactive page of a sweep (:class:`fmnist_viz.explorer.Page`): a row per data set, a panel per cell,
    each labelled by its values and aligned onto the first cell's layout, with linked selection, colour-by and
    morph between cells. ``options`` go to :func:`fmnist_viz.explorer.page`."""
    import dataclasses

    from .embed.registry import method_label
    from .explorer import page

    several_seeds = len({c.seed for c in result.cells}) > 1
    panels = []
    for c in result.cells:
        if c.result is not None:
            label = ", ".join([f"{k}={v}" for k, v in c.params.items()] + ([f"seed {c.seed}"] if several_seeds else []))
            panels.append(dataclasses.replace(c.result, method=f"{method_label(result.method)} {label}"))
    if not panels:
        raise FmnistVizError("no cell of the sweep finished, so there is no page to draw")
    return page(panels, data_dir=data_dir, title=f"fmnist-viz: {method_label(result.method)} sweep", **options)


def save_sweep(result: Sweep, out: str | os.PathLike[str] = "figures", formats: str | Sequence[str] = ("csv", "png"),
               *, name_suffix: str = "", data_dir: str | os.PathLike[str] | None = None) -> list[Any]:
    """Write a sweep: ``sweep_METHOD.csv`` (one row per cell), small multiples and a heat map of 10-NN accuracy
    per data set, npz per cell, and (``html``) one interactive page whose panels are the cells.

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
    if "html" in formats and any(c.result is not None for c in result.cells):
        written.append(sweep_page(result, data_dir=data_dir).save(out / f"{stem}.html"))
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
    from .align import procrustes
    from .embed.registry import method_label
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
        # every layout turned onto the first one's (rotation, reflection, scale), so panels compare shapes
        reference = next((c.result.embedding for c in mine if c.result is not None), None)
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
                    row.append(Panel(procrustes(r.embedding, reference)[0], r.labels, r.class_names, title))
                rows.append(row)
            label = "_".join([dataset, *(f"{k}{_token(v)}" for k, v in zip(rest, fixed, strict=True))])
            title = next((c.result.title for c in group if c.result is not None), dataset)
            suptitle = f"{method_label(result.method)} on {title}" + (
                "".join(f", {k}={v}" for k, v in zip(rest, fixed, strict=True)))
            figures.append((label, compare_figure(rows, style="paper", suptitle=suptitle, one_legend=True)))
    return figures
