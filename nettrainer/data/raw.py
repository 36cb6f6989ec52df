"""Data as read from disk, before the split and the conversion, and the checks they must pass.

Every reader (IDX, CIFAR-10, npz, csv, the generators) returns a :class:`RawData`
whose arrays keep their stored dtype (``uint8`` pixels stay ``uint8``), so that
:func:`nettrainer.data.loader.load` converts them once, straight into the
training dtype. :func:`check` enforces what every data set must satisfy: one
integer label per row in ``[0, C)``, real and finite features, the same number
of features in every split, and the class rules of
:mod:`nettrainer.data.classes` (no class without an example unless the data set
names its classes, no val or test class that training lacks, two classes or more).
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import NamedTuple

import numpy as np

from nettrainer.data.classes import resolve_classes
from nettrainer.data.split import row_chunks
from nettrainer.errors import DataError

SPLITS = ("train", "val", "test")
REAL_KINDS = "biuf"  # numpy dtype kinds of features: bool, signed, unsigned, float


class TableColumns(NamedTuple):
    """How a text table's columns were read: its header and its label column.

    Attributes
    ----------
    header : tuple of str or None
        The column names of the header row, None when the file has none.
    label : int
        0-based index of the label column among all D + 1 columns.
    """

    header: tuple[str, ...] | None
    label: int


@dataclass
class RawData:
    """The splits of a data set as stored, with where they came from.

    Attributes
    ----------
    X_train : ndarray of shape (N_train, D)
        Features in their stored dtype (e.g. ``uint8`` pixels); may be a read-only view.
    y_train : ndarray of shape (N_train,)
        Labels in their stored integer dtype.
    class_names : tuple of str or None
        One name per class, C of them; None when the data set names none, for
        :func:`check` to number them.
    source : str
        Where the data set was found (a directory or file), for messages.
    files : dict of str to str
        The file each split (``"train"``, ``"val"``, ``"test"``) was read from, when
        it differs from ``source``.
    X_val, y_val : ndarray of shape (N_val, D) and (N_val,), or None
        A validation split stored with the data (npz only); carved from train when None.
    X_test, y_test : ndarray of shape (N_test, D) and (N_test,), or None
        The official test split, if the data set has one.
    image_shape : tuple of int or None
        Shape of one example as an image, e.g. ``(28, 28)``; None for non-images.
    row_lines : dict of str to callable
        Per split, maps a row (0-based) to its 1-based line in a text file (csv),
        for messages; splits without one are named by row.
    columns : TableColumns or None
        For a text table (csv), the training file's header and label column; None otherwise.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    class_names: tuple[str, ...] | None
    source: str
    files: dict[str, str] = field(default_factory=dict)
    X_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    X_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    image_shape: tuple[int, ...] | None = None
    row_lines: dict[str, Callable[[int], int | None]] = field(default_factory=dict)
    columns: TableColumns | None = None

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray] | None:
        """Return ``(X, y)`` of split ``"train"``, ``"val"`` or ``"test"``, or None if absent."""
        X = getattr(self, f"X_{name}")
        return None if X is None else (X, getattr(self, f"y_{name}"))

    def where(self, name: str) -> str:
        """Return the file the split ``name`` was read from, for messages."""
        return self.files.get(name, self.source)

    def position(self, name: str, row: int) -> str:
        """Say where row ``row`` (0-based) of split ``name`` is: its file line when known."""
        line = self.row_lines[name](row) if name in self.row_lines else None
        return _at_row(row) if line is None else f"at line {line}"


def check(raw: RawData) -> RawData:
    """Check every split of ``raw``; raise on the first violation.

    Parameters
    ----------
    raw : RawData
        The data set as read.

    Returns
    -------
    RawData
        ``raw`` with its class names: as stored, or numbered (see
        :mod:`nettrainer.data.classes`).

    Raises
    ------
    DataError
        If a split's rows disagree between X and y, its features differ in number
        from train's, are not real numbers or not finite, its labels are not
        integers >= 0, or they fail the class rules of :mod:`nettrainer.data.classes`.
        Negative labels are reported before the classes are counted. The message
        names the file and the counts.
    """
    num_features = raw.X_train.shape[1] if raw.X_train.ndim == 2 else None
    splits = {name: pair for name in SPLITS if (pair := raw.split(name)) is not None}
    for name, (X, y) in splits.items():
        _check_split(X, y, name, raw.where(name), num_features, partial(raw.position, name))
    labels = {
        name: (y, raw.where(name), partial(raw.position, name)) for name, (_, y) in splits.items()
    }
    names = resolve_classes(labels, raw.class_names)
    for name, (X, _) in splits.items():
        _check_finite(X, name, raw.where(name), partial(raw.position, name))
    return replace(raw, class_names=names)


