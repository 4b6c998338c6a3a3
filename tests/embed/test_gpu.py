"""The GPU path, run on the CPU: PyTorch's exact k-NN graph, TorchDR's t-SNE and UMAP, devices in cache keys."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fmnist_viz.embed import create
from fmnist_viz.embed.gpu import torch_knn
from fmnist_viz.embed.prepare import Prepared, knn_graph
from fmnist_viz.errors import UsageError

from conftest import patch_everywhere


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

    from fmnist_viz.quality.metrics import neighbour_sets, shared_fraction

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

    patch_everywhere(monkeypatch, gpu.torchdr_available, lambda: False)
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


@pytest.mark.parametrize("method", ["tsne", "umap"])
def test_torchdr_takes_the_shared_graph_instead_of_building_its_own(method: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """On a GPU the run's graph is exact and on the GPU; TorchDR would build another with faiss (on the CPU with
    faiss-cpu). It is handed the shared graph: TorchDR's own distance code must not run."""
    pytest.importorskip("torchdr")
    import torchdr.affinity.base as affinity_base

    X, labels = blobs()
    prepared = Prepared.from_features(X, seed=0)
    prepared.neighbors(90)
    asked: list[int] = []
    real = prepared.neighbors
    monkeypatch.setattr(prepared, "neighbors", lambda k, include_self=True: asked.append(k) or real(k, include_self))
    monkeypatch.setattr(affinity_base, "pairwise_distances",
                        lambda *a, **k: pytest.fail("TorchDR built a k-NN graph of its own"))
    params = {"n_iter": 100, "early_exaggeration_iter": 50} if method == "tsne" else {"n_epochs": 100}
    out = create(method, {"backend": "torchdr", **params}).embed(prepared, seed=0, device="cpu")
    assert asked and np.isfinite(out).all()  # TorchDR asked the shared graph for its neighbours
    from sklearn.neighbors import KNeighborsClassifier

    assert KNeighborsClassifier(5).fit(out[::2], labels[::2]).score(out[1::2], labels[1::2]) > 0.9


def test_the_gpu_decisions_with_cuda_faked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, real_data: Path) -> None:
    """Without a GPU, CUDA faked: auto picks it, TorchDR runs t-SNE and UMAP there, and the exact torch graph gets a
    cache key of its own (a GPU graph never poses as the CPU's)."""
    import torch

    from fmnist_viz.embed import devices, gpu
    from fmnist_viz.pipeline import plan_jobs, prepare_for

    monkeypatch.setenv("FMNIST_VIZ_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(devices, "_surely_no_nvidia_gpu", lambda: False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda index=0: "Fake GPU")
    assert devices.resolve_device("auto", [create("pymde")]) == "cuda"
    assert devices.resolve_device("auto", [create("pca")]) == "cpu"  # nothing that could use it
    assert create("tsne").device_for("cuda") == "cuda" and create("umap").device_for("cuda") == "cuda"  # auto
    assert create("tsne", {"init": "spectral"}).device_for("cuda") == "cpu"  # openTSNE's spectral start
    real_knn = gpu.torch_knn
    patch_everywhere(monkeypatch, real_knn, lambda Z, k, device="cpu", chunk=4096: real_knn(Z, k, "cpu", chunk))
    keys = []
    for device in ("cpu", "cuda"):
        plan = plan_jobs([(create("pymde", {"max_iter": 5}), 0)], ["fashion"], n=500, device=device)
        job = plan.jobs[0]
        assert job.device == device
        prepared = prepare_for(job.subset, [job], plan.cache, False)
        assert prepared.knn_method == ("torch-cuda" if device == "cuda" else "auto")
        keys.append(job.key)
    knn = sorted((tmp_path / "cache" / "computed" / "knn").glob("*.npz"))
    assert len(knn) == 2 and keys[0] != keys[1]  # two graphs, two embeddings' keys
