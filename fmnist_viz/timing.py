"""Telling the user what is happening: timed steps in the log, progress bars on long work.

Steps are logged through the ``fmnist_viz`` loggers (the CLI shows INFO, ``-q``
hides it); progress bars go to stderr through tqdm, only when it is a terminal
unless forced on, and never with ``progress=False``.
"""

from __future__ import annotations

import contextlib
import logging
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


def progress_bar(total: int, desc: str, unit: str = "it", progress: bool | None = None, **kwargs: Any) -> Any:
    """A tqdm bar: shown if ``progress`` is True, hidden if False, automatic (tty) if None."""
    from tqdm.auto import tqdm

    disable = {True: False, False: True, None: None}[progress]
    return tqdm(total=total, desc=desc, unit=unit, disable=disable, leave=False, **kwargs)
