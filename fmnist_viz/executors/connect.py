"""Reaching a Dask scheduler: its address checked, its handshake heard before the client connects, and Dask's
own log records held back while a cluster is used."""

from __future__ import annotations

import logging

from ..errors import FmnistVizError, UsageError
from .base import LOCAL

#: Seconds a scheduler may take to send its handshake after a connection opens.
HANDSHAKE_TIMEOUT = 5.0


def check_address(address: str) -> str:
    """``address`` if it can name a Dask scheduler (``tcp://HOST:PORT``, ``tls://HOST:PORT`` or ``local``), else a
    UsageError that says what is wrong with it."""
    from urllib.parse import urlsplit

    shown = repr(address[:80])
    if address == LOCAL:
        return address
    scheme, sep, _ = address.partition("://")
    if not sep:
        raise UsageError(f"must be tcp://HOST:PORT or {LOCAL!r}, got {shown}", param="scheduler")
    if scheme.lower() in ("http", "https"):
        raise UsageError(f"{shown} is a web address; a Dask scheduler's is tcp://HOST:PORT (the dashboard's page, "
                         "usually port 8787, is not the scheduler, usually 8786)", param="scheduler")
    if scheme.lower() not in ("tcp", "tls"):
        raise UsageError(f"{shown}: {scheme}:// is not supported here; give the scheduler's tcp://HOST:PORT (or "
                         "tls://HOST:PORT)", param="scheduler")
    parts = urlsplit(address)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if not parts.hostname or port is None or not 1 <= port <= 65535:
        raise UsageError(f"{shown} must name a host and a port from 1 to 65535: tcp://HOST:PORT (a scheduler "
                         "listens on 8786 unless told otherwise)", param="scheduler")
    return address


def probe(address: str, timeout: float) -> None:
    """Connect to a ``tcp://HOST:PORT`` scheduler and read its handshake (a Dask scheduler greets every new
    connection with one): a refused connection raises OSError; anything else that is not a Dask scheduler
    (a web server, a silent listener, another protocol's banner) a FmnistVizError within ``timeout``."""
    import socket
    import struct
    from urllib.parse import urlsplit

    parts = urlsplit(address)
    if parts.scheme != "tcp":
        return
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        timeout = min(timeout, HANDSHAKE_TIMEOUT)  # a scheduler greets at once; a web server waits for a request
        sock.settimeout(timeout)
        greeting = b""
        try:
            while len(greeting) < 8 or len(greeting) < 8 + min(struct.unpack("<Q", greeting[:8])[0], 4096):
                if len(greeting) >= 8 and struct.unpack("<Q", greeting[:8])[0] > 2**16:
                    break  # no handshake is that long: another protocol's bytes
                chunk = sock.recv(4096)
                if not chunk:
                    break
                greeting += chunk
        except OSError:  # socket.timeout included: it says nothing
            pass
    if b"pickle-protocol" not in greeting:
        heard = f"it sent {greeting[:40]!r}" if greeting else f"it said nothing within {timeout:g} s"
        raise FmnistVizError(f"{parts.hostname}:{parts.port} does not answer as a Dask scheduler ({heard}); give "
                             "the address `dask scheduler` prints (tcp://HOST:8786 unless told otherwise)")


class QuietDask:
    """Dask's own log records (a lost scheduler's tracebacks) held back while the cluster is used, unless
    fmnist-viz logs at debug level: what went wrong reaches the user as one message of ours."""

    NAMES = ("distributed", "tornado", "asyncio")

    def __init__(self) -> None:
        # every logger of theirs that exists: Dask gives some children levels of their own ("distributed.client")
        names = [name for name in logging.root.manager.loggerDict
                 if name in self.NAMES or name.startswith(tuple(f"{n}." for n in self.NAMES))]
        self.levels = {name: logging.getLogger(name).level for name in {*self.NAMES, *names}}
        if not logging.getLogger("fmnist_viz").isEnabledFor(logging.DEBUG):
            for name in self.levels:
                logging.getLogger(name).setLevel(logging.CRITICAL + 1)

    def close(self) -> None:
        for name, level in self.levels.items():
            logging.getLogger(name).setLevel(level)


