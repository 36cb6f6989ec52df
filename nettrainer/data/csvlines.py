"""Where a csv data row is in its file, and ``numpy.loadtxt``'s errors said in those terms.

``numpy.loadtxt`` counts data rows, leaving out a header, blank lines and
comments; people count the lines of the file, as a text editor shows them. These
helpers turn one into the other for every csv message, after :func:`first_line`
has checked that every row is one line: a quoted field may not span lines.
"""

import re
from collections.abc import Iterable
from pathlib import Path

from nettrainer.errors import DataError

DELIMITER = ","
QUOTE = '"'  # a field that starts with it ends at the next lone one; "" inside is one quote
COMMENT = "#"  # numpy.loadtxt's default: the rest of a line after it is ignored
ENCODING = "utf-8-sig"  # UTF-8, ignoring the byte order mark that Excel's "CSV UTF-8" starts with
# numpy.loadtxt's errors; their rows count data rows only, from 0 and from 1 respectively.
CONVERT_ERROR = re.compile(
    r"(could not convert string .* to \S+) at row (\d+), column (\d+)\.$", re.DOTALL
)
RAGGED_ERROR = re.compile(r"(the number of columns changed from \d+ to \d+) at row (\d+);")


def parse_error(
    path: Path, message: str, skip: int, header: bool | None, column_is_text: bool = False
) -> DataError:
    """Turn a ``numpy.loadtxt`` error into one naming the line of the file, with a fitting fix.

    Parameters
    ----------
    path : Path
        The file being parsed.
    message : str
        The ``ValueError`` message of ``numpy.loadtxt``.
    skip : int
        The lines skipped before the data rows: through the header's, or 0.
    header : bool or None
        The ``data.header`` setting; None when the header was detected.
    column_is_text : bool
        Whether the column of a cell that is not a number is text in every row,
        as a label column may be.

    Returns
    -------
    DataError
        The error to raise.
    """
    convert = CONVERT_ERROR.match(message)
    if convert:
        text, row, column = convert.groups()
        line = line_of(path, int(row), skip)
        place = f"line {line}, column {column}" if line else f"column {column}"
        if text.startswith("could not convert string '' "):
            return DataError(f"{path}: {place} is empty; every feature must be a number")
        first_is_data = row == "0" and header is False
        hint = _convert_hint(line, first_is_data, int(column) if column_is_text else None)
        return DataError(f"{path}: {text} at {place}; {hint}")
    ragged = RAGGED_ERROR.match(message)
    if ragged:
        reason = ragged.group(1) + at_line(line_of(path, int(ragged.group(2)) - 1, skip))
    else:
        reason = message.split(";")[0].rstrip(".")
    return DataError(
        f"{path}: {reason}; every line must have the same number of comma-separated values"
    )


def _convert_hint(line: int | None, first_is_data: bool, text_column: int | None) -> str:
    """Say how to fix a cell that is not a number on ``line``.

    ``first_is_data`` says that the cell is in the first row and ``data.header`` is
    false; ``text_column`` (1-based) is the cell's column when it is all text.
    """
    if text_column is not None:
        return (
            f"every feature must be a number, and column {text_column} is text in every row: "
            f"if column {text_column} holds the labels, set data.label_column: {text_column - 1}"
        )
    if first_is_data:
        return (
            f"data.header is false, so line {line} is read as data; set data.header to true, "
            "or leave it unset to detect a header"
        )
    return (
        "every feature must be a number (a label may be text), and only the first line may "
        "hold column names: it is a header when data.header is true, or when data.header is "
        "unset and one of its features is not a number"
    )


