"""fmnist-viz's on-disk caches, all below one root (:func:`fmnist_viz.store.paths.cache_dir`).

- ``computed/KIND/``: :class:`ResultCache`, computed arrays (prepared data,
  neighbour graphs, embeddings). Each entry is an ``.npz`` named by the digest
  of its key (a JSON-able dict: the data's checksum, the subset, the method,
  its parameters, the library versions), with the key and metadata beside it
  in a ``.json`` file.
- ``decoded/``: :class:`DecodedCache`, data sets decoded from their IDX files
  as memory-mapped ``.npy``, keyed by the source files' path, size and
  modification time and checked by their CRC-32 on every load, so a second
  load costs tens of milliseconds and a damaged entry is never used.
- ``NAME/`` for each data set: its downloads (written by
  :func:`fmnist_viz.data.fetch`).

Writes are atomic (temporary file, then rename), so two runs at once each
write a whole entry and the last rename wins; an entry that cannot be read is
discarded and recomputed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..digest import short_digest
from ..results import HELDOUT_SCORES
from .atomic import atomic_path, atomic_write_bytes
from .paths import cache_dir

log = logging.getLogger(__name__)

#: Bump to invalidate every computed entry after a change in how results are made.
FORMAT = 2
#: Bump when the decoded-array layout changes, so old entries are ignored.
DECODED_FORMAT = 2
COMPUTED = "computed"
DECODED = "decoded"


@dataclass(frozen=True)
class Array:
    """One array an entry holds: its name, number of dimensions, dtype kinds (numpy's ``dtype.kind`` letters) and,
    for a table, its number of columns. Arrays with dimensions hold one row per point when the key names a size;
    float arrays hold only finite values."""

    name: str
    ndim: int
    dtypes: str
    columns: int | None = None


def _graph(key: dict[str, Any], arrays: dict[str, np.ndarray]) -> str:
    indices, distances = arrays["indices"], arrays["distances"]
    if indices.shape != distances.shape or indices.shape[1] < 2 or indices.min() < 0 \
            or indices.max() >= len(indices) or (distances < 0).any():
        return "the graph's indices or distances are out of range"
    return ""


def _pointwise(key: dict[str, Any], arrays: dict[str, np.ndarray]) -> str:
    if not np.isin(arrays["disagreement"], (0, 1)).all():
        return "'disagreement' holds values other than 0 and 1"
    kept = arrays["preservation"]
    if not ((kept >= 0) & (kept <= 1)).all():
        return "'preservation' holds values outside 0 to 1"
    return ""


def _shares(key: dict[str, Any], arrays: dict[str, np.ndarray]) -> str:
    for name in ("knn_accuracy", "trustworthiness", "neighborhood_preservation", "random_triplet_accuracy",
                 "centroid_triplet_accuracy"):
        value = arrays.get(name)
        if value is None or value.ndim or value.dtype.kind != "f" or not (
                0 <= value <= 1 or (name in ("knn_accuracy", "centroid_triplet_accuracy") and np.isnan(value))):
            return f"{name!r} is missing or not a share from 0 to 1"
    value = arrays.get("distance_spearman")
    if value is None or value.ndim or value.dtype.kind != "f" or not (-1 <= value <= 1 or np.isnan(value)):
        return "'distance_spearman' is missing or not a correlation from -1 to 1"
    return ""


def _split(key: dict[str, Any], arrays: dict[str, np.ndarray]) -> str:
    new = arrays.get("new")
    if new is None or new.shape != (key.get("m"), arrays["X"].shape[1]) or not np.isfinite(new).all():
        return "'new' is missing, of another shape or not finite"
    seconds = arrays.get("seconds")
    if seconds is None or seconds.shape != (2,) or not (seconds >= 0).all():
        return "'seconds' is missing or not two durations"
    return ""


def _placed(key: dict[str, Any], arrays: dict[str, np.ndarray]) -> str:
    placed, wrong = arrays.get("placed"), arrays.get("wrong")
    if placed is None or placed.shape != (key.get("m"), 2) or not np.isfinite(placed).all():
        return "'placed' is missing, of another shape or not finite"
    if wrong is None or wrong.shape != (key.get("m"),) or wrong.dtype != bool:
        return "'wrong' is missing or not one flag per placed point"
    return ""


def _sheets(key: dict[str, Any], arrays: dict[str, np.ndarray]) -> str:
    sheets = arrays["sheets"]
    if "shape" in key and len(sheets) != -(-key["shape"][0] // key["per_sheet"]):
        return f"it has {len(sheets)} image sheets"
    return ""


@dataclass(frozen=True)
class Kind:
    """What an entry of one kind holds, as data: its arrays, the fields of its metadata (``.json``) by type, the
    fields that must be there (they are read back), and any check of its values beyond the arrays' own."""

    name: str
    arrays: tuple[Array, ...] = ()
    meta: Mapping[str, str] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    check: Callable[[dict[str, Any], dict[str, np.ndarray]], str] | None = None


#: Every kind of computed entry; adding a kind is a row here.
KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("prepared", (Array("X", 2, "f"), Array("is_pca", 0, "b"))),
    Kind("knn", (Array("indices", 2, "iu"), Array("distances", 2, "f")), check=_graph),
    Kind("embedding", (Array("embedding", 2, "f", columns=2),),
         meta={"dataset": "text", "method": "text", "params": "mapping", "n": "count", "seed": "count",
               "device": "text", "seconds": "duration", "created": "text"}, required=("seconds",)),
    Kind("metrics", meta={"dataset": "text", "method": "text"}, check=_shares),
    Kind("pointwise", (Array("disagreement", 1, "iub"), Array("preservation", 1, "f")),
         meta={"dataset": "text", "method": "text"}, check=_pointwise),
    Kind("sprites", (Array("sheets", 1, "S"),), check=_sheets),
    Kind("split", (Array("X", 2, "f"),), check=_split),
    Kind("heldout", (Array("fitted", 2, "f", columns=2),),
         meta={"dataset": "text", "method": "text", "fit_seconds": "duration", "place_seconds": "duration",
               "metrics": "heldout scores"}, required=("fit_seconds", "place_seconds", "metrics"), check=_placed),
)}


