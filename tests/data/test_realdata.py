"""The loader, `data verify` and the grid on the genuine Fashion-MNIST and MNIST files."""

from __future__ import annotations

import gzip
import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from fmnist_viz import data as fvdata
from fmnist_viz.cli.parser import main
from fmnist_viz.data import get_spec, load, load_data, load_mnist


@pytest.mark.parametrize("name", ["fashion", "mnist"])
def test_shapes_dtypes_and_order(real_data: Path, name: str) -> None:
    data = load(name)
    assert data.X.shape == (70000, 784) and data.X.dtype == np.uint8 and data.X.flags.c_contiguous
    assert data.y.shape == (70000,) and data.y.dtype == np.uint8
    assert data.images.shape == (70000, 28, 28)
    assert len(data.class_names) == 10
    train, test = load(name, "train"), load(name, "test")
    assert len(train) == 60000 and len(test) == 10000
    np.testing.assert_array_equal(data.X[:60000], train.X)  # "all" is train then test
    np.testing.assert_array_equal(data.y[60000:], test.y)
    assert data.location == real_data / name


def test_fashion_classes_are_balanced(real_data: Path) -> None:
    assert np.bincount(load("fashion", "train").y).tolist() == [6000] * 10
    assert np.bincount(load("fashion", "test").y).tolist() == [1000] * 10


def test_mnist_known_class_counts(real_data: Path) -> None:
    # published MNIST training-set counts per digit
    assert np.bincount(load("mnist", "train").y).tolist() == [
        5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


@pytest.mark.parametrize("name", ["fashion", "mnist"])
def test_published_checksums(real_data: Path, name: str) -> None:
    """The decompressed files match the upstream MD5s and SHA256SUMS.raw; the spec agrees."""
    sums = dict(line.split()[::-1] for line in (real_data / "SHA256SUMS.raw").read_text().splitlines() if line)
    for file_spec in get_spec(name).files_for("all"):
        raw = gzip.decompress((real_data / name / f"{file_spec.filename}.gz").read_bytes())
        assert hashlib.md5(raw).hexdigest() == file_spec.md5
        assert hashlib.sha256(raw).hexdigest() == file_spec.sha256 == sums[f"{name}/{file_spec.filename}"]


def test_keras_and_zalando_contracts_equal_load(real_data: Path) -> None:
    (X_train, y_train), (X_test, y_test) = load_data("fashion")
    assert X_train.shape == (60000, 28, 28) and y_train.shape == (60000,)
    assert X_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert X_train.dtype == y_train.dtype == np.uint8
    full = load("fashion")
    np.testing.assert_array_equal(X_train.reshape(60000, -1), full.X[:60000])
    np.testing.assert_array_equal(y_test, full.y[60000:])
    X, y = load_mnist(real_data / "fashion", kind="t10k")
    assert X.shape == (10000, 784) and X.dtype == np.uint8
    np.testing.assert_array_equal(X, full.X[60000:])
    np.testing.assert_array_equal(y, full.y[60000:])


def test_decompressed_copy_in_torchvision_layout(real_data: Path, tmp_path: Path) -> None:
    raw_dir = tmp_path / "root" / "MNIST" / "raw"
    raw_dir.mkdir(parents=True)
    for file_spec in get_spec("mnist").files_for("test"):
        (raw_dir / file_spec.filename).write_bytes(gzip.decompress(
            (real_data / "mnist" / f"{file_spec.filename}.gz").read_bytes()))
    data = load("mnist", "test", data_dir=tmp_path / "root", download=False)
    assert data.location == raw_dir
    np.testing.assert_array_equal(data.X, load("mnist", "test").X)


def damaged_copy(real_data: Path, tmp_path: Path) -> Path:
    """A copy of Fashion-MNIST with one pixel of the test images changed."""
    copy = tmp_path / "copy" / "fashion"
    shutil.copytree(real_data / "fashion", copy)
    target = copy / "t10k-images-idx3-ubyte.gz"
    raw = bytearray(gzip.decompress(target.read_bytes()))
    raw[5000] ^= 0xFF
    target.unlink()
    (copy / "t10k-images-idx3-ubyte").write_bytes(bytes(raw))
    return copy.parent


def test_data_verify_passes_on_real_data(real_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "verify"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 8 and all(line.startswith("OK ") for line in lines)


def test_data_verify_fails_on_damaged_copy(real_data: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    copy = damaged_copy(real_data, tmp_path)
    assert main(["data", "verify", "--dataset", "fashion", "--data-dir", str(copy)]) == 1
    out = capsys.readouterr()
    bad = [line for line in out.out.splitlines() if line.startswith("BAD")]
    assert len(bad) == 1 and "t10k-images-idx3-ubyte" in bad[0] and "checksum mismatch" in bad[0]
    assert "1 file(s) failed verification" in out.err


def test_damaged_copy_is_skipped_for_the_good_one(real_data: Path, tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    copy = damaged_copy(real_data, tmp_path)
    data = load("fashion", "test", data_dir=copy)
    assert data.location == real_data / "fashion"
    assert "checksum mismatch" in caplog.text


@pytest.mark.parametrize("ext", ["png", "svg", "pdf"])
def test_grid_is_written_and_not_blank(real_data: Path, tmp_path: Path, ext: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "figs" / f"fashion-grid.{ext}"
    assert main(["grid", "--dataset", "fashion", "--rows", "2", "--cols", "5", "--split", "test",
                 "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert out.stat().st_size > 5000
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary files left
    if ext == "png":
        import matplotlib.image

        pixels = matplotlib.image.imread(out)[..., :3].mean(axis=2)
        assert pixels.shape[0] > pixels.shape[1] > 100  # 10 classes x 2 rows, taller than wide
        assert pixels.std() > 0.2 and (pixels < 0.2).mean() > 0.05  # dark garments on white
    elif ext == "svg":
        assert out.read_text().count("<image") == 1  # one embedded raster, not 3,920 paths


def test_grid_seed_is_reproducible(real_data: Path, tmp_path: Path) -> None:
    paths = [tmp_path / f"{i}.png" for i in range(3)]
    for path, seed in zip(paths, [7, 7, 8], strict=True):
        assert main(["-q", "grid", "--dataset", "mnist", "--rows", "1", "--cols", "4", "--seed", str(seed),
                     "-o", str(path)]) == 0
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes() != paths[2].read_bytes()


def test_grid_samples_come_from_their_class(real_data: Path) -> None:
    from fmnist_viz.render.grids import sample_per_class

    data = load("fashion", "test")
    picks = sample_per_class(data.y, 10, 30, seed=3)
    assert all(len(p) == 30 and (data.y[p] == c).all() for c, p in enumerate(picks))
    assert fvdata.get_spec("fashion").class_names[9] == "Ankle boot"
