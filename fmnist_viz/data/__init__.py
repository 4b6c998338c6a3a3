"""The data layer: find, verify, download, decode and cache MNIST-like data sets.

- :mod:`.specs`: data sets described as data (:class:`DatasetSpec`), the registry;
- :mod:`.locations`: where files are looked for, and what each place holds;
- :mod:`.verify`: checksums and image/label consistency;
- :mod:`.idx`: the IDX file format;
- :mod:`.download`: mirrors, retries, the checksum gate;
- :mod:`.loader`: :func:`load`, the entry point, :func:`load_all`, and :class:`Dataset`;
- :mod:`.compat`: the Keras (:func:`load_data`) and Zalando (:func:`load_mnist`) contracts.
"""

from __future__ import annotations

from .compat import load_data, load_mnist
from .download import fetch
from .loader import Dataset, load, load_all
from .locations import Location, LocationStatus, locations, survey
from .specs import ALL_SPLITS, DATASETS, FASHION_MNIST, MNIST, SPLITS, DatasetSpec, FileSpec, get_spec, register_dataset
from .verify import FileCheck, verify

__all__ = [
    "ALL_SPLITS", "DATASETS", "FASHION_MNIST", "MNIST", "SPLITS", "Dataset", "DatasetSpec", "FileCheck",
    "FileSpec", "Location", "LocationStatus", "fetch", "get_spec", "load", "load_all", "load_data", "load_mnist",
    "locations", "register_dataset", "survey", "verify",
]
