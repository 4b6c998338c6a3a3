"""The installed fmnist-viz's version, for the CLI's ``--version`` and for checking that workers run the same."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fmnist-viz")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
