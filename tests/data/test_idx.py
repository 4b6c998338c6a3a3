"""The IDX parser: round trips and clear errors on every kind of bad file."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from fmnist_viz.data.idx import parse_idx, read_idx, to_idx_bytes, write_idx
from fmnist_viz.errors import DataIntegrityError, IDXFormatError


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("name", ["a-idx3-ubyte", "a-idx3-ubyte.gz"])
def test_round_trip(tmp_path: Path, dtype: type, name: str) -> None:
    array = (np.arange(2 * 3 * 5) - 7).astype(dtype).reshape(2, 3, 5)
    path = write_idx(tmp_path / name, array)
    assert path.read_bytes()[:2] == (b"\x1f\x8b" if name.endswith(".gz") else b"\x00\x00")
    back = read_idx(path)
    assert back.shape == (2, 3, 5)
    assert back.dtype == np.dtype(dtype).newbyteorder("=")
    np.testing.assert_array_equal(back, array)
    assert not back.flags.writeable


def test_gzip_detected_by_content_not_name(tmp_path: Path) -> None:
    array = np.arange(12, dtype=np.uint8).reshape(3, 4)
    plain = tmp_path / "labels.gz"  # not gzipped, despite the name
    plain.write_bytes(to_idx_bytes(array))
    np.testing.assert_array_equal(read_idx(plain), array)


def test_header_is_the_published_one() -> None:
    data = to_idx_bytes(np.zeros((60000, 28, 28), np.uint8))
    assert data[:16] == bytes.fromhex("00000803 0000ea60 0000001c 0000001c".replace(" ", ""))


def test_wrong_magic_names_the_file() -> None:
    with pytest.raises(IDXFormatError, match=r"bad\.idx: wrong magic number 0x01000801"):
        parse_idx(b"\x01\x00\x08\x01" + b"\x00" * 8, source="bad.idx")


def test_zero_dimensions_is_wrong_magic() -> None:
    with pytest.raises(IDXFormatError, match="wrong magic"):
        parse_idx(b"\x00\x00\x08\x00", source="f")


def test_unsupported_dtype_code() -> None:
    with pytest.raises(IDXFormatError, match=r"f: unsupported IDX dtype code 0x0a"):
        parse_idx(b"\x00\x00\x0a\x01\x00\x00\x00\x01\x00", source="f")


def test_truncated_header() -> None:
    with pytest.raises(IDXFormatError, match="truncated header: 3 dimensions need 16 bytes"):
        parse_idx(b"\x00\x00\x08\x03\x00\x00\x00\x02", source="f")


def test_truncated_payload() -> None:
    data = to_idx_bytes(np.ones((4, 28, 28), np.uint8))[:-100]
    with pytest.raises(IDXFormatError, match=r"truncated payload: shape \(4, 28, 28\) needs 3136 bytes"):
        parse_idx(data, source="f")


def test_trailing_bytes() -> None:
    with pytest.raises(IDXFormatError, match="3 unexpected trailing bytes"):
        parse_idx(to_idx_bytes(np.ones(5, np.uint8)) + b"xyz", source="f")


def test_too_short() -> None:
    with pytest.raises(IDXFormatError, match="too short"):
        parse_idx(b"\x00\x00", source="f")


def test_corrupt_gzip_is_a_clear_error(tmp_path: Path) -> None:
    good = gzip.compress(to_idx_bytes(np.ones((10, 28, 28), np.uint8)))
    path = tmp_path / "broken.gz"
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(DataIntegrityError, match=r"broken\.gz: corrupt or truncated gzip"):
        read_idx(path)


def test_unknown_dtype_cannot_be_written(tmp_path: Path) -> None:
    with pytest.raises(IDXFormatError, match="no IDX type code"):
        write_idx(tmp_path / "out" / "x", np.zeros(3, np.uint64))
    assert not (tmp_path / "out").exists()  # nothing half-written
