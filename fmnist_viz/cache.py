"""An on-disk cache of computed arrays: prepared data, neighbour graphs, embeddings.

Each entry is an ``.npz`` file named by the SHA-256 of its key (a JSON-able
dict: the data's checksum, the subset, the method, its parameters, the library
versions), with the key and metadata beside it in a ``.json`` file. Writes are
atomic (temporary file, then rename), so two runs at once each write a whole
entry and the last rename wins; an entry that cannot be read is discarded and
recomputed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .atomic import atomic_path, atomic_write_bytes
from .paths import cache_dir

log = logging.getLogger(__name__)

#: Bump to invalidate every computed entry after a change in how results are made.
FORMAT = 2
KINDS = ("prepared", "knn", "embedding")


def key_digest(key: dict[str, Any]) -> str:
    """A stable hex digest of a JSON-able key."""
    blob = json.dumps({"format": FORMAT, **key}, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:32]


@dataclass
class ResultCache:
    """Arrays by key, under ``root/computed/KIND/``; ``enabled=False`` stores and finds nothing."""

    root: Path | None = None
    enabled: bool = True

    def __post_init__(self) -> None:
        self.root = Path(self.root) if self.root is not None else cache_dir()

    def _paths(self, kind: str, key: dict[str, Any]) -> tuple[Path, Path]:
        stem = self.root / "computed" / kind / key_digest(key)  # type: ignore[operator]
        return stem.with_suffix(".npz"), stem.with_suffix(".json")

    def load(self, kind: str, key: dict[str, Any]) -> tuple[dict[str, np.ndarray], dict[str, Any]] | None:
        """The arrays and metadata stored under ``key``, or None (missing, disabled or corrupt)."""
        if not self.enabled:
            return None
        data_path, meta_path = self._paths(kind, key)
        if not data_path.exists():
            return None
        try:
            with np.load(data_path, allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
            meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            log.warning("discarding corrupt cache entry %s (%s); it will be recomputed", data_path.name, exc)
            for path in (data_path, meta_path):
                path.unlink(missing_ok=True)
            return None
        return arrays, meta

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

    def entries(self) -> dict[str, list[dict[str, Any]]]:
        """Metadata of every entry, by kind (with ``bytes`` and ``file`` added)."""
        found: dict[str, list[dict[str, Any]]] = {}
        for kind in KINDS:
            rows = []
            for data_path in sorted((self.root / "computed" / kind).glob("*.npz")):  # type: ignore[operator]
                meta_path = data_path.with_suffix(".json")
                try:
                    meta = json.loads(meta_path.read_text())
                except (OSError, ValueError):
                    meta = {}
                rows.append({**meta, "file": str(data_path), "bytes": data_path.stat().st_size})
            found[kind] = rows
        return found


def folder_size(path: Path) -> tuple[int, int]:
    """Total bytes and number of files below ``path``."""
    files = [p for p in path.rglob("*") if p.is_file()] if path.exists() else []
    return sum(p.stat().st_size for p in files), len(files)


def section_sizes(root: Path | None = None) -> dict[str, tuple[int, int]]:
    """Bytes and files in each part of the cache folder, by what it holds."""
    root = root or cache_dir()
    downloads = [child for child in root.iterdir() if child.is_dir() and child.name not in ("computed", "decoded")] \
        if root.exists() else []
    sizes = [folder_size(child) for child in downloads]
    return {
        "embeddings, graphs, prepared data": folder_size(root / "computed"),
        "decoded data sets": folder_size(root / "decoded"),
        "downloaded data sets": (sum(b for b, _ in sizes), sum(n for _, n in sizes)),
    }


def clear(root: Path | None = None, downloads: bool = False) -> int:
    """Delete computed results and decoded arrays (and downloads if asked); returns bytes freed."""
    root = root or cache_dir()
    freed = 0
    for name in ("computed", "decoded"):
        size, _ = folder_size(root / name)
        shutil.rmtree(root / name, ignore_errors=True)
        freed += size
    if downloads and root.exists():
        for child in root.iterdir():
            size, _ = folder_size(child) if child.is_dir() else (child.stat().st_size, 1)
            shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink()
            freed += size
    return freed
