"""Files written before from the same inputs are not written again.

A rerun that finds every embedding in the cache would otherwise spend nearly
all its time drawing the same figure and building the same page again. Each
file :func:`fmnist_viz.save_results` writes gets a record, in the cache
(``computed/outputs/``): a digest of everything the file is made from (the
results' arrays, labels, rows and measures, the options, fmnist-viz's own
code and the drawing libraries' versions) and the file's size and
modification time. When both still match, the file is left as it is. Results
made with the cache off keep no records, and their files are always written.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .atomic import atomic_write_bytes
from .digest import short_digest

log = logging.getLogger(__name__)

#: The libraries whose versions change what a file holds.
DRAWN_BY = ("numpy", "matplotlib", "plotly", "pillow")


@functools.cache
def code_digest() -> str:
    """A digest of fmnist-viz's own files (its code, the page's script and style, plotly.js): a change to any
    of them makes every file be written again."""
    import fmnist_viz

    root = Path(fmnist_viz.__file__).parent
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


class Written:
    """The records of the files written before, under the cache (``enabled=False``: none are kept or used)."""

    def __init__(self, enabled: bool = True) -> None:
        from .cache import COMPUTED
        from .paths import cache_dir

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
        """``paths`` as they are when each is unchanged, else what ``make`` writes (then recorded)."""
        if all(self.unchanged(p, digest) for p in paths):
            log.info("%s: unchanged since written from the same results, left as it is",
                     ", ".join(p.name for p in paths))
            return list(paths)
        made = list(make())
        for path in made:
            self.keep(path, digest)
        return made
