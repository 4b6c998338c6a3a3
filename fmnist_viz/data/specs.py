"""Data sets described as data: files, checksums, mirrors, class names, citation.

A :class:`DatasetSpec` says everything the loader needs to know about one
MNIST-like data set; :func:`register_dataset` makes another one loadable by
name, with no code of its own (in the spirit of scikit-learn's
``RemoteFileMetadata`` and torchvision's ``resources`` lists).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError

#: The two splits every data set has, and the names :func:`splits` accepts.
SPLITS = ("train", "test")
ALL_SPLITS = ("train", "test", "all")


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
    #: Bytes of the decompressed file, when known: downloads stop past it (see ``download.max_bytes``).
    size: int | None = None

    def __post_init__(self) -> None:
        check_plain_name(self.filename, "filename")
        if self.size is not None and (not isinstance(self.size, int) or self.size < 1):
            raise UsageError(f"must be a positive number of bytes, got {self.size!r}", param="size")


@dataclass(frozen=True)
class DatasetSpec:
    """Everything fmnist-viz needs to know about one MNIST-like data set.

    ``files`` maps each split to its (images, labels) files. ``subdirs`` are
    the folder names it may sit in below a data folder; ``search_roots`` are
    well-known folders on users' machines (folder, label for reports),
    searched with ``subdirs``; ``npz_files`` are Keras-style ``.npz`` archives
    (``x_train``, ``y_train``, ``x_test``, ``y_test``).
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

    def __post_init__(self) -> None:
        check_plain_name(self.name, "name")  # it names the data set's cache folder
        for sub in self.subdirs:
            if Path(sub).is_absolute() or any(part in ("", ".", "..") for part in sub.replace("\\", "/").split("/")):
                raise UsageError(f"must be relative folders below a data folder, without '..'; got {sub!r}",
                                 param="subdirs")

    def files_for(self, split: str) -> list[FileSpec]:
        """The files ``split`` needs, in (train images, train labels, test ...) order."""
        return [f for s in splits(split) for f in self.files[s]]


def check_plain_name(name: str, param: str) -> str:
    """``name`` if it is a plain file name (no folder part, not ``.`` or ``..``), else a UsageError.

    Names from a spec become paths in the cache; a name like
    ``../../outside/evil`` must never write outside it.
    """
    if (not isinstance(name, str) or name in ("", ".", "..") or any(c in name for c in "/\\\0")
            or Path(name).is_absolute() or name != name.strip()):
        raise UsageError(f"must be a plain file name (no folders, no '..'), got {name!r}", param=param)
    return name


def splits(split: str) -> tuple[str, ...]:
    """The splits that ``split`` ("train", "test" or "all") is made of."""
    if split == "all":
        return SPLITS
    if split in SPLITS:
        return (split,)
    raise UsageError(f"must be one of {', '.join(ALL_SPLITS)}, got {split!r}", param="split")


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
                     "f4a8712d7a061bf5bd6d2ca38dc4d50a", "8d4fb7e6c68d591d4c3dfef9ec88bf0d", size=47040016),
            FileSpec("train-labels-idx1-ubyte",
                     "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
                     "9018921c3c673c538a1fc5bad174d6f9", "25c81989df183df01b3e8a0aad5dffbe", size=60008),
        ),
        "test": (
            FileSpec("t10k-images-idx3-ubyte",
                     "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
                     "8181f5470baa50b63fa0f6fddb340f0a", "bef4ecab320f06d8554ea6380940ec79", size=7840016),
            FileSpec("t10k-labels-idx1-ubyte",
                     "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
                     "15d484375f8d13e6eb1aabb0c3f46965", "bb300cfdad3c16e7a12a480ee83cd310", size=10008),
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
                     "6bbc9ace898e44ae57da46a324031adb", "f68b3c2dcbeaaa9fbdd348bbdeb94873", size=47040016),
            FileSpec("train-labels-idx1-ubyte",
                     "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
                     "a25bea736e30d166cdddb491f175f624", "d53e105ee54ea40749a09fcbcd1e9432", size=60008),
        ),
        "test": (
            FileSpec("t10k-images-idx3-ubyte",
                     "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
                     "2646ac647ad5339dbf082846283269ea", "9fb629c4189551a2d022fa330f9573f3", size=7840016),
            FileSpec("t10k-labels-idx1-ubyte",
                     "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
                     "27ae3e4e09519cfbb04c329615203637", "ec29112dd5afa0611ce80d1b7f02629c", size=10008),
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
    shown = repr(str(name)[:60]) + (f"... ({len(str(name)):,} characters)" if len(str(name)) > 60 else "")
    raise UsageError(f"{shown} is not a known data set; valid data sets: {valid}", param="dataset")
