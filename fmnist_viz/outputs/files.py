"""Files as every writer writes them: formats checked, folders made and checked, figures and arrays saved
atomically (a temporary file, then a rename: nothing half-written is left behind)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import UsageError, check_number
from ..render.style import MAX_PIXELS
from ..store.atomic import atomic_path

if TYPE_CHECKING:
    from matplotlib.figure import Figure


#: Extensions matplotlib figures can be saved as.
STATIC_FORMATS = ("png", "svg", "pdf")


#: Everything :func:`~fmnist_viz.outputs.embeddings.save_results` writes, and what it writes unless told.
RESULT_FORMATS = (*STATIC_FORMATS, "html", "npz")
DEFAULT_FORMATS = ("png", "html")
#: What :func:`~fmnist_viz.outputs.sweeps.save_sweep` writes.
SWEEP_FORMATS = ("csv", "png", "svg", "pdf", "npz", "html")
#: What :func:`~fmnist_viz.outputs.stability.save_stability` writes.
STABILITY_FORMATS = ("csv", "png", "svg", "pdf", "html", "npz")
#: What :func:`~fmnist_viz.outputs.heldout.save_heldout` writes.
HELDOUT_FORMATS = ("csv", "png", "svg", "pdf", "html", "npz")


def check_formats(formats: str | Sequence[str], valid: Sequence[str] = RESULT_FORMATS) -> list[str]:
    """Formats as a list (a comma-separated string is split), each checked against ``valid``, each once."""
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    chosen = list(dict.fromkeys(f.strip().lower() for f in items if f.strip()))
    bad = [f for f in chosen if f not in valid]
    if bad or not chosen:
        raise UsageError(f"must name formats among {', '.join(valid)}; got {', '.join(bad) or repr(formats)}",
                         param="formats")
    return chosen


def check_output_path(path: str | os.PathLike[str], formats: tuple[str, ...] = STATIC_FORMATS) -> Path:
    """Validate an output file name: known extension, writable folder. Returns it as a Path."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{str(path)!r} is a folder; give a file name ending in "
                         + " or ".join(f".{f}" for f in formats), param="output")
    ext = path.suffix.lower().lstrip(".")
    if ext not in formats:
        raise UsageError(
            f"{str(path)!r}: cannot tell the format from the extension; use one of: "
            + ", ".join(f".{f}" for f in formats), param="output")
    try:
        check_writable_dir(path.parent)
    except UsageError as exc:  # the folder is the file's: the error names the file's option, not --out
        raise UsageError(exc.detail, param="output") from exc
    return path


def check_writable_dir(folder: str | os.PathLike[str]) -> Path:
    """Create ``folder`` if needed and make sure files can be written there; an empty name is refused (it is no
    folder: ``.`` names the current one)."""
    if not str(folder).strip():
        raise UsageError(f"must name a folder, got {str(folder)!r}; give . for the current folder", param="out")
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{str(folder)!r} cannot be created: {exc.strerror}", param="out") from exc
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{str(folder)!r} is not writable; choose another folder", param="out")
    return folder


#: Fonts embedded as TrueType (Type 42) in PDF and PostScript: many journals reject Type 3.
FONT_RC = {"pdf.fonttype": 42, "ps.fonttype": 42}


def save_figure(fig: Figure, path: str | os.PathLike[str], dpi: float | None = None) -> Path:
    """Save a matplotlib figure atomically; the format follows the extension.

    ``dpi`` (default: the figure's own) sets the PNG's resolution and that of
    the rasterized points inside SVG and PDF.
    """
    import matplotlib

    path = check_output_path(path)
    fmt = path.suffix.lower().lstrip(".")
    dpi = float(check_number(dpi, "dpi", low=10, high=1200)) if dpi is not None else fig.get_dpi()
    width, height = fig.get_size_inches() * dpi
    if max(width, height) > MAX_PIXELS:
        raise UsageError(f"{dpi:g} makes the figure {width:.0f} x {height:.0f} pixels; the most is {MAX_PIXELS} "
                         "on a side: lower the dpi or draw a smaller figure", param="dpi")
    with atomic_path(path, suffix=path.suffix) as tmp, matplotlib.rc_context(FONT_RC):
        fig.savefig(tmp, format=fmt, dpi=dpi,
                    bbox_inches="tight", pad_inches=0.05)  # never clip a label or title
    return path


def save_npz(path: str | os.PathLike[str], **arrays: np.ndarray) -> Path:
    """Write arrays to an ``.npz`` file atomically (no pickles inside)."""
    path = Path(path)
    check_writable_dir(path.parent)
    with atomic_path(path, suffix=".npz") as tmp:
        np.savez(tmp, **arrays)
    return path


def save_figures(fig: Figure, paths: Sequence[Path]) -> list[Path]:
    """Save a drawn figure as each of ``paths``, then close it (pyplot keeps every figure it made until closed)."""
    import matplotlib.pyplot as plt

    try:
        return [save_figure(fig, path) for path in paths]
    finally:
        plt.close(fig)
