"""UMAP from umap-learn (or TorchDR on a GPU), on the shared k-NN graph."""

from __future__ import annotations

import contextlib
import sys
from typing import Any

import numpy as np

from ...errors import UsageError
from ...progress import show_progress
from ..base import Embedder, Param
from ..gpu import umap_torchdr
from ..place import Placement, place_umap
from ..prepare import Prepared
from .common import backend_key, gpu_backend_device, quiet_library, uses_torchdr


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
        return gpu_backend_device(self.values["backend"], gpu_device)

    def cache_key(self) -> dict[str, Any]:
        return backend_key(super().cache_key(), self.values["backend"])

    @property
    def graph_neighbors(self) -> int:
        return self.values["n_neighbors"] - 1  # umap-learn counts the point itself

    def check(self) -> None:
        if self.values["min_dist"] > self.values["spread"]:
            raise UsageError(f"umap parameter 'min_dist' must be <= spread ({self.values['spread']:g}), "
                             f"got {self.values['min_dist']:g}; raise spread or lower min_dist")

    @property
    def single_threaded(self) -> bool:
        return self.values["backend"] != "torchdr"  # umap-learn optimises on one thread when seeded

    def _embed(self, data: Prepared, *, seed: int, device: str, placing: bool = False) -> Any:
        """The layout (``placing``: the fitted umap-learn model, whose ``transform`` places new points)."""
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
        if uses_torchdr(v["backend"], device):
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
        with quiet_library("umap", "sklearn"), contextlib.redirect_stdout(sys.stderr):
            if placing:
                return reducer.fit(data.features)
            return reducer.fit_transform(data.features)

    def _place_problem(self) -> str:
        if self.values["backend"] == "torchdr":
            return "UMAP places new points with umap-learn, not TorchDR: give backend=umap-learn"
        return ""

    def place_device_for(self, gpu_device: str) -> str:
        return "cpu"  # umap-learn places new points, on the CPU (TorchDR, which runs on the GPU, cannot)

    def _fit_place(self, fit: Prepared, new: np.ndarray, *, seed: int, device: str) -> Placement:
        import time

        start = time.perf_counter()
        reducer = self._embed(fit, seed=seed, device="cpu", placing=True)
        with quiet_library("umap", "sklearn"), contextlib.redirect_stdout(sys.stderr):
            return place_umap(reducer, fit, new, time.perf_counter() - start)
