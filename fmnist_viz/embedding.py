"""The embedder interface and the registry of embedders (built-in and plugins).

An embedder is a small class in the spirit of scikit-learn's ``fit_transform``:
a ``name``, its parameters with defaults (:class:`Param`), and
:meth:`Embedder.embed`, which maps an (n, d) float32 array, or the shared
:class:`~fmnist_viz.prepare.Prepared` data (features plus one neighbour graph),
to an (n, 2) float32 embedding.

Third-party embedders register under the entry-point group
``fmnist_viz.embedders``::

    [project.entry-points."fmnist_viz.embedders"]
    mymethod = "mypackage.module:MyEmbedder"

A plugin that fails to load is logged and skipped, never fatal.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from .errors import FmnistVizError, UsageError

if TYPE_CHECKING:
    from .prepare import Prepared

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "fmnist_viz.embedders"
#: Names a plugin cannot take: they are CLI commands.
RESERVED_NAMES = frozenset({"all", "list", "data", "grid", "metrics", "cache", "help"})


@dataclass(frozen=True)
class Param:
    """One parameter of an embedder: default, type, bounds or choices, help text."""

    name: str
    default: Any
    help: str
    type: Callable[[Any], Any] | None = None
    choices: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None

    def parse(self, value: Any, owner: str = "") -> Any:
        """Convert ``value`` (a string from the CLI, or a Python value) and validate it."""
        kind = self.type or type(self.default)
        where = f"{owner} parameter {self.name!r}" if owner else f"parameter {self.name!r}"
        if value is None or (isinstance(value, str) and value.lower() == "none"):
            if self.default is None:
                return None
            raise UsageError(f"{where} cannot be None")
        try:
            if kind is bool and isinstance(value, str):
                if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(value)
                parsed = value.lower() in ("true", "1", "yes")
            elif kind is int and isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            else:
                parsed = kind(value)
        except (TypeError, ValueError):
            raise UsageError(f"{where} must be of type {kind.__name__}, got {value!r}") from None
        if self.choices is not None and parsed not in self.choices:
            raise UsageError(f"{where} must be one of {', '.join(map(str, self.choices))}; got {parsed!r}")
        if self.low is not None and parsed < self.low:
            raise UsageError(f"{where} must be >= {self.low}, got {parsed!r}")
        if self.high is not None and parsed > self.high:
            raise UsageError(f"{where} must be <= {self.high}, got {parsed!r}")
        return parsed


class Embedder:
    """Base class of every embedder: validates parameters, checks the output.

    Subclasses set the class attributes and implement :meth:`_embed`.
    """

    #: Registry name, used on the command line (``fmnist-viz NAME``).
    name: ClassVar[str] = ""
    #: One line for ``fmnist-viz list``.
    summary: ClassVar[str] = ""
    #: The distribution that does the work (for versions, cache keys, messages).
    backend: ClassVar[str] = ""
    #: Its import name, when different from ``backend``.
    backend_module: ClassVar[str] = ""
    #: The parameters and their defaults.
    params: ClassVar[tuple[Param, ...]] = ()
    #: Whether :meth:`embed` can run on a CUDA GPU.
    supports_gpu: ClassVar[bool] = False

    @property
    def single_threaded(self) -> bool:
        """Whether it uses one core only (the pipeline then runs it beside the others)."""
        return False

    def __init__(self, **params: Any) -> None:
        known = {p.name: p for p in self.params}
        unknown = sorted(set(params) - set(known))
        if unknown:
            valid = ", ".join(known) or "(none)"
            raise UsageError(f"unknown parameter(s) {', '.join(unknown)} for {self.name}; valid: {valid}")
        self.values: dict[str, Any] = {
            name: p.parse(params[name], self.name) if name in params else p.default
            for name, p in known.items()
        }

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"{type(self).__name__}({args})"

    # -- what the pipeline asks of an embedder -------------------------------------------

    @property
    def n_neighbors(self) -> int:
        """How many neighbours it needs from the shared graph (0: none)."""
        return 0

    def min_points(self) -> int:
        """The fewest points it can embed with these parameters."""
        return max(3, self.n_neighbors + 2)

    @classmethod
    def backend_version(cls) -> str | None:
        """The installed version of the backend, or None when it is missing."""
        if not cls.backend:
            return None
        try:
            return metadata.version(cls.backend)
        except metadata.PackageNotFoundError:
            return None

    @classmethod
    def available(cls) -> tuple[bool, str]:
        """Whether the backend is installed (without importing it), and why not."""
        module = cls.backend_module or cls.backend
        if not module or importlib.util.find_spec(module) is not None:
            return True, ""
        return False, f"{cls.backend} is not installed; pip install {cls.backend}"

    def cache_key(self) -> dict[str, Any]:
        """Everything the result depends on besides the data and the seed."""
        return {"method": self.name, "params": self.values, "backend": self.backend,
                "version": self.backend_version()}

    def embed(self, data: Prepared | np.ndarray, *, seed: int = 0, device: str = "cpu") -> np.ndarray:
        """Embed ``data`` in 2-D: returns an (n, 2) float32 array of finite values."""
        from .prepare import Prepared

        if not isinstance(data, Prepared):
            data = Prepared.from_features(np.asarray(data, dtype=np.float32), seed=seed)
        if len(data) < self.min_points():
            raise UsageError(
                f"{self.name} needs at least {self.min_points()} points with these parameters, "
                f"got {len(data)}; use a larger --n or a smaller neighbour count"
            )
        ok, why = self.available()
        if not ok:
            raise FmnistVizError(why)
        out = np.asarray(self._embed(data, seed=seed, device=device), dtype=np.float32)
        if out.shape != (len(data), 2):
            raise FmnistVizError(f"{self.name} returned shape {out.shape}, expected ({len(data)}, 2)")
        if not np.isfinite(out).all():
            bad = int((~np.isfinite(out)).any(axis=1).sum())
            raise FmnistVizError(
                f"{self.name} produced {bad} non-finite coordinates; try another --seed or parameters"
            )
        return np.ascontiguousarray(out)

    def fit_transform(self, X: np.ndarray, *, seed: int = 0, device: str = "cpu") -> np.ndarray:
        """scikit-learn style alias of :meth:`embed` for an (n, d) array."""
        return self.embed(np.asarray(X, dtype=np.float32), seed=seed, device=device)

    def _embed(self, data: Prepared, *, seed: int, device: str) -> np.ndarray:
        raise NotImplementedError


# --------------------------------------------------------------------------- registry

_BUILTINS = {
    "pca": "fmnist_viz.embedders:PCAEmbedder",
    "tsne": "fmnist_viz.embedders:TSNEEmbedder",
    "umap": "fmnist_viz.embedders:UMAPEmbedder",
    "pymde": "fmnist_viz.embedders:PyMDEEmbedder",
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
        raise UsageError(f"unknown method {name!r}; valid methods: {', '.join(embedder_names())}")
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


def load_all() -> tuple[dict[str, type[Embedder]], dict[str, str]]:
    """Load every embedder; returns the loaded classes and, for broken plugins, why they failed."""
    classes: dict[str, type[Embedder]] = {}
    for name in embedder_names():
        try:
            classes[name] = get_embedder_class(name)
        except FmnistVizError:
            continue
    return classes, dict(_failed)


def create(name: str, params: Mapping[str, Any] | None = None) -> Embedder:
    """An embedder instance by name, with validated parameters."""
    return get_embedder_class(name)(**dict(params or {}))
