"""The registry of embedders: the built-ins and third-party plugins.

Third-party embedders subclass :class:`~fmnist_viz.embed.Embedder` and
register under the entry-point group ``fmnist_viz.embedders``::

    [project.entry-points."fmnist_viz.embedders"]
    mymethod = "mypackage.module:MyEmbedder"

Each plugin is loaded on its own, when first asked for: one that fails to load
is logged and skipped, never fatal (as keyring and pluggy do).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from importlib import metadata
from typing import Any

from ..errors import FmnistVizError, UsageError
from .base import Embedder

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "fmnist_viz.embedders"
#: Names a plugin cannot take: they are CLI commands.
RESERVED_NAMES = frozenset({"all", "list", "data", "grid", "metrics", "cache", "help", "sweep", "heldout",
                            "stability"})


_BUILTINS = {
    "pca": "fmnist_viz.embed.methods:PCAEmbedder",
    "tsne": "fmnist_viz.embed.methods:TSNEEmbedder",
    "umap": "fmnist_viz.embed.methods:UMAPEmbedder",
    "pymde": "fmnist_viz.embed.methods:PyMDEEmbedder",
}
#: The methods ``fmnist-viz all`` runs.
BUILTIN_METHODS = tuple(_BUILTINS)

_loaded: dict[str, type[Embedder]] = {}
_failed: dict[str, str] = {}


def _load_target(target: str) -> Any:
    module, _, attr = target.partition(":")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def _plugin_entry_points() -> dict[str, metadata.EntryPoint]:
    """Plugin entry points by name; names that clash with built-ins or commands are skipped."""
    found: dict[str, metadata.EntryPoint] = {}
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in _BUILTINS or ep.name in RESERVED_NAMES:
            log.warning("ignoring embedder plugin %r (%s): the name is taken", ep.name, ep.value)
            continue
        found[ep.name] = ep
    return found


def embedder_names() -> list[str]:
    """Names of all embedders, built-in first, without importing any plugin."""
    return [*_BUILTINS, *(n for n in _plugin_entry_points() if n not in _BUILTINS)]


def register(cls: type[Embedder]) -> type[Embedder]:
    """Register an embedder class by its ``name`` (also usable as a decorator)."""
    if not cls.name:
        raise ValueError(f"{cls.__qualname__} has no name")
    _loaded[cls.name] = cls
    _failed.pop(cls.name, None)
    return cls


def get_embedder_class(name: str) -> type[Embedder]:
    """The embedder class registered as ``name``.

    Raises :class:`UsageError` listing the valid names when there is none, and
    :class:`FmnistVizError` when its plugin failed to load.
    """
    if name in _loaded:
        return _loaded[name]
    plugins = _plugin_entry_points()
    if name not in _BUILTINS and name not in plugins:
        raise UsageError(f"{name!r} is not a known method; valid methods: {', '.join(embedder_names())}",
                         param="method")
    if name in _BUILTINS:
        cls = _load_target(_BUILTINS[name])
    else:
        try:
            cls = plugins[name].load()
            if not (isinstance(cls, type) and issubclass(cls, Embedder)):
                raise TypeError(f"{plugins[name].value} is not an Embedder subclass")
        except Exception as exc:  # a broken plugin must not take the tool down
            _failed[name] = f"{type(exc).__name__}: {exc}"
            log.warning("embedder plugin %r failed to load: %s", name, _failed[name])
            raise FmnistVizError(f"embedder plugin {name!r} failed to load: {_failed[name]}") from exc
    if cls.name != name:
        cls = type(cls.__name__, (cls,), {"name": name})
    return register(cls)


def load_embedders() -> tuple[dict[str, type[Embedder]], dict[str, str]]:
    """Load every embedder; returns the loaded classes and, for broken plugins, why they failed."""
    classes: dict[str, type[Embedder]] = {}
    for name in embedder_names():
        try:
            classes[name] = get_embedder_class(name)
        except FmnistVizError:
            continue
    return classes, dict(_failed)


def create(name: str, params: Mapping[str, Any] | None = None) -> Embedder:
    """An embedder instance by name, with validated parameters.

    Parameters
    ----------
    name : str
        A registered method: ``pca``, ``tsne``, ``umap``, ``pymde`` or a plugin's name.
    params : mapping, optional
        Its parameters (``fmnist-viz list`` shows them); strings are parsed.

    Returns
    -------
    Embedder
        Call ``.fit_transform(X)`` or ``.embed(prepared)`` on it.
    """
    if params is not None and not isinstance(params, Mapping):
        raise UsageError(f"must map parameter names to values, e.g. {{'n_neighbors': 30}}; got {params!r}"[:200],
                         param="params")
    return get_embedder_class(name)(**dict(params or {}))


def method_label(name: str) -> str:
    """How figures name method ``name`` ("t-SNE"); the name itself when it cannot be loaded."""
    try:
        return get_embedder_class(name).display_label()
    except FmnistVizError:
        return name


def placing_methods() -> list[str]:
    """The registered methods that can place new points into their fitted layout."""
    found = []
    for name in embedder_names():
        try:
            if get_embedder_class(name).can_place():
                found.append(name)
        except FmnistVizError:  # a plugin that does not load cannot place either
            continue
    return found


def check_can_place(embedder: Embedder) -> None:
    """:meth:`Embedder.check_place`, naming the registered methods that can place when this one cannot."""
    if not embedder.can_place():
        raise UsageError(f"{embedder.name} cannot place new points into a layout it fitted (it offers no way to); "
                         f"methods that can: {', '.join(placing_methods())}", param="method")
    embedder.check_place()
