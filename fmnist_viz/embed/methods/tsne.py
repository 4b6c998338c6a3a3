"""t-SNE: openTSNE's FFT-accelerated gradients by default, scikit-learn's Barnes-Hut or TorchDR on request."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import UsageError
from ...progress import progress_bar
from ..base import Embedder, Param
from ..gpu import tsne_torchdr
from ..place import Placement, place_tsne, searchable_neighbors
from ..prepare import Prepared
from .common import backend_key, gpu_backend_device, quiet_library, uses_torchdr

#: The most points a data set holds (Fashion-MNIST and MNIST: 70,000), which bounds the perplexity.
MAX_POINTS = 70_000


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
        return gpu_backend_device(self.values["backend"], gpu_device)

    def check(self) -> None:
        perplexity = self.values["perplexity"]
        if 3 * perplexity + 2 > MAX_POINTS:
            raise UsageError(f"tsne parameter 'perplexity' is too large: {perplexity:g} needs 3 x perplexity + 2 "
                             f"points, and the data sets hold {MAX_POINTS:,}; give at most "
                             f"{(MAX_POINTS - 2) // 3:,}")
        if self.values["init"] == "spectral" and self.values["backend"] in ("sklearn", "torchdr"):
            raise UsageError(f"tsne parameter 'init' spectral needs backend=opentsne (or auto), not "
                             f"{self.values['backend']}; or use init=pca or init=random")

    def seed_ignored(self) -> str:
        if self.values["init"] != "pca":
            return ""
        return ("t-SNE with init=pca starts from the same layout whatever the seed, and its optimisation draws "
                "nothing at random; vary init=random to see what the seed does")

    @property
    def graph_neighbors(self) -> int:
        return int(3 * self.values["perplexity"])

    def cache_key(self) -> dict[str, Any]:
        return backend_key(super().cache_key(), self.values["backend"])

    def _embed(self, data: Prepared, *, seed: int, device: str) -> np.ndarray:
        if self.values["backend"] == "sklearn":
            return self._embed_sklearn(data, seed)
        if uses_torchdr(self.values["backend"], device):
            return tsne_torchdr(data, self._start(data, seed), self.values, seed, device)
        return np.asarray(self._opentsne(data, seed))

    def _place_problem(self) -> str:
        if self.values["backend"] not in ("auto", "opentsne"):
            return (f"t-SNE places new points with openTSNE, not {self.values['backend']}: leave backend=auto or "
                    "give backend=opentsne")
        return ""

    def place_device_for(self, gpu_device: str) -> str:
        return "cpu"  # openTSNE places new points, on the CPU (TorchDR, which runs on the GPU, cannot)

    def _fit_place(self, fit: Prepared, new: np.ndarray, *, seed: int, device: str) -> Placement:
        import time

        start = time.perf_counter()
        embedding = self._opentsne(fit, seed, placing=True)
        return place_tsne(embedding, fit, new, time.perf_counter() - start)

    def _opentsne(self, data: Prepared, seed: int, placing: bool = False) -> Any:
        """openTSNE's fitted ``TSNEEmbedding`` on the shared graph; ``placing``: its affinities can also find new
        points' neighbours among the fitted ones, for ``transform``."""
        from openTSNE import TSNE, affinity, initialization
        from openTSNE.nearest_neighbors import PrecomputedNeighbors

        v = self.values
        indices, distances = data.neighbors(self.graph_neighbors, include_self=False)
        index = searchable_neighbors(indices, distances, data.features) if placing else PrecomputedNeighbors(
            indices, distances.astype(np.float64))
        affinities = affinity.PerplexityBasedNN(perplexity=v["perplexity"], knn_index=index, n_jobs=-1,
                                                random_state=seed)
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
            return tsne.fit(affinities=affinities, initialization=init)

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
        indices, distances = data.neighbors(self.graph_neighbors, include_self=False)
        n, k = indices.shape
        graph = csr_matrix((distances.ravel(), indices.ravel(), np.arange(0, n * k + 1, k)), shape=(n, n))
        init = self._start(data, seed).astype(np.float32)
        tsne = TSNE(
            perplexity=v["perplexity"], metric="precomputed", init=init, random_state=seed,
            max_iter=v["early_exaggeration_iter"] + v["n_iter"], n_jobs=-1,
        )
        with quiet_library("sklearn"):
            return tsne.fit_transform(graph)
