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
from ..store.atomic import atomic_write_bytes

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


#: The longest IDX header: the magic number and 255 dimensions.
HEADER_MAX = 4 + 4 * 255
#: The most bytes an IDX file may announce when nothing else bounds it (EMNIST, the largest, is ~700 MB).
MAX_IDX_BYTES = 2**31


def read_bytes(path: str | os.PathLike[str], source: str | None = None, limit: int | None = None) -> bytes:
    """Return the decompressed contents of ``path`` (gzipped or not).

    Gzip is detected from the file's first bytes, not its name, so a
    decompressed file that kept its ``.gz`` name still reads. Inflating stops
    as soon as the output passes the size the IDX header announces (or
    ``limit``, or :data:`MAX_IDX_BYTES`): a small ``.gz`` that would inflate
    to gigabytes fails at once instead of filling memory. ``source`` names the
    file in errors (default: the path).
    """
    path = Path(path)
    raw = path.read_bytes()
    if not raw.startswith(GZIP_MAGIC):
        return raw
    return inflate(raw, source or str(path), limit)


def _announced_size(head: bytes, source: str) -> int | None:
    """Header plus payload bytes that an IDX file's first bytes announce; None while too few are known."""
    if len(head) < 4:
        return None
    if head[0] or head[1] or head[2] not in DTYPE_CODES or not head[3]:
        parse_idx(head, source)  # not IDX: raises the specific error, before inflating anything more
    if len(head) < 4 + 4 * head[3]:
        return None
    shape = struct.unpack(f">{head[3]}I", head[4: 4 + 4 * head[3]])
    return 4 + 4 * head[3] + int(np.prod(shape, dtype=object)) * DTYPE_CODES[head[2]].itemsize


def inflate(raw: bytes, source: str, limit: int | None = None) -> bytes:
    """Decompress gzip bytes, stopping at once past the size their IDX header announces (see :func:`read_bytes`)."""
    cap = MAX_IDX_BYTES if limit is None else limit
    out = bytearray()
    expected: int | None = None
    data = raw
    try:
        while data:  # one gzip member per pass (concatenated members are valid gzip)
            inflater = zlib.decompressobj(wbits=31)
            pending = data
            while pending and not inflater.eof:
                room = (HEADER_MAX if expected is None else expected) + 1 - len(out)
                out += inflater.decompress(pending, max(room, 1))
                pending = inflater.unconsumed_tail
                if expected is None and (expected := _announced_size(bytes(out[:HEADER_MAX]), source)) is not None \
                        and expected > cap:
                    raise DataIntegrityError(f"{source}: its IDX header announces {expected:,} bytes, more than "
                                             f"the {cap:,} expected; refusing to inflate it")
                if expected is not None and len(out) > expected:
                    raise DataIntegrityError(f"{source}: inflates past the {expected:,} bytes its IDX header "
                                             "announces (a corrupt file or a decompression bomb); stopped")
            if not inflater.eof:
                raise DataIntegrityError(f"{source}: corrupt or truncated gzip data (it ends early)")
            data = inflater.unused_data
    except zlib.error as exc:
        raise DataIntegrityError(f"{source}: corrupt or truncated gzip data ({exc})") from exc
    return bytes(out)


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

    path = Path(path)
    data = to_idx_bytes(array)
    if compress if compress is not None else path.suffix == ".gz":
        data = gzip.compress(data, mtime=0)
    atomic_write_bytes(path, data)
    return path
