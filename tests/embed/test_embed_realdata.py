"""Every built-in embedder on small real subsets: shapes, quality, reproducibility, the npz output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fmnist_viz.cli.parser import main
from fmnist_viz.data import load
from fmnist_viz.embed import BUILTIN_METHODS
from fmnist_viz.pipeline import run
from fmnist_viz.pipeline.measure import evaluate_results
from fmnist_viz.results import EmbeddingResult

pytestmark = pytest.mark.slow  # the module fixture embeds 2,000 real images with every method (about 30 s)


@pytest.fixture(scope="module")
def mnist_2000(tmp_path_factory: pytest.TempPathFactory, real_data_root: Path) -> dict[str, EmbeddingResult]:
    """All four methods on the same stratified 2,000 MNIST points (computed once for the module)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FMNIST_VIZ_CACHE", str(tmp_path_factory.mktemp("embed-cache")))
        results = run(list(BUILTIN_METHODS), ["mnist"], n=2000, seed=0, data_dir=real_data_root, progress=False)
        evaluate_results(results, data_dir=real_data_root)
    return {r.method: r for r in results}


@pytest.mark.parametrize("method", BUILTIN_METHODS)
def test_each_embedder_returns_finite_float32(mnist_2000: dict[str, EmbeddingResult], method: str,
                                              real_data: Path) -> None:
    result = mnist_2000[method]
    assert result.embedding.shape == (2000, 2) and result.embedding.dtype == np.float32
    assert np.isfinite(result.embedding).all() and result.embedding.std(axis=0).min() > 0
    data = load("mnist")
    np.testing.assert_array_equal(result.labels, data.y[result.index])
    assert np.bincount(result.labels).min() > 150  # stratified: every digit is there


def test_neighbour_methods_beat_pca_by_a_wide_margin(mnist_2000: dict[str, EmbeddingResult]) -> None:
    acc = {m: r.metrics["knn_accuracy"] for m, r in mnist_2000.items()}
    trust = {m: r.metrics["trustworthiness"] for m, r in mnist_2000.items()}
    assert 0.25 < acc["pca"] < 0.6
    for method in ("umap", "tsne", "pymde"):
        assert acc[method] > acc["pca"] + 0.3, acc
        assert trust[method] > trust["pca"] + 0.1, trust
        assert mnist_2000[method].metrics["neighborhood_preservation"] > mnist_2000["pca"].metrics[
            "neighborhood_preservation"]


@pytest.mark.parametrize("method", ["tsne", "umap", "pymde"])
def test_same_seed_same_output(real_data: Path, method: str) -> None:
    def once(seed: int) -> np.ndarray:
        (result,) = run([method], ["fashion"], n=800, seed=seed, use_cache=False, progress=False)
        return result.embedding

    first = once(0)
    np.testing.assert_array_equal(first, once(0))
    assert not np.array_equal(first, once(1))


def test_npz_files_hold_embedding_labels_and_index(real_data: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-q", "pca", "--compare", "mnist", "--n", "500", "--out", str(tmp_path), "--format", "npz"]) == 0
    written = capsys.readouterr().out.split()
    assert written == [str(tmp_path / "pca_fashion_n500.npz"), str(tmp_path / "pca_mnist_n500.npz")]
    for name in ("fashion", "mnist"):
        saved = np.load(tmp_path / f"pca_{name}_n500.npz")
        assert saved["embedding"].shape == (500, 2) and saved["embedding"].dtype == np.float32
        index = saved["index"]
        assert index.shape == (500,) and (np.diff(index) > 0).all() and index.max() < 70000
        np.testing.assert_array_equal(saved["labels"], load(name).y[index])
        assert str(saved["method"]) == "pca" and len(saved["class_names"]) == 10


def test_cuda_path(real_data: Path) -> None:
    import torch

    if not torch.cuda.is_available():
        pytest.skip("no CUDA GPU visible to PyTorch: the PyMDE GPU path is checked where there is one")
    (result,) = run(["pymde"], ["mnist"], n=2000, device="cuda", use_cache=False, progress=False)
    assert result.device == "cuda" and np.isfinite(result.embedding).all()


def test_side_by_side_png_has_both_panels(real_data: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    import matplotlib.image

    assert main(["-q", "pca", "--compare", "mnist", "--n", "2000", "--out", str(tmp_path), "--exemplars", "1",
                 "--format", "png"]) == 0
    (written,) = capsys.readouterr().out.split()
    assert written == str(tmp_path / "pca_fashion-vs-mnist_n2000_exemplars1.png")
    pixels = matplotlib.image.imread(written)[..., :3]
    height, width = pixels.shape[:2]
    assert width > 1.6 * height  # two panels side by side
    left, right = pixels[:, : width // 2], pixels[:, width // 2 :]
    for half in (left, right):  # each panel has coloured points, not a blank frame
        saturation = half.max(axis=2) - half.min(axis=2)
        assert (saturation > 0.3).mean() > 0.02
