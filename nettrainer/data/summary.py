"""``info(name_or_path)``: where a data set is, its splits' shapes, dtype and class counts."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import NamedTuple

import numpy as np

from nettrainer.data.cifar import cifar_format, find_cifar_dir
from nettrainer.data.idx import SPLIT_FILES, identify, is_idx_dir, read_idx_dir
from nettrainer.data.loader import DATASET_NAMES, read_raw
from nettrainer.data.locations import is_archive, unpack_hint
from nettrainer.data.npz import holds_only_test_split, read_test_npz
from nettrainer.data.raw import SPLITS, RawData, TableColumns, check, check_test_file
from nettrainer.errors import DataError

FORMATS = {"npz": "npz", "csv": "csv", "spiral": "generated", "blobs": "generated"}
SUFFIXES = {".npz": "npz", ".csv": "csv"}
IDX_NAME = re.compile(r"-idx\d-ubyte(\.gz)?$")  # an MNIST-family file: t10k-labels-idx1-ubyte


@dataclass(frozen=True)
class SplitInfo:
    """One split as stored.

    Attributes
    ----------
    shape : tuple of int
        Shape of its features, (N, D).
    dtype : str
        Dtype of its stored features (``uint8`` for image files).
    class_counts : tuple of int
        Number of examples of each class, C of them.
    """

    shape: tuple[int, ...]
    dtype: str
    class_counts: tuple[int, ...]


@dataclass(frozen=True)
class DataInfo:
    """What ``nettrainer data info`` reports about a data set.

    Attributes
    ----------
    name : str
        The data set (``"fashion-mnist"``, ...) or format (``"npz"``, ``"idx"``) name.
    format : str
        ``"idx"``, ``"cifar10 binary"``, ``"cifar10 python"``, ``"npz"``, ``"csv"``
        or ``"generated"``.
    location : str
        Where it was found.
    class_names : tuple of str
        One name per class; for a test split stored alone (the npz that
        ``data.test_path`` takes), the labels it holds, since only the data file
        says what the classes are.
    image_shape : tuple of int or None
        Shape of one example as an image, None for non-images.
    splits : dict of str to SplitInfo
        The stored splits: ``"train"``, and ``"val"``/``"test"`` when present;
        ``"test"`` alone for a ``data.test_path`` npz.
    columns : TableColumns or None
        For a csv file, its header (given or detected) and label column; None otherwise.
    """

    name: str
    format: str
    location: str
    class_names: tuple[str, ...]
    image_shape: tuple[int, ...] | None
    splits: dict[str, SplitInfo]
    columns: TableColumns | None = None


@dataclass(frozen=True)
class _Spec:
    """The fields of a config's ``data`` section that reading (not splitting) needs."""

    name: str
    path: str | None = None
    test_path: str | None = None
    label_column: int | str = -1
    header: bool | None = None
    points_per_class: int = 100
    num_classes: int = 3


class CsvOptions(NamedTuple):
    """How to read a csv file: ``data.label_column`` and ``data.header``, as in a config."""

    label_column: int | str = -1
    header: bool | None = None


DEFAULT_CSV = CsvOptions()  # the last column holds the labels; a header is detected


def info(
    name_or_path: str, path: str | None = None, *, csv_options: CsvOptions = DEFAULT_CSV
) -> DataInfo:
    """Describe a data set given by name (looked for as ``load`` would) or by path.

    Parameters
    ----------
    name_or_path : str
        One of :data:`~nettrainer.data.loader.DATASET_NAMES`, or a file (``.npz``,
        ``.csv``) or folder (IDX files, CIFAR-10 batches). A folder of IDX files is
        named by :func:`~nettrainer.data.idx.identify` (the pinned checksums of
        Fashion-MNIST and MNIST), else reported as ``"idx"`` with numbered classes.
        An npz holding only ``X_test`` and ``y_test`` is described as a test split.
    path : str, optional
        With a name: where to look, like ``data.path`` (required for npz and csv).
    csv_options : CsvOptions
        The label column and header of a csv file; other formats refuse them.

    Returns
    -------
    DataInfo
        Location, format, class names and each stored split's shape, dtype and class counts.

    Raises
    ------
    DataError
        If the data set cannot be found, read, or fails the checks every data set passes.
    """
    if name_or_path in DATASET_NAMES:
        _check_csv_options(name_or_path, csv_options)
        if _is_test_file(name_or_path, path):
            return _describe_test_file(Path(path))
        raw = _reader(name_or_path, path, csv_options)()
        return _describe(name_or_path, _format(name_or_path, raw), raw)
    if path is not None:
        raise DataError(
            f"--path is for data set names; {name_or_path!r} is not one of "
            f"{', '.join(DATASET_NAMES)} (to describe a file, pass only the file)"
        )
    name, fmt, read = _guess(Path(name_or_path), csv_options)
    _check_csv_options(name, csv_options)
    if _is_test_file(name, name_or_path):
        return _describe_test_file(Path(name_or_path))
    return _describe(name, fmt, read())


