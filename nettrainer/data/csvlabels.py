"""Text labels of a csv file: class names, numbered in sorted order.

A training file whose labels are text (``setosa``, ``versicolor``) names its
classes: they are its distinct labels, sorted, and a label is the index of its
name. A file's labels are of one kind, numbers or text; a test file's are of the
training file's kind, and its text labels must be among the training file's names.
"""

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import NamedTuple

import numpy as np

from nettrainer.data.csvlines import at_line, line_of
from nettrainer.errors import DataError

ONE_CLASS = "every row needs the label of one of the training file's classes"


class TextLabelError(Exception):
    """Raised while parsing a csv file as numbers when a label cell is not a number.

    The reader then reads the file's labels as text.
    """


def is_number(text: str) -> bool:
    """Whether ``numpy.loadtxt`` reads ``text`` as a number: ``float`` does, in ASCII, no ``_``."""
    if not text.isascii() or "_" in text:
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


def encode_labels(
    texts: np.ndarray, class_names: tuple[str, ...] | None, path: Path, skip: int
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Return text labels (N,) numbered by their place in ``class_names`` (default: sorted).

    Parameters
    ----------
    texts : ndarray of str, shape (N,)
        The label column, spaces and quotes stripped.
    class_names : tuple of str or None
        None for a training file, whose distinct labels name the classes; for a
        test file, the training file's names, or ``()`` when its labels are numbers.
    path : Path
        The file, for messages.
    skip : int
        The lines before its data rows (through the header's, or 0), for the
        line numbers of messages.

    Returns
    -------
    y : ndarray of shape (N,), int64
    class_names : tuple of str

    Raises
    ------
    DataError
        If a label is empty, if a training file's labels mix numbers and text, or
        if a test file's label is text where the training file's labels are
        numbers, or is not one of ``class_names``.
    """
    first = partial(_first, texts, path=path, skip=skip)
    if empty := first(texts == ""):
        raise DataError(f"{path}: the label{empty.at} is empty; {ONE_CLASS}")
    distinct = sorted(set(texts.tolist()))
    numbers = np.isin(texts, [text for text in distinct if is_number(text)])  # (N,)
    if class_names == () and (text := first(~numbers)):
        raise DataError(
            f"{path}: the label {text.text!r}{text.at} is text, but the training file's labels "
            "are numbers; use one kind of label in both files"
        )
    if class_names is None and (number := first(numbers)) and (text := first(~numbers)):
        raise DataError(
            f"{path}: the label {number.text!r}{number.at} is a number, but {text.text!r}{text.at} "
            "is text; use one kind of label in a file: class indices or class names"
        )
    names = tuple(distinct) if class_names is None else class_names
    if unknown := first(~np.isin(texts, names)):
        raise DataError(
            f"{path}: the label {unknown.text!r}{unknown.at} is not a class of the training file "
            f"({listed(names)}); {ONE_CLASS}"
        )
    order = np.argsort(names)
    positions = np.searchsorted(np.asarray(names)[order], texts)  # (N,)
    return order[positions].astype(np.int64), names


class _Label(NamedTuple):
    text: str
    at: str  # " at line N", or "" when the line is unknown


def _first(texts: np.ndarray, wrong: np.ndarray, path: Path, skip: int) -> _Label | None:
    """Return the first of the labels ``texts`` (N,) that are ``wrong`` (N,), or None."""
    if not wrong.any():
        return None
    row = int(np.argmax(wrong))
    return _Label(str(texts[row]), at_line(line_of(path, row, skip)))


def listed(names: Sequence[str]) -> str:
    """Return the first 8 ``names``, comma-separated, with ``...`` for more: for messages."""
    return ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
