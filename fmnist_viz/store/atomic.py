"""Atomic file writes: write to a temporary file beside the target, then rename.

A reader never sees a half-written file, an interrupted run leaves no partial
output under the final name, and two writers racing for one path each rename
a complete file (the last one wins).
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import FmnistVizError


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    On any exception the temporary file is removed and ``path`` is untouched.
    ``suffix`` is appended to the temporary name (some writers pick the format
    from the extension).
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".part{suffix}", dir=path.parent)
    except OSError as exc:
        raise WriteError.about(path, exc) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file normal permissions
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError) and exc.errno in WriteError.DISK and not isinstance(exc, WriteError):
            raise WriteError.about(path, exc) from exc  # (other errors, a download's say, pass as they are)
        raise


class WriteError(FmnistVizError, OSError):
    """A file could not be written (the disk is full, the folder read-only, ...); nothing of it is left behind.

    An OSError too, so code that treats a failed write as a lost speed-up (the caches) goes on catching it.
    """

    #: The errors of a disk that takes no more (raised by whatever writes the file, however it reports them).
    DISK = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG})

    @classmethod
    def about(cls, path: Path, exc: OSError) -> WriteError:
        why = {errno.ENOSPC: "the disk is full: free some space, or write elsewhere (--out)",
               errno.EDQUOT: "the disk quota is used up: free some space, or write elsewhere (--out)",
               errno.EROFS: "the file system is read-only: write elsewhere (--out)",
               errno.EACCES: "permission denied: write elsewhere (--out)"}.get(exc.errno or 0, exc.strerror or str(exc))
        error = cls(f"could not write {path}: {why}")
        error.errno = exc.errno
        return error

    def __str__(self) -> str:  # the message, not OSError's "[Errno N] ..."
        return str(self.args[0])


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path
