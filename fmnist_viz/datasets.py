"""The shared data set loader: Fashion-MNIST, MNIST and any MNIST-like set.

Data sets are described as data (:class:`DatasetSpec`: files, checksums,
mirrors, class names, citation); one generic loader finds, verifies, decodes and
caches them. :func:`load` is the entry point; :func:`load_data` and
:func:`load_mnist` give the Keras and Zalando ``mnist_reader`` contracts.

Where the files are looked for, in order (``fmnist-viz data info`` shows it):

1. the explicit ``data_dir`` (``--data-dir``);
2. the folders in ``$FMNIST_VIZ_DATA``;
3. fmnist-viz's own cache (:func:`fmnist_viz.paths.cache_dir`), where downloads go;
4. where the data already lives on users' machines: Debian's
   ``/usr/share/datasets``, Keras's ``~/.keras/datasets`` (folders and
   ``mnist.npz``), torchvision's ``ROOT/FashionMNIST/raw`` under ``./data``
   and ``~/data``.

In each folder, files may sit in a per-data-set subfolder (``DIR/fashion/``) or
directly in it, gzipped or not. Every file is checked against its published
checksum before use. A decoded copy is kept as memory-mapped ``.npy`` in the
cache, keyed by the source files' path, size and modification time, so a second
load costs milliseconds.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .atomic import atomic_path
from .errors import DataIntegrityError, DataNotFoundError, DownloadError, IDXFormatError, UsageError
from .idx import GZIP_MAGIC, idx_header, parse_idx, read_bytes, read_idx, read_shape
from .paths import DATA_ENV, cache_dir, env_data_dirs

log = logging.getLogger(__name__)

SPLITS = ("train", "test")
ALL_SPLITS = ("train", "test", "all")
#: Bump when the decoded-cache layout changes, so old entries are ignored.
_DECODED_FORMAT = 1


@dataclass(frozen=True)
class FileSpec:
    """One upstream file: its (decompressed) name and the checksums that identify it.

    ``sha256``/``md5`` are of the decompressed IDX bytes, ``gz_md5`` of the
    upstream ``.gz``. A file is accepted if its ``.gz`` MD5 or its decompressed
    SHA-256 matches. With no checksums at all the file is used unverified.
    """

    filename: str
    sha256: str | None = None
    md5: str | None = None
    gz_md5: str | None = None


@dataclass(frozen=True)
class DatasetSpec:
    """Everything fmnist-viz needs to know about one MNIST-like data set.

    ``files`` maps each split to its (images, labels) files. ``subdirs`` are
    the folder names it may sit in below a data folder; ``search_roots`` are
    well-known folders on users' machines (folder, label for reports), searched with ``subdirs``;
    ``npz_files`` are Keras-style ``.npz`` archives (``x_train``, ``y_train``,
    ``x_test``, ``y_test``).
    """

    name: str
    title: str
    class_names: tuple[str, ...]
    files: Mapping[str, tuple[FileSpec, FileSpec]]
    mirrors: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    subdirs: tuple[str, ...] = ()
    search_roots: tuple[tuple[str, str], ...] = ()
    npz_files: tuple[str, ...] = ()
    citation: str = ""
    license: str = ""
    homepage: str = ""

    def files_for(self, split: str) -> list[FileSpec]:
        """The files ``split`` needs, in (train images, train labels, test ...) order."""
        return [f for s in _splits(split) for f in self.files[s]]


#: Common roots where other tools keep these data sets, with a label for reports:
#: Debian's dataset-* packages, Keras's cache, and the usual torchvision roots.
USER_ROOTS = (
    ("/usr/share/datasets", "debian"),
    ("~/.keras/datasets", "keras"),
    ("./data", "./data"),
    ("~/data", "~/data"),
)

FASHION_MNIST = DatasetSpec(
    name="fashion",
    title="Fashion-MNIST",
    aliases=("fashion-mnist", "fashion_mnist", "fmnist"),
    class_names=(
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ),
    files={
        "train": (
            FileSpec("train-images-idx3-ubyte",
                     "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
                     "f4a8712d7a061bf5bd6d2ca38dc4d50a", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
            FileSpec("train-labels-idx1-ubyte",
                     "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
                     "9018921c3c673c538a1fc5bad174d6f9", "25c81989df183df01b3e8a0aad5dffbe"),
        ),
        "test": (
            FileSpec("t10k-images-idx3-ubyte",
                     "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
                     "8181f5470baa50b63fa0f6fddb340f0a", "bef4ecab320f06d8554ea6380940ec79"),
            FileSpec("t10k-labels-idx1-ubyte",
                     "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
                     "15d484375f8d13e6eb1aabb0c3f46965", "bb300cfdad3c16e7a12a480ee83cd310"),
        ),
    },
    mirrors=(
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/",
    ),
    subdirs=("fashion", "fashion-mnist", "fashion_mnist", "FashionMNIST/raw"),
    search_roots=USER_ROOTS,
    citation=(
        "Han Xiao, Kashif Rasul, Roland Vollgraf. Fashion-MNIST: a Novel Image Dataset "
        "for Benchmarking Machine Learning Algorithms. arXiv:1708.07747, 2017."
    ),
    license="MIT (Zalando SE)",
    homepage="https://github.com/zalandoresearch/fashion-mnist",
)

MNIST = DatasetSpec(
    name="mnist",
    title="MNIST",
    class_names=tuple(str(d) for d in range(10)),
    files={
        "train": (
            FileSpec("train-images-idx3-ubyte",
                     "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
                     "6bbc9ace898e44ae57da46a324031adb", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
            FileSpec("train-labels-idx1-ubyte",
                     "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
                     "a25bea736e30d166cdddb491f175f624", "d53e105ee54ea40749a09fcbcd1e9432"),
        ),
        "test": (
            FileSpec("t10k-images-idx3-ubyte",
                     "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
                     "2646ac647ad5339dbf082846283269ea", "9fb629c4189551a2d022fa330f9573f3"),
            FileSpec("t10k-labels-idx1-ubyte",
                     "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
                     "27ae3e4e09519cfbb04c329615203637", "ec29112dd5afa0611ce80d1b7f02629c"),
        ),
    },
    mirrors=(
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ),
    subdirs=("mnist", "MNIST/raw"),
    search_roots=USER_ROOTS,
    npz_files=("~/.keras/datasets/mnist.npz",),
    citation=(
        "Yann LeCun, Corinna Cortes, Christopher J.C. Burges. The MNIST database of "
        "handwritten digits. 1998. See also: Y. LeCun, L. Bottou, Y. Bengio, P. Haffner. "
        "Gradient-based learning applied to document recognition. Proc. IEEE 86(11), 1998."
    ),
    license="see http://yann.lecun.com/exdb/mnist/",
    homepage="http://yann.lecun.com/exdb/mnist/",
)

#: Registered data sets by canonical name.
DATASETS: dict[str, DatasetSpec] = {}


def register_dataset(spec: DatasetSpec) -> DatasetSpec:
    """Make ``spec`` loadable by its name and aliases; returns it."""
    DATASETS[spec.name] = spec
    return spec


register_dataset(FASHION_MNIST)
register_dataset(MNIST)


def get_spec(name: str | DatasetSpec) -> DatasetSpec:
    """The :class:`DatasetSpec` for ``name`` or one of its aliases (case-insensitive)."""
    if isinstance(name, DatasetSpec):
        return name
    key = str(name).strip().lower()
    for spec in DATASETS.values():
        if key == spec.name or key in spec.aliases:
            return spec
    valid = ", ".join(f"{s.name} ({s.title})" for s in DATASETS.values())
    raise UsageError(f"unknown dataset {name!r}; valid datasets: {valid}")


def _splits(split: str) -> tuple[str, ...]:
    if split == "all":
        return SPLITS
    if split in SPLITS:
        return (split,)
    raise UsageError(f"unknown split {split!r}; valid splits: {', '.join(ALL_SPLITS)}")


# --------------------------------------------------------------------------- locations

@dataclass(frozen=True)
class Location:
    """A place the files may be: a folder of IDX files, or a Keras ``.npz``."""

    path: Path
    origin: str  # "--data-dir", "$FMNIST_VIZ_DATA", "cache", or a USER_ROOTS label

    @property
    def is_npz(self) -> bool:
        return self.path.suffix == ".npz"

    def find(self, spec: FileSpec) -> Path | None:
        """The file holding ``spec`` here (``.gz`` or not), or None."""
        if self.is_npz:
            return self.path if self.path.is_file() else None
        for name in (spec.filename + ".gz", spec.filename):
            candidate = self.path / name
            if candidate.is_file():
                return candidate
        return None

    def missing(self, specs: Iterable[FileSpec]) -> list[str]:
        """Names of the files in ``specs`` that are not here."""
        return [s.filename for s in specs if self.find(s) is None]


def dataset_cache_dir(spec: DatasetSpec) -> Path:
    """Where downloads of ``spec`` go."""
    return cache_dir() / spec.name


def _expand(base: Path, spec: DatasetSpec, bare: bool) -> list[Path]:
    paths = [base / sub for sub in spec.subdirs]
    return [*paths, base] if bare else paths


def locations(spec: DatasetSpec, data_dir: str | os.PathLike[str] | None = None) -> list[Location]:
    """Every place :func:`load` looks for ``spec``, in search order."""
    found: list[Location] = []
    if data_dir is not None:
        found += [Location(p, "--data-dir") for p in _expand(Path(data_dir).expanduser(), spec, True)]
    for env_dir in env_data_dirs():
        found += [Location(p, f"${DATA_ENV}") for p in _expand(env_dir, spec, True)]
    found.append(Location(dataset_cache_dir(spec), "cache"))
    for root, label in spec.search_roots:
        found += [Location(p, label) for p in _expand(Path(root).expanduser(), spec, False)]
    found += [Location(Path(p).expanduser(), "keras") for p in spec.npz_files]
    unique: dict[Path, Location] = {}
    for loc in found:
        path = loc.path.absolute()
        unique.setdefault(path, Location(path, loc.origin))
    return list(unique.values())


# --------------------------------------------------------------------------- verification

_NPZ_KEYS = {"train": ("x_train", "y_train"), "test": ("x_test", "y_test")}


def _hexdigest(algorithm: str, *chunks: bytes | memoryview) -> str:
    h = hashlib.new(algorithm)
    for chunk in chunks:
        h.update(chunk)
    return h.hexdigest()


def check_idx_file(path: Path, spec: FileSpec, source: str | None = None) -> bytes:
    """Return the decompressed bytes of ``path`` if they are the file ``spec`` describes.

    Raises :class:`DataIntegrityError` naming the file (``source``, default the
    path) and what is wrong: corrupt gzip, not IDX, truncated, or a checksum
    mismatch.
    """
    source = source or str(path)
    raw = path.read_bytes()
    if raw.startswith(GZIP_MAGIC) and spec.gz_md5 and _hexdigest("md5", raw) == spec.gz_md5:
        return read_bytes(path, source)
    data = read_bytes(path, source)
    if spec.sha256 is None and spec.md5 is None:
        return data
    if spec.sha256 is not None and _hexdigest("sha256", data) == spec.sha256:
        return data
    if spec.sha256 is None and _hexdigest("md5", data) == spec.md5:
        return data
    parse_idx(data, source=source)  # a specific IDX error explains more than a checksum
    raise DataIntegrityError(
        f"{source}: checksum mismatch for {spec.filename} "
        "(the file is corrupt, modified, or from another data set)"
    )


def _check_array(array: np.ndarray, spec: FileSpec, source: str) -> None:
    """Check an array from an ``.npz`` against the IDX file it should equal."""
    if spec.sha256 is None:
        return
    header = idx_header(array.dtype, array.shape)
    body = memoryview(np.ascontiguousarray(array)).cast("B")
    if _hexdigest("sha256", header, body) != spec.sha256:
        raise DataIntegrityError(
            f"{source}: the {spec.filename} array does not match the published checksum"
        )


def _read_file(location: Location, split: str, role: int, spec: FileSpec) -> np.ndarray:
    """Read and verify one file's array from ``location``."""
    path = location.find(spec)
    if path is None:
        raise DataNotFoundError(f"{location.path}: {spec.filename} is missing")
    if location.is_npz:
        key = _NPZ_KEYS[split][role]
        try:
            with np.load(path) as npz:
                array = npz[key]
        except (OSError, ValueError, KeyError) as exc:
            raise DataIntegrityError(f"{path}: cannot read {key!r} ({exc})") from exc
        _check_array(array, spec, f"{path}[{key}]")
        return array
    return parse_idx(check_idx_file(path, spec), source=str(path))


