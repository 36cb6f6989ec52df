"""Cells of a csv file parsed by ``numpy.loadtxt``, its errors said in lines of the file.

Every read of a csv file's cells goes through :func:`parse`, so that the
delimiter, comments, the rows counted and the messages are the same for
numbers, features and text labels.
"""

import warnings
from pathlib import Path

import numpy as np

from nettrainer.data.csvlabels import TextLabelError, is_number
from nettrainer.data.csvlines import (
    COMMENT,
    CONVERT_ERROR,
    DELIMITER,
    ENCODING,
    QUOTE,
    parse_error,
)
from nettrainer.errors import DataError


def parse(
    path: Path,
    skip: int,
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
    skip : int
        The lines left out before its data rows: those through the header's, or 0.
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
        When it is elsewhere (with a hint at ``data.label_column`` when its column
        is text in every row), rows differ in length or there are no rows.
    """
    try:
        table = _loadtxt(path, skip, dtype, usecols)
    except ValueError as exc:
        convert = CONVERT_ERROR.match(str(exc))
        column = int(convert.group(3)) - 1 if convert else None
        if column == label_column:
            raise TextLabelError from None
        column_is_text = column is not None and _text_in_every_row(path, skip, column)
        raise parse_error(path, str(exc), skip, header, column_is_text) from None
    if table.shape[0] == 0:
        raise DataError(f"{path}: no data rows after the header; it needs one example per row")
    return table


def features(
    path: Path, skip: int, column: int, width: int, header: bool | None, dtype: np.dtype
) -> np.ndarray:
    """Parse every column of ``width`` but the (text) label column into features (N, D)."""
    return parse(path, skip, header, dtype, -1, [i for i in range(width) if i != column])


def label_texts(path: Path, skip: int, column: int) -> np.ndarray:
    """Return the label column as text, each cell as :func:`cell_text` makes it: shape (N,).

    The whole file is read as text, so that a row of another length is an
    error here, as it is for numeric labels.
    """
    table = parse(path, skip, None, np.dtype(str), -1)  # (N, D + 1)
    return _unquoted(table[:, column])


def _text_in_every_row(path: Path, skip: int, column: int) -> bool:
    """Whether every cell of ``column`` is text (neither empty nor a number), as labels may be."""
    try:
        cells = _unquoted(_loadtxt(path, skip, np.dtype(str), [column])[:, 0])  # (N,)
    except ValueError:  # a row without that column
        return False
    return all(cell and not is_number(cell) for cell in set(cells.tolist()))


def cell_text(cell: str) -> str:
    """Return a cell as read by ``numpy.loadtxt`` or ``csv.reader`` as text: unquoted once.

    Both unquote a field that starts with a quote (``"a ""b"" c"`` is ``a "b" c``) and
    leave one that starts with spaces as it is; such a field (`` "cat" ``) is
    unquoted here, as Python's ``csv`` module does with ``skipinitialspace``.
    Spaces around the text are stripped.
    """
    text = cell.strip()
    if cell[:1].isspace() and len(text) > 1 and text[0] == text[-1] == QUOTE:
        return text[1:-1].replace(QUOTE * 2, QUOTE)
    return text


def _unquoted(cells: np.ndarray) -> np.ndarray:
    """Return text ``cells`` (N,) as :func:`cell_text` returns each, fast when none is spaced."""
    spaced = np.char.str_len(np.char.lstrip(cells)) < np.char.str_len(cells)  # (N,)
    texts = np.char.strip(cells)  # (N,)
    texts[spaced] = [cell_text(cell) for cell in cells[spaced].tolist()]
    return texts


def _loadtxt(path: Path, skip: int, dtype: np.dtype, usecols: list[int] | None) -> np.ndarray:
    """Call ``numpy.loadtxt`` as every csv read does; its ``ValueError`` goes to the caller."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "input contained no data"
        return np.loadtxt(
            path, delimiter=DELIMITER, comments=COMMENT, quotechar=QUOTE, skiprows=skip,
            dtype=dtype, ndmin=2, usecols=usecols, encoding=ENCODING,
        )
