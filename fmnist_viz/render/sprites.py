"""The images a page shows on hover and in its selection pane: PNG sprite sheets.

The images of the drawn points, in drawing order, travel inside the page as
4-bit grey PNG sheets (10,000 images each, base64): all 70,000 Fashion-MNIST
images take about 12 MiB that way, MNIST about 7 MiB. Sheets are cached by the
images' digest (by the writers, :mod:`fmnist_viz.outputs.explorer`), so every page of
the same points reuses them.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..digest import short_digest

#: Bump when the sheets are drawn differently, so cached ones are made again.
SPRITE_VERSION = 1
SHEET_COLUMNS = 100
SHEET_SIZE = 10_000


def sprite_sheets(images: np.ndarray, per_sheet: int = SHEET_SIZE, columns: int = SHEET_COLUMNS) -> list[str]:
    """Base64 PNG sheets of (n, h, w) uint8 images, 16 grey levels, dark on white, row-major."""
    from PIL import Image

    n, h, w = images.shape
    palette = []
    for level in range(16):
        grey = 255 - level * 17
        palette += [grey, grey, grey]
    sheets = []
    for start in range(0, n, per_sheet):
        chunk = images[start : start + per_sheet] >> 4
        rows = -(-len(chunk) // columns)
        canvas = np.zeros((rows * columns, h, w), dtype=np.uint8)
        canvas[: len(chunk)] = chunk
        tiled = canvas.reshape(rows, columns, h, w).transpose(0, 2, 1, 3).reshape(rows * h, columns * w)
        picture = Image.fromarray(tiled, mode="P")
        picture.putpalette(palette)
        buffer = io.BytesIO()
        picture.save(buffer, format="PNG", bits=4, compress_level=6)
        sheets.append(base64.b64encode(buffer.getvalue()).decode("ascii"))
    return sheets


def hover_images(images: Mapping[str, np.ndarray], rows: Mapping[str, np.ndarray], *,
                 sheets: Callable[[np.ndarray], list[str]] | None = None) -> dict[str, dict[str, Any]]:
    """What a page carries for its hover images: sprite sheets of the drawn points, in drawing order.

    ``images`` maps each data set to its (n, h, w) images, indexed by row;
    ``rows`` are the rows each data set's panels draw (:func:`drawn_rows`).
    Build it once and hand it to :func:`fmnist_viz.outputs.explorer.write_page` for every page that draws
    the same rows. ``sheets`` makes the sprite sheets of an (n, h, w) stack
    (default :func:`sprite_sheets`; writers pass one that keeps them in the cache).
    """

    payload = {}
    for name, drawn in rows.items():
        pictures = images[name]
        payload[name] = {"sheets": (sheets or sprite_sheets)(pictures[drawn]), "per_sheet": SHEET_SIZE,
                         "columns": SHEET_COLUMNS, "h": int(pictures.shape[1]), "w": int(pictures.shape[2]),
                         "rows": short_digest(np.ascontiguousarray(drawn, dtype=np.int32))}
    return payload
