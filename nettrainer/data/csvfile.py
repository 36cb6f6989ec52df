"""Data sets in comma-separated text: one example per row, the label in one column.

The label column is an index (negative counts from the end, ``-1`` by default)
or, when the file has a header row, a column name. Labels are whole numbers
(class indices) or text (class names, such as ``setosa``: the classes are the
training file's names in sorted order). Whether the first row is a header is
:mod:`~nettrainer.data.csvheader`'s business; cells are parsed straight into the
training dtype by :mod:`~nettrainer.data.csvparse`. Errors name the place as a
1-based line of the file, as a text editor shows it.
"""

import re
from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import NamedTuple

import numpy as np

from nettrainer.data.csvheader import (
    column_index,
    first_row,
    test_file_header,
    train_file_header,
)
from nettrainer.data.csvlabels import TextLabelError, encode_labels
from nettrainer.data.csvlines import at_line, line_of
from nettrainer.data.csvparse import features, label_texts, parse
from nettrainer.data.raw import RawData, TableColumns
from nettrainer.errors import DataError

MAX_LABEL = 2.0**31  # a label this large is no class index (and would overflow int64 casts)


def read_csv(
    path: Path,
    test_path: Path | None,
    label_column: int | str,
    header: bool | None,
    dtype: np.dtype,
) -> RawData:
    """Read a training file and an optional test file of comma-separated values.

    Parameters
    ----------
    path : Path
        Training examples, one per row.
    test_path : Path or None
        Test examples in the same columns, or None.
    label_column : int or str
        Index of the label column (negative allowed) or its header name.
    header : bool or None
        Whether the training file's first row is a header; None detects it. The
        test file's is detected by the training file's header: see
        :func:`~nettrainer.data.csvheader.test_file_header`.
    dtype : numpy.dtype
        The training dtype, used for parsing so that no wider copy is made.

    Returns
    -------
    RawData
        Features of shape (N, D) in ``dtype`` (a view when the label is the first
        or last column) and int64 labels. Text labels give the class names
        (sorted), which the test file's labels must be among; with numeric
        labels there are none (``check`` numbers the classes).

    Raises
    ------
    DataError
        If a file is missing or empty, a feature is not a number, rows differ
        in length, the label column does not exist, a numeric label is not a
        whole number, the test file's header is not the training file's, or the
        test file's labels are not the training file's kind or classes.
    """
    train = read_table(path, label_column, header, dtype)
    test = None
    files = {"train": str(path)}
    row_lines = {"train": partial(line_of, path, skip=train.skip)}
    if test_path is not None:
        names = train.class_names or ()  # () fixes the test file's labels to numbers
        test = read_table(test_path, label_column, None, dtype, names, train.header)
        files["test"] = str(test_path)
        row_lines["test"] = partial(line_of, test_path, skip=test.skip)
    return RawData(
        X_train=train.X,
        y_train=train.y,
        X_test=None if test is None else test.X,
        y_test=None if test is None else test.y,
        class_names=train.class_names,
        source=str(path),
        files=files,
        row_lines=row_lines,
        columns=TableColumns(train.header, train.label_index),
    )


class CsvTable(NamedTuple):
    """One csv file, parsed.

    Attributes
    ----------
    X : ndarray of shape (N, D)
        Features in the training dtype.
    y : ndarray of shape (N,), int64
        Labels: class indices.
    class_names : tuple of str or None
        The class names text labels gave, sorted; None for numeric labels.
    header : tuple of str or None
        The column names of the first row when it is a header (given or
        detected), else None.
    label_index : int
        0-based index of the label column among the D + 1 columns.
    skip : int
        The lines before the data rows: those through the header's line, or 0
        without a header (empty and comment lines are skipped anyway).
    """

    X: np.ndarray
    y: np.ndarray
    class_names: tuple[str, ...] | None
    header: tuple[str, ...] | None
    label_index: int
    skip: int


