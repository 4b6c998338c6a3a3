"""The embedder interface: :class:`Embedder` and its parameters (:class:`Param`).

An embedder is a small class in the spirit of scikit-learn's ``fit_transform``:
a ``name``, a display ``label``, its parameters with defaults, and
:meth:`Embedder.embed`, which maps an (n, d) float32 array, or the shared
:class:`~fmnist_viz.embed.prepare.Prepared` data (features plus one neighbour
graph), to an (n, 2) float32 embedding. Like openTSNE, the work is split:
the shared preparation (affinities' neighbour graph, PCA initialisation) lives
in :mod:`.prepare`, the optimisation in each embedder.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..errors import FmnistVizError, UsageError
from .place import Placement
from .prepare import Prepared

if TYPE_CHECKING:
    from .place import Placement
    from .prepare import Prepared


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
        if isinstance(value, bool) and kind is not bool:  # True is no number of neighbours
            raise UsageError(f"{where} must be of type {kind.__name__}, got {value!r}")
        try:
            if kind is bool and isinstance(value, str):
                if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(value)
                parsed = value.lower() in ("true", "1", "yes")
            elif kind is int and isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            else:
                parsed = kind(value)
        except (TypeError, ValueError, OverflowError):
            raise UsageError(f"{where} must be of type {kind.__name__}, got {value!r}") from None
        if isinstance(parsed, float) and not math.isfinite(parsed):
            raise UsageError(f"{where} must be a finite number, got {value!r}")
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
    #: How figures and pages name it ("t-SNE"); the name when empty.
    label: ClassVar[str] = ""
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
    #: What the seed changes, for ``fmnist-viz list`` ("" : it is passed to the method, effect unknown).
    seed_note: ClassVar[str] = ""
    #: Rough seconds of one core per 1,000 points with the defaults, for a sweep's estimate (None: unknown).
    cost_per_1000: ClassVar[float | None] = None

    @classmethod
    def display_label(cls) -> str:
        """The label figures use: :attr:`label`, else :attr:`name`."""
        return cls.label or cls.name

    def device_for(self, gpu_device: str) -> str:
        """Where this embedder, with these parameters, runs when the run's GPU device is ``gpu_device``.

        The device goes into the result's cache key, so a GPU result never
        poses as a CPU one; override when only some backends use the GPU.
        """
        return gpu_device if self.supports_gpu else "cpu"

    def place_device_for(self, gpu_device: str) -> str:
        """Where :meth:`fit_place` runs when the run's GPU device is ``gpu_device``: where :meth:`embed` would,
        unless the library that places new points runs on the CPU only (override then)."""
        return self.device_for(gpu_device)

    @property
    def single_threaded(self) -> bool:
        """Whether it uses one core only: the pipeline runs it beside the others, sweeps run one per core, and
        :meth:`embed` holds OpenMP and BLAS to one thread, so the result does not depend on the machine."""
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
        self.check()

    def changed_params(self) -> dict[str, Any]:
        """The parameters set to other values than their defaults (what file names carry)."""
        defaults = {p.name: p.default for p in self.params}
        return {k: v for k, v in self.values.items() if v != defaults.get(k, v)}

    def seed_ignored(self) -> str:
        """Why another seed gives the same layout of the same prepared data with these parameters, naming the
        parameter to vary; "" when the seed changes the layout (the default: a plugin is assumed to use it).

        A sweep over seeds computes such a setting once instead of repeating it.
        """
        return ""

    def check(self) -> None:
        """Refuse combinations of parameters that are each valid but not together (override; default: none).

        Runs when the embedder is made, so a bad combination fails before any work.
        """

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"{type(self).__name__}({args})"

    # -- what the pipeline asks of an embedder -------------------------------------------

    @property
    def graph_neighbors(self) -> int:
        """How many neighbours of each point (itself not counted) it needs from the shared graph (0: none); not a
        parameter: UMAP's ``n_neighbors`` counts the point itself, t-SNE's follows from its perplexity."""
        return 0

    def min_points(self) -> int:
        """The fewest points it can embed with these parameters."""
        return max(3, self.graph_neighbors + 2)

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
    def import_name(cls) -> str:
        """The module that holds the backend ("" for none): what is imported to load it."""
        return cls.backend_module or cls.backend

    @classmethod
    def available(cls) -> tuple[bool, str]:
        """Whether the backend is installed (without importing it), and why not."""
        module = cls.import_name()
        if not module or importlib.util.find_spec(module) is not None:
            return True, ""
        return False, f"{cls.backend} is not installed; pip install {cls.backend}"

    def cache_key(self) -> dict[str, Any]:
        """Everything the result depends on besides the data and the seed."""
        key = {"method": self.name, "params": self.values, "backend": self.backend, "version": self.backend_version()}
        if self.single_threaded:  # computed on one thread (see embed): not the same array as on several
            key["threads"] = 1
        return key

    def embed(self, data: Prepared | np.ndarray, *, seed: int = 0, device: str = "cpu") -> np.ndarray:
        """Embed ``data`` in 2-D: returns an (n, 2) float32 array of finite values."""

        if not isinstance(data, Prepared):
            data = Prepared.from_features(check_features(data), seed=seed)
        check_enough_points([self], len(data))
        ok, why = self.available()
        if not ok:
            raise FmnistVizError(why)
        if self.single_threaded:
            out = self._embed_on_one_thread(data, seed=seed, device=device)
        else:
            out = np.asarray(self._embed(data, seed=seed, device=device), dtype=np.float32)
        if out.shape != (len(data), 2):
            raise FmnistVizError(f"{self.name} returned shape {out.shape}, expected ({len(data)}, 2)")
        if not np.isfinite(out).all():
            bad = int((~np.isfinite(out)).any(axis=1).sum())
            raise FmnistVizError(
                f"{self.name} produced {bad} non-finite coordinates; try another --seed or parameters"
            )
        return np.ascontiguousarray(out)

    def _embed_on_one_thread(self, data: Prepared, *, seed: int, device: str) -> np.ndarray:
        """:meth:`_embed` with OpenMP and BLAS held to one thread, so a seed gives the same array on any machine
        and in any process (umap-learn's layout of 70,000 points differs with OpenMP's thread count)."""
        return np.asarray(self._on_one_thread(lambda: self._embed(data, seed=seed, device=device)), dtype=np.float32)

    def _on_one_thread(self, work: Callable[[], Any]) -> Any:
        """``work()`` with OpenMP and BLAS held to one thread (the backend imported first, so the limit reaches
        the thread pools it brings)."""
        import importlib

        from threadpoolctl import threadpool_limits

        module = self.import_name()
        if module:
            importlib.import_module(module)
        with threadpool_limits(limits=1):
            return work()

    @classmethod
    def can_place(cls) -> bool:
        """Whether the method can place new points into a layout it fitted (:meth:`fit_place`)."""
        return cls._fit_place is not Embedder._fit_place

    def check_place(self) -> None:
        """Raise a :class:`UsageError` unless this method, with these parameters, can place new points (checked
        before any work; a method may refuse a backend that cannot, see :meth:`_place_problem`;
        :func:`fmnist_viz.embed.registry.check_can_place` also names the methods that can)."""
        if not self.can_place():
            raise UsageError(f"{self.name} cannot place new points into a layout it fitted (it offers no way to)",
                             param="method")
        problem = self._place_problem()
        if problem:
            raise UsageError(problem, param="params")

    def _place_problem(self) -> str:
        """Why these parameters cannot place new points ("" when they can)."""
        return ""

    def fit_place(self, fit: Prepared, new: np.ndarray, *, seed: int = 0, device: str = "cpu") -> Placement:
        """Embed ``fit`` and place ``new`` into that layout without moving it, through the library's own mechanism.

        ``new`` holds the new points' features prepared as ``fit``'s were
        (scaled, through the PCA fitted on ``fit``'s points alone). Returns the
        :class:`~fmnist_viz.embed.place.Placement`: the fitted layout, the
        placed points, and the seconds each took.
        """

        self.check_place()
        new = np.ascontiguousarray(new, dtype=np.float32)
        if new.ndim != 2 or new.shape[1] != fit.features.shape[1] or not len(new):
            raise UsageError(f"must be (m, {fit.features.shape[1]}) features prepared as the fitted points', got "
                             f"shape {new.shape}", param="new")
        check_enough_points([self], len(fit))
        if self.single_threaded:
            out = self._on_one_thread(lambda: self._fit_place(fit, new, seed=seed, device=device))
        else:
            out = self._fit_place(fit, new, seed=seed, device=device)
        assert isinstance(out, Placement)
        if out.fitted.shape != (len(fit), 2) or out.placed.shape != (len(new), 2):
            raise FmnistVizError(f"{self.name} placed {out.placed.shape} into {out.fitted.shape}, expected "
                                 f"({len(new)}, 2) into ({len(fit)}, 2)")
        if not (np.isfinite(out.fitted).all() and np.isfinite(out.placed).all()):
            raise FmnistVizError(f"{self.name} produced non-finite coordinates; try another --seed or parameters")
        return out

    def _fit_place(self, fit: Prepared, new: np.ndarray, *, seed: int, device: str) -> Placement:
        raise NotImplementedError

    def fit_transform(self, X: np.ndarray, *, seed: int = 0, device: str = "cpu") -> np.ndarray:
        """scikit-learn style alias of :meth:`embed` for an (n, d) array."""
        return self.embed(check_features(X), seed=seed, device=device)

    def _embed(self, data: Prepared, *, seed: int, device: str) -> np.ndarray:
        raise NotImplementedError


def check_features(X: Any) -> np.ndarray:
    """``X`` as an (n, d) float32 array of finite numbers (uint8 pixels are scaled later), else a UsageError that
    says what it is instead."""
    try:
        array = np.asarray(X)
    except (TypeError, ValueError) as exc:  # ragged lists
        raise UsageError(f"must be an (n, d) array of numbers: {exc}", param="X") from None
    if array.ndim != 2 or array.dtype.kind not in "biuf" or 0 in array.shape:
        raise UsageError(f"must be an (n, d) array of numbers, one row per point (images flattened: "
                         f"X.reshape(len(X), -1)); got {type(X).__name__} of shape {array.shape} and dtype "
                         f"{array.dtype}", param="X")
    if array.dtype == np.uint8:
        return array
    array = array.astype(np.float32)
    if not np.isfinite(array).all():
        raise UsageError("holds values that are not finite (NaN or infinity)", param="X")
    return array


def check_enough_points(embedders: Sequence[Embedder], n: int, what: str = "") -> None:
    """Raise a clear :class:`UsageError` when a method needs more than ``n`` points.

    ``what`` names the data in the message ("Fashion-MNIST has only 40 points").
    """
    short = [e for e in embedders if e.min_points() > n]
    if short:
        needs = ", ".join(f"{e.name} needs at least {e.min_points()}" for e in short)
        raise UsageError(f"is too small{f' ({what})' if what else ''}: {needs} points with these "
                         f"parameters, got {n}; use a larger n or a smaller neighbour count", param="n")

