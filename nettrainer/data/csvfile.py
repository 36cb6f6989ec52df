"""Data sets in comma-separated text: one example per row, the label in one column.

The label column is an index (negative counts from the end, ``-1`` by default)
or, when the file has a header row, a column name. Labels are whole numbers
(class indices) or text (class names, such as ``setosa``: the classes are the
training file's names in sorted order). Whether the first row is a header is
detected unless the config says: it is when a feature field is not a number, or
when only its label is text and that text is no label of any other row. Cells
are parsed straight into the training dtype by ``numpy.loadtxt``. Errors name
the place as a 1-based line of the file, as a text editor shows it.
"""

import warnings
from functools import partial
from pathlib import Path
from typing import NamedTuple

import numpy as np

from nettrainer.data.csvlabels import TextLabelError, encode_labels
from nettrainer.data.csvlines import COMMENT, CONVERT_ERROR, at_line, line_of, parse_error
from nettrainer.data.npz import is_zip
from nettrainer.data.raw import RawData
from nettrainer.errors import DataError

DELIMITER = ","
NPZ_AS_CSV = {  # what to do about an npz file given as csv, per key naming it
    "data.path": "for an npz data set, set data.name: npz",
    "data.test_path": "data.test_path of csv data must be a csv file too, like data.path",
}


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
        Whether the first row is a header; None detects it.
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
        whole number, or the test file's labels are not the training file's kind
        or classes.
    """
    train = read_table(path, label_column, header, dtype)
    test = None
    files = {"train": str(path)}
    row_lines = {"train": partial(line_of, path, skip=train.has_header)}
    if test_path is not None:
        test = read_table(test_path, label_column, header, dtype, train.class_names or ())
        files["test"] = str(test_path)
        row_lines["test"] = partial(line_of, test_path, skip=test.has_header)
    return RawData(
        X_train=train.X,
        y_train=train.y,
        X_test=None if test is None else test.X,
        y_test=None if test is None else test.y,
        class_names=train.class_names,
        source=str(path),
        files=files,
        row_lines=row_lines,
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
    has_header : bool
        Whether the first line was a header (given or detected), for line numbers.
    """

    X: np.ndarray
    y: np.ndarray
    class_names: tuple[str, ...] | None
    has_header: bool