def _validate_pair(images: np.ndarray, labels: np.ndarray, n_classes: int, names: tuple[str, str]) -> None:
    """Check that an images/labels pair belongs together; errors name the files."""
    if images.ndim != 3:
        raise IDXFormatError(f"{names[0]}: expected a 3-D image array (n, rows, cols), got shape {images.shape}")
    if labels.ndim != 1:
        raise IDXFormatError(f"{names[1]}: expected a 1-D label array, got shape {labels.shape}")
    if len(images) != len(labels):
        raise IDXFormatError(
            f"{names[0]} holds {len(images)} images but {names[1]} holds {len(labels)} labels"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise IDXFormatError(
            f"{names[1]}: label {int(labels.max())} out of range 0..{n_classes - 1}"
        )


# --------------------------------------------------------------------------- decoding + cache

def _source_key(location: Location, specs: list[FileSpec]) -> str:
    """A key that changes whenever a source file is replaced or modified."""
    stats = []
    for spec in specs:
        path = location.find(spec)
        st = path.stat()  # type: ignore[union-attr]
        stats.append([str(path.resolve()), st.st_size, st.st_mtime_ns])  # type: ignore[union-attr]
    blob = json.dumps([_DECODED_FORMAT, stats]).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def _decoded_paths(spec: DatasetSpec, split: str, key: str) -> tuple[Path, Path]:
    stem = cache_dir() / "decoded" / f"{spec.name}-{split}-{key}"
    return stem.with_name(stem.name + "-X.npy"), stem.with_name(stem.name + "-y.npy")


def _load_decoded(spec: DatasetSpec, split: str, key: str) -> tuple[np.ndarray, np.ndarray] | None:
    x_path, y_path = _decoded_paths(spec, split, key)
    if not (x_path.is_file() and y_path.is_file()):
        return None
    try:
        return np.load(x_path, mmap_mode="r"), np.load(y_path, mmap_mode="r")
    except (OSError, ValueError) as exc:
        log.warning("discarding corrupt decoded cache %s (%s)", x_path, exc)
        for p in (x_path, y_path):
            p.unlink(missing_ok=True)
        return None


def _save_decoded(spec: DatasetSpec, split: str, key: str, X: np.ndarray, y: np.ndarray) -> None:
    x_path, y_path = _decoded_paths(spec, split, key)
    try:
        for stale in x_path.parent.glob(f"{spec.name}-{split}-*.npy"):
            if stale not in (x_path, y_path):
                stale.unlink(missing_ok=True)
        for path, array in ((y_path, y), (x_path, X)):
            with atomic_path(path, suffix=".npy") as tmp:
                np.save(tmp, array)
    except OSError as exc:  # a read-only cache only costs speed
        log.debug("cannot write decoded cache %s: %s", x_path, exc)


def _decode_split(spec: DatasetSpec, location: Location, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Read, verify and validate the images (n, rows, cols) and labels (n,) of ``split``."""
    pairs = []
    for s in _splits(split):
        files = spec.files[s]
        images = _read_file(location, s, 0, files[0])
        labels = _read_file(location, s, 1, files[1])
        names = (str(location.find(files[0])), str(location.find(files[1])))
        _validate_pair(images, labels, len(spec.class_names), names)
        pairs.append((images, labels))
    if len({p[0].shape[1:] for p in pairs}) > 1:
        raise IDXFormatError(f"{location.path}: train and test images differ in size")
    images = np.concatenate([p[0] for p in pairs]).astype(np.uint8, copy=False)
    labels = np.concatenate([p[1] for p in pairs]).astype(np.uint8, copy=False)
    return images, labels


def _read_split(spec: DatasetSpec, location: Location, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Like :func:`_decode_split`, through the memory-mapped decoded cache."""
    key = _source_key(location, spec.files_for(split))
    cached = _load_decoded(spec, split, key)
    if cached is not None:
        return cached
    images, labels = _decode_split(spec, location, split)
    _save_decoded(spec, split, key, images, labels)
    return images, labels


@dataclass(frozen=True, eq=False)
class Dataset:
    """A loaded data set: flattened images ``X`` (n, 784) uint8 and labels ``y``.

    The arrays are read-only (they may be memory-mapped from the cache); take
    ``.copy()`` to modify them. ``images`` is an (n, 28, 28) view of ``X``.
    """

    name: str
    title: str
    split: str
    X: np.ndarray
    y: np.ndarray
    class_names: tuple[str, ...]
    location: Path
    files: tuple[Path, ...]
    image_shape: tuple[int, ...] = (28, 28)
    split_sizes: dict[str, int] = field(default_factory=dict)
    spec: DatasetSpec | None = field(default=None, repr=False)

    @property
    def is_train(self) -> np.ndarray:
        """A boolean mask of the rows from the training split."""
        mask = np.zeros(len(self), dtype=bool)
        if self.split in ("train", "all"):
            mask[: self.split_sizes.get("train", len(self) if self.split == "train" else 0)] = True
        return mask

    def fingerprint(self) -> str:
        """A short digest identifying the data: the published checksums, else the bytes."""
        if self.spec is not None and all(f.sha256 for f in self.spec.files_for(self.split)):
            blob = json.dumps([self.split, [f.sha256 for f in self.spec.files_for(self.split)]]).encode()
        else:
            blob = self.X.tobytes() + self.y.tobytes()
        return hashlib.sha256(blob).hexdigest()[:32]

    @property
    def images(self) -> np.ndarray:
        """The images as (n, rows, cols), sharing ``X``'s memory."""
        return self.X.reshape((len(self.X), *self.image_shape))

    def __len__(self) -> int:
        return len(self.y)

    def __repr__(self) -> str:
        return (
            f"Dataset(name={self.name!r}, split={self.split!r}, X={self.X.shape} "
            f"{self.X.dtype}, classes={len(self.class_names)}, location='{self.location}')"
        )


def _readonly(array: np.ndarray) -> np.ndarray:
    array = np.asarray(array)
    array.flags.writeable = False
    return array


def _count(location: Location, split: str, spec: FileSpec) -> int:
    """How many items a labels file holds, from its header alone."""
    path = location.find(spec)
    if location.is_npz:
        with np.load(path) as npz:  # type: ignore[arg-type]
            return len(npz[_NPZ_KEYS[split][1]])
    return read_shape(path)[0]  # type: ignore[arg-type]


def _try_location(spec: DatasetSpec, location: Location, split: str) -> Dataset:
    images, y = _read_split(spec, location, split)
    splits = _splits(split)
    sizes = {s: _count(location, s, spec.files[s][1]) for s in splits[:-1]}
    sizes[splits[-1]] = len(y) - sum(sizes.values())
    return Dataset(
        name=spec.name, title=spec.title, split=split,
        X=_readonly(images.reshape(len(images), -1)), y=_readonly(y),
        class_names=spec.class_names, location=location.path,
        files=tuple(location.find(f) for f in spec.files_for(split)),  # type: ignore[misc]
        image_shape=tuple(images.shape[1:]), split_sizes=sizes, spec=spec,
    )


def _not_found_message(spec: DatasetSpec, split: str, tried: list[tuple[Location, str]], extra: str = "") -> str:
    lines = [f"{spec.title} ({split} split) was not found. Looked in:"]
    lines += [f"  {loc.origin:<18} {loc.path}: {why}" for loc, why in tried]
    if extra:
        lines.append(extra)
    lines += [
        "To fix it, do one of:",
        f"  - point fmnist-viz at a folder holding the files: --data-dir DIR, or {DATA_ENV}=DIR",
        "  - run `fmnist-viz data fetch` on a machine with internet access",
    ]
    if spec.name == "fashion":
        lines.append("  - apt-get install dataset-fashion-mnist (Debian/Ubuntu)")
    if any(why.startswith("unusable") for _, why in tried):
        lines.append("  - replace the unusable files above (`fmnist-viz data verify` checks every file)")
    return "\n".join(lines)


def load(
    name: str,
    split: str = "all",
    data_dir: str | os.PathLike[str] | None = None,
    download: bool = True,
    *,
    progress: bool | None = None,
) -> Dataset:
    """Load a data set as a flattened image matrix, searching, verifying and caching.

    ``split`` is ``"train"`` (60,000 images), ``"test"`` (10,000) or ``"all"``
    (train then test, 70,000). When no verified copy is found and ``download``
    is true, the files are downloaded into the cache; otherwise, or when that
    fails, :class:`DataNotFoundError` says where it looked and how to fix it.
    """
    start = time.perf_counter()
    spec = get_spec(name)
    needed = spec.files_for(split)
    tried: list[tuple[Location, str]] = []
    for location in locations(spec, data_dir):
        missing = location.missing(needed)
        if missing:
            empty = len(location.missing(spec.files_for("all"))) == len(spec.files_for("all"))
            tried.append((location, "absent" if empty else f"missing {', '.join(missing)}"))
            continue
        try:
            dataset = _try_location(spec, location, split)
        except DataIntegrityError as exc:
            tried.append((location, f"unusable: {exc}"))
            if location.origin == "cache":
                log.warning("corrupt file in the cache, removing it to fetch it again: %s", exc)
                _remove_corrupt(spec, location, split)
            else:
                log.warning("skipping %s: %s", location.path, exc)
            continue
        log.info("loaded %s, %s split (%d images) from %s in %.3f s", spec.title, split, len(dataset),
                 location.path, time.perf_counter() - start)
        return dataset
    if not download:
        raise DataNotFoundError(_not_found_message(spec, split, tried, "Downloading is off."))
    try:
        fetch(spec, split, progress=progress)
    except DownloadError as exc:
        raise DataNotFoundError(_not_found_message(spec, split, tried, f"Downloading failed: {exc}")) from exc
    return _try_location(spec, Location(dataset_cache_dir(spec), "cache"), split)


def _remove_corrupt(spec: DatasetSpec, location: Location, split: str) -> None:
    """Delete the cache files of ``split`` that fail verification."""
    for s in _splits(split):
        for role, file_spec in enumerate(spec.files[s]):
            try:
                _read_file(location, s, role, file_spec)
            except DataIntegrityError:
                path = location.find(file_spec)
                if path is not None:
                    path.unlink(missing_ok=True)


def fetch(name: str | DatasetSpec, split: str = "all", *, progress: bool | None = None) -> Path:
    """Download the files of ``split`` missing from the cache; returns the cache folder.

    Each file is checked (``.gz`` MD5 or decompressed SHA-256) before it is
    renamed into place, and mirrors are tried in order.
    """
    from .download import download as download_file

    spec = get_spec(name)
    folder = dataset_cache_dir(spec)
    if not spec.mirrors:
        raise DownloadError(f"{spec.title} has no download mirrors")
    for file_spec in spec.files_for(split):
        if Location(folder, "cache").find(file_spec) is not None:
            continue
        target = folder / f"{file_spec.filename}.gz"
        download_file(
            [m + target.name for m in spec.mirrors], target,
            check=functools.partial(check_idx_file, spec=file_spec, source="downloaded file"),
            progress=progress,
        )
    return folder


# --------------------------------------------------------------------------- other contracts

def load_data(name: str = "fashion", path: str | os.PathLike[str] | None = None):
    """Keras's ``load_data()`` contract: ``((X_train, y_train), (X_test, y_test))``.

    Images are (n, 28, 28) uint8, labels (n,) uint8; ``path`` is a data folder.
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
        raise UsageError(f"unknown kind {kind!r}; valid kinds: train, t10k")
    folder = Location(Path(path), "--data-dir")
    specs = [FileSpec(f"{kind}-images-idx3-ubyte"), FileSpec(f"{kind}-labels-idx1-ubyte")]
    missing = folder.missing(specs)
    if missing:
        raise DataNotFoundError(f"{path}: missing {', '.join(missing)} (.gz or not)")
    files = [folder.find(s) for s in specs]
    images, labels = (read_idx(f) for f in files)  # type: ignore[arg-type]
    _validate_pair(images, labels, 256, (str(files[0]), str(files[1])))
    return images.reshape(len(images), -1), labels


# --------------------------------------------------------------------------- reports

@dataclass(frozen=True)
class LocationStatus:
    """What one search location holds for a data set (no checksums computed)."""

    location: Location
    present: tuple[Path, ...]
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


def survey(name: str | DatasetSpec, data_dir: str | os.PathLike[str] | None = None,
           split: str = "all") -> list[LocationStatus]:
    """Every search location of a data set and which of ``split``'s files it holds."""
    spec = get_spec(name)
    needed = spec.files_for(split)
    report = []
    for location in locations(spec, data_dir):
        found = [location.find(f) for f in needed]
        report.append(LocationStatus(
            location,
            present=tuple(dict.fromkeys(p for p in found if p is not None)),
            missing=tuple(f.filename for f, p in zip(needed, found) if p is None),
        ))
    return report


@dataclass(frozen=True)
class FileCheck:
    """The result of checking one file of a data set."""

    dataset: str
    filename: str
    path: Path | None
    ok: bool
    message: str


def verify(name: str | DatasetSpec, data_dir: str | os.PathLike[str] | None = None) -> list[FileCheck]:
    """Check every file of a data set in every location that holds any of them.

    Files are checked against their checksums and parsed; a location holding
    only some files reports the others as missing. When no location holds any
    file, one failed check says so.
    """
    spec = get_spec(name)
    checks: list[FileCheck] = []
    for status in survey(spec, data_dir):
        if not status.present:
            continue
        for split in SPLITS:
            for role, file_spec in enumerate(spec.files[split]):
                path = status.location.find(file_spec)
                if path is None:
                    checks.append(FileCheck(spec.name, file_spec.filename, None, False,
                                            f"missing from {status.location.path}"))
                    continue
                try:
                    array = _read_file(status.location, split, role, file_spec)
                except DataIntegrityError as exc:
                    checks.append(FileCheck(spec.name, file_spec.filename, path, False, str(exc)))
                else:
                    what = "checksum ok" if file_spec.sha256 else "no checksum known"
                    checks.append(FileCheck(spec.name, file_spec.filename, path, True,
                                            f"{what}, shape {array.shape}"))
    if not checks:
        checks.append(FileCheck(spec.name, "*", None, False,
                                "not found anywhere (see `fmnist-viz data info`)"))
    return checks
