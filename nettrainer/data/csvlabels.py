"""Text labels of a csv file: class names, numbered in sorted order.

A training file whose labels are text (``setosa``, ``versicolor``) names its
classes: they are its distinct labels, sorted, and a label is the index of its
name. A test file's text labels must be among the training file's names.
"""

from pathlib import Path

import numpy as np

from nettrainer.data.csvlines import at_line, line_of
from nettrainer.errors import DataError


class TextLabelError(Exception):
    """Raised while parsing a csv file as numbers when a label cell is text.

    The reader then reads the file's labels as class names.
    """

    def __init__(self, text: str, line: int | None) -> None:
        super().__init__(text)
        self.text, self.line = text, line


def encode_labels(
    texts: np.ndarray, class_names: tuple[str, ...] | None, path: Path, skip: bool
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Return text labels (N,) numbered by their place in ``class_names`` (default: sorted).

    Parameters
    ----------
    texts : ndarray of str, shape (N,)
        The label column, spaces and quotes stripped.
    class_names : tuple of str or None
        The training file's names, for a test file; None to take them from ``texts``.
    path : Path
        The file, for messages.
    skip : bool
        Whether its first line is a header, for the line numbers of messages.

    Returns
    -------
    y : ndarray of shape (N,), int64
    class_names : tuple of str

    Raises
    ------
    DataError
        If a label is empty or, for a test file, not one of ``class_names``.
    """
    names = tuple(sorted(set(texts.tolist()))) if class_names is None else class_names
    known = np.isin(texts, names) & (texts != "")
    if not known.all():
        row = int(np.flatnonzero(~known)[0])
        text, at = str(texts[row]), at_line(line_of(path, row, skip))
        what = (f"the label{at} is empty" if text == "" else
                f"the label {text!r}{at} is not a class of the training file ({_listed(names)})")
        raise DataError(
            f"{path}: {what}; every row needs the label of one of the training file's classes"
        )
    order = np.argsort(names)
    positions = np.searchsorted(np.asarray(names)[order], texts)  # (N,)
    return order[positions].astype(np.int64), names


def _listed(names: tuple[str, ...]) -> str:
    return ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
