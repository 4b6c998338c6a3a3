"""Loading a data set: search, verify, decode, cache; :func:`load` is the entry point.

The first place (see :mod:`~fmnist_viz.data.locations`) that holds every file
of the split, each matching its checksum, wins; a bad copy is skipped with a
warning that says why (and deleted when it is in fmnist-viz's own cache, so it
is downloaded again). The decoded arrays are kept as memory-mapped ``.npy`` in
the cache (:class:`~fmnist_viz.store.cache.DecodedCache`).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..digest import short_digest
from ..errors import DataIntegrityError, DataNotFoundError, DownloadError, IDXFormatError
from ..store.cache import DecodedCache
from ..store.paths import DATA_ENV
from .download import fetch
from .idx import read_shape
from .locations import Location, dataset_cache_dir, locations
from .specs import DatasetSpec, FileSpec, get_spec, splits
from .verify import NPZ_KEYS, read_file, validate_pair

log = logging.getLogger(__name__)
#: What this process has loaded already: said once at INFO, then at DEBUG.
_ANNOUNCED: set[tuple[object, ...]] = set()


@dataclass(frozen=True, eq=False)
class Dataset:
    """A loaded data set: pixels ``X`` (n, 784) uint8, one flattened image a row, and labels ``y``.

    The arrays are read-only (they may be memory-mapped from the cache); take
    ``.copy()`` to modify them. ``images`` is an (n, 28, 28) view of ``X``.
    The embedders work on features prepared from these pixels
    (:class:`~fmnist_viz.embed.Prepared`).
    """

    name: str
    title: str
    split: str
    X: np.ndarray
    y: np.ndarray
    class_names: tuple[str, ...]
    location: Path
    files: tuple[Path, ...]
    image_shape: tuple[int, ...] = (28, 28)
    split_sizes: dict[str, int] = field(default_factory=dict)
    spec: DatasetSpec | None = field(default=None, repr=False)

    @property
    def is_train(self) -> np.ndarray:
        """A boolean mask of the rows from the training split."""
        mask = np.zeros(len(self), dtype=bool)
        if self.split in ("train", "all"):
            mask[: self.split_sizes.get("train", len(self) if self.split == "train" else 0)] = True
        return mask

    def fingerprint(self) -> str:
        """A short digest identifying the data: the published checksums, else the bytes."""
        if self.spec is not None and all(f.sha256 for f in self.spec.files_for(self.split)):
            return short_digest([self.split, [f.sha256 for f in self.spec.files_for(self.split)]])
        return short_digest(self.X, self.y)

    @property
    def images(self) -> np.ndarray:
        """The images as (n, rows, cols), sharing ``X``'s memory."""
        return self.X.reshape((len(self.X), *self.image_shape))

    def __len__(self) -> int:
        return len(self.y)

    def __repr__(self) -> str:
        return (
            f"Dataset(name={self.name!r}, split={self.split!r}, X={self.X.shape} "
            f"{self.X.dtype}, classes={len(self.class_names)}, location='{self.location}')"
        )


