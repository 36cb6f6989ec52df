"""The first line of a csv file: a header of column names, or a row of data.

A training file's first row is a header when ``data.header`` says so or, with
it unset, when a feature field is text (neither empty nor a number), or when
only its label is text and that text is no label of any other row. A test
file's is a header when it is the training file's header, or has text outside
the label column; it must then be the training file's header, for columns are
read by position. A label column given by name is looked up in the header.
"""

import csv
from itertools import zip_longest
from pathlib import Path
from typing import NamedTuple

from nettrainer.data.csvlabels import is_number, listed
from nettrainer.data.csvlines import DELIMITER, QUOTE, first_line, without_comment
from nettrainer.data.csvparse import cell_text, label_texts
from nettrainer.data.npz import is_zip
from nettrainer.errors import DataError

OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs"}  # what a file of one column may hold instead
NPZ_AS_CSV = {  # what to do about an npz file given as csv, per key naming it
    "data.path": "for an npz data set, set data.name: npz",
    "data.test_path": "data.test_path of csv data must be a csv file too, like data.path",
}


class FirstRow(NamedTuple):
    """The first row of a csv file: its fields and its 1-based line in the file."""

    fields: list[str]
    line: int


def first_row(path: Path, key: str) -> FirstRow:
    """Return the fields of the file's first row, unquoted as ``numpy.loadtxt`` does.

    The first row is on the first line that is neither empty nor a comment, as
    ``numpy.loadtxt`` reads it.

    Its fields are text as :func:`~nettrainer.data.csvparse.cell_text` makes
    them, as are text labels.

    Parameters
    ----------
    path : Path
        The file.
    key : str
        The config key naming it (``data.path`` or ``data.test_path``), for messages.

    Returns
    -------
    FirstRow

    Raises
    ------
    DataError
        If the file is an npz, cannot be read as UTF-8 text (a byte order mark is
        ignored), holds no row, has a quoted field that does not end on its line,
        or its first row is one field holding semicolons or tabs.
    """
    if is_zip(path):
        raise DataError(f"{path}: an npz (zip) file, not comma-separated text; {NPZ_AS_CSV[key]}")
    try:
        number, line = first_line(path)
    except OSError as exc:
        raise DataError(f"{path}: cannot read the csv file ({exc.strerror}); check {key}") from None
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}; {key}); save it as "
            "UTF-8, e.g. a spreadsheet's \"CSV UTF-8\""
        ) from None
    line = without_comment(line).rstrip()  # "x1,x2,y  # the header" names its column y
    fields = next(csv.reader([line], delimiter=DELIMITER, quotechar=QUOTE))
    if len(fields) == 1 and (other := next((c for c in OTHER_DELIMITERS if c in line), None)):
        raise DataError(
            f"{path}: line {number} is one field, {fields[0].strip()[:40]!r}, separated by "
            f"{OTHER_DELIMITERS[other]}; the values must be comma-separated: save the file as csv "
            "with commas"
        )
    return FirstRow([cell_text(field) for field in fields], number)


def column_index(
    label_column: int | str,
    fields: list[str],
    names: tuple[str, ...] | None,
    header: bool | None,
    path: Path,
) -> int:
    """Return the 0-based index of the label column among the first row's ``fields``.

    Parameters
    ----------
    label_column : int or str
        Index of the label column (negative allowed) or its header name.
    fields : list of str
        The first row.
    names : tuple of str or None
        The column names: the file's header, or for a test file without one the
        training file's; None when there are none.
    header : bool or None
        The ``data.header`` setting, for messages.
    path : Path
        The file, for messages.

    Returns
    -------
    int

    Raises
    ------
    DataError
        If there is no such column, or the header names several so.
    """
    if isinstance(label_column, str):
        if header is False:
            raise DataError(
                f"{path}: data.label_column is a column name, {label_column!r}, but data.header "
                "is false and only a header names columns; set data.header to true (or leave it "
                "unset to detect the header), or set data.label_column to a column index"
            )
        if names is None or label_column not in names:
            have = "it has no header row" if names is None else f"its header has {listed(names)}"
            raise DataError(
                f"{path}: no column named {label_column!r} ({have}); "
                "set data.label_column to a column name or index"
            )
        columns = [i for i, name in enumerate(names) if name == label_column]
        if len(columns) > 1:
            raise DataError(
                f"{path}: the header names {len(columns)} columns {label_column!r} (columns "
                f"{', '.join(str(i + 1) for i in columns)}); rename all but the label column, "
                "or set data.label_column to its index"
            )
        return columns[0]
    if not -len(fields) <= label_column < len(fields):
        raise DataError(
            f"{path}: data.label_column = {label_column} but the file has {len(fields)} "
            f"columns; use an index in [{-len(fields)}, {len(fields) - 1}]"
        )
    return label_column % len(fields)


