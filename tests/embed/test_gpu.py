"""The GPU path, run on the CPU: PyTorch's exact k-NN graph, TorchDR's t-SNE and UMAP, devices in cache keys."""

from __future__ import annotations

import numpy as np
import pytest

from fmnist_viz.embed import create
from fmnist_viz.embed.gpu import torch_knn
from fmnist_viz.embed.prepare import Prepared, knn_graph
from fmnist_viz.errors import UsageError


def blobs(n: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    return (rng.normal(size=(n, 20)) + 6 * np.eye(20)[labels]).astype(np.float32), labels


def test_torch_knn_is_the_exact_graph() -> None:
    X, _ = blobs(500)
    mine, mine_d = torch_knn(X, 10, chunk=128)
    exact, exact_d = knn_graph(X, 10, method="exact")
    assert (mine[:, 0] == np.arange(500)).all()
    np.testing.assert_allclose(mine_d, exact_d, rtol=1e-4, atol=1e-4)
    assert (np.sort(mine, 1) == np.sort(exact, 1)).mean() > 0.999  # ties may swap the farthest


@pytest.mark.parametrize("method", ["tsne", "umap"])
def test_torchdr_backends_embed_on_the_cpu(method: str) -> None:
    pytest.importorskip("torchdr")
    from sklearn.neighbors import KNeighborsClassifier

    from fmnist_viz.metrics import neighbour_sets, shared_fraction

    X, labels = blobs()
    params = {"backend": "torchdr", **({"n_iter": 100, "early_exaggeration_iter": 50} if method == "tsne"
                                        else {"n_epochs": 100, "init": "pca"})}
    embedder = create(method, params)
    prepared = Prepared.from_features(X, seed=0)
    out = embedder.embed(prepared, seed=0, device="cpu")
    assert out.shape == (300, 2) and np.isfinite(out).all()

    accuracy = KNeighborsClassifier(5).fit(out[::2], labels[::2]).score(out[1::2], labels[1::2])
    assert accuracy > 0.9  # three well-separated blobs stay apart (PCA's start already does that)

    def kept(layout: np.ndarray) -> float:  # the share of each point's 10 nearest in the data kept in the layout
        return float(shared_fraction(neighbour_sets(X.astype(np.float64), 10),
                                     neighbour_sets(layout.astype(np.float64), 10)).mean())

    start = prepared.principal_components(2)  # where TorchDR starts: its optimisation must improve on it
    assert kept(out) > 1.4 * kept(start), (kept(out), kept(start))  # measured: 0.37 (t-SNE), 0.27 (UMAP), 0.17
    assert embedder.cache_key()["backend"] == "torchdr" and embedder.cache_key()["version"]


def test_which_device_each_backend_runs_on() -> None:
    for method in ("tsne", "umap"):
        assert create(method).device_for("cpu") == "cpu"
        assert create(method, {"backend": "torchdr"}).device_for("cuda") == "cuda"
        cpu_default = "opentsne" if method == "tsne" else "umap-learn"
        assert create(method, {"backend": cpu_default}).device_for("cuda") == "cpu"  # a CPU library stays there
    assert create("pymde").device_for("cuda") == "cuda" and create("pca").device_for("cuda") == "cpu"
    assert not create("umap", {"backend": "torchdr"}).single_threaded  # not sent to the one-core worker


def test_a_missing_torchdr_is_named_with_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    from fmnist_viz.embed import gpu

    monkeypatch.setattr(gpu, "torchdr_available", lambda: False)
    with pytest.raises(UsageError, match=r"needs TorchDR: pip install 'fmnist-viz\[gpu\]'"):
        gpu.require_torchdr()


def test_cuda_paths_where_there_is_a_gpu() -> None:
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA GPU visible to PyTorch: the CUDA k-NN and TorchDR paths are measured where there is one")
    X, _ = blobs(2000)
    gpu_i, gpu_d = torch_knn(X, 10, device="cuda")
    cpu_i, cpu_d = torch_knn(X, 10, device="cpu")
    np.testing.assert_allclose(gpu_d, cpu_d, rtol=1e-3, atol=1e-3)
