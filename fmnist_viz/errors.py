"""Exceptions raised by fmnist-viz.

Every error the library raises on purpose derives from :class:`FmnistVizError`,
so the CLI can turn it into a one-line message and a non-zero exit code, and
notebook users can catch one type.
"""

from __future__ import annotations


class FmnistVizError(Exception):
    """Base class of every error fmnist-viz raises on purpose."""

    #: Exit code the CLI uses for this error.
    exit_code: int = 1


class UsageError(FmnistVizError, ValueError):
    """The caller asked for something invalid (unknown name, bad option).

    With ``param``, the error is about that Python parameter (``n``,
    ``device``, ``plotly_js``) and ``detail`` says what is wrong with it; the
    message reads "PARAM DETAIL", and the CLI names its own flag instead
    (:meth:`named`).
    """

    exit_code = 2

    def __init__(self, message: str, *, param: str | None = None) -> None:
        self.param = param
        self.detail = message
        super().__init__(f"{param} {message}" if param else message)

    def named(self, name: str) -> str:
        """The message with the parameter called ``name`` (e.g. ``--n``) instead."""
        return f"{name} {self.detail}" if self.param else str(self)


class DataNotFoundError(FmnistVizError, FileNotFoundError):
    """A data set's files are neither on disk nor downloadable."""


class DataIntegrityError(FmnistVizError):
    """A data file exists but is corrupt, truncated or not the expected one."""


class IDXFormatError(DataIntegrityError):
    """A file is not a valid IDX file (bad magic, dtype, size or labels)."""


class DownloadError(FmnistVizError):
    """Every mirror failed to deliver a file with the expected checksum."""
