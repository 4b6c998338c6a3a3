"""What a sweep is given, checked before any work: its grid of parameter values, its seeds and data sets, how
many cells they make and roughly how long they take, and which settings ignore the seed.

Apart from running a sweep (:mod:`.sweeps`, which needs the pipeline and the executors), so that the command
line checks a sweep's input, and names its limits in ``--help``, without importing them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from ..data import get_spec
from ..embed import get_embedder_class
from ..errors import MAX_SEED, UsageError, check_number
from ..naming import format_value

log = logging.getLogger("fmnist_viz.studies.sweeps")


#: The most cells a sweep runs without being told it may (``--yes``, ``max_cells=None``).
MAX_CELLS = 500


def parse_grid(specs: Sequence[str], method: str) -> dict[str, list[Any]]:
    """``["n_neighbors=5,15,50", "min_dist=0,0.1"]`` -> ``{"n_neighbors": [5, 15, 50], "min_dist": [0.0, 0.1]}``.

    Every value is checked by the method's own parameter (type, range), so a
    typo fails before any work (:func:`check_grid`).
    """
    grid: dict[str, list[str]] = {}
    for spec in specs:
        name, sep, values = spec.partition("=")
        name = name.strip()
        if not sep or not name or not values.strip():
            raise UsageError(f"must look like NAME=V1,V2,..., got {spec[:80]!r}", param="grid")
        if name in grid:
            raise UsageError(f"gives {name!r} twice", param="grid")
        grid[name] = [v.strip() for v in values.split(",")]
        if not any(grid[name]) or not all(grid[name]):
            raise UsageError(f"gives {name!r} an empty value: {values[:80]!r}; give V1,V2,... with none empty",
                             param="grid")
    return check_grid(grid, method)


def check_grid(grid: Mapping[str, Sequence[Any]], method: str, *, empty: bool = False) -> dict[str, list[Any]]:
    """``grid`` with every value parsed by the method's own parameter; a UsageError names what is wrong: not a
    mapping, empty (unless ``empty``: a sweep over seeds alone), an unknown parameter, no values, a value of the
    wrong type or range, a value twice."""

    known = {p.name: p for p in get_embedder_class(method).params}
    if not isinstance(grid, Mapping):
        raise UsageError(f"must map parameter names to lists of values, e.g. {{'perplexity': [10, 30]}}; got "
                         f"{type(grid).__name__}", param="grid")
    if not grid and not empty:
        raise UsageError("is empty: give at least one parameter and its values (--grid NAME=V1,V2)", param="grid")
    checked: dict[str, list[Any]] = {}
    for name, values in grid.items():
        if name not in known:
            raise UsageError(f"names {str(name)[:80]!r}, not a parameter of {method}; valid: "
                             f"{', '.join(known) or '(none)'}", param="grid")
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
            raise UsageError(f"must give {name!r} a non-empty list of values, got {values!r}"[:200], param="grid")
        parsed = [known[name].parse(v, method) for v in values]
        if len(set(map(repr, parsed))) != len(parsed):
            raise UsageError(f"repeats a value of {name!r}: {', '.join(map(str, values))}"[:200], param="grid")
        checked[name] = parsed
    return checked


def check_seeds(seeds: Sequence[int]) -> list[int]:
    """``seeds`` as a list, each a valid seed and each once (a repeated seed would repeat a layout)."""

    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence):
        raise UsageError(f"must be a list of seeds, e.g. [0, 1, 2]; got {seeds!r}"[:200], param="seeds")
    if not seeds:
        raise UsageError("is empty: give at least one seed", param="seeds")
    for s in seeds:
        check_number(s, "seeds", low=0, high=MAX_SEED, integer=True)
    repeated = sorted({s for s in seeds if list(seeds).count(s) > 1})
    if repeated:
        raise UsageError(f"repeats {', '.join(map(str, repeated))}: each seed once", param="seeds")
    return list(seeds)


def check_datasets(datasets: Sequence[str]) -> list[str]:
    """The data sets' registered names, each once."""

    if isinstance(datasets, str) or not isinstance(datasets, Sequence) or not datasets:
        raise UsageError(f"must be a non-empty list of data set names, e.g. ['fashion', 'mnist']; got {datasets!r}"
                         [:200], param="datasets")
    names = [get_spec(d).name for d in datasets]
    if len(set(names)) != len(names):
        raise UsageError(f"names a data set twice: {', '.join(names)}", param="datasets")
    return names


def announce(result: Any, max_cells: int | None) -> None:
    """Log how many cells and roughly how long they take; refuse more than ``max_cells`` before any work (the data
    is not even loaded: its size comes from its spec)."""

    cost = get_embedder_class(result.method).cost_per_1000
    sizes = [result.n or _spec_size(get_spec(d)) for d in result.datasets]
    per_set = len(result.cells) // max(len(result.datasets), 1)
    guess = (sum(per_set * size / 1000 * cost for size in sizes) if cost is not None and all(sizes) else None)
    rough = f"roughly {_duration(guess)} of one core's time" if guess is not None else "time unknown"
    log.info("sweep: %d cells (%d settings and seeds, on %d data set(s)); %s", len(result.cells), per_set,
             len(result.datasets), rough)
    if max_cells is not None and len(result.cells) > max_cells:
        raise UsageError(f"makes {len(result.cells):,} cells ({rough}), more than {max_cells}; give fewer values, "
                         "or --yes (max_cells=None in Python) to run them all", param="grid")


def _spec_size(spec: Any) -> int | None:
    """How many images a data set has, from its label files' sizes when its spec gives them (None: unknown)."""
    sizes = [files[1].size for files in spec.files.values()]
    return sum(size - 8 for size in sizes) if all(sizes) else None


def _duration(seconds: float) -> str:
    return f"{seconds / 3600:.1f} hours" if seconds >= 5400 else f"{max(1, round(seconds / 60))} minute(s)"


def warn_ignored_seeds(embedders: Sequence[Any], combos: Sequence[dict[str, Any]], seeds: Sequence[int]) -> None:
    """Say, before any work, which settings ignore the seed: each is computed with the first seed only."""
    if len(seeds) < 2:
        return
    by_reason: dict[str, list[str]] = {}
    for embedder, params in zip(embedders, combos, strict=True):
        reason = embedder.seed_ignored()
        if reason:
            by_reason.setdefault(reason, []).append(", ".join(f"{k}={format_value(v)}" for k, v in params.items()))
    for reason, settings in by_reason.items():
        which = "every setting runs" if len(settings) == len(combos) else f"these run: {'; '.join(settings)},"
        log.warning("the seed changes nothing here: %s. Seeds %s would repeat seed %d's layout, so %s with seed %d "
                    "only", reason, ", ".join(map(str, seeds[1:])), seeds[0], which, seeds[0])
