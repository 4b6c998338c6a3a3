"""How output files are named: predictable names that say what differs, so runs never overwrite each other.

One module for every writer (:mod:`fmnist_viz.outputs.embeddings` for runs, :mod:`fmnist_viz.studies.sweeps`
for sweeps):

- ``umap_fashion-vs-mnist.png``: method, data sets;
- ``tsne_fashion-vs-mnist_n5000_perplexity50_paper.pdf``: plus what differs from the defaults
  (:func:`variant_suffix`);
- ``sweep_umap_fashion-vs-mnist_n_neighbors-5-15_min_dist-0-0.5_seeds-0-1_n2000.csv``: a sweep's
  method, data sets, every grid parameter with its values, the seeds (unless only 0) and ``n``
  (:func:`sweep_stem`); a name that would pass :data:`MAX_STEM` characters carries a digest of the
  grid instead of its values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .digest import short_digest

#: The longest sweep name (without extension) before the grid's values give way to a digest of them.
MAX_STEM = 120


def format_value(value: Any) -> str:
    """A parameter value as titles show it: ``10`` for 10.0, ``0.1``, ``pca``, ``None``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def exact_number(value: float) -> str:
    """A number as a name part that tells any two floats apart: ``2`` for 2.0, ``2.0000001``, ``1e+308`` (the
    shortest text that reads back as the same float; :func:`format_value` rounds to six digits)."""
    v = float(value)
    return str(int(v)) if v.is_integer() and abs(v) < 1e16 else repr(v)


def token(value: Any) -> str:
    """A value as it reads in a file name: ``0.5``, ``30`` (also for 30.0), ``none``, ``pca``."""
    text = str(value).lower() if isinstance(value, (bool, type(None))) else format_value(value)
    return re.sub(r"[^A-Za-z0-9.+-]+", "-", text)


def embedding_filename(method: str, datasets: Sequence[str], ext: str, suffix: str = "") -> str:
    """Predictable output names: ``umap_fashion.npz``, ``umap_fashion-vs-mnist_n5000.png``."""
    return f"{method}_{'-vs-'.join(datasets)}{suffix}.{ext}"


def run_name(methods: Sequence[str], all_methods: Sequence[str]) -> str:
    """What a run's shared files start with: the method, ``all`` for every built-in one, else the methods
    joined (``umap-tsne``)."""
    if len(methods) > 1 and sorted(methods) == sorted(all_methods):
        return "all"
    return "-".join(methods)


def variant_suffix(results: Sequence[Any], **options: Any) -> str:
    """The part of a file name that says what differs from the defaults, e.g. ``_n5000_perplexity50``.

    The results' ``variant`` (:class:`~fmnist_viz.results.EmbeddingResult`)
    comes first (with several methods, a parameter is named ``method-name``),
    then the rendering ``options`` that are set (e.g. ``style="paper"`` gives
    ``_paper``, ``exemplars=1`` gives ``_exemplars1``); options that are None,
    zero or False leave no trace. Defaults give the plain name.
    """
    several = len({r.method for r in results}) > 1
    items: dict[str, Any] = {}
    for r in results:
        for key, value in r.variant.items():
            items[f"{r.method}-{key}" if several and key not in ("n", "fit", "seed", "pca") else key] = value
    parts = [f"{key}{token(value)}" for key, value in items.items()]
    for key, value in options.items():
        if value in (None, 0, False):
            continue
        parts.append(str(value) if isinstance(value, str) else f"{key}{token(value)}")
    return "".join(f"_{part}" for part in parts)


def sweep_stem(method: str, datasets: Sequence[str], grid: Mapping[str, Sequence[Any]], seeds: Sequence[int],
               n: int | None, kind: str = "sweep") -> str:
    """The name a sweep's files start with (a study of another ``kind``, such as ``stability``, starts with
    that word instead): everything that tells two sweeps apart.

    ``sweep_umap_fashion_n_neighbors-5-15-50_min_dist-0-0.5_seeds-0-1-2_n10000``: the method, the data
    sets (joined by ``-vs-``), each grid parameter and its values, the seeds unless they are just 0,
    and ``n``. Past :data:`MAX_STEM` characters the parameters and values become ``grid-DIGEST``.
    """

    head = f"{kind}_{method}_{'-vs-'.join(datasets)}"
    spelled = "".join(f"_{name}-{'-'.join(token(v) for v in values)}" for name, values in grid.items())
    tail = ("" if list(seeds) == [0] else f"_seeds-{'-'.join(map(str, seeds))}") + (f"_n{n}" if n else "")
    if len(head + spelled + tail) > MAX_STEM:
        spelled = "_grid-" + short_digest({k: [repr(v) for v in vs] for k, vs in grid.items()}, length=8)
        if len(head + spelled + tail) > MAX_STEM:  # so many seeds: they go into the digest too
            spelled = "_grid-" + short_digest({"grid": {k: [repr(v) for v in vs] for k, vs in grid.items()},
                                               "seeds": list(seeds)}, length=8)
            tail = f"_seeds{len(seeds)}" + (f"_n{n}" if n else "")
    return head + spelled + tail