def key_digest(key: dict[str, Any]) -> str:
    """A stable hex digest of a JSON-able key."""
    return short_digest({"format": FORMAT, **key})


@dataclass
class Entry:
    """What :meth:`ResultCache.get_or_compute` gives: the arrays, the metadata, and whether they were cached."""

    arrays: dict[str, np.ndarray]
    meta: dict[str, Any]
    cached: bool


@dataclass
class ResultCache:
    """Arrays by key, under ``root/computed/KIND/``; ``enabled=False`` stores and finds nothing."""

    root: Path | None = None
    enabled: bool = True

    def __post_init__(self) -> None:
        self.root = Path(self.root) if self.root is not None else cache_dir()

    def _paths(self, kind: str, key: dict[str, Any]) -> tuple[Path, Path]:
        stem = self.root / COMPUTED / kind / key_digest(key)  # type: ignore[operator]
        return stem.with_suffix(".npz"), stem.with_suffix(".json")

    def load(self, kind: str, key: dict[str, Any]) -> tuple[dict[str, np.ndarray], dict[str, Any]] | None:
        """The arrays and metadata stored under ``key``, or None (missing, disabled, corrupt or not what an entry
        of ``kind`` holds: :func:`entry_problem`); a bad entry is removed with a warning, to be computed again."""
        if not self.enabled:
            return None
        data_path, meta_path = self._paths(kind, key)
        if not data_path.exists():
            return None
        try:  # a zip member whose bytes changed fails its CRC-32 here
            with np.load(data_path, allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
            meta = json.loads(meta_path.read_text()) if meta_path.exists() else None
            problem = entry_problem(kind, key, arrays) or meta_problem(kind, key, meta)
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            problem = str(exc) or type(exc).__name__
        if not problem:
            return arrays, meta or {}
        log.warning("discarding corrupt cache entry %s/%s (%s); it will be recomputed", kind, data_path.name, problem)
        for path in (data_path, meta_path):
            try:
                path.unlink(missing_ok=True)
            except OSError as error:  # a read-only cache: recompute without caching
                log.warning("cannot remove %s: %s", path, error.strerror or error)
        return None

    def store(self, kind: str, key: dict[str, Any], arrays: dict[str, np.ndarray],
              meta: dict[str, Any] | None = None) -> None:
        """Store ``arrays`` under ``key``; a failure to write only costs speed, so it is logged."""
        if not self.enabled:
            return
        data_path, meta_path = self._paths(kind, key)
        try:
            atomic_write_bytes(meta_path, json.dumps({"key": key, **(meta or {})}, indent=1,
                                                     sort_keys=True, default=str).encode())
            with atomic_path(data_path, suffix=".npz") as tmp:
                np.savez(tmp, **arrays)
        except OSError as exc:
            log.warning("could not write cache entry %s: %s", data_path, exc)

    def get_or_compute(self, kind: str, key: dict[str, Any] | None,
                       compute: Callable[[], tuple[dict[str, np.ndarray], dict[str, Any] | None]], *,
                       usable: Callable[[dict[str, np.ndarray]], bool] | None = None) -> Entry:
        """The entry of ``kind`` under ``key`` (when there is one and ``usable`` accepts its arrays), or what
        ``compute()`` returns (arrays and metadata), stored under ``key``; with no key, computed and not stored.
        Every cached kind but the embeddings goes through here (those are looked up when a run is planned and
        stored as each task finishes, wherever it ran: :mod:`fmnist_viz.pipeline.plan`)."""
        found = self.load(kind, key) if key is not None else None
        if found is not None and (usable is None or usable(found[0])):
            return Entry(*found, cached=True)
        arrays, meta = compute()
        if key is not None:
            self.store(kind, key, arrays, meta)
        return Entry(arrays, meta or {}, cached=False)

    def entries(self) -> dict[str, list[dict[str, Any]]]:
        """Metadata of every entry, by kind (with ``bytes`` and ``file`` added)."""
        found: dict[str, list[dict[str, Any]]] = {}
        for kind in KINDS:
            rows = []
            for data_path in sorted((self.root / COMPUTED / kind).glob("*.npz")):  # type: ignore[operator]
                meta_path = data_path.with_suffix(".json")
                try:
                    meta = json.loads(meta_path.read_text())
                except (OSError, ValueError):
                    meta = {}
                rows.append({**meta, "file": str(data_path), "bytes": data_path.stat().st_size})
            found[kind] = rows
        return found


def _size(key: dict[str, Any]) -> int | None:
    """The number of points an entry is about, from its key (directly, or that of the embedding it measures)."""
    inner = key.get("embedding")
    n = key.get("n", inner.get("n") if isinstance(inner, dict) else None)
    return n if isinstance(n, int) else None


def _field_problem(what: str, value: Any) -> bool:
    """Whether ``value`` is not what a metadata field of type ``what`` holds."""
    import math

    def number(v: Any) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)

    if what == "text":
        return not isinstance(value, str)
    if what == "mapping":
        return not isinstance(value, dict)
    if what == "count":
        return not (isinstance(value, int) and not isinstance(value, bool) and value >= 0)
    if what == "duration":
        return not (number(value) and value >= 0)
    # heldout scores: every score a share from 0 to 1
    return not (isinstance(value, dict) and set(value) == set(HELDOUT_SCORES)
                and all(number(v) and 0 <= v <= 1 for v in value.values()))


