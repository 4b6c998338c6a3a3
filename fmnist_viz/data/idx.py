"""Reading and writing IDX files, the format of MNIST and Fashion-MNIST.

Plain numpy, no other dependency. Every malformed input raises
:class:`~fmnist_viz.errors.IDXFormatError` naming the file and what is wrong,
never an ``AssertionError`` or a numpy shape error.

An IDX file is a 4-byte magic number (two zero bytes, a dtype code, the number
of dimensions), one big-endian uint32 per dimension, then the values in C order,
big-endian.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from ..errors import DataIntegrityError, IDXFormatError

#: IDX dtype code -> numpy dtype (big-endian where it matters).
DTYPE_CODES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODE_BY_KIND = {(dt.kind, dt.itemsize): code for code, dt in DTYPE_CODES.items()}

GZIP_MAGIC = b"\x1f\x8b"


def read_bytes(path: str | os.PathLike[str], source: str | None = None) -> bytes:
    """Return the decompressed contents of ``path`` (gzipped or not).

    Gzip is detected from the file's first bytes, not its name, so a
    decompressed file that kept its ``.gz`` name still reads. ``source`` names
    the file in errors (default: the path).
    """
    path = Path(path)
    raw = path.read_bytes()
    if not raw.startswith(GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataIntegrityError(f"{source or path}: corrupt or truncated gzip data ({exc})") from exc


def parse_idx(data: bytes | bytearray | memoryview, source: str = "<bytes>") -> np.ndarray:
    """Decode IDX bytes into a read-only, native-endian numpy array.

    ``source`` names the file in error messages.
    """
    view = memoryview(data)
    if len(view) < 4:
        raise IDXFormatError(f"{source}: too short for an IDX file ({len(view)} bytes)")
    zero1, zero2, code, ndim = view[0], view[1], view[2], view[3]
    if zero1 or zero2 or ndim == 0:
        raise IDXFormatError(
            f"{source}: wrong magic number 0x{bytes(view[:4]).hex()} "
            "(an IDX file starts with 0x0000, a dtype code and the number of dimensions)"
        )
    if code not in DTYPE_CODES:
        supported = ", ".join(f"0x{c:02x}" for c in DTYPE_CODES)
        raise IDXFormatError(
            f"{source}: unsupported IDX dtype code 0x{code:02x} (supported: {supported})"
        )
    header_len = 4 + 4 * ndim
    if len(view) < header_len:
        raise IDXFormatError(
            f"{source}: truncated header: {ndim} dimensions need {header_len} bytes, "
            f"file has {len(view)}"
        )
    shape = struct.unpack(f">{ndim}I", view[4:header_len])
    dtype = DTYPE_CODES[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    payload = len(view) - header_len
    if payload < expected:
        raise IDXFormatError(
            f"{source}: truncated payload: shape {shape} needs {expected} bytes of data, "
            f"file has {payload}"
        )
    if payload > expected:
        raise IDXFormatError(
            f"{source}: {payload - expected} unexpected trailing bytes after the "
            f"{shape} array"
        )
    array = np.frombuffer(view, dtype=dtype, offset=header_len).reshape(shape)
    if not dtype.isnative and dtype.itemsize > 1:
        array = array.astype(dtype.newbyteorder("="))
    array.flags.writeable = False
    return array


def read_shape(path: str | os.PathLike[str]) -> tuple[int, ...]:
    """The shape in an IDX file's header, reading only the first bytes (gzipped or not)."""
    path = Path(path)
    with path.open("rb") as raw:
        gz = raw.read(2) == GZIP_MAGIC
    with (gzip.open(path, "rb") if gz else path.open("rb")) as f:
        head = f.read(4)
        if len(head) < 4 or head[0] or head[1] or not head[3]:
            raise IDXFormatError(f"{path}: wrong magic number 0x{head.hex()}")
        dims = f.read(4 * head[3])
    if len(dims) < 4 * head[3]:
        raise IDXFormatError(f"{path}: truncated header")
    return struct.unpack(f">{head[3]}I", dims)


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an IDX file (gzipped or not) into a read-only numpy array."""
    return parse_idx(read_bytes(path), source=str(path))


def _idx_code(dtype: np.dtype) -> int:
    code = _CODE_BY_KIND.get((np.dtype(dtype).kind, np.dtype(dtype).itemsize))
    if code is None:
        raise IDXFormatError(f"dtype {dtype} has no IDX type code")
    return code


def idx_header(dtype: np.dtype, shape: tuple[int, ...]) -> bytes:
    """The IDX header for an array of ``dtype`` and ``shape``."""
    return bytes([0, 0, _idx_code(dtype), len(shape)]) + struct.pack(f">{len(shape)}I", *shape)


def to_idx_bytes(array: np.ndarray) -> bytes:
    """Encode ``array`` as IDX bytes (the inverse of :func:`parse_idx`)."""
    array = np.asarray(array)
    body = np.ascontiguousarray(array, dtype=DTYPE_CODES[_idx_code(array.dtype)])
    return idx_header(array.dtype, array.shape) + body.tobytes()


def write_idx(path: str | os.PathLike[str], array: np.ndarray, compress: bool | None = None) -> Path:
    """Write ``array`` as an IDX file; gzipped if ``compress`` or the name ends in ``.gz``.

    Useful to build small MNIST-like data sets (the tests do).
    """
    from ..atomic import atomic_write_bytes

    path = Path(path)
    data = to_idx_bytes(array)
    if compress if compress is not None else path.suffix == ".gz":
        data = gzip.compress(data, mtime=0)
    atomic_write_bytes(path, data)
    return path
