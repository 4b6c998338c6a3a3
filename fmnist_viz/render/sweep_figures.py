"""A sweep's static figures: small multiples of its layouts and a heat map of a quality measure.

Both take a sweep (:class:`fmnist_viz.studies.sweeps.Sweep`: its ``method``, ``grid``,
``seeds`` and ``cells``, each with its ``dataset``, ``params``, ``seed`` and
``result``) and return ``(data set, file label, Figure)`` per figure;
:func:`fmnist_viz.outputs.sweeps.save_sweep` names and writes them.
"""

from __future__ import annotations

from typing import Any

from ..embed.registry import method_label
from ..errors import UsageError
from ..naming import format_value, token
from ..quality.align import procrustes
from .scatter import Panel, compare_figure, figure_size
from .style import MAX_PIXELS, STYLES, quality_line

#: How the heat maps name their measure.
METRIC_LABELS = {"knn_accuracy": "10-NN accuracy", "trustworthiness": "trustworthiness"}


def data_title(result: Any, dataset: str) -> str:
    """How a data set of the sweep is named in titles: "Fashion-MNIST, 2,000 points"."""
    done = next((c.result for c in result.cells if c.dataset == dataset and c.result is not None), None)
    return f"{done.title}, {len(done):,} points" if done is not None else dataset


def heat_maps(result: Any, metric: str = "knn_accuracy") -> list[tuple[str, str, Any]]:
    """(data set, file label, Figure): ``metric`` over the first two grid parameters (mean over seeds), per data
    set."""
    import matplotlib.pyplot as plt
    import numpy as np

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
        ax.set_yticks(range(len(rows_of)), [format_value(v) for v in rows_of])
        ax.set_ylabel(names[0])
        ax.set_xticks(range(len(cols_of)), [format_value(v) for v in cols_of] if len(names) > 1 else [""])
        ax.set_xlabel(names[1] if len(names) > 1 else "")
        what = METRIC_LABELS.get(metric, metric) + (" (mean over seeds)" if len(result.seeds) > 1 else "")
        ax.set_title(f"{method_label(result.method)} on {data_title(result, dataset)}:\n{what}", fontsize=10)
        fig.colorbar(image, ax=ax, shrink=0.8)
        figures.append((dataset, f"_{metric}", fig))
    return figures


def small_multiples(result: Any) -> list[tuple[str, str, Any]]:
    """(data set, file label, Figure) per data set and per combination of the values beyond the first two axes."""

    names = list(result.grid)
    axes = names[:2] if len(names) >= 2 else [*names, "seed"]

    def value(cell: Any, key: str) -> Any:
        return cell.seed if key == "seed" else cell.params[key]

    # the rest make a figure per combination of their values; one that takes a single value names no figure
    rest = [k for k in [*names, "seed"] if k not in axes and len({value(c, k) for c in result.cells}) > 1]

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
                    cell = next((c for c in group if value(c, axes[0]) == rv and value(c, axes[1]) == cv), None)
                    r = cell.result if cell is not None else None
                    if r is None:
                        row.append(None)  # a failed cell leaves its panel blank; the table says why
                        continue
                    title = f"{axes[0]}={format_value(rv)}, {axes[1]}={format_value(cv)}\n{quality_line(r)}"
                    row.append(Panel(procrustes(r.embedding, reference)[0], r.labels, r.class_names, title))
                rows.append(row)
            label = "".join(f"_{k}{token(v)}" for k, v in zip(rest, fixed, strict=True))
            suptitle = f"{method_label(result.method)} on {data_title(result, dataset)}" + (
                "".join(f", {k} {format_value(v)}" for k, v in zip(rest, fixed, strict=True)))
            figures.append((dataset, label, compare_figure(rows, style="paper", suptitle=suptitle, legends="one")))
    return figures


def check_size(grid: dict[str, list[Any]], seeds: list[int]) -> None:
    """Refuse, before any work, a sweep whose small multiples would be too large to save: the first grid
    parameter's values are their rows and the second's (or the seeds) their columns."""

    names = list(grid)
    rows, cols = len(grid[names[0]]), len(grid[names[1]]) if len(names) > 1 else len(seeds)
    _, (width, height) = figure_size(rows, cols, "paper", legends="one", suptitle_lines=1)
    dpi = STYLES["paper"]["dpi"]
    if max(width, height) * dpi > MAX_PIXELS:
        raise UsageError(f"lays its panels out {rows} x {cols}, a {width * dpi:,.0f} x {height * dpi:,.0f} pixel "
                         f"figure at {dpi} dpi (the most is {MAX_PIXELS:,} on a side); sweep fewer values of "
                         f"{names[0]}, or give it after two other parameters (their values then make one figure each)",
                         param="grid")