def train_file_header(
    path: Path, first: FirstRow, label_column: int | str, header: bool | None
) -> bool:
    """Whether a training file's ``first`` row is a header: as ``header`` says, or detected.

    It is when a field is text (neither empty nor a number), except when that
    field is only the label and the same text labels another row too. An empty
    field says nothing: it is an error in data.

    Raises
    ------
    DataError
        If it is a header with a column without a name, such as the index column
        pandas writes (``,a,b,label``): read as a feature, an index learns the
        order of the file (often sorted by label), not the data.
    """
    if header is None:
        header = _detected(path, first, label_column)
    if header and "" in first.fields:
        column = first.fields.index("") + 1
        if column == 1:
            fix = ("as pandas writes its index column; name the column, or save the DataFrame "
                   "with to_csv(index=False)")
        elif column == len(first.fields):
            fix = "as a trailing comma leaves it; delete the comma, or name the column"
        else:
            fix = "name the column"
        raise DataError(
            f"{path}: column {column} of the header (line {first.line}) has no name; {fix}"
        )
    return header


def _detected(path: Path, first: FirstRow, label_column: int | str) -> bool:
    """Whether a training file's ``first`` row is a header by its text: see train_file_header."""
    texts = _texts(first.fields)
    column = _label_index(label_column, first.fields)
    if column is None and len(texts) == 1:  # a column name the row lacks: its one text
        column = texts[0]  # column is judged as the labels, so a data row is not a header
    if texts != [column]:
        return bool(texts)
    return first.fields[column] not in label_texts(path, first.line, column)


def test_file_header(
    path: Path, first: FirstRow, label_column: int | str, train_header: tuple[str, ...] | None
) -> bool:
    """Whether a test file's ``first`` row is a header, by the training file's header.

    It is when it is the training file's header (``train_header``; None when it
    has none), or when a field but the label is text: then it must be the
    training file's header. Else it is data (a text label names a class, not a
    column), unless the training file's header is all numbers, like data.

    Raises
    ------
    DataError
        If it is a header other than the training file's, or might be one.
    """
    fields = first.fields
    if train_header is not None and tuple(fields) == train_header:
        return True
    column = _label_index(label_column, train_header or fields)
    texts = [i for i in _texts(fields) if i != column]
    if train_header is None:
        return bool(texts)
    if texts:
        raise DataError(
            f"{path}: data.test_path's header differs from data.path's at "
            f"{_first_difference(fields, train_header)}; give it data.path's columns, in the "
            "same order"
        )
    if not _texts(list(train_header)):
        raise DataError(
            f"{path}: line {first.line} of data.test_path cannot be told from a header: "
            "data.path's header "
            f"({listed(train_header)}) is numbers too; start data.test_path with that line"
        )
    return False


def _first_difference(fields: list[str], train_header: tuple[str, ...]) -> str:
    """Say where a test file's header ``fields`` first differs from the training file's."""
    pairs = zip_longest(fields, train_header)
    column, (here, there) = next((i, pair) for i, pair in enumerate(pairs) if pair[0] != pair[1])
    return f"column {column + 1} ({_named(here)} here, {_named(there)} in data.path)"


def _named(field: str | None) -> str:
    return "no column" if field is None else repr(field)


def _texts(fields: list[str]) -> list[int]:
    """Return the indices of the ``fields`` that are text: neither empty nor a number."""
    return [i for i, field in enumerate(fields) if field and not is_number(field)]


def _label_index(label_column: int | str, names: list[str] | tuple[str, ...]) -> int | None:
    """Return the label column's index among ``names`` (a row or header), None if it has none."""
    if isinstance(label_column, str):
        return names.index(label_column) if label_column in names else None
    return label_column % len(names) if -len(names) <= label_column < len(names) else None
