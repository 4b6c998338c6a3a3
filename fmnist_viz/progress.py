"""Telling the user what is happening: timed steps in the log, progress bars on long work.

Steps are logged through the ``fmnist_viz`` loggers (the CLI shows INFO, ``-q``
hides it). Progress bars follow one rule, :func:`show_progress`: shown when
asked for, hidden when ``progress=False``, and otherwise shown only when
stderr is a terminal, so logs and CI output stay clean.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Iterator
from typing import Any

log = logging.getLogger("fmnist_viz")


class Step:
    """A running step; ``seconds`` is set when it ends."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.seconds = 0.0


@contextlib.contextmanager
def step(what: str, logger: logging.Logger = log) -> Iterator[Step]:
    """Log ``what`` when it starts and how long it took when it ends."""
    current = Step(what)
    logger.info("%s ...", what)
    start = time.perf_counter()
    try:
        yield current
    finally:
        current.seconds = time.perf_counter() - start
    logger.info("%s: done in %.1f s", what, current.seconds)


def show_progress(progress: bool | None) -> bool:
    """Whether to draw progress bars: ``progress`` if given, else whether stderr is a terminal."""
    return sys.stderr.isatty() if progress is None else bool(progress)


def progress_bar(total: int | None, desc: str, unit: str = "it", progress: bool | None = None,
                 **kwargs: Any) -> Any:
    """A tqdm bar on stderr, drawn when :func:`show_progress` says so."""
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit=unit, disable=not show_progress(progress), leave=False,
                file=sys.stderr, **kwargs)
