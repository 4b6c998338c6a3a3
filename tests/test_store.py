"""The store's one get-or-compute, and its kinds described as data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fmnist_viz.store import cache as store
from fmnist_viz.store.cache import KINDS, Array, Kind, ResultCache, entry_problem


def test_get_or_compute_computes_once_then_reads_the_entry(tmp_path: Path) -> None:
    cache, calls = ResultCache(tmp_path), []

    def compute() -> tuple[dict[str, np.ndarray], dict[str, str]]:
        calls.append(1)
        return {"embedding": np.ones((3, 2), np.float32)}, {"dataset": "d", "seconds": 1.5}

    key = {"n": 3, "method": "m"}
    first = cache.get_or_compute("embedding", key, compute)
    again = cache.get_or_compute("embedding", key, compute)
    assert (first.cached, again.cached, len(calls)) == (False, True, 1)
    assert np.array_equal(again.arrays["embedding"], first.arrays["embedding"]) and again.meta["seconds"] == 1.5
    unkeyed = cache.get_or_compute("embedding", None, compute)  # no key: computed every time, stored nowhere
    assert not unkeyed.cached and len(calls) == 2
    assert cache.get_or_compute("embedding", key, compute, usable=lambda arrays: False).cached is False  # refused
    assert len(calls) == 3 and not ResultCache(tmp_path, enabled=False).get_or_compute("embedding", key, compute).cached


def test_an_entry_is_checked_against_its_kind_s_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Adding a kind is a row of KINDS: its arrays are checked when read, and a bad entry is computed again."""
    monkeypatch.setitem(KINDS, "ranks", Kind("ranks", (Array("order", 1, "iu"), Array("score", 1, "f"))))
    key = {"n": 4}
    good = {"order": np.arange(4), "score": np.zeros(4)}
    assert entry_problem("ranks", key, good) == ""
    assert entry_problem("ranks", key, {"order": np.arange(4)}) == "it has no 'score'"
    assert entry_problem("ranks", key, {**good, "score": np.zeros(5)}) == "'score' is float64 of shape (5,)"
    not_finite = {**good, "score": np.full(4, np.nan)}
    assert entry_problem("ranks", key, not_finite) == "'score' holds values that are not finite"
    cache = ResultCache(tmp_path)
    cache.store("ranks", key, {**good, "order": np.arange(3)})  # one row short: discarded when read
    entry = cache.get_or_compute("ranks", key, lambda: (good, None))
    assert not entry.cached and cache.get_or_compute("ranks", key, lambda: pytest.fail("computed again")).cached
    assert set(KINDS) >= {"prepared", "knn", "embedding", "metrics", "pointwise", "sprites", "split", "heldout"}
    assert all(isinstance(kind, Kind) and kind.name == name for name, kind in store.KINDS.items())
