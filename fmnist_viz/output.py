"""Writing figures to files: the format follows the extension, writes are atomic.

Checked before any work starts (:func:`check_output_path`), so a typo in a file
name fails in milliseconds, not after a long embedding.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .atomic import atomic_path
from .errors import UsageError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Extensions matplotlib figures can be saved as.
STATIC_FORMATS = ("png", "svg", "pdf")


def check_output_path(path: str | os.PathLike[str], formats: tuple[str, ...] = STATIC_FORMATS) -> Path:
    """Validate an output file name: known extension, writable folder. Returns it as a Path."""
    path = Path(path)
    ext = path.suffix.lower().lstrip(".")
    if ext not in formats:
        raise UsageError(
            f"cannot tell the format of {str(path)!r} from its extension; use one of: "
            + ", ".join(f".{f}" for f in formats)
        )
    check_writable_dir(path.parent)
    return path


def check_writable_dir(folder: str | os.PathLike[str]) -> Path:
    """Create ``folder`` if needed and make sure files can be written there."""
    folder = Path(folder) if str(folder) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create output folder {str(folder)!r}: {exc.strerror}") from exc
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"output folder {str(folder)!r} is not writable; choose another with -o/--out")
    return folder


def save_figure(fig: Figure, path: str | os.PathLike[str], dpi: float | None = None) -> Path:
    """Save a matplotlib figure atomically; the format follows the extension."""
    path = check_output_path(path)
    fmt = path.suffix.lower().lstrip(".")
    with atomic_path(path, suffix=path.suffix) as tmp:
        fig.savefig(tmp, format=fmt, dpi=dpi if dpi is not None else "figure",
                    bbox_inches="tight", pad_inches=0.05)  # never clip a label or title
    return path


def embedding_filename(method: str, datasets: Sequence[str], ext: str) -> str:
    """Predictable output names: ``umap_fashion.npz``, ``umap_fashion-vs-mnist.png``."""
    return f"{method}_{'-vs-'.join(datasets)}.{ext}"


def save_npz(path: str | os.PathLike[str], **arrays: np.ndarray) -> Path:
    """Write arrays to an ``.npz`` file atomically (no pickles inside)."""
    path = Path(path)
    check_writable_dir(path.parent)
    with atomic_path(path, suffix=".npz") as tmp:
        np.savez(tmp, **arrays)
    return path


def save_result_npz(result, folder: str | os.PathLike[str]) -> Path:
    """Write one :class:`~fmnist_viz.pipeline.EmbeddingResult` as ``METHOD_DATASET.npz``.

    Holds ``embedding`` (n, 2) float32, ``labels``, ``index`` (rows of
    ``load(dataset, split="all")``), ``class_names``, ``method``, ``params``
    (JSON) and ``seed``.
    """
    import json

    return save_npz(
        Path(folder) / embedding_filename(result.method, [result.dataset], "npz"),
        embedding=result.embedding, labels=result.labels, index=result.index,
        class_names=np.array(result.class_names), method=np.array(result.method),
        params=np.array(json.dumps(result.params)), seed=np.array(result.seed),
    )
