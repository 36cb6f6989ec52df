"""Data sets in comma-separated text: one example per row, the label in one column.

The label column is an index (negative counts from the end, ``-1`` by default)
or, when the file has a header row, a column name. Whether the first row is a
header is detected (it is when not every field is a number) unless the config
says. Cells are parsed straight into the training dtype by ``numpy.loadtxt``.
Errors name the place as a 1-based line of the file, as a text editor shows it.
"""

import re
import warnings
from functools import partial
from pathlib import Path

import numpy as np

from nettrainer.data.raw import RawData
from nettrainer.errors import DataError

DELIMITER = ","
COMMENT = "#"  # numpy.loadtxt's default: the rest of a line after it is ignored
# numpy.loadtxt's errors; their rows count data rows only, from 0 and from 1 respectively.
CONVERT_ERROR = re.compile(
    r"(could not convert string .* to \S+) at row (\d+), column (\d+)\.$", re.DOTALL
)
RAGGED_ERROR = re.compile(r"(the number of columns changed from \d+ to \d+) at row (\d+);")


def read_csv(
    path: Path,
    test_path: Path | None,
    label_column: int | str,
    header: bool | None,
    dtype: np.dtype,
) -> RawData:
    """Read a training file and an optional test file of comma-separated numbers.

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
        or last column), int64 labels, no class names (``check`` numbers them).

    Raises
    ------
    DataError
        If a file is missing or empty, a cell is not a number, rows differ in
        length, the label column does not exist, or a label is not a whole number.
    """
    X_train, y_train = read_table(path, label_column, header, dtype)
    X_test, y_test = (None, None)
    files = {"train": str(path)}
    row_lines = {"train": partial(_line_of_row, path, header)}
    if test_path is not None:
        X_test, y_test = read_table(test_path, label_column, header, dtype)
        files["test"] = str(test_path)
        row_lines["test"] = partial(_line_of_row, test_path, header)
    return RawData(
        X_train=X_train,
        y_train=y_train,
        X_test=X_test,
        y_test=y_test,
        class_names=None,
        source=str(path),
        files=files,
        row_lines=row_lines,
    )


def read_table(
    path: Path, label_column: int | str, header: bool | None, dtype: np.dtype
) -> tuple[np.ndarray, np.ndarray]:
    """Read one csv file into features (N, D) of ``dtype`` and int64 labels (N,).

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

    Returns
    -------
    X : ndarray of shape (N, D)
    y : ndarray of shape (N,), int64

    Raises
    ------
    DataError
        As for :func:`read_csv`.
    """
    fields = _first_row(path)
    skip = _skips_first_row(fields, header)
    column = _column_index(label_column, fields, skip, path)
    table = _parse(path, skip, header, dtype)  # (N, D + 1)
    labels = table[:, column]  # (N,)
    fractional = labels != np.round(labels)
    if fractional.any():
        row = int(np.flatnonzero(fractional)[0])
        raise DataError(
            f"{path}: label column {label_column!r} holds {int(fractional.sum())} non-integer "
            f"values (first: {labels[row]}{_at(_line_of(path, row, skip))}); set data.label_column "
            "to the column of class indices"
        )
    if column in (0, table.shape[1] - 1):
        features = table[:, 1:] if column == 0 else table[:, :-1]  # (N, D) view
    else:
        features = np.delete(table, column, axis=1)  # (N, D) copy
    return features, labels.astype(np.int64)


def _first_row(path: Path) -> list[str]:
    try:
        with open(path, encoding="utf-8") as file:
            line = file.readline()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise DataError(f"{path}: cannot read the csv file ({reason}); check data.path") from None
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


def _parse(path: Path, skip: bool, header: bool | None, dtype: np.dtype) -> np.ndarray:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "input contained no data"
            table = np.loadtxt(
                path, delimiter=DELIMITER, comments=COMMENT, skiprows=int(skip), dtype=dtype,
                ndmin=2,
            )
    except ValueError as exc:
        raise _parse_error(path, str(exc), skip, header) from None
    if table.shape[0] == 0:
        raise DataError(f"{path}: no data rows after the header; it needs one example per row")
    return table


def _parse_error(path: Path, message: str, skip: bool, header: bool | None) -> DataError:
    """Turn a ``numpy.loadtxt`` error into one naming the line of the file, with a fitting fix.

    Parameters
    ----------
    path : Path
        The file being parsed.
    message : str
        The ``ValueError`` message of ``numpy.loadtxt``.
    skip : bool
        Whether the first line was skipped as a header.
    header : bool or None
        The ``data.header`` setting; None when the header was detected.

    Returns
    -------
    DataError
        The error to raise.
    """
    convert = CONVERT_ERROR.match(message)
    if convert:
        text, row, column = convert.groups()
        line = _line_of(path, int(row), skip)
        place = f"line {line}, column {column}" if line else f"column {column}"
        return DataError(f"{path}: {text} at {place}; {_convert_hint(line, header)}")
    ragged = RAGGED_ERROR.match(message)
    if ragged:
        reason = ragged.group(1) + _at(_line_of(path, int(ragged.group(2)) - 1, skip))
    else:
        reason = message.split(";")[0].rstrip(".")
    return DataError(
        f"{path}: {reason}; every line must have the same number of comma-separated numbers"
    )


def _convert_hint(line: int | None, header: bool | None) -> str:
    if line == 1 and header is False:
        return (
            "data.header is false, so line 1 is read as data; set data.header to true, "
            "or leave it unset to detect a header"
        )
    return (
        "every value must be a number, and only the first line may hold column names: it is "
        "a header when data.header is true, or when data.header is unset and one of its "
        "fields is not a number"
    )


def _skips_first_row(fields: list[str], header: bool | None) -> bool:
    """Whether the first row is a header: as ``header`` says, else when a field is not a number."""
    return header if header is not None else not all(_is_number(field) for field in fields)


def _line_of_row(path: Path, header: bool | None, row: int) -> int | None:
    """Return the 1-based line of data row ``row`` (0-based) of ``path``; for messages."""
    return _line_of(path, row, _skips_first_row(_first_row(path), header))


def _line_of(path: Path, row: int, skip: bool) -> int | None:
    """Return the 1-based line of the file holding data row ``row`` (0-based).

    Rows are counted as ``numpy.loadtxt`` counts them: after the header line when
    ``skip``, leaving out empty lines and lines that start with :data:`COMMENT`.
    Lines end where a text editor ends them (LF, CRLF or CR). None when the file
    has fewer rows.
    """
    rows = -1
    with open(path, encoding="latin-1") as file:  # every byte decodes; line ends are ASCII
        for number, line in enumerate(file, start=1):
            if number > skip and line.split(COMMENT, 1)[0] not in ("", "\n"):
                rows += 1
                if rows == row:
                    return number
    return None


def _at(line: int | None) -> str:
    return "" if line is None else f" at line {line}"
