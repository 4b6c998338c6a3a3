"""The built-in embedders: PCA, t-SNE (openTSNE or scikit-learn), UMAP and PyMDE.

Each takes the shared :class:`~fmnist_viz.embed.prepare.Prepared` data and uses its
PCA and its k-NN graph instead of recomputing them; each imports its library
only when it runs.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..errors import UsageError
from ..progress import progress_bar, show_progress, step
from .base import Embedder, Param
from .prepare import Prepared

log = logging.getLogger(__name__)


@contextlib.contextmanager
def _quiet_library(*modules: str) -> Iterator[None]:
    """Silence known-harmless warnings of a backend while it runs."""
    with warnings.catch_warnings():
        for module in modules:
            warnings.filterwarnings("ignore", module=module)
        yield


class PCAEmbedder(Embedder):
    """The first two principal components, from the shared PCA."""

    name = "pca"
    label = "PCA"
    summary = "principal component analysis: the two directions of largest variance"
    backend = "scikit-learn"
    backend_module = "sklearn"
    cost_per_1000 = 0.01  # the shared PCA
    seed_note = "changes nothing but the rows of a subsample (--n): PCA is deterministic"

    def seed_ignored(self) -> str:
        return "PCA is deterministic: every seed gives the same two components of the same prepared data"

    def _embed(self, data: Prepared, *, seed: int, device: str) -> np.ndarray:
        return data.principal_components(2)


class TSNEEmbedder(Embedder):
    """t-SNE: openTSNE's FFT-accelerated gradients by default, scikit-learn's Barnes-Hut on request."""

    name = "tsne"
    label = "t-SNE"
    summary = "t-distributed stochastic neighbour embedding (openTSNE FFT; backend=sklearn, or torchdr on a GPU)"
    backend = "openTSNE"
    supports_gpu = True  # with TorchDR
    params = (
        Param("perplexity", 30.0, "effective number of neighbours; the graph uses 3 x perplexity", float, low=1),
        Param("early_exaggeration_iter", 250, "iterations of early exaggeration", int, low=0),
        Param("n_iter", 250, "iterations after early exaggeration (openTSNE's default is 500)", int, low=1),
        Param("exaggeration", None, "exaggeration after the early phase (None: 1)", float, low=1),
        Param("dof", 1.0, "degrees of freedom of the t-distribution (openTSNE)", float, low=0.01),
        Param("ints_in_interval", 2.0, "width of the FFT grid's boxes (openTSNE); 1 is its default, "
              "2 halves the time here at the same quality", float, low=0.1),
        Param("init", "pca", "initial layout: the shared PCA (deterministic: the seed changes nothing), "
              "spectral (openTSNE; the seed draws the eigensolver's start) or random (the seed draws it)", str,
              choices=("pca", "spectral", "random")),
        Param("backend", "auto", "the implementation: auto is torchdr on a CUDA GPU (opentsne for init=spectral), "
              "else opentsne", str, choices=("auto", "opentsne", "sklearn", "torchdr")),
    )
    cost_per_1000 = 1.4  # 70,000 points: about 50 s on two cores
    seed_note = "changes the layout with init=random or spectral; from the PCA start (default) t-SNE is deterministic"

    def device_for(self, gpu_device: str) -> str:
        if self.values["init"] == "spectral" and self.values["backend"] == "auto":
            return "cpu"  # spectral starts are openTSNE's
        return _gpu_backend_device(self.values["backend"], gpu_device)

    def check(self) -> None:
        if self.values["init"] == "spectral" and self.values["backend"] in ("sklearn", "torchdr"):
            raise UsageError(f"tsne parameter 'init' spectral needs backend=opentsne (or auto), not "
                             f"{self.values['backend']}; or use init=pca or init=random")

    def seed_ignored(self) -> str:
        if self.values["init"] != "pca":
            return ""
        return ("t-SNE with init=pca starts from the same layout whatever the seed, and its optimisation draws "
                "nothing at random; vary init=random to see what the seed does")

    @property
    def n_neighbors(self) -> int:
        return int(3 * self.values["perplexity"])

    def cache_key(self) -> dict[str, Any]:
        return _backend_key(super().cache_key(), self.values["backend"])

    def _embed(self, data: Prepared, *, seed: int, device: str) -> np.ndarray:
        if self.values["backend"] == "sklearn":
            return self._embed_sklearn(data, seed)
        if _uses_torchdr(self.values["backend"], device):
            from .gpu import tsne_torchdr

            return tsne_torchdr(data, self._start(data, seed), self.values, seed, device)
        from openTSNE import TSNE, affinity, initialization
        from openTSNE.nearest_neighbors import PrecomputedNeighbors

        v = self.values
        indices, distances = data.neighbors(self.n_neighbors, include_self=False)
        affinities = affinity.PerplexityBasedNN(
            perplexity=v["perplexity"], knn_index=PrecomputedNeighbors(indices, distances.astype(np.float64)),
            n_jobs=-1, random_state=seed,
        )
        if v["init"] == "spectral":
            init = initialization.spectral(affinities.P, random_state=seed, add_jitter=False)
        else:
            init = self._start(data, seed).astype(np.float64)
        total = v["early_exaggeration_iter"] + v["n_iter"]
        with progress_bar(total, "t-SNE", unit="iter", progress=data.progress) as bar:
            def callback(iteration: int, error: float, embedding: Any) -> bool:
                bar.update(50)
                return False

            tsne = TSNE(
                perplexity=v["perplexity"], early_exaggeration_iter=v["early_exaggeration_iter"],
                n_iter=v["n_iter"], exaggeration=v["exaggeration"], dof=v["dof"], n_jobs=-1,
                ints_in_interval=v["ints_in_interval"],
                random_state=seed, callbacks=callback, callbacks_every_iters=50,
            )
            embedding = tsne.fit(affinities=affinities, initialization=init)
        return np.asarray(embedding)

    def _start(self, data: Prepared, seed: int) -> np.ndarray:
        """The initial layout of init=pca or init=random, as openTSNE scales it (standard deviation 1e-4 on the
        first axis): the shared PCA's first two components, or Gaussian points drawn with ``seed``."""
        if self.values["init"] == "random":
            start = np.random.default_rng(seed).standard_normal((len(data), 2))
        else:
            start = data.principal_components(2).astype(np.float64)
        return start / start[:, 0].std() * 1e-4

    def _embed_sklearn(self, data: Prepared, seed: int) -> np.ndarray:
        from scipy.sparse import csr_matrix
        from sklearn.manifold import TSNE

        v = self.values
        if v["dof"] != 1.0:
            raise UsageError("the sklearn t-SNE backend supports only dof=1")
        indices, distances = data.neighbors(self.n_neighbors, include_self=False)
        n, k = indices.shape
        graph = csr_matrix((distances.ravel(), indices.ravel(), np.arange(0, n * k + 1, k)), shape=(n, n))
        init = self._start(data, seed).astype(np.float32)
        tsne = TSNE(
            perplexity=v["perplexity"], metric="precomputed", init=init, random_state=seed,
            max_iter=v["early_exaggeration_iter"] + v["n_iter"], n_jobs=-1,
        )
        with _quiet_library("sklearn"):
            return tsne.fit_transform(graph)


