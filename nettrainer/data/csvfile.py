"""Data sets in comma-separated text: one example per row, the label in one column.

The label column is an index (negative counts from the end, ``-1`` by default)
or, when the file has a header row, a column name. Whether the first row is a
header is detected (it is when not every field is a number) unless the config
says. Cells are parsed straight into the training dtype by ``numpy.loadtxt``.
"""

import warnings
from pathlib import Path

import numpy as np

from nettrainer.data.raw import RawData, default_class_names
from nettrainer.errors import DataError

DELIMITER = ","


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
        or last column), int64 labels, class names ``"0"`` .. ``"C-1"``.

    Raises
    ------
    DataError
        If a file is missing or empty, a cell is not a number, rows differ in
        length, the label column does not exist, or a label is not a whole number.
    """
    X_train, y_train = read_table(path, label_column, header, dtype)
    X_test, y_test = (None, None)
    files = {"train": str(path)}
    if test_path is not None:
        X_test, y_test = read_table(test_path, label_column, header, dtype)
        files["test"] = str(test_path)
    return RawData(
        X_train=X_train,
        y_train=y_train,
        X_test=X_test,
        y_test=y_test,
        class_names=default_class_names(y_train, y_test),
        source=str(path),
        files=files,
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
    if header is None:
        header = not all(_is_number(field) for field in fields)
    column = _column_index(label_column, fields, header, path)
    table = _parse(path, header, dtype)  # (N, D + 1)
    labels = table[:, column]  # (N,)
    fractional = labels != np.round(labels)
    if fractional.any():
        row = int(np.flatnonzero(fractional)[0])
        raise DataError(
            f"{path}: label column {label_column!r} holds {int(fractional.sum())} non-integer "
            f"values (first: {labels[row]} in data row {row}); set data.label_column to the "
            "column of class indices"
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


def _parse(path: Path, header: bool, dtype: np.dtype) -> np.ndarray:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "input contained no data"
            table = np.loadtxt(
                path, delimiter=DELIMITER, skiprows=int(header), dtype=dtype, ndmin=2
            )
    except ValueError as exc:
        reason = str(exc).split(";")[0].rstrip(".")
        raise DataError(
            f"{path}: {reason}; every row must have the same number of comma-separated numbers"
        ) from None
    if table.shape[0] == 0:
        raise DataError(f"{path}: no data rows after the header; it needs one example per row")
    return table
