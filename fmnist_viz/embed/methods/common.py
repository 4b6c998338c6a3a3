"""What the built-in embedders share: quieting a library's warnings, and choosing TorchDR on a GPU."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any

from ..gpu import torchdr_available


@contextlib.contextmanager
def quiet_library(*modules: str) -> Iterator[None]:
    """Silence known-harmless warnings of a backend while it runs."""
    with warnings.catch_warnings():
        for module in modules:
            warnings.filterwarnings("ignore", module=module)
        yield


def uses_torchdr(backend: str, device: str) -> bool:
    """Whether a t-SNE/UMAP ``backend`` setting means TorchDR on ``device``."""
    return backend == "torchdr" or (backend == "auto" and device == "cuda")


def gpu_backend_device(backend: str, gpu_device: str) -> str:
    """The device a t-SNE/UMAP backend setting runs on: only TorchDR (chosen, or auto with CUDA) uses the GPU."""

    if backend == "torchdr" or (backend == "auto" and gpu_device == "cuda" and torchdr_available()):
        return gpu_device
    return "cpu"


def backend_key(key: dict[str, Any], backend: str) -> dict[str, Any]:
    """A cache key naming the library that really ran (scikit-learn, TorchDR) and its version."""
    from importlib import metadata

    if backend == "sklearn":
        key.update(backend="scikit-learn", version=metadata.version("scikit-learn"))
    elif backend == "torchdr":

        key.update(backend="torchdr", version=metadata.version("torchdr") if torchdr_available() else None)
    return key
