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

from ..errors import UsageError
from .specs import get_spec


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


#: The largest selection file read: every row of a data set with its class, as a page writes it, is under 5 MB.
MAX_BYTES = 32 * 2**20
#: Rows are row numbers of a data set: whole numbers from 0 below this.
MAX_ROW = 2**31


def _shown(text: str, limit: int = 60) -> str:
    """``text`` as an error message quotes it: its start, when it is long."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"... ({len(text):,} characters)"


def _row(value: object) -> int:
    """A row number from a file: a whole number from 0 to MAX_ROW - 1 (not a boolean, not infinity)."""
    if isinstance(value, bool):
        raise ValueError(f"rows must be row numbers, got {value!r}")
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit() or len(value) > 12:
            raise ValueError(f"rows must be whole numbers from 0 to {MAX_ROW - 1}, got {_shown(value, 20)}")
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or not 0 <= value < MAX_ROW:
        raise ValueError(f"rows must be whole numbers from 0 to {MAX_ROW - 1}, got {_shown(str(value), 20)}")
    return value


def _refuse_constant(name: str) -> None:
    raise ValueError(f"rows must be whole numbers, got {name}")


def read_selection(path: str | os.PathLike[str], param: str = "selection") -> Selection:
    """Read a ``.json`` or ``.csv`` selection downloaded from a page; every problem is a clear UsageError."""
    path = Path(path)
    where = _shown(str(path), 200)
    if not path.exists():
        raise UsageError(f"{where} does not exist; download a selection from a page first", param=param)
    if path.is_dir():
        raise UsageError(f"{where} is a folder; give the selection.json or .csv a page downloaded", param=param)
    if not path.is_file():
        raise UsageError(f"{where} is not a regular file; give the selection.json or .csv a page downloaded",
                         param=param)
    if path.stat().st_size > MAX_BYTES:
        raise UsageError(f"{where} is {path.stat().st_size / 2**20:,.0f} MiB; a selection file is at most "
                         f"{MAX_BYTES // 2**20} MiB (every row of a data set takes under 5)", param=param)
    kind = path.suffix.lower()
    try:
        if kind == ".json":
            data = json.loads(path.read_text(encoding="utf-8-sig"), parse_constant=_refuse_constant)
            if not isinstance(data, dict) or not isinstance(data.get("dataset"), str) \
                    or not isinstance(data.get("rows"), list):
                raise ValueError('expected {"dataset": NAME, "rows": [ROW, ...]}')
            datasets, rows = {data["dataset"]}, data["rows"]
        elif kind == ".csv":
            with path.open(newline="", encoding="utf-8-sig") as f:  # -sig: a byte-order mark is no header
                table = list(csv.DictReader(f))
            if not table or "dataset" not in table[0] or "row" not in table[0]:
                raise ValueError("expected a header line 'dataset,row,class' and one line per point")
            datasets, rows = {t["dataset"] for t in table}, [t["row"] for t in table]
        else:
            raise ValueError("expected a .json or .csv file downloaded from a page")
        if len(datasets) != 1:
            names = ", ".join(sorted(_shown(str(d)) for d in datasets)[:5])
            raise ValueError(f"expected rows of one data set, got {len(datasets)}: {names}")
        values = [_row(r) for r in rows]
    except RecursionError:
        raise UsageError(f"{where} is not a selection: it is nested too deeply", param=param) from None
    except (ValueError, TypeError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(f"{where} is not a selection: {exc}", param=param) from None
    if not values:
        raise UsageError(f"{where} selects no rows", param=param)
    name = next(iter(datasets))
    try:
        spec = get_spec(name)
    except UsageError as exc:
        raise UsageError(f"{where} holds rows of the data set {_shown(name)}, which is not known: "
                         f"{exc.detail.split(';', 1)[-1].strip()}", param=param) from None
    return Selection(spec.name, np.unique(np.asarray(values, dtype=np.int64)), str(path), param)