def _check_csv_options(name: str, csv_options: CsvOptions) -> None:
    if name != "csv" and csv_options != DEFAULT_CSV:
        raise DataError(f"--label-column and --header are for csv files; {name} data has neither")


def _is_test_file(name: str, path: str | None) -> bool:
    """Whether npz file ``path`` holds only a test split, for ``data.test_path``."""
    return name == "npz" and path is not None and holds_only_test_split(Path(path))


def _describe_test_file(path: Path) -> DataInfo:
    X, y, image_shape = read_test_npz(path)
    check_test_file(X, y, str(path))
    labels, counts = np.unique(y, return_counts=True)  # (K,), (K,): no bincount of a huge label
    split = SplitInfo(X.shape, str(X.dtype), tuple(int(c) for c in counts))
    classes = tuple(str(label) for label in labels)
    return DataInfo("npz", "npz", str(path), classes, image_shape, {"test": split})


def _guess(target: Path, csv_options: CsvOptions) -> tuple[str, str, Callable[[], RawData]]:
    """Name the data set at ``target``, its format, and how to read and check it."""
    if target.is_dir() and (folder := find_cifar_dir(target)) is not None:
        return "cifar10", f"cifar10 {cifar_format(folder)}", _reader("cifar10", target)
    if target.is_dir() and is_idx_dir(target):
        family = identify(target)
        if family is None:
            return "idx", "idx", lambda: check(read_idx_dir(target, None, "idx"))
        return family, "idx", _reader(family, target)
    if target.is_file() and target.suffix.lower() in SUFFIXES:
        fmt = SUFFIXES[target.suffix.lower()]
        return fmt, fmt, _reader(fmt, target, csv_options)
    if target.is_file() and (IDX_NAME.search(target.name) or is_archive(target)):
        what = "an archive" if is_archive(target) else "one IDX file"
        raise DataError(f"{target}: {what}, not a data set; {unpack_hint(target, 'pass')}")
    if target.is_dir() and any(IDX_NAME.search(path.name) for path in target.iterdir()):
        raise DataError(
            f"{target}: IDX files without {SPLIT_FILES['train'][0]}[.gz]; an IDX folder holds "
            "the train-* and t10k-* images and labels"
        )
    what = "is not" if target.exists() else "no such file or folder, and not"
    raise DataError(
        f"{target}: {what} a data set name ({', '.join(DATASET_NAMES)}), a .npz or .csv file, "
        "or a folder of IDX files or CIFAR-10 batches"
    )



def _reader(
    name: str, path: Path | str | None, csv_options: CsvOptions = DEFAULT_CSV
) -> Callable[[], RawData]:
    spec = _Spec(name=name, path=None if path is None else str(path),
                 label_column=csv_options.label_column, header=csv_options.header)
    return partial(read_raw, spec, seed=0, dtype=np.dtype(np.float64))


def _format(name: str, raw: RawData) -> str:
    if name == "cifar10":
        return f"cifar10 {cifar_format(Path(raw.source))}"
    return FORMATS.get(name, "idx")


def _describe(name: str, fmt: str, raw: RawData) -> DataInfo:
    num_classes = len(raw.class_names)
    splits = {}
    for split in SPLITS:
        pair = raw.split(split)
        if pair is not None:
            X, y = pair
            counts = np.bincount(y, minlength=num_classes)  # (C,)
            splits[split] = SplitInfo(X.shape, str(X.dtype), tuple(int(c) for c in counts))
    return DataInfo(name, fmt, raw.source, raw.class_names, raw.image_shape, splits, raw.columns)
