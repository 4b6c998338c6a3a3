"""fmnist-viz: what dimensionality reduction does to Fashion-MNIST and MNIST.

Importing the package is cheap and has no side effects; the modules import
their heavy dependencies (matplotlib, torch, ...) only when used:

- :mod:`fmnist_viz.datasets`: find, verify, decode and cache the data sets;
- :mod:`fmnist_viz.grids`: per-class sample grids;
- :mod:`fmnist_viz.cli`: the ``fmnist-viz`` command.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fmnist-viz")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
