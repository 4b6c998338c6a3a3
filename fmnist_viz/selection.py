"""Selections downloaded from a page, read back: from the page to a paper.

A page's selection pane downloads ``selection.json`` (``{"dataset", "rows",
"classes"}``) or ``selection.csv`` (``dataset,row,class``); rows index
``load(dataset, split="all")``. ``fmnist-viz grid --rows-from FILE`` draws
exactly those images, ``--highlight FILE`` draws a figure with them
highlighted.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import UsageError


@dataclass(frozen=True)
class Selection:
    """Rows of one data set (sorted, each once), and the file they came from."""

    dataset: str
    rows: np.ndarray
    source: str = ""
    param: str = "selection"  # the parameter it was given as, which errors name

    def check_rows(self, n: int, title: str = "") -> Selection:
        """Itself, if every row exists among the ``n`` rows of its data set."""
        if len(self.rows) and int(self.rows.max()) >= n:
            raise UsageError(f"{self.source}: row {int(self.rows.max())} is beyond the {n:,} rows of "
                             f"{title or self.dataset}", param=self.param)
        return self


def read_selection(path: str | os.PathLike[str], param: str = "selection") -> Selection:
    """Read a ``.json`` or ``.csv`` selection downloaded from a page; every problem is a clear UsageError."""
    from .data import get_spec

    path = Path(path)
    where = str(path)
    if not path.is_file():
        raise UsageError(f"{where!r} does not exist; download a selection from a page first", param=param)
    kind = path.suffix.lower()
    try:
        if kind == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("dataset"), str) \
                    or not isinstance(data.get("rows"), list):
                raise ValueError('expected {"dataset": NAME, "rows": [ROW, ...]}')
            datasets, rows = {data["dataset"]}, data["rows"]
        elif kind == ".csv":
            with path.open(newline="", encoding="utf-8") as f:
                table = list(csv.DictReader(f))
            if not table or "dataset" not in table[0] or "row" not in table[0]:
                raise ValueError("expected a header line 'dataset,row,class' and one line per point")
            datasets, rows = {t["dataset"] for t in table}, [t["row"] for t in table]
        else:
            raise ValueError("expected a .json or .csv file downloaded from a page")
        if len(datasets) != 1:
            raise ValueError(f"expected rows of one data set, got {', '.join(sorted(map(str, datasets)))}")
        values = [int(r) for r in rows]
        if any(isinstance(r, float) and not float(r).is_integer() for r in rows) or any(v < 0 for v in values):
            raise ValueError("rows must be whole numbers >= 0")
    except (ValueError, TypeError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(f"{where!r} is not a selection: {exc}", param=param) from None
    if not values:
        raise UsageError(f"{where!r} selects no rows", param=param)
    spec = get_spec(next(iter(datasets)))
    return Selection(spec.name, np.unique(np.asarray(values, dtype=np.int64)), where, param)
