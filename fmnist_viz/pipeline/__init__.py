"""Running embedders on data sets: plan, prepare once, execute anywhere, cache everything.

:func:`run` is what the CLI and notebooks call::

    results = run(["umap", "tsne"], ["fashion", "mnist"], n=10_000, seed=0)

One way to run work, for runs and sweeps alike: :func:`plan_jobs` (which
data sets, rows, methods, parameters and seeds; what the cache already holds),
then :func:`execute` on an executor (:mod:`fmnist_viz.executors`: this
process with one worker process beside it for single-threaded methods, a
pool, or a Dask cluster), which prepares each data set once
(:mod:`.prepare`: scaling, PCA, one k-NN graph for the largest k its jobs
need, each cached) and caches every embedding as it arrives.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from ..embed import DEFAULT_PCA_DIMS, Embedder, create, embedder_names
from ..embed.devices import resolve_device
from ..errors import MAX_SEED, check_number
from ..executors.local import HereAndBeside
from ..results import EmbeddingResult
from .execute import execute
from .plan import Job, Plan, Subset, as_list, check_method_params, plan_jobs, stratified_subsample
from .prepare import prepare_for, shared_graph, subsets

__all__ = ["run", "execute", "plan_jobs", "Plan", "Job", "Subset", "as_list", "check_method_params",
           "stratified_subsample", "prepare_for",
           "shared_graph", "subsets", "resolve_device", "EmbeddingResult"]


def run(
    methods: str | Embedder | Sequence[str | Embedder],
    datasets: str | Sequence[str],
    *,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    n: int | None = None,
    seed: int = 0,
    device: str = "auto",
    pca_dims: int | None = DEFAULT_PCA_DIMS,
    use_cache: bool = True,
    data_dir: str | os.PathLike[str] | None = None,
    progress: bool | None = None,
    knn_k: int = 0,
) -> list[EmbeddingResult]:
    """Embed each data set with each method, sharing the preparation and caching every result.

    Everything is validated before any work starts.

    Parameters
    ----------
    methods : str, Embedder, or a sequence of them
        Registry names (``"pca"``, ``"tsne"``, ``"umap"``, ``"pymde"``, plugins) or instances; one alone too.
    datasets : str or sequence of str
        Data set names, e.g. ``["fashion", "mnist"]``, or one name.
    params : mapping, optional
        Parameters per method name, e.g. ``{"umap": {"n_neighbors": 30}}``.
    n : int, optional
        A stratified subsample of ``n`` points, the same rows for every method (default: all).
    seed : int
        Same seed, same result (0 to 2**32 - 1).
    device : str
        ``auto``, ``cpu`` or ``cuda``: where GPU-capable methods run.
    pca_dims : int, optional
        PCA dimensions before embedding (at least 2); None or 0 turns PCA off.
    use_cache : bool
        Read and write the result cache.
    data_dir : path, optional
        A folder searched first for the data files.
    progress : bool, optional
        Progress bars (default: when stderr is a terminal).
    knn_k : int
        Compute the shared k-NN graph for at least this many neighbours (a
        sweep asks for the largest any of its cells needs, so all share one).

    Returns
    -------
    list of EmbeddingResult
        In (data set, method) order.
    """
    check_number(seed, "seed", low=0, high=MAX_SEED, integer=True)
    methods, datasets = as_list(methods, "methods", (str, Embedder)), as_list(datasets, "datasets", (str,))
    methods = list(dict.fromkeys(methods))  # a method named twice runs once
    params = check_method_params(params, methods)
    embedders = [m if isinstance(m, Embedder) else create(m, params.get(m)) for m in methods]
    plan = plan_jobs([(e, seed) for e in embedders], datasets, n=n, sample_seed=seed, device=device,
                     pca_dims=pca_dims, use_cache=use_cache, data_dir=data_dir, progress=progress)

    todo = plan.todo
    # a method on one core (seeded UMAP) runs in a worker process beside the others, when there are others and a
    # core for it
    beside = [j for j in todo if j.embedder.single_threaded and j.embedder.name in embedder_names()]
    libraries = tuple({j.embedder.import_name() for j in beside} - {""})
    with HereAndBeside(beside=0 < len(beside) < len(todo) and (os.cpu_count() or 1) > 1,
                       preload=libraries) as executor:
        execute(todo, executor, plan.cache, progress=progress, min_k=knn_k)
    return [j.result(plan.cache) for j in plan.jobs]

