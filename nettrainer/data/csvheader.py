"""The first line of a csv file: a header of column names, or a row of data.

Whether the first row is a header is detected unless the config says: it is
when a feature field is text (neither empty nor a number), or when only its
label is text and that text is no label of any other row. A label column given by name is looked up
in the header.
"""

import csv
from pathlib import Path

from nettrainer.data.csvlabels import is_number
from nettrainer.data.csvlines import DELIMITER, QUOTE
from nettrainer.data.csvparse import label_texts
from nettrainer.data.npz import is_zip
from nettrainer.errors import DataError

NPZ_AS_CSV = {  # what to do about an npz file given as csv, per key naming it
    "data.path": "for an npz data set, set data.name: npz",
    "data.test_path": "data.test_path of csv data must be a csv file too, like data.path",
}


def first_row(path: Path, key: str) -> list[str]:
    """Return the fields of the file's first line, unquoted as ``numpy.loadtxt`` does.

    Spaces around a field, and the quotes of a quoted field after a space, are
    stripped too, as they are from text labels.

    Parameters
    ----------
    path : Path
        The file.
    key : str
        The config key naming it (``data.path`` or ``data.test_path``), for messages.

    Returns
    -------
    list of str

    Raises
    ------
    DataError
        If the file is an npz, cannot be read as UTF-8 text, or is empty.
    """
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
    fields = next(csv.reader([line], delimiter=DELIMITER, quotechar=QUOTE))
    return [field.strip().strip(QUOTE) for field in fields]


def column_index(label_column: int | str, fields: list[str], header: bool, path: Path) -> int:
    """Return the 0-based index of the label column among the first row's ``fields``.

    Parameters
    ----------
    label_column : int or str
        Index of the label column (negative allowed) or its header name.
    fields : list of str
        The first row.
    header : bool
        Whether the first row is a header.
    path : Path
        The file, for messages.

    Returns
    -------
    int

    Raises
    ------
    DataError
        If there is no such column.
    """
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


def skips_first_row(
    path: Path,
    fields: list[str],
    label_column: int | str,
    header: bool | None,
    class_names: tuple[str, ...] | None = None,
) -> bool:
    """Whether the first row is a header: as ``header`` says, else detected.

    It is when a field is text (neither empty nor a number), except when that
    field is only the label (a text label, given by index) and the same text
    labels another row too, or is one of the ``class_names`` of a test file's
    training file. An empty field says nothing: it is an error in data, and
    pandas starts a header with one (``,a,b,label``) for the index.
    """
    if header is not None:
        return header
    texts = [i for i, field in enumerate(fields) if field and not is_number(field)]
    if isinstance(label_column, str) or not texts or not -len(fields) <= label_column < len(fields):
        return bool(texts)
    column = label_column % len(fields)
    if texts != [column]:
        return True
    label = fields[column]
    return label not in (class_names or label_texts(path, True, column))
