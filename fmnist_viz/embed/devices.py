"""Where GPU-capable methods run: the ``--device`` choices and how ``auto`` decides."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

from ..errors import UsageError
from . import Embedder

log = logging.getLogger(__name__)

#: What ``device`` may be: ``auto`` uses a CUDA GPU when PyTorch sees one.
DEVICES = ("auto", "cpu", "cuda")


def resolve_device(requested: str, embedders: Sequence[Embedder]) -> str:
    """The device for GPU-capable embedders: ``cuda`` when asked for or (``auto``) available."""
    if requested not in DEVICES:
        raise UsageError(f"must be one of {', '.join(DEVICES)}, got {requested!r}", param="device")
    if requested == "cpu" or (requested == "auto" and not any(e.supports_gpu for e in embedders)):
        return "cpu"
    if requested == "auto" and _surely_no_nvidia_gpu():
        return "cpu"  # without importing torch, which takes seconds
    import torch

    if torch.cuda.is_available():
        gpu = torch.cuda.get_device_name(0)
        users = ", ".join(e.name for e in embedders if e.supports_gpu) or "no method requested"
        log.info("using CUDA GPU %s for %s", gpu, users)
        return "cuda"
    if requested == "cuda":
        raise UsageError("is cuda, but PyTorch sees no CUDA GPU; use auto or cpu", param="device")
    return "cpu"


def _surely_no_nvidia_gpu() -> bool:
    """True on Linux when no NVIDIA driver is loaded (so CUDA cannot be available)."""
    return sys.platform.startswith("linux") and not (
        os.path.exists("/proc/driver/nvidia/version") or os.path.exists("/dev/nvidiactl"))
