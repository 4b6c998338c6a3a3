"""fmnist-viz: what dimensionality reduction does to Fashion-MNIST and MNIST.

The public API, importable from the top::

    import fmnist_viz as fv

    data = fv.load("fashion")                          # Dataset: X (70000, 784) uint8, y
    results = fv.run(["umap", "tsne"], ["fashion", "mnist"], n=10_000, seed=0)
    fv.save_results(results, "figures", formats="png,html")
    fv.create("tsne", {"perplexity": 50}).fit_transform(X)

Names are imported lazily (PEP 562), so ``import fmnist_viz`` costs
milliseconds and imports none of matplotlib, scikit-learn, torch or plotly.
The layers, one folder each, in the order data flows through them (each imports only those before it):
:mod:`~fmnist_viz.store` (the cache, atomic writes), :mod:`~fmnist_viz.data` (find, verify, download, decode),
:mod:`~fmnist_viz.embed` (the embedder interface, registry, methods, shared preparation),
:mod:`~fmnist_viz.quality` (measures as functions of arrays), :mod:`~fmnist_viz.render` (figures, pages, grids),
:mod:`~fmnist_viz.executors` (where tasks run), :mod:`~fmnist_viz.pipeline` (plan, prepare, execute, the cached
measuring), :mod:`~fmnist_viz.studies` (sweeps, held-out placement), :mod:`~fmnist_viz.outputs` (writers) and
:mod:`~fmnist_viz.cli` (the ``fmnist-viz`` command); errors, results, naming, digests, progress and the version
are the ground they stand on.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .version import __version__

#: Public name -> the module that defines it.
_API = {
    "load": "fmnist_viz.data",
    "load_data": "fmnist_viz.data",
    "load_mnist": "fmnist_viz.data",
    "Dataset": "fmnist_viz.data",
    "DatasetSpec": "fmnist_viz.data",
    "FileSpec": "fmnist_viz.data",
    "register_dataset": "fmnist_viz.data",
    "run": "fmnist_viz.pipeline",
    "evaluate_results": "fmnist_viz.pipeline.measure",
    "EmbeddingResult": "fmnist_viz.results",
    "create": "fmnist_viz.embed",
    "Embedder": "fmnist_viz.embed",
    "Param": "fmnist_viz.embed",
    "save_results": "fmnist_viz.outputs.embeddings",
    "page": "fmnist_viz.outputs.explorer",
    "Page": "fmnist_viz.outputs.explorer",
    "align_results": "fmnist_viz.quality.align",
    "read_selection": "fmnist_viz.data.selection",
    "sweep": "fmnist_viz.studies.sweeps",
    "save_sweep": "fmnist_viz.outputs.sweeps",
    "heldout": "fmnist_viz.studies.heldout",
    "save_heldout": "fmnist_viz.outputs.heldout",
    "HeldoutResult": "fmnist_viz.results",
    "class_grid": "fmnist_viz.render.grids",
    "plot_embedding": "fmnist_viz.render.scatter",
    "results_figure": "fmnist_viz.render.scatter",
    "image_map": "fmnist_viz.outputs.image_maps",
    "save_image_maps": "fmnist_viz.outputs.image_maps",
    "zoom_figure": "fmnist_viz.render.image_map",
    "save_zoom_figures": "fmnist_viz.outputs.image_maps",
    "shepard": "fmnist_viz.outputs.shepard",
    "stability": "fmnist_viz.studies.stability",
    "save_stability": "fmnist_viz.outputs.stability",
    "save_shepard": "fmnist_viz.outputs.shepard",
    "FmnistVizError": "fmnist_viz.errors",
}

__all__ = [  # the names in _API, grouped the same way
    "__version__", "load", "load_data", "load_mnist", "Dataset", "DatasetSpec", "FileSpec", "register_dataset",
    "run", "evaluate_results", "EmbeddingResult", "create", "Embedder", "Param", "save_results", "page", "Page",
    "align_results", "read_selection", "sweep", "save_sweep", "heldout", "save_heldout", "HeldoutResult",
    "class_grid", "plot_embedding", "results_figure", "image_map", "save_image_maps",
    "zoom_figure", "save_zoom_figures", "shepard", "save_shepard", "stability",
    "save_stability", "FmnistVizError",
]

if TYPE_CHECKING:
    from .data import Dataset, DatasetSpec, FileSpec, load, load_data, load_mnist, register_dataset
    from .embed import Embedder, Param, create
    from .errors import FmnistVizError
    from .outputs.embeddings import save_results
    from .outputs.heldout import save_heldout
    from .outputs.image_maps import image_map, save_image_maps, save_zoom_figures
    from .outputs.shepard import save_shepard, shepard
    from .outputs.stability import save_stability
    from .outputs.sweeps import save_sweep
    from .pipeline import run
    from .pipeline.measure import evaluate_results
    from .render.grids import class_grid
    from .render.image_map import zoom_figure
    from .render.scatter import plot_embedding, results_figure
    from .results import EmbeddingResult, HeldoutResult
    from .studies.heldout import heldout
    from .studies.stability import stability
    from .studies.sweeps import sweep


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'fmnist_viz' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