def read_table(
    path: Path,
    label_column: int | str,
    header: bool | None,
    dtype: np.dtype,
    class_names: tuple[str, ...] | None = None,
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
    fields = _first_row(path, "data.path" if class_names is None else "data.test_path")
    skip = _skips_first_row(path, fields, label_column, header, class_names)
    column = _column_index(label_column, fields, skip, path)
    if not class_names:
        try:
            table = _parse(path, skip, header, dtype, column)  # (N, D + 1)
        except TextLabelError as text_label:
            if class_names is not None:
                raise DataError(
                    f"{path}: the label {text_label.text!r}{at_line(text_label.line)} is text, but "
                    "the training file's labels are numbers; use one kind of label in both files"
                ) from None
        else:
            return CsvTable(*_numeric_labels(table, column, label_column, path, skip), None, skip)
    labels, names = encode_labels(_label_texts(path, skip, column), class_names, path, skip)
    return CsvTable(_features(path, skip, column, len(fields), header, dtype), labels, names, skip)


def _numeric_labels(
    table: np.ndarray, column: int, label_column: int | str, path: Path, skip: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Split a parsed (N, D + 1) table into features (N, D) and whole-number labels (N,)."""
    labels = table[:, column]  # (N,)
    fractional = labels != np.round(labels)
    if fractional.any():
        row = int(np.flatnonzero(fractional)[0])
        where = at_line(line_of(path, row, skip))
        raise DataError(
            f"{path}: label column {label_column!r} holds {int(fractional.sum())} non-integer "
            f"values (first: {labels[row]}{where}); set data.label_column "
            "to the column of class indices or names"
        )
    if column in (0, table.shape[1] - 1):
        features = table[:, 1:] if column == 0 else table[:, :-1]  # (N, D) view
    else:
        features = np.delete(table, column, axis=1)  # (N, D) copy
    return features, labels.astype(np.int64)


def _first_row(path: Path, key: str) -> list[str]:
    if is_zip(path):
        raise DataError(f"{path}: an npz (zip) file, not comma-separated text; {NPZ_AS_CSV[key]}")
    try:
        with open(path, encoding="utf-8") as file:
            line = file.readline()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise DataError(f"{path}: cannot read the csv file ({reason}); check {key}") from None
    if not line.strip():
        raise DataError(f"{path}: the csv file is empty; it needs one example per row")
    return [field.strip().strip('"') for field in line.split(DELIMITER)]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _column_index(label_column: int | str, fields: list[str], header: bool, path: Path) -> int:
    if isinstance(label_column, str):
        if not header or label_column not in fields:
            names = ", ".join(fields[:8]) + (", ..." if len(fields) > 8 else "")
            have = f"its header has {names}" if header else "it has no header row"
            raise DataError(
                f"{path}: no column named {label_column!r} ({have}); "
                "set data.label_column to a column name or index"
            )
        return fields.index(label_column)
    if not -len(fields) <= label_column < len(fields):
        raise DataError(
            f"{path}: data.label_column = {label_column} but the file has {len(fields)} "
            f"columns; use an index in [{-len(fields)}, {len(fields) - 1}]"
        )
    return label_column % len(fields)


def _parse(
    path: Path,
    skip: bool,
    header: bool | None,
    dtype: np.dtype,
    label_column: int,
    usecols: list[int] | None = None,
) -> np.ndarray:
    """Parse the file's cells (all columns, or ``usecols``) into an (N, columns) table.

    Raises
    ------
    TextLabelError
        When the first cell that is not a number is in ``label_column``.
    DataError
        When it is elsewhere, rows differ in length or there are no rows.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "input contained no data"
            table = np.loadtxt(
                path, delimiter=DELIMITER, comments=COMMENT, skiprows=int(skip), dtype=dtype,
                ndmin=2, usecols=usecols,
            )
    except ValueError as exc:
        convert = CONVERT_ERROR.match(str(exc))
        if convert and int(convert.group(3)) == label_column + 1:
            text = convert.group(1).split("'")[1]
            raise TextLabelError(text, line_of(path, int(convert.group(2)), skip)) from None
        raise parse_error(path, str(exc), skip, header) from None
    if table.shape[0] == 0:
        raise DataError(f"{path}: no data rows after the header; it needs one example per row")
    return table


def _features(
    path: Path, skip: bool, column: int, width: int, header: bool | None, dtype: np.dtype
) -> np.ndarray:
    """Parse every column of ``width`` but the (text) label column into features (N, D)."""
    return _parse(path, skip, header, dtype, -1, [i for i in range(width) if i != column])


def _label_texts(path: Path, skip: bool, column: int) -> np.ndarray:
    """Return the label column as text, spaces and double quotes stripped: shape (N,).

    The whole file is read as text, so that a row of another length is an
    error here, as it is for numeric labels.
    """
    table = _parse(path, skip, None, np.dtype(str), -1)  # (N, D + 1)
    return np.char.strip(np.char.strip(table[:, column]), '"')


def _skips_first_row(
    path: Path,
    fields: list[str],
    label_column: int | str,
    header: bool | None,
    class_names: tuple[str, ...] | None = None,
) -> bool:
    """Whether the first row is a header: as ``header`` says, else detected.

    It is when a field is not a number, except when that field is only the label
    (a text label, given by index) and the same text labels another row too, or
    is one of the ``class_names`` of a test file's training file.
    """
    if header is not None:
        return header
    texts = [i for i, field in enumerate(fields) if not _is_number(field)]
    if isinstance(label_column, str) or not texts or not -len(fields) <= label_column < len(fields):
        return bool(texts)
    column = label_column % len(fields)
    if texts != [column]:
        return True
    label = fields[column]
    return label not in (class_names or _label_texts(path, True, column))
