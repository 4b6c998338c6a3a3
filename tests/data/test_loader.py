"""The loader on tiny IDX files written by the tests: search order, verification, cache, downloads."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

from fmnist_viz import data as fvdata
from fmnist_viz.data import get_spec, load, load_mnist
from fmnist_viz.data.idx import to_idx_bytes, write_idx
from fmnist_viz.errors import DataNotFoundError, IDXFormatError, UsageError

from conftest import Mirror, Tiny, closed_port_url, make_tiny


def expected(tiny: Tiny, split: str) -> tuple[np.ndarray, np.ndarray]:
    a = tiny.arrays
    parts = {"train": ("train",), "test": ("t10k",), "all": ("train", "t10k")}[split]
    X = np.concatenate([a[f"{p}-images-idx3-ubyte"] for p in parts]).reshape(-1, 784)
    y = np.concatenate([a[f"{p}-labels-idx1-ubyte"] for p in parts])
    return X, y


@pytest.mark.parametrize("split,n", [("train", 40), ("test", 10), ("all", 50)])
@pytest.mark.parametrize("gz", [True, False])
def test_load_from_data_dir(tiny: Tiny, tmp_path: Path, split: str, n: int, gz: bool) -> None:
    tiny.write(tmp_path / "d" / "tiny", gz=gz)
    data = load("tiny", split, data_dir=tmp_path / "d", download=False)
    X, y = expected(tiny, split)
    assert data.X.shape == (n, 784) and data.X.dtype == np.uint8
    assert data.X.flags.c_contiguous and not data.X.flags.writeable
    np.testing.assert_array_equal(data.X, X)
    np.testing.assert_array_equal(data.y, y)
    assert data.images.shape == (n, 28, 28) and np.shares_memory(data.images, data.X)
    assert data.class_names == ("class0", "class1", "class2", "class3")
    assert data.location == (tmp_path / "d" / "tiny").absolute()
    assert len(data.files) == (4 if split == "all" else 2)


def test_files_directly_in_data_dir_and_alias(tiny: Tiny, tmp_path: Path) -> None:
    tiny.write(tmp_path / "flat")
    data = load("TINY-alias", data_dir=tmp_path / "flat", download=False)
    assert data.name == "tiny" and len(data) == 50


def test_search_order_data_dir_then_env_then_cache(tiny: Tiny, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   own_cache: Path) -> None:
    for place in (tmp_path / "explicit", tmp_path / "env", own_cache):
        tiny.write(place / "tiny")
    monkeypatch.setenv("FMNIST_VIZ_DATA", f"{tmp_path / 'nothing'}{os.pathsep}{tmp_path / 'env'}")
    assert load("tiny", data_dir=tmp_path / "explicit").location == tmp_path / "explicit" / "tiny"
    assert load("tiny").location == tmp_path / "env" / "tiny"
    monkeypatch.delenv("FMNIST_VIZ_DATA")
    assert load("tiny").location == own_cache / "tiny"


def test_user_locations_are_searched(tiny: Tiny, tmp_path: Path) -> None:
    keras = Path.home() / ".keras" / "datasets" / "tiny"
    tiny.write(keras)
    assert load("tiny", download=False).location == keras


def test_keras_npz_is_verified_and_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tiny = make_tiny()
    npz = Path.home() / ".keras" / "datasets" / "tiny.npz"
    spec = fvdata.DatasetSpec(**{**tiny.spec.__dict__, "npz_files": (str(npz),), "search_roots": ()})
    monkeypatch.setitem(fvdata.DATASETS, "tiny", spec)
    a = tiny.arrays
    npz.parent.mkdir(parents=True)
    np.savez(npz, x_train=a["train-images-idx3-ubyte"], y_train=a["train-labels-idx1-ubyte"],
             x_test=a["t10k-images-idx3-ubyte"], y_test=a["t10k-labels-idx1-ubyte"])
    data = load("tiny", "all", download=False)
    assert data.location == npz
    np.testing.assert_array_equal(data.X, expected(tiny, "all")[0])
    # an npz with other contents fails verification and is skipped with the reason given
    np.savez(npz, x_train=a["train-images-idx3-ubyte"][::-1], y_train=a["train-labels-idx1-ubyte"],
             x_test=a["t10k-images-idx3-ubyte"], y_test=a["t10k-labels-idx1-ubyte"])
    with pytest.raises(DataNotFoundError, match=r"x_train\]: the train-images-idx3-ubyte array does not match"):
        load("tiny", "all", download=False)


def test_unknown_dataset_lists_valid_ones() -> None:
    valid = r"valid data sets: fashion \(Fashion-MNIST\), mnist"
    with pytest.raises(UsageError, match=r"dataset 'cifar' is not a known data set; " + valid):
        get_spec("cifar")


def test_unknown_split(tiny: Tiny) -> None:
    with pytest.raises(UsageError, match="split must be one of train, test, all"):
        load("tiny", "validation", download=False)


def test_aliases_of_builtin_sets() -> None:
    assert get_spec("Fashion-MNIST").name == "fashion"
    assert get_spec("mnist").class_names == tuple("0123456789")
    assert get_spec("fashion").class_names[0] == "T-shirt/top"
    assert get_spec("fashion").class_names[-1] == "Ankle boot"


def test_not_found_lists_places_and_fixes(tiny: Tiny) -> None:
    with pytest.raises(DataNotFoundError) as info:
        load("tiny", download=False)
    message = str(info.value)
    assert "Tiny (all split) was not found: it needs the files train-images-idx3-ubyte[.gz], " in message
    assert str(Path.home() / ".keras" / "datasets" / "tiny") in message
    assert "--data-dir DIR, or FMNIST_VIZ_DATA=DIR" in message
    assert "Downloading is off." in message


def test_incomplete_folder_reported(tiny: Tiny, tmp_path: Path) -> None:
    tiny.write(tmp_path / "d", names=["train-images-idx3-ubyte", "train-labels-idx1-ubyte"])
    assert len(load("tiny", "train", data_dir=tmp_path / "d", download=False)) == 40
    with pytest.raises(DataNotFoundError, match="missing t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte"):
        load("tiny", "test", data_dir=tmp_path / "d", download=False)


def test_checksum_mismatch_is_skipped_with_reason(tiny: Tiny, tmp_path: Path) -> None:
    folder = tiny.write(tmp_path / "d")
    bad = tiny.arrays["train-images-idx3-ubyte"].copy()
    bad[0, 0, 0] ^= 1
    write_idx(folder / "train-images-idx3-ubyte.gz", bad)
    with pytest.raises(DataNotFoundError, match=r"train-images-idx3-ubyte\.gz: checksum mismatch"):
        load("tiny", data_dir=tmp_path / "d", download=False)


def test_truncated_file_reports_the_idx_problem(tiny: Tiny, tmp_path: Path) -> None:
    folder = tiny.write(tmp_path / "d", gz=False)
    path = folder / "t10k-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-5])
    with pytest.raises(DataNotFoundError, match="t10k-images-idx3-ubyte: truncated payload"):
        load("tiny", data_dir=tmp_path / "d", download=False)


def test_count_mismatch_and_label_range(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tiny = make_tiny(checksums=False)
    monkeypatch.setitem(fvdata.DATASETS, "tiny", tiny.spec)
    folder = tiny.write(tmp_path / "d")
    write_idx(folder / "train-labels-idx1-ubyte.gz", np.zeros(39, np.uint8))
    with pytest.raises(DataNotFoundError, match="holds 40 images but .*train-labels-idx1-ubyte.gz holds 39 labels"):
        load("tiny", data_dir=folder, download=False)
    write_idx(folder / "train-labels-idx1-ubyte.gz", np.full(40, 7, np.uint8))
    with pytest.raises(DataNotFoundError, match=r"train-labels-idx1-ubyte.gz: label 7 out of range 0..3"):
        load("tiny", data_dir=folder, download=False)


def test_load_mnist_contract(tiny: Tiny, tmp_path: Path) -> None:
    folder = tiny.write(tmp_path / "d", gz=True)
    X, y = load_mnist(folder, kind="t10k")
    assert X.shape == (10, 784) and X.dtype == np.uint8 and y.shape == (10,)
    np.testing.assert_array_equal(X, tiny.arrays["t10k-images-idx3-ubyte"].reshape(10, 784))
    with pytest.raises(UsageError, match="kind must be train or t10k"):
        load_mnist(folder, kind="test")
    with pytest.raises(DataNotFoundError, match="missing train-images-idx3-ubyte"):
        load_mnist(tmp_path, kind="train")
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", np.zeros(3, np.uint8))
    with pytest.raises(IDXFormatError, match="holds 10 images but .* holds 3 labels"):
        load_mnist(folder, kind="t10k")


def test_load_data_contract(tiny: Tiny, tmp_path: Path) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    (X_train, y_train), (X_test, y_test) = fvdata.load_data("tiny", path=tmp_path / "d")
    assert X_train.shape == (40, 28, 28) and y_train.shape == (40,)
    assert X_test.shape == (10, 28, 28) and y_test.shape == (10,)
    np.testing.assert_array_equal(X_test, tiny.arrays["t10k-images-idx3-ubyte"])


# --------------------------------------------------------------------------- decoded cache

def test_second_load_uses_decoded_cache(tiny: Tiny, tmp_path: Path, own_cache: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    tiny.write(tmp_path / "d")
    first = load("tiny", data_dir=tmp_path / "d")
    assert sorted(p.name.split("-")[-1].split(".", 1)[-1] for p in (own_cache / "decoded").iterdir()) == [
        "crc32.json", "npy", "npy"]  # images, labels and their checksums

    def no_decoding(*args: object) -> None:
        raise AssertionError("decoded again although the cache is valid")

    monkeypatch.setattr("fmnist_viz.data.loader._decode_split", no_decoding)
    second = load("tiny", data_dir=tmp_path / "d")
    np.testing.assert_array_equal(first.X, second.X)


def test_decoded_cache_invalidated_when_source_changes(tiny: Tiny, tmp_path: Path, own_cache: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    tiny2 = make_tiny(seed=1)
    monkeypatch.setitem(fvdata.DATASETS, "tiny", tiny2.spec)  # accepts the seed-1 files only
    folder = tiny.write(tmp_path / "d")
    with pytest.raises(DataNotFoundError):
        load("tiny", data_dir=folder, download=False)
    tiny2.write(folder)
    data = load("tiny", data_dir=folder, download=False)
    np.testing.assert_array_equal(data.X, expected(tiny2, "all")[0])
    entries = list((own_cache / "decoded").glob("tiny-all-*-X.npy"))
    assert len(entries) == 1  # stale entries are removed
    time.sleep(0.01)
    write_idx(folder / "train-images-idx3-ubyte.gz", tiny2.arrays["train-images-idx3-ubyte"][::-1])
    with pytest.raises(DataNotFoundError, match="checksum mismatch"):  # re-verified, not served stale
        load("tiny", data_dir=folder, download=False)


def test_garbled_decoded_array_with_intact_header_is_caught_and_rebuilt(
        tiny: Tiny, tmp_path: Path, own_cache: Path, caplog: pytest.LogCaptureFixture) -> None:
    tiny.write(tmp_path / "d")
    load("tiny", data_dir=tmp_path / "d")
    for suffix in ("-y.npy", "-X.npy"):  # overwrite bytes in the middle: the .npy header still reads
        (entry,) = (own_cache / "decoded").glob(f"*{suffix}")
        raw = bytearray(entry.read_bytes())
        data_start = 128  # numpy's .npy header is padded to 128 bytes here
        middle = data_start + (len(raw) - data_start) // 2
        raw[middle: middle + 16] = b"\xff" * 16
        entry.write_bytes(bytes(raw))
        with caplog.at_level("WARNING", logger="fmnist_viz"):
            data = load("tiny", data_dir=tmp_path / "d")
        assert "discarding damaged decoded cache" in caplog.text and "checksum mismatch" in caplog.text
        np.testing.assert_array_equal(data.X, expected(tiny, "all")[0])  # decoded again from the verified files
        np.testing.assert_array_equal(data.y, expected(tiny, "all")[1])
        caplog.clear()


def test_an_unreadable_copy_is_skipped_with_a_warning(tiny: Tiny, tmp_path: Path, own_cache: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    from fmnist_viz.data import loader

    locked, good = tiny.write(tmp_path / "locked" / "tiny"), tiny.write(tmp_path / "good" / "tiny")
    monkeypatch.setenv("FMNIST_VIZ_DATA", str(tmp_path / "good"))
    real = loader._try_location

    def no_permission(spec, location, split):  # root ignores file modes, so the error is simulated
        if location.path == locked:
            raise PermissionError(13, "Permission denied", str(locked / "train-images-idx3-ubyte.gz"))
        return real(spec, location, split)

    monkeypatch.setattr(loader, "_try_location", no_permission)
    with caplog.at_level("WARNING", logger="fmnist_viz"):
        data = load("tiny", data_dir=tmp_path / "locked", download=False)
    assert data.location == good
    assert f"skipping {locked}" in caplog.text and "Permission denied" in caplog.text


def test_corrupt_decoded_cache_is_rebuilt(tiny: Tiny, tmp_path: Path, own_cache: Path) -> None:
    tiny.write(tmp_path / "d")
    load("tiny", data_dir=tmp_path / "d")
    (x_file,) = (own_cache / "decoded").glob("*-X.npy")
    x_file.write_bytes(b"garbage")
    data = load("tiny", data_dir=tmp_path / "d")
    np.testing.assert_array_equal(data.X, expected(tiny, "all")[0])


# --------------------------------------------------------------------------- downloads

def serve(tiny: Tiny, mirror: Mirror, prefix: str) -> None:
    import gzip

    for name, raw in tiny.raw.items():
        mirror.files[f"/{prefix}/{name}.gz"] = gzip.compress(raw)


def with_mirrors(tiny: Tiny, monkeypatch: pytest.MonkeyPatch, *urls: str) -> None:
    spec = fvdata.DatasetSpec(**{**tiny.spec.__dict__, "mirrors": urls})
    monkeypatch.setitem(fvdata.DATASETS, "tiny", spec)


def test_download_into_cache(tiny: Tiny, mirror: Mirror, own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    serve(tiny, mirror, "a")
    with_mirrors(tiny, monkeypatch, mirror.url("a"))
    data = load("tiny", progress=False)
    assert data.location == own_cache / "tiny"
    assert sorted(p.name for p in (own_cache / "tiny").iterdir()) == sorted(f"{n}.gz" for n in tiny.arrays)
    np.testing.assert_array_equal(data.X, expected(tiny, "all")[0])


def test_download_retries_and_falls_back(tiny: Tiny, mirror: Mirror, own_cache: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    serve(tiny, mirror, "good")
    mirror.failures["/good/train-images-idx3-ubyte.gz"] = [503]  # transient: retried on the same mirror
    # first mirror: missing everywhere (404, permanent) -> next mirror at once
    with_mirrors(tiny, monkeypatch, mirror.url("gone"), mirror.url("good"))
    monkeypatch.setattr("fmnist_viz.data.download.time.sleep", lambda s: None)
    load("tiny", progress=False)
    assert mirror.requests.count("/gone/train-images-idx3-ubyte.gz") == 1
    assert mirror.requests.count("/good/train-images-idx3-ubyte.gz") == 2


def test_wrong_bytes_are_rejected_and_never_left_behind(tiny: Tiny, mirror: Mirror, own_cache: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    serve(tiny, mirror, "bad")
    mirror.files["/bad/t10k-labels-idx1-ubyte.gz"] = to_idx_bytes(np.zeros(10, np.uint8) + 1)
    with_mirrors(tiny, monkeypatch, mirror.url("bad"))
    bad = "t10k-labels-idx1-ubyte.gz: downloaded file: checksum mismatch for t10k-labels"
    with pytest.raises(DataNotFoundError, match=bad):
        load("tiny", progress=False)
    names = sorted(p.name for p in (own_cache / "tiny").iterdir())
    assert "t10k-labels-idx1-ubyte.gz" not in names
    assert not [n for n in names if ".part" in n]


def test_offline_fails_fast_with_fixes(tiny: Tiny, own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_mirrors(tiny, monkeypatch, closed_port_url(), closed_port_url())
    start = time.perf_counter()
    with pytest.raises(DataNotFoundError) as info:
        load("tiny", progress=False)
    assert time.perf_counter() - start < 5  # refused connections are not retried
    message = str(info.value)
    assert "Downloading failed: could not download" in message and "refused" in message
    assert "--data-dir" in message and "FMNIST_VIZ_DATA" in message
    assert not list((own_cache / "tiny").glob("*"))


def test_corrupt_cache_file_is_removed_and_fetched_again(tiny: Tiny, mirror: Mirror, own_cache: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    serve(tiny, mirror, "a")
    with_mirrors(tiny, monkeypatch, mirror.url("a"))
    target = tiny.write(own_cache / "tiny")
    (target / "train-labels-idx1-ubyte.gz").write_bytes(b"\x1f\x8bnot really gzip")
    data = load("tiny", progress=False)
    np.testing.assert_array_equal(data.y, expected(tiny, "all")[1])
    assert mirror.requests == ["/a/train-labels-idx1-ubyte.gz"]
    assert "corrupt file in the cache" in caplog.text
