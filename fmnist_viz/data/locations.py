"""Where the data files are looked for, and what each place holds.

In search order (``fmnist-viz data info`` shows it):

1. the explicit ``data_dir`` (``--data-dir``);
2. the folders in ``$FMNIST_VIZ_DATA``;
3. fmnist-viz's own cache (:func:`fmnist_viz.store.paths.cache_dir`), where downloads go;
4. where the data already lives on users' machines: Debian's
   ``/usr/share/datasets``, Keras's ``~/.keras/datasets`` (folders and
   ``mnist.npz``), torchvision's ``ROOT/FashionMNIST/raw`` under ``./data``
   and ``~/data``.

In each folder, files may sit in a per-data-set subfolder (``DIR/fashion/``) or
directly in it, gzipped or not.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..store.paths import DATA_ENV, cache_dir, env_data_dirs, inside
from .specs import DatasetSpec, FileSpec, get_spec


@dataclass(frozen=True)
class Location:
    """A place the files may be: a folder of IDX files, or a Keras ``.npz``."""

    path: Path
    origin: str  # "--data-dir", "$FMNIST_VIZ_DATA", "cache", or a USER_ROOTS label

    @property
    def is_npz(self) -> bool:
        """Whether this is a Keras ``.npz`` archive rather than a folder."""
        return self.path.suffix == ".npz"

    def find(self, spec: FileSpec) -> Path | None:
        """The file holding ``spec`` here (``.gz`` or not), or None."""
        if self.is_npz:
            return self.path if self.path.is_file() else None
        for name in (spec.filename + ".gz", spec.filename):
            candidate = self.path / name
            if candidate.is_file():
                return candidate
        return None

    def missing(self, specs: Iterable[FileSpec]) -> list[str]:
        """Names of the files in ``specs`` that are not here."""
        return [s.filename for s in specs if self.find(s) is None]


def dataset_cache_dir(spec: DatasetSpec) -> Path:
    """Where downloads of ``spec`` go (refusing a name that would lead outside the cache)."""
    return inside(cache_dir(), spec.name)


def _expand(base: Path, spec: DatasetSpec, bare: bool) -> list[Path]:
    paths = [base / sub for sub in spec.subdirs]
    return [*paths, base] if bare else paths


def check_data_dir(data_dir: str | os.PathLike[str] | None) -> None:
    """Refuse a data folder that is not there: a typo must not let the data come silently from elsewhere."""

    if data_dir is None:
        return
    folder = Path(data_dir).expanduser()
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist"
        raise UsageError(f"{str(data_dir)!r} {what}; give the folder that holds the data files (or leave it out "
                         f"to search ${DATA_ENV} and the usual places)", param="data_dir")


def locations(spec: DatasetSpec, data_dir: str | os.PathLike[str] | None = None) -> list[Location]:
    """Every place :func:`~fmnist_viz.data.load` looks for ``spec``, in search order."""
    check_data_dir(data_dir)
    found: list[Location] = []
    if data_dir is not None:
        found += [Location(p, "--data-dir") for p in _expand(Path(data_dir).expanduser(), spec, True)]
    for env_dir in env_data_dirs():
        found += [Location(p, f"${DATA_ENV}") for p in _expand(env_dir, spec, True)]
    found.append(Location(dataset_cache_dir(spec), "cache"))
    for root, label in spec.search_roots:
        found += [Location(p, label) for p in _expand(Path(root).expanduser(), spec, False)]
    found += [Location(Path(p).expanduser(), "keras") for p in spec.npz_files]
    unique: dict[Path, Location] = {}
    for loc in found:
        path = loc.path.absolute()
        unique.setdefault(path, Location(path, loc.origin))
    return list(unique.values())


@dataclass(frozen=True)
class LocationStatus:
    """What one search location holds for a data set (no checksums computed)."""

    location: Location
    present: tuple[Path, ...]
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """Whether every file asked about is here."""
        return not self.missing


def survey(name: str | DatasetSpec, data_dir: str | os.PathLike[str] | None = None,
           split: str = "all") -> list[LocationStatus]:
    """Every search location of a data set and which of ``split``'s files it holds."""
    spec = get_spec(name)
    needed = spec.files_for(split)
    report = []
    for location in locations(spec, data_dir):
        found = [location.find(f) for f in needed]
        report.append(LocationStatus(
            location,
            present=tuple(dict.fromkeys(p for p in found if p is not None)),
            missing=tuple(f.filename for f, p in zip(needed, found, strict=True) if p is None),
        ))
    return report