def first_line(path: Path) -> tuple[int, str]:
    """Check every line of the file and return the number (1-based) and text of its first row.

    The first row is on the first line that is neither empty nor a comment:
    ``numpy.loadtxt`` skips those. Every quoted field must end on the line it
    starts on: ``numpy.loadtxt`` would go on reading it over the next lines, and
    one unclosed quote would swallow the rest of the file into one label.

    Raises
    ------
    DataError
        If the file holds no row, a line holds only spaces, or a quoted field
        does not end on its line.
    OSError, UnicodeDecodeError
        If it cannot be read as UTF-8 text.
    """
    first = None
    with open(path, encoding=ENCODING) as file:
        for number, line in enumerate(file, start=1):
            if not _holds_row(line):
                continue
            if not line.split(COMMENT, 1)[0].strip():
                what = "before its comment" if COMMENT in line else ""
                raise DataError(
                    f"{path}: line {number} holds only spaces or tabs{' ' if what else ''}{what}; "
                    "delete them: only an empty line, or one whose first character starts a "
                    "comment, is skipped"
                )
            first = first or (number, line)
            if QUOTE in line and _ends_quoted(line, False):
                raise _open_quote(path, number, file)
    if first is None:
        raise DataError(f"{path}: the csv file is empty; it needs one example per row")
    return first


def _open_quote(path: Path, opened: int, rest: Iterable[str]) -> DataError:
    """Return the error for a quoted field that line ``opened`` leaves open; ``rest`` follows it."""
    fix = 'a quote inside a quoted field is written ""'
    for number, line in enumerate(rest, start=opened + 1):
        if not _ends_quoted(line, True):
            return DataError(
                f"{path}: the quoted field opened at line {opened} is closed only at line "
                f"{number}; a label or feature is one line: close its quote on line {opened} "
                f"({fix})"
            )
    return DataError(
        f"{path}: an unclosed double quote at line {opened}; close the quoted field on that "
        f"line ({fix})"
    )


def _holds_row(line: str) -> bool:
    """Whether ``numpy.loadtxt`` reads ``line`` as a row: it holds something before a comment."""
    return line.split(COMMENT, 1)[0] not in ("", "\n")


def line_of(path: Path, row: int, skip: int) -> int | None:
    """Return the 1-based line of the file holding data row ``row`` (0-based).

    Rows are counted as ``numpy.loadtxt`` counts them: after the first ``skip``
    lines (those through the header's), leaving out empty lines and lines that
    start with :data:`COMMENT`; a row is one line (see :func:`first_line`). Lines
    end where a text editor ends them (LF, CRLF or CR). None when the file has
    fewer rows.
    """
    rows = -1
    with open(path, encoding=ENCODING) as file:
        for number, line in enumerate(file, start=1):
            if number > skip and _holds_row(line):
                rows += 1
                if rows == row:
                    return number
    return None


def without_comment(line: str) -> str:
    """Return ``line`` up to its :data:`COMMENT` outside quotes, as ``numpy.loadtxt`` reads it."""
    return line[: _scan(line, False)[0]]


def _ends_quoted(line: str, quoted: bool) -> bool:
    """Whether ``line`` ends inside a quoted field, read as ``numpy.loadtxt`` reads it.

    ``quoted`` says whether it starts inside one.
    """
    return _scan(line, quoted)[1]


def _scan(line: str, quoted: bool) -> tuple[int, bool]:
    """Return where ``line``'s row text ends and whether a quoted field is open there.

    ``quoted`` says whether the line starts inside a quoted field. A quote opens a
    field only at its start (or right after the quote closing it: ``""`` is a
    quote in the field); elsewhere it is text, and :data:`COMMENT` outside quotes
    ends the line.
    """
    opens = not quoted  # whether a quote here would open a quoted field
    for index, char in enumerate(line):
        if quoted:
            quoted = char != QUOTE
            opens = not quoted
        elif char == COMMENT:
            return index, False
        else:
            quoted = opens and char == QUOTE
            opens = char == DELIMITER
    return len(line), quoted


def at_line(line: int | None) -> str:
    """Return ``" at line N"`` for a known line, else ``""``: the place in a message."""
    return "" if line is None else f" at line {line}"
