"""Checking data files against their published checksums, and images against labels.

Every file is checked before use: the upstream ``.gz`` MD5, else the SHA-256
(or MD5) of the decompressed IDX bytes. Arrays from a Keras ``.npz`` are
re-encoded as IDX and checked the same way. Errors name the file and what is
wrong with it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..digest import checksum
from ..errors import DataIntegrityError, DataNotFoundError, IDXFormatError
from .idx import GZIP_MAGIC, idx_header, inflate, parse_idx
from .locations import Location, survey
from .specs import SPLITS, DatasetSpec, FileSpec, get_spec

#: The arrays of each split in a Keras ``.npz``: (images, labels).
NPZ_KEYS = {"train": ("x_train", "y_train"), "test": ("x_test", "y_test")}


def check_idx_file(path: Path, spec: FileSpec, source: str | None = None) -> bytes:
    """Return the decompressed bytes of ``path`` if they are the file ``spec`` describes.

    Raises :class:`DataIntegrityError` naming the file (``source``, default the
    path) and what is wrong: corrupt gzip, not IDX, truncated, or a checksum
    mismatch.
    """
    source = source or str(path)
    raw = path.read_bytes()
    data = inflate(raw, source, spec.size) if raw.startswith(GZIP_MAGIC) else raw
    if raw.startswith(GZIP_MAGIC) and spec.gz_md5 and checksum("md5", raw) == spec.gz_md5:
        return data
    if spec.sha256 is None and spec.md5 is None:
        return data
    if spec.sha256 is not None and checksum("sha256", data) == spec.sha256:
        return data
    if spec.sha256 is None and checksum("md5", data) == spec.md5:
        return data
    parse_idx(data, source=source)  # a specific IDX error explains more than a checksum
    raise DataIntegrityError(
        f"{source}: checksum mismatch for {spec.filename} "
        "(the file is corrupt, modified, or from another data set)"
    )


def check_array(array: np.ndarray, spec: FileSpec, source: str) -> None:
    """Check an array from an ``.npz`` against the IDX file it should equal."""
    if spec.sha256 is None:
        return
    header = idx_header(array.dtype, array.shape)
    body = memoryview(np.ascontiguousarray(array)).cast("B")
    if checksum("sha256", header, body) != spec.sha256:
        raise DataIntegrityError(
            f"{source}: the {spec.filename} array does not match the published checksum"
        )


def read_file(location: Location, split: str, role: int, spec: FileSpec) -> np.ndarray:
    """Read and verify one file's array (``role`` 0: images, 1: labels) from ``location``."""
    path = location.find(spec)
    if path is None:
        raise DataNotFoundError(f"{location.path}: {spec.filename} is missing")
    if location.is_npz:
        key = NPZ_KEYS[split][role]
        try:
            with np.load(path) as npz:
                array = npz[key]
        except (OSError, ValueError, KeyError) as exc:
            raise DataIntegrityError(f"{path}: cannot read {key!r} ({exc})") from exc
        check_array(array, spec, f"{path}[{key}]")
        return array
    return parse_idx(check_idx_file(path, spec), source=str(path))


def validate_pair(images: np.ndarray, labels: np.ndarray, n_classes: int, names: tuple[str, str]) -> None:
    """Check that an images/labels pair belongs together; errors name the files."""
    if images.ndim != 3:
        raise IDXFormatError(f"{names[0]}: expected a 3-D image array (n, rows, cols), got shape {images.shape}")
    if labels.ndim != 1:
        raise IDXFormatError(f"{names[1]}: expected a 1-D label array, got shape {labels.shape}")
    if len(images) != len(labels):
        raise IDXFormatError(
            f"{names[0]} holds {len(images)} images but {names[1]} holds {len(labels)} labels"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise IDXFormatError(
            f"{names[1]}: label {int(labels.max())} out of range 0..{n_classes - 1}"
        )


@dataclass(frozen=True)
class FileCheck:
    """The result of checking one file of a data set."""

    dataset: str
    filename: str
    path: Path | None
    ok: bool
    message: str


def verify(name: str | DatasetSpec, data_dir: str | os.PathLike[str] | None = None) -> list[FileCheck]:
    """Check every file of a data set in every location that holds any of them.

    Files are checked against their checksums and parsed; a location holding
    only some files reports the others as missing. When no location holds any
    file, one failed check says so.
    """
    spec = get_spec(name)
    checks: list[FileCheck] = []
    for status in survey(spec, data_dir):
        if not status.present:
            continue
        for split in SPLITS:
            for role, file_spec in enumerate(spec.files[split]):
                path = status.location.find(file_spec)
                if path is None:
                    checks.append(FileCheck(spec.name, file_spec.filename, None, False,
                                            f"missing from {status.location.path}"))
                    continue
                try:
                    array = read_file(status.location, split, role, file_spec)
                except DataIntegrityError as exc:
                    checks.append(FileCheck(spec.name, file_spec.filename, path, False, str(exc)))
                else:
                    what = "checksum ok" if file_spec.sha256 else "no checksum known"
                    checks.append(FileCheck(spec.name, file_spec.filename, path, True,
                                            f"{what}, shape {array.shape}"))
    if not checks:
        checks.append(FileCheck(spec.name, "*", None, False,
                                "not found anywhere (see `fmnist-viz data info`)"))
    return checks
