"""Files written before from the same inputs are not drawn again.

A rerun that finds every embedding in the cache would otherwise spend nearly
all its time drawing the same figure and building the same page again. Each
file :func:`fmnist_viz.save_results` writes gets a record, in the cache
(``computed/outputs/``): a digest of everything the file is made from (the
results' arrays, labels, rows and measures, the options, fmnist-viz's own
code and the drawing libraries' versions) and the file's size and
modification time. When both still match, the file is left as it is.

The cache also keeps each written file under its inputs' digest
(``computed/outputs/copies/``: a hard link to it where the file system allows,
else a copy), with its SHA-256: drawn into another folder from the same
inputs, a file is copied from there instead of drawn again (a page
of eight 70,000-point panels took 3-6 s to build, the PNG 3-4 s to draw); a
kept file whose bytes changed since (edited in place) is dropped and the
file drawn anew. Results made with the cache off keep no records, and their
files are always written.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..digest import short_digest
from .atomic import atomic_path, atomic_write_bytes
from .cache import COMPUTED
from .paths import cache_dir

log = logging.getLogger(__name__)

#: The libraries whose versions change what a file holds.
DRAWN_BY = ("numpy", "matplotlib", "plotly", "pillow")


@functools.cache
def code_digest() -> str:
    """A digest of fmnist-viz's own files (its code, the page's script and style, plotly.js): a change to any
    of them makes every file be written again."""
    root = Path(__file__).resolve().parents[1]  # fmnist_viz/
    files = sorted(p for p in root.rglob("*") if p.suffix in (".py", ".js", ".css") and p.is_file())
    return short_digest(*[[str(p.relative_to(root)), p.read_bytes()] for p in files])


@functools.cache
def _versions() -> dict[str, str | None]:
    from importlib import metadata

    found: dict[str, str | None] = {}
    for name in DRAWN_BY:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def inputs_digest(kind: str, results: Sequence[Any], **options: Any) -> str | None:
    """What a file of ``kind`` made from ``results`` with ``options`` depends on, as a digest; None when some
    result has no cache key (made with the cache off: nothing is recorded for it)."""
    if any(r.cache_key is None for r in results):
        return None
    parts: list[Any] = [kind, code_digest(), _versions(), {k: repr(v) for k, v in options.items()}]
    for r in results:
        parts += [r.cache_key, r.method, r.title, list(r.class_names), r.positions, r.labels, r.index,
                  {k: float(v) for k, v in r.metrics.items() if not k.endswith("_seconds")},
                  *[r.pointwise[k] for k in sorted(r.pointwise)]]
    return short_digest(*parts)


class OutputRecords:
    """The records of the files written before, under the cache (``enabled=False``: none are kept or used)."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.folder = cache_dir() / COMPUTED / "outputs"

    def _record(self, path: Path) -> Path:
        return self.folder / f"{short_digest(str(path.resolve()), length=24)}.json"

    def unchanged(self, path: str | os.PathLike[str], digest: str | None) -> bool:
        """Whether ``path`` is still the file written from inputs of ``digest``."""
        path = Path(path)
        if not self.enabled or digest is None or not path.is_file():
            return False
        try:
            record = json.loads(self._record(path).read_text())
            stat = path.stat()
        except (OSError, ValueError):
            return False
        return record == {"path": str(path.resolve()), "inputs": digest, "size": stat.st_size,
                          "mtime_ns": stat.st_mtime_ns}

    def keep(self, path: str | os.PathLike[str], digest: str | None) -> None:
        """Record that ``path`` was just written from inputs of ``digest`` (a failure only costs the next run)."""
        path = Path(path)
        if not self.enabled or digest is None:
            return
        stat = path.stat()
        record = {"path": str(path.resolve()), "inputs": digest, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
        try:
            atomic_write_bytes(self._record(path), json.dumps(record).encode())
        except OSError as exc:
            log.debug("cannot record %s: %s", path, exc)

    def write(self, paths: Sequence[Path], digest: str | None, make: Callable[[], Sequence[Path]]) -> list[Path]:
        """``paths`` as they are when each is unchanged; else the copies kept of files written from the same inputs
        (when every one is kept); else what ``make`` writes. Each is then recorded, and what ``make`` wrote kept."""
        if all(self.unchanged(p, digest) for p in paths):
            log.info("%s: unchanged since written from the same results, left as it is",
                     ", ".join(p.name for p in paths))
            return list(paths)
        kept = [self._kept(p, digest) for p in paths]
        if paths and all(k is not None for k in kept):
            for path, copy in zip(paths, kept, strict=True):
                _copy(copy, path)  # type: ignore[arg-type]
                self.keep(path, digest)
            log.info("%s: the same as written before from the same results, copied from the cache",
                     ", ".join(p.name for p in paths))
            return list(paths)
        made = list(make())
        for path in made:
            self.keep(path, digest)
            self._store(path, digest)
        return made

    def _copy_path(self, path: Path, digest: str) -> Path:
        return self.folder / "copies" / f"{digest}{path.suffix.lower()}"

    def _kept(self, path: Path, digest: str | None) -> Path | None:
        """The kept copy of a file like ``path`` written from inputs of ``digest``, if it is whole (its SHA-256 as
        when kept); a damaged one is removed."""
        if not self.enabled or digest is None:
            return None
        copy = self._copy_path(path, digest)
        try:
            record = json.loads(copy.with_name(copy.name + ".json").read_text())
            if copy.stat().st_size == record["size"] and _sha256(copy) == record["sha256"]:
                return copy
        except (OSError, ValueError, KeyError, TypeError):
            return None
        log.debug("the kept copy %s changed since it was kept: drawing anew", copy.name)
        for stale in (copy, copy.with_name(copy.name + ".json")):
            stale.unlink(missing_ok=True)
        return None

    def _store(self, path: Path, digest: str | None) -> None:
        """Keep ``path`` (just written from inputs of ``digest``) for other folders; a failure only costs speed."""
        if not self.enabled or digest is None:
            return
        copy = self._copy_path(path, digest)
        try:
            copy.parent.mkdir(parents=True, exist_ok=True)
            _copy(path, copy, link=True)
            record = {"size": copy.stat().st_size, "sha256": _sha256(copy)}
            atomic_write_bytes(copy.with_name(copy.name + ".json"), json.dumps(record).encode())
        except OSError as exc:
            log.debug("cannot keep a copy of %s: %s", path, exc)


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy(source: Path, target: Path, link: bool = False) -> None:
    """Put ``source``'s bytes at ``target`` atomically: a copy, or with ``link`` a hard link where the file system
    allows (the cache's own copies: no second copy on disk). Files in output folders are never linked to each other,
    so editing one leaves the others as they were."""
    import shutil

    with atomic_path(target, suffix=target.suffix) as tmp:
        if link:
            tmp.unlink()
            try:
                os.link(source, tmp)
                return
            except OSError:  # another file system, or links not allowed
                pass
        shutil.copyfile(source, tmp)
