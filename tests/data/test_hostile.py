"""Hostile specs, servers and files: nothing is written outside the cache, nothing grows without bound."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
import tracemalloc
import zlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from fmnist_viz import data as fvdata
from fmnist_viz.data import FileSpec, fetch, load
from fmnist_viz.data.download import download, max_bytes
from fmnist_viz.data.idx import to_idx_bytes
from fmnist_viz.data.verify import check_idx_file
from fmnist_viz.errors import DataIntegrityError, DownloadError, UsageError

from conftest import Mirror, Tiny, make_tiny

REPO = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- names that become paths

@pytest.mark.parametrize("name", ["../../../outside/evil", "a/b", "..", "/etc/passwd", "", "x\\y"])
def test_file_and_data_set_names_must_be_plain(tiny: Tiny, name: str) -> None:
    with pytest.raises(UsageError, match="must be a plain file name"):
        FileSpec(name)
    with pytest.raises(UsageError, match="must be a plain file name"):
        replace(tiny.spec, name=name)


def test_subdirs_may_not_climb(tiny: Tiny) -> None:
    assert replace(tiny.spec, subdirs=("FashionMNIST/raw",)).subdirs == ("FashionMNIST/raw",)
    for bad in ("../up", "/abs", "a/../../b"):
        with pytest.raises(UsageError, match="subdirs must be relative folders"):
            replace(tiny.spec, subdirs=(bad,))


def test_a_spec_smuggling_a_path_still_writes_nothing_outside(tiny: Tiny, mirror: Mirror, own_cache: Path,
                                                              tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    evil = FileSpec("evil")
    object.__setattr__(evil, "filename", "../../outside/evil")  # past the check at construction
    spec = replace(tiny.spec, mirrors=(mirror.url("a"),))
    object.__setattr__(spec, "files", {"train": (evil, evil), "test": (evil, evil)})
    monkeypatch.setitem(fvdata.DATASETS, "tiny", spec)
    mirror.files["/a/../../outside/evil.gz"] = gzip.compress(b"owned")
    with pytest.raises(UsageError, match="would be written outside"):
        fetch("tiny", progress=False)
    assert not list(tmp_path.rglob("evil*"))


# --------------------------------------------------------------------------- downloads without end

def test_an_endless_download_is_cut_off_and_leaves_nothing(mirror: Mirror, tmp_path: Path) -> None:
    spec = FileSpec("train-labels-idx1-ubyte", size=60008)
    mirror.endless["/a/f.gz"] = (None, 0.0)  # no length announced, zeros forever
    mirror.endless["/b/f.gz"] = (10**12, 0.0)  # announces a terabyte
    start = time.perf_counter()
    with pytest.raises(DownloadError) as info:
        download([mirror.url("a") + "f.gz", mirror.url("b") + "f.gz"], tmp_path / "dl" / "f.gz",
                 check=lambda p: None, limit=max_bytes(spec), progress=False)
    assert time.perf_counter() - start < 10
    assert f"sent more than the {max_bytes(spec):,} bytes this file can be; stopped" in str(info.value)
    assert "announces 1,000,000,000,000 bytes" in str(info.value)
    assert max_bytes(spec) < 60008 + 70_000 and list((tmp_path / "dl").iterdir()) == []  # no .part left


def test_parts_left_by_a_killed_run_are_removed(tiny: Tiny, mirror: Mirror, own_cache: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import gzip as gz

    for name, raw in tiny.raw.items():
        mirror.files[f"/a/{name}.gz"] = gz.compress(raw)
    monkeypatch.setitem(fvdata.DATASETS, "tiny", replace(tiny.spec, mirrors=(mirror.url("a"),)))
    folder = own_cache / "tiny"
    folder.mkdir(parents=True)
    old, fresh = folder / ".t10k-images-idx3-ubyte.gz.abc.part", folder / ".train-images-idx3-ubyte.gz.def.part"
    old.write_bytes(b"half"), fresh.write_bytes(b"another run is writing this")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    fetch("tiny", progress=False)
    assert not old.exists() and fresh.exists()  # a live download of another run is left alone


def test_sigterm_during_a_download_removes_the_part_file(tiny: Tiny, mirror: Mirror, tmp_path: Path) -> None:
    mirror.endless["/slow/t10k-images-idx3-ubyte.gz"] = (None, 0.2)
    cache = tmp_path / "cache"
    script = (
        "import sys\n"
        "from fmnist_viz.cli.parser import main\n"
        "from fmnist_viz.data import DatasetSpec, FileSpec, register_dataset\n"
        "f = lambda name: FileSpec(name, sha256='0' * 64)\n"
        "register_dataset(DatasetSpec(name='slow', title='Slow', class_names=('a',), mirrors=(sys.argv[1],),\n"
        "    files={'train': (f('t10k-images-idx3-ubyte'), f('x')), 'test': (f('y'), f('z'))}))\n"
        "sys.exit(main(['data', 'fetch', '--dataset', 'slow']))\n"
    )
    env = {**os.environ, "FMNIST_VIZ_CACHE": str(cache), "PYTHONPATH": str(REPO)}
    child = subprocess.Popen([sys.executable, "-c", script, mirror.url("slow")], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60
        while time.time() < deadline and not list(cache.glob("slow/.*.part*")):
            time.sleep(0.1)
        assert list(cache.glob("slow/.*.part*")), "the download never started"
        child.send_signal(signal.SIGTERM)
        _, err = child.communicate(timeout=30)
    finally:
        child.kill()
    assert child.returncode == 128 + signal.SIGTERM and "fmnist-viz: terminated" in err
    assert not list(cache.glob("slow/.*.part*"))


# --------------------------------------------------------------------------- decompression bombs

def bomb(header_images: int, zeros: int) -> bytes:
    """A valid IDX header for ``header_images`` 28 x 28 images, then ``zeros`` zero bytes, gzipped."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [packer.compress(to_idx_bytes(np.zeros((header_images, 28, 28), np.uint8)))]
    block = b"\0" * (1 << 24)
    for _ in range(zeros // len(block)):
        parts.append(packer.compress(block))
    parts.append(packer.flush())
    return b"".join(parts)


def test_a_gzip_bomb_stops_at_the_size_its_header_announces(tmp_path: Path) -> None:
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(bomb(100, 1 << 30))  # ~1 MB on disk, 1 GiB inflated
    assert path.stat().st_size < 2_000_000
    tracemalloc.start()
    try:
        with pytest.raises(DataIntegrityError, match="inflates past the 78,416 bytes its IDX header announces"):
            check_idx_file(path, FileSpec("train-images-idx3-ubyte"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20  # the file and a little: not the gibibyte it inflates to


def test_a_header_announcing_more_than_the_spec_allows_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.gz"
    path.write_bytes(bomb(60000, 0))
    with pytest.raises(DataIntegrityError, match="announces 47,040,016 bytes, more than the 7,840,016 expected"):
        check_idx_file(path, FileSpec("t10k-images-idx3-ubyte", size=7840016))


# --------------------------------------------------------------------------- unverified specs

def test_a_spec_without_checksums_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          caplog: pytest.LogCaptureFixture) -> None:
    loose = make_tiny("loose", checksums=False)
    monkeypatch.setitem(fvdata.DATASETS, "loose", loose.spec)
    loose.write(tmp_path / "loose")
    with caplog.at_level("WARNING", logger="fmnist_viz"):
        load("loose", data_dir=tmp_path, download=False)
    assert "Loose has files without checksums: they are used UNVERIFIED" in caplog.text
