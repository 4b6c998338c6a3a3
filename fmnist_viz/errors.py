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


#: Seeds numpy, scikit-learn and PyTorch all accept.
MAX_SEED = 2**32 - 1


def check_number(value: object, param: str, *, low: float | None = None, high: float | None = None,
                 integer: bool = False) -> float | int:
    """``value`` if it is a finite number (an integer when ``integer``) within [low, high], else a UsageError.

    The message gives the valid range, e.g. "seed must be an integer from 0 to
    4294967295, got -1"; NaN and infinity are refused everywhere.
    """
    import math
    import numbers

    kind = "an integer" if integer else "a number"
    if low is not None and high is not None:
        valid = f"{kind} from {low:g} to {high:g}" if not integer else f"{kind} from {int(low)} to {int(high)}"
    elif low is not None:
        valid = f"{kind} >= {low:g}" if not integer else f"{kind} >= {int(low)}"
    elif high is not None:
        valid = f"{kind} <= {high:g}" if not integer else f"{kind} <= {int(high)}"
    else:
        valid = f"finite {kind}" if not integer else kind
    ok_type = isinstance(value, numbers.Integral) if integer else isinstance(value, numbers.Real)
    if isinstance(value, bool) or not ok_type or not math.isfinite(float(value)):  # type: ignore[arg-type]
        raise UsageError(f"must be {valid}, got {value!r}", param=param)
    if (low is not None and value < low) or (high is not None and value > high):  # type: ignore[operator]
        raise UsageError(f"must be {valid}, got {value!r}", param=param)
    return value  # type: ignore[return-value]


def describe_error(exc: BaseException) -> str:
    """One line for a table or a log: the error's type and message."""
    return f"{type(exc).__name__}: {exc}"
