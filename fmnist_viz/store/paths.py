"""Where fmnist-viz keeps and looks for things on disk.

Kept apart so that the loader, the embedding cache and the CLI agree on one
cache root, and tests can point all of it at a temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import UsageError

#: Environment variable naming one or more data folders (``os.pathsep``-separated).
DATA_ENV = "FMNIST_VIZ_DATA"
#: Environment variable overriding the cache root.
CACHE_ENV = "FMNIST_VIZ_CACHE"
#: Where commands write their files unless told otherwise (``--out``): a folder of the user's own, never the
#: repository's tracked ``figures/``, whose pictures are redrawn only by their documented commands.
DEFAULT_OUT = "out"


def cache_dir() -> Path:
    """The cache root: ``$FMNIST_VIZ_CACHE``, else the platform's user cache dir.

    On Linux that is ``$XDG_CACHE_HOME/fmnist-viz`` (``~/.cache/fmnist-viz``).
    """
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("fmnist-viz", appauthor=False))


def env_data_dirs() -> list[Path]:
    """The folders named by ``$FMNIST_VIZ_DATA``, in order."""
    value = os.environ.get(DATA_ENV, "")
    return [Path(p).expanduser() for p in value.split(os.pathsep) if p.strip()]


def inside(folder: str | os.PathLike[str], name: str) -> Path:
    """``folder / name``, refusing a name that would resolve outside ``folder`` (``..``, links, absolute)."""

    base = Path(folder).resolve()
    target = Path(folder) / name
    if target.resolve().parent != base:
        raise UsageError(f"{name!r} would be written outside {folder}; use a plain file name", param="filename")
    return target
