"""The validation split, carved from train with a seed, and the one conversion to the dtype.

:func:`gather` copies the chosen rows of a stored array (e.g. ``uint8`` pixels)
straight into a new array of the training dtype, a block of rows at a time, so
that loading never holds more than the stored bytes plus one float copy and
never makes a float64 detour for a float32 run.
"""

from numbers import Real

import numpy as np

from nettrainer.errors import DataError

CHUNK_ELEMENTS = 1 << 20  # about a million values per block: small temporaries, fast copies


def row_chunks(num_rows: int, num_features: int) -> list[slice]:
    """Cut ``num_rows`` rows into blocks of about :data:`CHUNK_ELEMENTS` values.

    Parameters
    ----------
    num_rows : int
        Number of rows, N.
    num_features : int
        Values per row, D.

    Returns
    -------
    list of slice
        Consecutive row slices covering ``range(num_rows)``.
    """
    step = max(1, CHUNK_ELEMENTS // max(1, num_features))
    return [slice(start, min(start + step, num_rows)) for start in range(0, num_rows, step)]


def val_count(val_size: float, num_rows: int, where: str) -> int:
    """Turn ``data.val_size`` (a fraction in (0, 1) or a count) into a number of rows.

    Parameters
    ----------
    val_size : float or int
        A fraction in (0, 1) of the training rows, or a count >= 0.
    num_rows : int
        Number of training rows before the split, N.
    where : str
        The file the training rows came from, for messages.

    Returns
    -------
    int
        Number of validation rows, in ``[0, num_rows)``.

    Raises
    ------
    DataError
        If ``val_size`` is neither a fraction nor a whole count, or leaves no
        training rows.
    """
    count = _rows_for(val_size, num_rows)
    if count is None:
        raise DataError(
            f"{where}: data.val_size must be a fraction in (0, 1) or a whole count >= 0; "
            f"got {val_size!r}"
        )
    if count >= num_rows:
        raise DataError(
            f"{where}: data.val_size = {val_size!r} takes {count} of the {num_rows} training "
            "examples, leaving none to train on; lower data.val_size"
        )
    return count


def _rows_for(val_size: object, num_rows: int) -> int | None:
    if not isinstance(val_size, Real) or val_size < 0:
        return None
    if val_size < 1:
        return round(float(val_size) * num_rows)
    return int(val_size) if float(val_size).is_integer() else None


def split_indices(
    num_rows: int, num_val: int, max_train: int | None, rng: np.random.Generator
) -> tuple[np.ndarray | None, np.ndarray]:
    """Choose the validation rows and the training rows at random, disjoint.

    Parameters
    ----------
    num_rows : int
        Number of training rows before the split, N.
    num_val : int
        Number of validation rows to carve out.
    max_train : int or None
        Keep at most this many of the remaining rows for training (for quick runs);
        all of them when None.
    rng : numpy.random.Generator
        Source of the one permutation that decides the split.

    Returns
    -------
    train_rows : ndarray of shape (N_train,) or None
        Sorted row indices of the training split; None when it is every row in order.
    val_rows : ndarray of shape (N_val,)
        Sorted row indices of the validation split.
    """
    if num_val == 0 and (max_train is None or max_train >= num_rows):
        return None, np.empty(0, dtype=np.int64)
    order = rng.permutation(num_rows)  # (N,)
    val_rows = np.sort(order[:num_val])
    train_rows = np.sort(order[num_val:][:max_train])
    return train_rows, val_rows


def gather(X: np.ndarray, rows: np.ndarray | None, dtype: np.dtype) -> np.ndarray:
    """Copy rows of ``X`` into a new C-contiguous array of ``dtype``, block by block.

    Parameters
    ----------
    X : ndarray of shape (N, D)
        Stored features, any numeric dtype; not modified.
    rows : ndarray of shape (M,) or None
        Row indices to copy, in order; every row when None.
    dtype : numpy.dtype
        The training dtype, e.g. float32.

    Returns
    -------
    ndarray of shape (M, D)
        The selected rows converted to ``dtype``; the only full-size copy made.
    """
    num = X.shape[0] if rows is None else rows.size
    out = np.empty((num, X.shape[1]), dtype=dtype)  # (M, D)
    for block in row_chunks(num, X.shape[1]):
        out[block] = X[block] if rows is None else X[rows[block]]
    return out


def gather_labels(y: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
    """Copy labels ``y`` (or the chosen ``rows`` of them) into a new int64 array of shape (M,)."""
    return (y if rows is None else y[rows]).astype(np.int64)