def meta_problem(kind: str, key: dict[str, Any], meta: Any) -> str:
    """What is wrong with an entry's metadata read back ("" when nothing; None: no ``.json``): not an object, not
    written for ``key``, a field its :class:`Kind` requires missing, or a field of its :attr:`Kind.meta` of another
    type (a duration that is text, scores that are not shares)."""
    required = KINDS[kind].required
    if meta is None:
        return "its metadata file is missing" if required else ""
    if not isinstance(meta, dict):
        return "its metadata is not a JSON object"
    if "key" in meta and meta["key"] != json.loads(json.dumps(key, sort_keys=True, default=str)):
        return "its metadata was written for another key"
    missing = [name for name in required if name not in meta]
    if missing:
        return f"its metadata has no {', '.join(map(repr, missing))}"
    fields = KINDS[kind].meta
    bad = [name for name, what in fields.items() if name in meta and _field_problem(what, meta[name])]
    if bad:
        return "its metadata's " + ", ".join(f"{name!r} ({fields[name]})" for name in bad) + " is wrong"
    return ""


def entry_problem(kind: str, key: dict[str, Any], arrays: dict[str, np.ndarray]) -> str:
    """What is wrong with an entry of ``kind`` read back ("" when nothing): its arrays' names, shapes, dtypes and
    values, checked against what its :class:`Kind` says one holds (and the number of points its key names)."""
    n = _size(key)
    spec = KINDS[kind]
    for want in spec.arrays:
        if want.name not in arrays:
            return f"it has no {want.name!r}"
        value = arrays[want.name]
        if value.ndim != want.ndim or value.dtype.kind not in want.dtypes \
                or (n is not None and want.ndim and len(value) != n) \
                or (want.columns is not None and value.shape[1] != want.columns):
            return f"{want.name!r} is {value.dtype} of shape {value.shape}"
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            return f"{want.name!r} holds values that are not finite"
    return spec.check(key, arrays) if spec.check else ""


