"""PyMDE's preserve-neighbours problem, built on the shared k-NN graph; on CUDA when asked."""

from __future__ import annotations

import logging

import numpy as np

from ...progress import step
from ..base import Embedder, Param
from ..place import Placement, place_pymde
from ..prepare import Prepared
from .common import quiet_library

log = logging.getLogger(__name__)


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
    def graph_neighbors(self) -> int:
        return self.values["n_neighbors"]

    def _fit_place(self, fit: Prepared, new: np.ndarray, *, seed: int, device: str) -> Placement:
        import time

        start = time.perf_counter()
        fitted = self._embed(fit, seed=seed, device=device)
        with quiet_library("pymde", "torch"):
            return place_pymde(fitted, fit, new, self.values, seed, device, time.perf_counter() - start)

    def _embed(self, data: Prepared, *, seed: int, device: str) -> np.ndarray:
        with quiet_library("pymde", "torch"):
            return self._solve(data, seed, device)

    def _solve(self, data: Prepared, seed: int, device: str) -> np.ndarray:
        import pymde
        import torch
        from pymde import preprocess, quadratic
        from pymde.functions import penalties

        v = self.values
        pymde.seed(seed)
        n = len(data)
        indices, _ = data.neighbors(self.graph_neighbors, include_self=False)
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
