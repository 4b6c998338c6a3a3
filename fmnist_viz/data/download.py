"""Downloading data sets: mirrors, retries, progress and a checksum gate.

:func:`fetch` downloads a data set's missing files into the cache;
:func:`download` fetches one file. The bytes go to a temporary ``.part`` file
beside the target, which is renamed onto the target only after the caller's
check accepts it. Nothing half-written or unverified is ever left under the
final name.
"""

from __future__ import annotations

import functools
import logging
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

from ..errors import DataIntegrityError, DownloadError
from ..progress import progress_bar
from ..store.atomic import atomic_path
from ..store.paths import inside
from .locations import Location, dataset_cache_dir
from .specs import DatasetSpec, FileSpec, get_spec
from .verify import check_idx_file

log = logging.getLogger(__name__)

USER_AGENT = "fmnist-viz (+https://pypi.org/project/fmnist-viz/)"
CHUNK = 1 << 16
#: The most a download may bring when its spec gives no size (an endless stream stops here).
MAX_DOWNLOAD_BYTES = 2**30
#: Temporary download files older than this are left over from a killed run, and removed.
STALE_PART_SECONDS = 600


def max_bytes(spec: FileSpec) -> int:
    """The most bytes a download of ``spec`` may bring: its size plus headroom, else :data:`MAX_DOWNLOAD_BYTES`.

    A ``.gz`` of IDX data is never much larger than the data itself (gzip
    adds a few bytes per 32 KiB block when the data does not compress).
    """
    return spec.size + spec.size // 16 + (1 << 16) if spec.size else MAX_DOWNLOAD_BYTES


def _is_permanent(exc: BaseException) -> bool:
    if isinstance(exc, urllib.error.HTTPError):
        return exc.code < 500 and exc.code not in (408, 429)
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        return isinstance(reason, (socket.gaierror, ConnectionRefusedError)) or (
            isinstance(reason, OSError) and reason.errno in (101, 113)  # net/host unreachable
        )
    return False


def _fetch(url: str, dest: Path, timeout: float, progress: bool | None, desc: str, limit: int) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response, dest.open("wb") as out:
        total = int(response.headers.get("Content-Length") or 0) or None
        if total is not None and total > limit:
            raise DataIntegrityError(f"announces {total:,} bytes, more than the {limit:,} this file can be")
        with progress_bar(total, desc, unit="B", progress=progress, unit_scale=True, unit_divisor=1024) as bar:
            received = 0
            while chunk := response.read(CHUNK):
                received += len(chunk)
                if received > limit:
                    raise DataIntegrityError(f"sent more than the {limit:,} bytes this file can be; stopped")
                out.write(chunk)
                bar.update(len(chunk))
    if total is not None and received != total:
        raise OSError(f"connection closed after {received} of {total} bytes")


def download(
    urls: Sequence[str],
    dest: str | Path,
    check: Callable[[Path], object],
    *,
    retries: int = 3,
    timeout: float = 30.0,
    backoff: float = 1.0,
    progress: bool | None = None,
    limit: int = MAX_DOWNLOAD_BYTES,
) -> Path:
    """Download the first of ``urls`` that delivers a file ``check`` accepts.

    ``check(path)`` raises :class:`DataIntegrityError` to reject a file. Each URL
    is tried up to ``retries`` times on transient errors (timeouts, HTTP 5xx),
    waiting ``backoff`` seconds, doubled each time; permanent errors (404, no
    DNS, connection refused) move on to the next mirror at once, so a machine
    without network fails fast. A server that sends more than ``limit`` bytes
    is cut off (no disk fills up); the temporary file goes on every failure. Raises :class:`DownloadError` listing every
    failure when no mirror succeeds.
    """
    dest = Path(dest)
    failures: list[str] = []
    for url in urls:
        for attempt in range(1, retries + 1):
            try:
                with atomic_path(dest) as tmp:
                    log.info("downloading %s (attempt %d/%d)", url, attempt, retries)
                    _fetch(url, tmp, timeout, progress, dest.name, limit)
                    check(tmp)
                log.info("saved %s", dest)
                return dest
            except DataIntegrityError as exc:
                failures.append(f"{url}: {exc}")
                break  # the mirror serves the wrong bytes; another try gives the same
            except (OSError, urllib.error.URLError) as exc:
                failures.append(f"{url}: {exc}")
                if _is_permanent(exc) or attempt == retries:
                    break
                wait = backoff * 2 ** (attempt - 1)
                log.warning("download of %s failed (%s); retrying in %.0f s", url, exc, wait)
                time.sleep(wait)
    raise DownloadError(f"could not download {dest.name}:\n  " + "\n  ".join(failures))


def fetch(name: str | DatasetSpec, split: str = "all", *, progress: bool | None = None) -> Path:
    """Download the files of ``split`` missing from the cache; returns the cache folder.

    Each file is checked (``.gz`` MD5 or decompressed SHA-256) before it is
    renamed into place, and mirrors are tried in order.
    """
    spec = get_spec(name)
    folder = dataset_cache_dir(spec)
    if not spec.mirrors:
        raise DownloadError(f"{spec.title} has no download mirrors")
    _remove_stale_parts(folder)
    for file_spec in spec.files_for(split):
        if Location(folder, "cache").find(file_spec) is not None:
            continue
        target = inside(folder, f"{file_spec.filename}.gz")
        download(
            [m + target.name for m in spec.mirrors], target,
            check=functools.partial(check_idx_file, spec=file_spec, source="downloaded file"),
            progress=progress, limit=max_bytes(file_spec),
        )
    return folder


def _remove_stale_parts(folder: Path) -> None:
    """Delete temporary download files a killed run left behind (a running download keeps its file fresh)."""
    if not folder.is_dir():
        return
    for part in folder.glob(".*.part*"):
        try:
            if time.time() - part.stat().st_mtime > STALE_PART_SECONDS:
                part.unlink()
                log.info("removed %s, left over from an interrupted download", part.name)
        except OSError:
            continue