class UMAPEmbedder(Embedder):
    """UMAP from umap-learn, on the shared k-NN graph."""

    name = "umap"
    label = "UMAP"
    summary = "uniform manifold approximation and projection (umap-learn; backend=torchdr on a GPU)"
    backend = "umap-learn"
    backend_module = "umap"
    params = (
        Param("n_neighbors", 15, "size of the local neighbourhood", int, low=2),
        Param("min_dist", 0.1, "how tightly points may be packed", float, low=0),
        Param("spread", 1.0, "scale of the embedded points", float, low=0.01),
        Param("n_epochs", None, "optimisation epochs (None: 100 above 10,000 points, else 500; "
              "umap-learn uses 200 and 500)", int, low=1),
        Param("negative_sample_rate", 5, "negative samples per positive one", int, low=1),
        Param("init", "spectral", "initial layout", str, choices=("spectral", "pca", "random")),
        Param("backend", "auto", "the implementation: auto is torchdr on a CUDA GPU, else umap-learn", str,
              choices=("auto", "umap-learn", "torchdr")),
    )
    supports_gpu = True  # with TorchDR
    cost_per_1000 = 0.5  # 70,000 points: about 35 s on one core
    seed_note = "changes the layout in every setting: it draws the negative samples (and a random start)"

    def device_for(self, gpu_device: str) -> str:
        return _gpu_backend_device(self.values["backend"], gpu_device)

    def cache_key(self) -> dict[str, Any]:
        return _backend_key(super().cache_key(), self.values["backend"])

    @property
    def n_neighbors(self) -> int:
        return self.values["n_neighbors"] - 1  # umap-learn counts the point itself

    def check(self) -> None:
        if self.values["min_dist"] > self.values["spread"]:
            raise UsageError(f"umap parameter 'min_dist' must be <= spread ({self.values['spread']:g}), "
                             f"got {self.values['min_dist']:g}; raise spread or lower min_dist")

    @property
    def single_threaded(self) -> bool:
        return self.values["backend"] != "torchdr"  # umap-learn optimises on one thread when seeded

    def _embed(self, data: Prepared, *, seed: int, device: str) -> np.ndarray:
        import umap

        v = self.values
        k = v["n_neighbors"]
        indices, distances = data.neighbors(k - 1, include_self=True)
        init: Any = v["init"]
        if init == "pca":
            pcs = data.principal_components(2)
            init = (pcs / np.abs(pcs).max() * 10).astype(np.float32)
        show = show_progress(data.progress)
        n_epochs = v["n_epochs"] or (100 if len(data) > 10_000 else 500)
        if _uses_torchdr(v["backend"], device):
            from .gpu import umap_torchdr

            start = init if isinstance(init, np.ndarray) else (  # umap-learn's spectral start is its own
                np.random.default_rng(seed).uniform(-10, 10, (len(data), 2)) if init == "random"
                 else data.principal_components(2))
            return umap_torchdr(data, start, v, n_epochs, seed, device)
        reducer = umap.UMAP(
            n_neighbors=k, min_dist=v["min_dist"], spread=v["spread"], n_epochs=n_epochs,
            negative_sample_rate=v["negative_sample_rate"], init=init, random_state=seed,
            precomputed_knn=(np.ascontiguousarray(indices), np.ascontiguousarray(distances), None),
            verbose=show, tqdm_kwds={"disable": not show, "leave": False},
        )
        with _quiet_library("umap", "sklearn"), contextlib.redirect_stdout(sys.stderr):
            return reducer.fit_transform(data.features)


