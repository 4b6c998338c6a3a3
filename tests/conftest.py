"""Shared fixtures: an isolated cache and home, tiny IDX data sets, a local mirror, the real data."""

from __future__ import annotations

import hashlib
import http.server
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from fmnist_viz import data as fvdata
from fmnist_viz.data import DatasetSpec, FileSpec
from fmnist_viz.data.idx import to_idx_bytes, write_idx
from fmnist_viz.results import EmbeddingResult

REPO = Path(__file__).resolve().parents[1]


def patch_everywhere(monkeypatch: pytest.MonkeyPatch, original: object, replacement: object) -> None:
    """Replace ``original`` (a function or class) in every fmnist_viz module that holds it, under whatever name:
    modules import what they use by name at their top, so patching the defining module alone reaches none."""
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("fmnist_viz"):
            for attr, value in list(vars(module).items()):
                if value is original:
                    monkeypatch.setattr(module, attr, replacement)


def _real_data_dir() -> Path | None:
    """The real data: the first folder in $FMNIST_VIZ_DATA, else ../shared/data beside the repo."""
    candidates = [Path(p) for p in os.environ.get("FMNIST_VIZ_DATA", "").split(os.pathsep) if p]
    candidates.append(REPO.parent / "shared" / "data")
    for folder in candidates:
        if (folder / "fashion" / "train-images-idx3-ubyte.gz").is_file():
            return folder.resolve()
    return None


#: Found once, when pytest imports this file, before any test changes the environment. Tests take it through the
#: ``real_data`` fixture (or ``real_data_root`` in fixtures of wider scope), never by importing it: a second import
#: of this file (``from tests.conftest import ...``) would look again inside a test, where $FMNIST_VIZ_DATA is unset.
REAL_DATA = _real_data_dir()
#: How a real-data test's skip begins; .ci/run fails when one skips although the data is there.
REAL_DATA_MISSING = "real Fashion-MNIST/MNIST not found"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses the real data is marked ``realdata`` (``-m "not realdata"`` leaves them out)."""
    for item in items:
        if {"real_data", "real_data_root"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.realdata)


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, session_cache: Path) -> None:
    """No test sees the user's home, cache or data settings; the decoded cache is shared per session."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("FMNIST_VIZ_CACHE", str(session_cache))
    monkeypatch.delenv("FMNIST_VIZ_DATA", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def reset_cli_logging() -> Iterator[None]:
    """The CLI configures the 'fmnist_viz' logger; undo it so caplog sees records in later tests."""
    import logging

    yield
    logger = logging.getLogger("fmnist_viz")
    logger.handlers.clear()
    logger.setLevel(logging.NOTSET)
    logger.propagate = True


@pytest.fixture(autouse=True)
def close_figures() -> Iterator[None]:
    """pyplot keeps every figure a test made (and returned to it) until closed: close them after each test."""
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture(scope="session")
def real_data_root() -> Path:
    """The real data folder, for fixtures shared by a module or the session; skips, saying how to run, when absent."""
    if REAL_DATA is None:
        pytest.skip(f"{REAL_DATA_MISSING}: set FMNIST_VIZ_DATA to the folder holding fashion/ and mnist/ "
                    "(or put it at ../shared/data beside the repository) to run this test")
    return REAL_DATA


@pytest.fixture
def real_data(real_data_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The real data folder, also set as $FMNIST_VIZ_DATA for this test; skips when it is absent."""
    monkeypatch.setenv("FMNIST_VIZ_DATA", str(real_data_root))
    return real_data_root


@pytest.fixture
def own_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A cache folder of this test's own (for tests that look inside the cache)."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("FMNIST_VIZ_CACHE", str(cache))
    return cache


# --------------------------------------------------------------------------- tiny data sets

@dataclass
class Tiny:
    """A tiny MNIST-like data set: arrays, the IDX bytes of each file, and its registered spec."""

    spec: DatasetSpec
    arrays: dict[str, np.ndarray]  # file name -> array
    raw: dict[str, bytes] = field(default_factory=dict)  # file name -> IDX bytes

    def write(self, folder: Path, gz: bool = True, names: list[str] | None = None) -> Path:
        """Write the files (all, or ``names``) into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, array in self.arrays.items():
            if names is None or name in names:
                write_idx(folder / (name + (".gz" if gz else "")), array)
        return folder


def make_tiny(name: str = "tiny", n_train: int = 40, n_test: int = 10, n_classes: int = 4,
              seed: int = 0, checksums: bool = True, mirrors: tuple[str, ...] = ()) -> Tiny:
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": (np.arange(n_train) % n_classes).astype(np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": (np.arange(n_test) % n_classes).astype(np.uint8),
    }
    raw = {k: to_idx_bytes(v) for k, v in arrays.items()}

    def fs(filename: str) -> FileSpec:
        if not checksums:
            return FileSpec(filename)
        return FileSpec(filename, sha256=hashlib.sha256(raw[filename]).hexdigest())

    spec = DatasetSpec(
        name=name, title=name.capitalize(), aliases=(f"{name}-alias",),
        class_names=tuple(f"class{i}" for i in range(n_classes)),
        files={
            "train": (fs("train-images-idx3-ubyte"), fs("train-labels-idx1-ubyte")),
            "test": (fs("t10k-images-idx3-ubyte"), fs("t10k-labels-idx1-ubyte")),
        },
        mirrors=mirrors, subdirs=(name,),
        search_roots=(("~/.keras/datasets", "keras"),),
    )
    return Tiny(spec, arrays, raw)


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> Iterator[Tiny]:
    """A tiny data set registered as 'tiny' for the duration of one test."""
    t = make_tiny()
    monkeypatch.setitem(fvdata.DATASETS, t.spec.name, t.spec)
    yield t


# --------------------------------------------------------------------------- local mirror

class Mirror:
    """A local HTTP server on 127.0.0.1 serving files from memory, with scripted failures."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.failures: dict[str, list[int]] = {}  # path -> status codes to answer first
        self.requests: list[str] = []
        #: path -> (Content-Length to announce or None, seconds between chunks): sends zeros until cut off
        self.endless: dict[str, tuple[int | None, float]] = {}
        mirror = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                mirror.requests.append(self.path)
                queue = mirror.failures.get(self.path)
                if queue:
                    self.send_error(queue.pop(0))
                    return
                if self.path in mirror.endless:
                    announced, delay = mirror.endless[self.path]
                    self.send_response(200)
                    if announced is not None:
                        self.send_header("Content-Length", str(announced))
                    self.end_headers()
                    try:
                        while True:
                            self.wfile.write(b"\0" * 65536)
                            time.sleep(delay)
                    except OSError:  # the client hung up
                        return
                body = mirror.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, prefix: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/{prefix.strip('/')}/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def mirror() -> Iterator[Mirror]:
    m = Mirror()
    yield m
    m.close()


def closed_port_url() -> str:
    """A URL on loopback where nothing listens: connections are refused at once."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/data/"


# --------------------------------------------------------------------------- fake results

def fake_result(dataset: str, n: int, seed: int) -> EmbeddingResult:
    """A random embedding result of ``n`` points over ten classes, as the renderers take it."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n).astype(np.uint8)
    return EmbeddingResult(
        dataset=dataset, title=dataset.upper(), method="umap", params={},
        embedding=rng.normal(size=(n, 2)).astype(np.float32), labels=labels,
        index=np.sort(rng.choice(3 * n, n, replace=False)), class_names=tuple(f"c{i}" for i in range(10)),
        seed=0, device="cpu", seconds=1.0, cached=False, metrics={"knn_accuracy": 0.5, "trustworthiness": 0.9},
    )
