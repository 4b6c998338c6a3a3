"""Digests: the one place where fmnist-viz hashes things.

- :func:`checksum` is a full hex digest of bytes, for published checksums
  (MD5 and SHA-256 of the data files).
- :func:`short_digest` is a truncated SHA-256 of anything the caches key on:
  bytes, numpy arrays (their bytes, C order) and JSON-able values (dicts in
  key order), so equal inputs give equal names across runs and machines.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np


def checksum(algorithm: str, *chunks: bytes | memoryview) -> str:
    """The full hex digest of the concatenated ``chunks`` (``algorithm``: md5, sha256, ...)."""
    h = hashlib.new(algorithm)
    for chunk in chunks:
        h.update(chunk)
    return h.hexdigest()


def short_digest(*parts: Any, length: int = 32) -> str:
    """A stable, truncated SHA-256 hex digest of ``parts``.

    Each part is hashed by what it is: bytes as they are, arrays by their
    contiguous bytes, anything else as sorted-key JSON (``str`` for values JSON
    does not know). Parts are length-prefixed, so ``("ab", "c")`` and
    ``("a", "bc")`` differ.
    """
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, (bytes, bytearray, memoryview)):
            blob = bytes(part)
        elif isinstance(part, np.ndarray):
            blob = np.ascontiguousarray(part).tobytes()
        else:
            blob = json.dumps(part, sort_keys=True, default=str).encode()
        h.update(len(blob).to_bytes(8, "little"))
        h.update(blob)
    return h.hexdigest()[:length]