def _decode_split(spec: DatasetSpec, location: Location, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Read, verify and validate the images (n, rows, cols) and labels (n,) of ``split``."""
    pairs = []
    for s in splits(split):
        files = spec.files[s]
        images = read_file(location, s, 0, files[0])
        labels = read_file(location, s, 1, files[1])
        names = (str(location.find(files[0])), str(location.find(files[1])))
        validate_pair(images, labels, len(spec.class_names), names)
        pairs.append((images, labels))
    if len({p[0].shape[1:] for p in pairs}) > 1:
        raise IDXFormatError(f"{location.path}: train and test images differ in size")
    images = np.concatenate([p[0] for p in pairs]).astype(np.uint8, copy=False)
    labels = np.concatenate([p[1] for p in pairs]).astype(np.uint8, copy=False)
    return images, labels


def _read_split(spec: DatasetSpec, location: Location, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Like :func:`_decode_split`, through the memory-mapped decoded cache."""
    cache = DecodedCache()
    key = cache.source_key([location.find(f) for f in spec.files_for(split)])  # type: ignore[misc]
    cached = cache.load(spec.name, split, key)
    if cached is not None:
        return cached
    images, labels = _decode_split(spec, location, split)
    cache.store(spec.name, split, key, images, labels)
    return images, labels


def _readonly(array: np.ndarray) -> np.ndarray:
    array = np.asarray(array)
    array.flags.writeable = False
    return array


def _count(location: Location, split: str, spec: FileSpec) -> int:
    """How many items a labels file holds, from its header alone."""
    path = location.find(spec)
    if location.is_npz:
        with np.load(path) as npz:  # type: ignore[arg-type]
            return len(npz[NPZ_KEYS[split][1]])
    return read_shape(path)[0]  # type: ignore[arg-type]


def _try_location(spec: DatasetSpec, location: Location, split: str) -> Dataset:
    images, y = _read_split(spec, location, split)
    parts = splits(split)
    sizes = {s: _count(location, s, spec.files[s][1]) for s in parts[:-1]}
    sizes[parts[-1]] = len(y) - sum(sizes.values())
    return Dataset(
        name=spec.name, title=spec.title, split=split,
        X=_readonly(images.reshape(len(images), -1)), y=_readonly(y),
        class_names=spec.class_names, location=location.path,
        files=tuple(location.find(f) for f in spec.files_for(split)),  # type: ignore[misc]
        image_shape=tuple(images.shape[1:]), split_sizes=sizes, spec=spec,
    )


def _announce_once(key: tuple[str, str], condition: bool, message: str, *args: object) -> None:
    """Log a warning the first time ``condition`` holds for ``key`` in this process."""
    if condition and key not in _ANNOUNCED:
        _ANNOUNCED.add(key)
        log.warning(message, *args)


def _not_found_message(spec: DatasetSpec, split: str, tried: list[tuple[Location, str]], extra: str = "") -> str:
    needed = ", ".join(f.filename + "[.gz]" for f in spec.files_for(split))
    lines = [f"{spec.title} ({split} split) was not found: it needs the files {needed}. Looked in:"]
    lines += [f"  {loc.origin:<18} {loc.path}: {why}" for loc, why in tried]
    if extra:
        lines.append(extra)
    lines += [
        "To fix it, do one of:",
        f"  - point fmnist-viz at a folder holding the files: --data-dir DIR, or {DATA_ENV}=DIR",
        "  - run `fmnist-viz data fetch` on a machine with internet access",
    ]
    if spec.name == "fashion":
        lines.append("  - apt-get install dataset-fashion-mnist (Debian/Ubuntu)")
    if any(why.startswith("unusable") for _, why in tried):
        lines.append("  - replace the unusable files above (`fmnist-viz data verify` checks every file)")
    return "\n".join(lines)


def load(
    name: str,
    split: str = "all",
    data_dir: str | os.PathLike[str] | None = None,
    download: bool = True,
    *,
    progress: bool | None = None,
) -> Dataset:
    """Load a data set as a flattened image matrix, searching, verifying and caching.

    Parameters
    ----------
    name : str
        ``"fashion"``, ``"mnist"``, an alias, or any registered data set.
    split : str
        ``"train"`` (60,000 images), ``"test"`` (10,000) or ``"all"`` (train
        then test, 70,000).
    data_dir : path, optional
        A folder searched first (before ``$FMNIST_VIZ_DATA`` and the cache).
    download : bool
        Download into the cache when no verified copy is found.
    progress : bool, optional
        Progress bars for downloads (default: when stderr is a terminal).

    Returns
    -------
    Dataset
        ``X`` (n, 784) uint8 and ``y`` (n,) uint8, read-only.

    Raises
    ------
    DataNotFoundError
        Nothing usable was found or downloaded; the message lists where it
        looked and how to fix it.
    """
    start = time.perf_counter()
    spec = get_spec(name)
    needed = spec.files_for(split)
    _announce_once(("unverified", spec.name), not all(f.sha256 or f.md5 or f.gz_md5 for f in spec.files_for("all")),
                   "%s has files without checksums: they are used UNVERIFIED (add sha256 to its FileSpecs)",
                   spec.title)
    tried: list[tuple[Location, str]] = []
    for location in locations(spec, data_dir):
        try:
            missing = location.missing(needed)
        except OSError as exc:  # e.g. a folder without permission to look inside
            tried.append((location, f"unreadable: {exc.strerror or exc}"))
            log.warning("skipping %s: %s", location.path, exc.strerror or exc)
            continue
        if missing:
            empty = len(location.missing(spec.files_for("all"))) == len(spec.files_for("all"))
            tried.append((location, "absent" if empty else f"missing {', '.join(missing)}"))
            continue
        try:
            dataset = _try_location(spec, location, split)
        except OSError as exc:  # unreadable like any other bad copy: skipped, the search goes on
            tried.append((location, f"unreadable: {exc.strerror or exc}"))
            log.warning("skipping %s: %s: %s", location.path, getattr(exc, "filename", None) or "", exc.strerror or exc)
            continue
        except DataIntegrityError as exc:
            tried.append((location, f"unusable: {exc}"))
            if location.origin == "cache":
                log.warning("corrupt file in the cache, removing it to fetch it again: %s", exc)
                _remove_corrupt(spec, location, split)
            else:
                log.warning("skipping %s: %s", location.path, exc)
            continue
        first = (spec.name, split, location.path) not in _ANNOUNCED
        _ANNOUNCED.add((spec.name, split, location.path))
        log.log(logging.INFO if first else logging.DEBUG, "loaded %s, %s split (%d images) from %s in %.3f s",
                spec.title, split, len(dataset), location.path, time.perf_counter() - start)
        return dataset
    if not download:
        raise DataNotFoundError(_not_found_message(spec, split, tried, "Downloading is off."))
    try:
        fetch(spec, split, progress=progress)
    except DownloadError as exc:
        raise DataNotFoundError(_not_found_message(spec, split, tried, f"Downloading failed: {exc}")) from exc
    return _try_location(spec, Location(dataset_cache_dir(spec), "cache"), split)


def load_all(names: Sequence[str], split: str = "all", data_dir: str | os.PathLike[str] | None = None, *,
             progress: bool | None = None) -> list[Dataset]:
    """:func:`load` each of ``names``, or raise one error that names every one that is missing.

    A run that needs Fashion-MNIST and MNIST says so, and lists what is
    missing of both, before any work starts.
    """
    specs = [get_spec(name) for name in names]
    loaded, missing = [], []
    for spec in specs:
        try:
            loaded.append(load(spec.name, split, data_dir=data_dir, progress=progress))
        except DataNotFoundError as exc:
            missing.append((spec.title, str(exc)))
    if not missing:
        return loaded
    if len(specs) == 1:
        raise DataNotFoundError(missing[0][1])
    titles = [title for title, _ in missing]
    found = "neither was found" if len(missing) == 2 == len(specs) else (
        f"{' and '.join(titles)} {'was' if len(titles) == 1 else 'were'} not found")
    header = f"this run needs {' and '.join(spec.title for spec in specs)}, and {found}."
    raise DataNotFoundError("\n\n".join([header, *(message for _, message in missing)]))


def _remove_corrupt(spec: DatasetSpec, location: Location, split: str) -> None:
    """Delete the cache files of ``split`` that fail verification."""
    for s in splits(split):
        for role, file_spec in enumerate(spec.files[s]):
            try:
                read_file(location, s, role, file_spec)
            except DataIntegrityError:
                path = location.find(file_spec)
                if path is not None:
                    path.unlink(missing_ok=True)