def read_table(
    path: Path,
    label_column: int | str,
    header: bool | None,
    dtype: np.dtype,
    class_names: tuple[str, ...] | None = None,
    train_header: tuple[str, ...] | None = None,
) -> CsvTable:
    """Read one csv file into features (N, D) of ``dtype``, int64 labels (N,) and class names.

    Parameters
    ----------
    path : Path
        The file.
    label_column : int or str
        Index of the label column (negative allowed) or its header name.
    header : bool or None
        Whether the first row is a header; None detects it.
    dtype : numpy.dtype
        Dtype the cells are parsed into.
    class_names : tuple of str or None
        None for a training file (``data.path``), whose labels may be numbers or
        text; for a test file (``data.test_path``), the training file's class names
        (``()`` when its labels were numbers), which fix the label kind and classes.
    train_header : tuple of str or None
        For a test file, the training file's header (None when it has none), by
        which its own is detected.

    Returns
    -------
    CsvTable
        Its class names are the sorted text labels of a training file, the
        ``class_names`` given for a test file, or None for numeric labels.

    Raises
    ------
    DataError
        As for :func:`read_csv`.
    """
    first = first_row(path, "data.path" if class_names is None else "data.test_path")
    if header is None and class_names is not None:
        is_header = test_file_header(path, first, label_column, train_header)
    else:
        is_header = train_file_header(path, first, label_column, header)
    names = tuple(first.fields) if is_header else None
    skip = first.line if is_header else 0
    column = column_index(label_column, first.fields, names or train_header, header, path)
    if not class_names:
        with suppress(TextLabelError):  # a label is not a number: read them all as text
            table = parse(path, skip, header, dtype, column)  # (N, D + 1)
            try:
                X, y = _numeric_labels(table, column, label_column, path, skip)
            except DataError as error:
                if header is None and names is None and class_names is None:
                    raise first_row_hint(error, first.line) from None
                raise
            return CsvTable(X, y, None, names, column, skip)
    labels, classes = encode_labels(label_texts(path, skip, column), class_names, path, skip)
    X = features(path, skip, column, len(first.fields), header, dtype)  # (N, D)
    return CsvTable(X, labels, classes, names, column, skip)


def _numeric_labels(
    table: np.ndarray, column: int, label_column: int | str, path: Path, skip: int
) -> tuple[np.ndarray, np.ndarray]:
    """Split a parsed (N, D + 1) table into features (N, D) and whole-number labels (N,)."""
    labels = table[:, column]  # (N,)
    with np.errstate(invalid="ignore"):
        fractional = ~(labels == np.round(labels)) | (np.abs(labels) >= MAX_LABEL)  # nan, inf too
    if fractional.any():
        row = int(np.flatnonzero(fractional)[0])
        where = at_line(line_of(path, row, skip))
        count = int(fractional.sum())
        raise DataError(
            f"{path}: label column {label_column!r} holds {count} value"
            f"{' that is' if count == 1 else 's that are'} no class index (first: "
            f"{labels[row]}{where}); set data.label_column to the column of class indices or names"
        )
    if column in (0, table.shape[1] - 1):
        X = table[:, 1:] if column == 0 else table[:, :-1]  # (N, D) view
    else:
        X = np.delete(table, column, axis=1)  # (N, D) copy
    return X, labels.astype(np.int64)


def first_row_hint(error: DataError, first_line: int) -> DataError:
    """Add to ``error`` that the csv's first row may be a header, when the error is about it.

    A header of numbers (``0,1,2,label`` or ``5,6,7``) cannot be told from data,
    so it is read as a row, and its last number becomes a label: a class with
    one example, classes without any, or a label that is no class index.
    ``first_line`` is the 1-based line of the training file's first row.
    """
    if not re.search(rf"\bat line {first_line}\b", str(error)):
        return error
    return DataError(f"{error}; or, if line {first_line} is a header (of numbers, which cannot "
                     "be told from data), set data.header: true")


def label_column_hint(error: DataError, columns: TableColumns) -> DataError:
    """Add to a labels ``error`` that the csv's label column may be the wrong one.

    Integers in a feature column read as labels give classes without examples
    or out of range; the message names the column the labels came from.
    """
    if "label" not in str(error):
        return error
    name = f" ({columns.header[columns.label]!r})" if columns.header else ""
    return DataError(f"{error}; or, if column {columns.label}{name} holds no labels, set "
                     "data.label_column to the column that does")