def _uses_torchdr(backend: str, device: str) -> bool:
    """Whether a t-SNE/UMAP ``backend`` setting means TorchDR on ``device``."""
    return backend == "torchdr" or (backend == "auto" and device == "cuda")


def _gpu_backend_device(backend: str, gpu_device: str) -> str:
    """The device a t-SNE/UMAP backend setting runs on: only TorchDR (chosen, or auto with CUDA) uses the GPU."""
    from .gpu import torchdr_available

    if backend == "torchdr" or (backend == "auto" and gpu_device == "cuda" and torchdr_available()):
        return gpu_device
    return "cpu"


def _backend_key(key: dict[str, Any], backend: str) -> dict[str, Any]:
    """A cache key naming the library that really ran (scikit-learn, TorchDR) and its version."""
    from importlib import metadata

    if backend == "sklearn":
        key.update(backend="scikit-learn", version=metadata.version("scikit-learn"))
    elif backend == "torchdr":
        from .gpu import torchdr_available

        key.update(backend="torchdr", version=metadata.version("torchdr") if torchdr_available() else None)
    return key


class PyMDEEmbedder(Embedder):
    """PyMDE's ``preserve_neighbors`` problem, built on the shared k-NN graph; runs on CUDA when asked."""

    name = "pymde"
    label = "PyMDE"
    summary = "minimum-distortion embedding preserving neighbours (PyMDE; GPU with --device cuda)"
    backend = "pymde"
    supports_gpu = True
    cost_per_1000 = 0.6  # 70,000 points: about 20 s on two cores
    seed_note = "changes the layout in every setting: it draws the repulsive pairs (and a random start)"
    params = (
        Param("n_neighbors", 15, "neighbours per point in the graph", int, low=1),
        Param("repulsive_fraction", 1.0, "repulsive (non-neighbour) pairs per neighbour pair", float, low=0),
        Param("init", "pca", "initial layout: the shared PCA (fast), pymde's spectral 'quadratic', or random",
              str, choices=("pca", "quadratic", "random")),
        Param("max_iter", 150, "iterations of the optimiser (PyMDE's default is 300)", int, low=1),
    )

    @property
    def n_neighbors(self) -> int:
        return self.values["n_neighbors"]

    def _embed(self, data: Prepared, *, seed: int, device: str) -> np.ndarray:
        with _quiet_library("pymde", "torch"):
            return self._solve(data, seed, device)

    def _solve(self, data: Prepared, seed: int, device: str) -> np.ndarray:
        import pymde
        import torch
        from pymde import preprocess, quadratic
        from pymde.functions import penalties

        v = self.values
        pymde.seed(seed)
        n = len(data)
        indices, _ = data.neighbors(self.n_neighbors, include_self=False)
        # pymde's k-NN graph: an edge (i, j) per neighbour pair, weight 2 when mutual
        rows = np.repeat(np.arange(n), indices.shape[1])
        cols = indices.ravel()
        keep = rows != cols
        pairs = np.stack([np.minimum(rows, cols), np.maximum(rows, cols)], axis=1)[keep]
        graph = pymde.Graph.from_edges(torch.from_numpy(pairs), torch.ones(len(pairs)))
        edges, weights = graph.edges.to(device), graph.weights.to(device)

        if v["init"] == "pca":
            pcs = torch.tensor(data.principal_components(2), dtype=torch.float32, device=device)
            X_init = pymde.util.proj_standardized(pcs - pcs.mean(dim=0))
        elif v["init"] == "quadratic":
            # torch.lobpcg (cg=True) is seeded by pymde.seed; scipy eigsh (cg=False) starts from an unseeded vector
            X_init = quadratic.spectral(n, 2, edges, weights, max_iter=1000, device=device, cg=True)
        else:
            X_init = pymde.Centered().initialization(n, 2, device)
        n_repulsive = min(int(v["repulsive_fraction"] * len(edges)), n * (n - 1) // 2 - len(edges))
        negative = preprocess.sample_edges(n, n_repulsive, exclude=edges, seed=seed).to(device)
        mde = pymde.MDE(
            n_items=n, embedding_dim=2, edges=torch.cat([edges, negative]),
            distortion_function=penalties.PushAndPull(
                torch.cat([weights, -torch.ones(len(negative), dtype=weights.dtype, device=device)]),
                attractive_penalty=penalties.Log1p, repulsive_penalty=penalties.Log,
            ),
            constraint=pymde.Centered(), device=device,
        )
        generator = torch.Generator(device="cpu").manual_seed(seed)
        if (mde.distances(X_init) == 0).any():  # as pymde does: split overlapping points
            X_init = X_init + 1e-4 * torch.randn(X_init.shape, generator=generator).to(X_init)
        with step(f"PyMDE: {v['max_iter']} iterations on {device}", log):
            embedding = mde.embed(X_init, max_iter=v["max_iter"])
        return embedding.detach().cpu().numpy()
