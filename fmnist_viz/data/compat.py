"""The loading contracts people already know: Keras's ``load_data`` and Zalando's ``load_mnist``.

Code written against either works with fmnist-viz's verified, cached loader
(``load_data``) or reads any MNIST-like pair of IDX files (``load_mnist``).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..errors import DataNotFoundError, UsageError
from .idx import read_idx
from .loader import load
from .locations import Location
from .specs import FileSpec
from .verify import validate_pair


def load_data(name: str = "fashion", path: str | os.PathLike[str] | None = None
              ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Keras's ``load_data()`` contract: ``((X_train, y_train), (X_test, y_test))``.

    Images are (n, 28, 28) uint8, labels (n,) uint8; ``path`` is a data folder
    searched first.
    """
    train = load(name, "train", data_dir=path)
    test = load(name, "test", data_dir=path)
    return (train.images, train.y), (test.images, test.y)


def load_mnist(path: str | os.PathLike[str], kind: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Zalando's ``utils/mnist_reader.load_mnist`` contract: ``(X, y)`` from a folder.

    Reads ``{kind}-images-idx3-ubyte[.gz]`` and ``{kind}-labels-idx1-ubyte[.gz]``
    from ``path`` (``kind`` is ``"train"`` or ``"t10k"``); X is (n, 784) uint8.
    No checksum is checked, so it reads any MNIST-like pair of files.
    """
    if kind not in ("train", "t10k"):
        raise UsageError(f"must be train or t10k, got {kind!r}", param="kind")
    folder = Location(Path(path), "--data-dir")
    specs = [FileSpec(f"{kind}-images-idx3-ubyte"), FileSpec(f"{kind}-labels-idx1-ubyte")]
    missing = folder.missing(specs)
    if missing:
        raise DataNotFoundError(f"{path}: missing {', '.join(missing)} (.gz or not)")
    files = [folder.find(s) for s in specs]
    images, labels = (read_idx(f) for f in files)  # type: ignore[arg-type]
    validate_pair(images, labels, 256, (str(files[0]), str(files[1])))
    return images.reshape(len(images), -1), labels