def check_test_file(X: np.ndarray, y: np.ndarray, where: str) -> None:
    """Check a test split stored on its own (a ``data.test_path`` npz) as :func:`check` would.

    Parameters
    ----------
    X : ndarray of shape (N, D)
        Its features, as stored.
    y : ndarray of shape (N,)
        Its labels, as stored.
    where : str
        The file, for messages.

    Raises
    ------
    DataError
        If X and y disagree in rows, the features are not real numbers or not
        finite, or the labels are not integers >= 0. The class rules are left to
        :func:`check` with the data file, which says what the classes are.
    """
    num_features = X.shape[1] if X.ndim == 2 else None
    _check_split(X, y, "test", where, num_features, _at_row)
    _check_finite(X, "test", where, _at_row)


def _at_row(row: int) -> str:
    return f"at row {row}"


def _check_rows(X: np.ndarray, name: str, where: str) -> None:
    """Refuse a stored split without rows: a test split would score NaN, a val one pick nothing."""
    if X.shape[0] != 0:
        return
    fixes = {
        "train": "store its examples",
        "val": "store its examples, or remove X_val and y_val (data.val_size then carves a "
               "validation split from train)",
        "test": "store its examples, or leave the test split out (X_test and y_test, or the "
                "data.test_path file)",
    }
    raise DataError(f"{where}: X_{name} has no rows; {fixes[name]}")


def _check_split(
    X: np.ndarray,
    y: np.ndarray,
    name: str,
    where: str,
    num_features: int | None,
    at: Callable[[int], str],
) -> None:
    """Check one split's shapes, dtypes and signs: all but the classes and finiteness."""
    _check_shapes(X, y, name, where, num_features)
    _check_rows(X, name, where)
    _check_feature_dtype(X, name, where)
    _check_label_dtype(y, name, where)
    _check_non_negative(y, name, where, at)


def _is_integer(y: np.ndarray) -> bool:
    return np.issubdtype(y.dtype, np.integer)


def _check_shapes(
    X: np.ndarray, y: np.ndarray, name: str, where: str, num_features: int | None
) -> None:
    if X.ndim != 2 or y.ndim != 1:
        raise DataError(
            f"{where}: X_{name} has shape {X.shape} and y_{name} {y.shape}; "
            "expected (N, D) features and (N,) labels"
        )
    if X.shape[1] == 0:
        raise DataError(f"{where}: X_{name} has no feature columns; each example needs features")
    if X.shape[0] != y.shape[0]:
        raise DataError(
            f"{where}: X_{name} has {X.shape[0]} rows but y_{name} has {y.shape[0]} labels; "
            "every example needs exactly one label"
        )
    if X.shape[1] != num_features:
        raise DataError(
            f"{where}: X_{name} has {X.shape[1]} features but X_train has {num_features}; "
            "every split must have the same columns"
        )


def _check_feature_dtype(X: np.ndarray, name: str, where: str) -> None:
    if X.dtype.kind not in REAL_KINDS:
        raise DataError(
            f"{where}: X_{name} has dtype {X.dtype}; features must be real numbers (bool, "
            f"integer or float): convert X_{name} to one of those and save it again"
        )


def _check_label_dtype(y: np.ndarray, name: str, where: str) -> None:
    if not _is_integer(y):
        raise DataError(
            f"{where}: y_{name} has dtype {y.dtype}; labels must be integers in [0, C): "
            + _label_fix(y, name)
        )


def _label_fix(y: np.ndarray, name: str) -> str:
    """Say how to turn labels that are no integers into class indices."""
    as_int = f"save y_{name}.astype(int)"
    if y.dtype.kind in "US":
        digits = np.char.isdigit(y.astype(str)) if y.size else np.zeros(0, bool)
        if digits.all():
            return f"{as_int} (its labels are numbers written as text)"
        return (f"save class_names and indices: class_names, y_{name} = numpy.unique(y_{name}, "
                "return_inverse=True)")
    if y.dtype.kind == "f":
        fraction = ~np.isfinite(y) | (y != np.round(y))  # (N,)
        if fraction.any():
            row = int(np.flatnonzero(fraction)[0])
            return f"y_{name}[{row}] is {float(y[row])!r}, no class index; save integer labels"
        return f"{as_int} (its values are whole numbers)"
    return f"save y_{name} as integers"


def _check_non_negative(y: np.ndarray, name: str, where: str, at: Callable[[int], str]) -> None:
    negative = y < 0  # (N,)
    if negative.any():
        first = int(np.flatnonzero(negative)[0])
        raise DataError(
            f"{where}: {int(negative.sum())} of {y.size} y_{name} labels are negative "
            f"(first: {y[first]} {at(first)}); labels must be class indices 0, 1, 2, ..."
        )


def _check_finite(X: np.ndarray, name: str, where: str, at: Callable[[int], str]) -> None:
    if not np.issubdtype(X.dtype, np.inexact):
        return
    bad = 0
    first = None
    for rows in row_chunks(X.shape[0], X.shape[1]):
        finite = np.isfinite(X[rows]).all(axis=1)  # (rows,)
        if first is None and not finite.all():
            first = rows.start + int(np.flatnonzero(~finite)[0])
        bad += int(finite.size - finite.sum())
    if bad:
        raise DataError(
            f"{where}: {bad} of {X.shape[0]} X_{name} rows contain NaN or infinite values "
            f"(first {at(first)}); fill or drop them before training"
        )
