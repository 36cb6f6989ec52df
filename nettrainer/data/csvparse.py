"""Cells of a csv file parsed by ``numpy.loadtxt``, its errors said in lines of the file.

Every read of a csv file's cells goes through :func:`parse`, so that the
delimiter, comments, the rows counted and the messages are the same for
numbers, features and text labels.
"""

import warnings
from pathlib import Path

import numpy as np

from nettrainer.data.csvlabels import TextLabelError
from nettrainer.data.csvlines import (
    COMMENT,
    CONVERT_ERROR,
    DELIMITER,
    QUOTE,
    parse_error,
)
from nettrainer.errors import DataError


def parse(
    path: Path,
    skip: bool,
    header: bool | None,
    dtype: np.dtype,
    label_column: int,
    usecols: list[int] | None = None,
) -> np.ndarray:
    """Parse the file's cells (all columns, or ``usecols``) into an (N, columns) table.

    Parameters
    ----------
    path : Path
        The file.
    skip : bool
        Whether its first line is a header, left out.
    header : bool or None
        The ``data.header`` setting, for the hint of a message.
    dtype : numpy.dtype
        Dtype the cells are parsed into.
    label_column : int
        0-based index of the label column; -1 when no label is parsed.
    usecols : list of int, optional
        The columns to parse; all by default.

    Returns
    -------
    ndarray of shape (N, columns)

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
                path, delimiter=DELIMITER, comments=COMMENT, quotechar=QUOTE, skiprows=int(skip),
                dtype=dtype, ndmin=2, usecols=usecols,
            )
    except ValueError as exc:
        convert = CONVERT_ERROR.match(str(exc))
        if convert and int(convert.group(3)) == label_column + 1:
            raise TextLabelError from None
        raise parse_error(path, str(exc), skip, header) from None
    if table.shape[0] == 0:
        raise DataError(f"{path}: no data rows after the header; it needs one example per row")
    return table


def features(
    path: Path, skip: bool, column: int, width: int, header: bool | None, dtype: np.dtype
) -> np.ndarray:
    """Parse every column of ``width`` but the (text) label column into features (N, D)."""
    return parse(path, skip, header, dtype, -1, [i for i in range(width) if i != column])


def label_texts(path: Path, skip: bool, column: int) -> np.ndarray:
    """Return the label column as text, spaces and double quotes stripped: shape (N,).

    The whole file is read as text, so that a row of another length is an
    error here, as it is for numeric labels. ``numpy.loadtxt`` unquotes a field
    that starts with a quote; the quotes of ``1, "cat" ,2`` go here.
    """
    table = parse(path, skip, None, np.dtype(str), -1)  # (N, D + 1)
    return np.char.strip(np.char.strip(table[:, column]), QUOTE)