@dataclass
class DecodedCache:
    """Decoded data sets as memory-mapped ``.npy`` files under ``root/decoded/``.

    An entry is named by the data set, the split and :meth:`source_key` of the
    files it was decoded from, so replacing or touching a source file makes a
    new entry; writing one removes the stale entries of the same split.
    """

    root: Path | None = None

    def __post_init__(self) -> None:
        self.root = Path(self.root) if self.root is not None else cache_dir()

    @staticmethod
    def source_key(paths: list[Path]) -> str:
        """A key that changes whenever one of the source files is replaced or modified."""
        stats = []
        for path in paths:
            st = path.stat()
            stats.append([str(path.resolve()), st.st_size, st.st_mtime_ns])
        return short_digest([DECODED_FORMAT, stats], length=16)

    def _paths(self, name: str, split: str, key: str) -> tuple[Path, Path]:
        stem = f"{name}-{split}-{key}"
        folder = self.root / DECODED  # type: ignore[operator]
        return folder / f"{stem}-X.npy", folder / f"{stem}-y.npy"

    def load(self, name: str, split: str, key: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The memory-mapped (images, labels) stored under ``key``, or None.

        The arrays are checked against the CRC-32 written beside them (about
        35 ms for 70,000 images): a damaged entry is removed, never used.
        """
        x_path, y_path = self._paths(name, split, key)
        sums_path = x_path.with_name(x_path.name.replace("-X.npy", ".crc32.json"))
        if not (x_path.is_file() and y_path.is_file()):
            return None
        try:
            arrays = np.load(x_path, mmap_mode="r"), np.load(y_path, mmap_mode="r")
            expected = json.loads(sums_path.read_text())
            damaged = [label for label, array in zip("Xy", arrays, strict=True) if _crc32(array) != expected[label]]
            if not damaged:
                return arrays
            reason: object = f"checksum mismatch in {', '.join(damaged)}"
        except (OSError, ValueError, KeyError, TypeError, EOFError) as exc:  # EOFError: a file cut to 0 bytes
            reason = exc
        log.warning("discarding damaged decoded cache %s (%s); decoding the IDX files again", x_path.name, reason)
        for p in (x_path, y_path, sums_path):
            try:
                p.unlink(missing_ok=True)
            except OSError as exc:  # a read-only cache: the entry stays, and is never used
                log.debug("cannot remove %s: %s", p, exc)
        return None

    def store(self, name: str, split: str, key: str, images: np.ndarray, labels: np.ndarray) -> None:
        """Store (images, labels) under ``key`` with their CRC-32; a read-only cache only costs speed."""
        x_path, y_path = self._paths(name, split, key)
        sums_path = x_path.with_name(x_path.name.replace("-X.npy", ".crc32.json"))
        try:
            for stale in x_path.parent.glob(f"{name}-{split}-*"):
                if stale not in (x_path, y_path, sums_path):
                    stale.unlink(missing_ok=True)
            for path, array in ((y_path, labels), (x_path, images)):
                with atomic_path(path, suffix=".npy") as tmp:
                    np.save(tmp, array)
            # written last: an entry without its sums is incomplete and never used
            atomic_write_bytes(sums_path, json.dumps({"X": _crc32(images), "y": _crc32(labels)}).encode())
        except OSError as exc:
            log.debug("cannot write decoded cache %s: %s", x_path, exc)


def _crc32(array: np.ndarray) -> int:
    """CRC-32 of an array's bytes in C order: fast enough to check 55 MB on every load."""
    return zlib.crc32(memoryview(np.ascontiguousarray(array)).cast("B"))


def folder_size(path: Path) -> tuple[int, int]:
    """Total bytes and number of files below ``path``."""
    files = [p for p in path.rglob("*") if p.is_file()] if path.exists() else []
    return sum(p.stat().st_size for p in files), len(files)


def section_sizes(root: Path | None = None) -> dict[str, tuple[int, int]]:
    """Bytes and files in each part of the cache folder, by what it holds."""
    root = root or cache_dir()
    downloads = [child for child in root.iterdir() if child.is_dir() and child.name not in (COMPUTED, DECODED)] \
        if root.exists() else []
    sizes = [folder_size(child) for child in downloads]
    return {
        "embeddings, graphs, prepared data": folder_size(root / COMPUTED),
        "decoded data sets": folder_size(root / DECODED),
        "downloaded data sets": (sum(b for b, _ in sizes), sum(n for _, n in sizes)),
    }


def clear(root: Path | None = None, downloads: bool = False) -> int:
    """Delete computed results and decoded arrays (and downloads if asked); returns the bytes really freed.

    A part of the cache that is a symbolic link is left as it is, with a warning: what it points to may hold
    other things than fmnist-viz's.
    """
    root = root or cache_dir()
    parts = [root / COMPUTED, root / DECODED]
    if downloads and root.exists():
        parts += [child for child in root.iterdir() if child not in parts]
    freed = 0
    for part in parts:
        if part.is_symlink():
            log.warning("%s is a link to %s: left as it is (remove what it points to yourself)", part,
                        os.readlink(part))
            continue
        if not part.exists():
            continue
        before, _ = folder_size(part) if part.is_dir() else (part.stat().st_size, 1)
        if part.is_dir():
            shutil.rmtree(part, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                part.unlink()
        after, _ = folder_size(part) if part.is_dir() else (0, 0)
        if part.exists() and not part.is_dir():
            after = part.stat().st_size
        freed += before - after
        if after:
            log.warning("could not remove everything in %s (%.1f MiB are left): permissions?", part, after / 2**20)
    return freed
