"""Data sets saved as ``.npz``: ``X_train``, ``y_train`` and optional splits and class names.

Keys: ``X_train`` (N, D) or (N, d1, ..., dk) images, ``y_train`` (N,) integer
labels; optionally ``X_val``/``y_val`` (used instead of carving a validation
split), ``X_test``/``y_test``, and ``class_names`` (C strings). The test split
may instead come from a second file (``data.test_path``) holding only
``X_test`` and ``y_test``. Loaded with ``allow_pickle=False``: object arrays are
refused, never unpickled.
"""

import zipfile
import zlib
from pathlib import Path

import numpy as np

from nettrainer.data.raw import RawData
from nettrainer.errors import DataError

NPZ_KEYS = ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test", "class_names")
TEST_KEYS = ("X_test", "y_test")
PAIRS = (("X_val", "y_val"), TEST_KEYS)
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a zip's first entry, or an empty zip
NPY_MAGIC = b"\x93NUMPY"
TEXT_BYTES = frozenset(range(32, 127)) | frozenset(b"\t\n\r")
SAVE_DATA = "save the data set with numpy.savez(path, X_train=..., y_train=...)"
SAVE_TEST = (
    "data.test_path of npz data must be an npz too, holding X_test and y_test: save it with "
    "numpy.savez(path, X_test=..., y_test=...)"
)


def read_npz(path: Path, test_path: Path | None = None) -> RawData:
    """Read a data set from an ``.npz`` file (and its test split from another) without unpickling.

    Parameters
    ----------
    path : Path
        The ``.npz`` file.
    test_path : Path, optional
        An ``.npz`` file holding only ``X_test`` and ``y_test`` (``data.test_path``),
        for a ``path`` without a test split.

    Returns
    -------
    RawData
        The arrays in their stored dtypes; features flattened to (N, D), with
        ``image_shape`` set when they were stored as (N, d1, ..., dk); the class
        names stored, or None.

    Raises
    ------
    DataError
        If a file is not a zip of ``.npy`` arrays, holds an object array, an
        unknown key, or a split without its labels (or labels without features),
        or if both files hold a test split.
    """
    arrays = _load_arrays(path, test=False)
    _check_keys(arrays, path, NPZ_KEYS, "an npz data set holds only")
    _check_pairs(arrays, path)
    files = {}
    if test_path is not None:
        if "X_test" in arrays:
            raise DataError(
                f"{path} holds X_test, and data.test_path names another test split "
                f"({test_path}); remove data.test_path, or X_test and y_test from the data file"
            )
        arrays.update(_test_arrays(test_path))
        files["test"] = str(test_path)
    names = arrays.pop("class_names", None)
    image_shape = _image_shape(arrays["X_train"])
    arrays = {key: _flat(a) if key.startswith("X_") else a for key, a in arrays.items()}
    class_names = None if names is None else _class_names(names, path)
    return RawData(
        **arrays, class_names=class_names, source=str(path), files=files, image_shape=image_shape
    )


def read_test_npz(path: Path) -> tuple[np.ndarray, np.ndarray, tuple[int, ...] | None]:
    """Read an ``.npz`` holding only ``X_test`` and ``y_test`` (a ``data.test_path`` file).

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    X_test : ndarray of shape (N, D)
        Features in their stored dtype, flattened when stored as (N, d1, ..., dk).
    y_test : ndarray of shape (N,)
        Labels in their stored dtype.
    image_shape : tuple of int or None
        ``(d1, ..., dk)`` for images, else None.

    Raises
    ------
    DataError
        If the file is not a zip of ``.npy`` arrays, holds an object array, an
        array other than the two, or lacks one of them.
    """
    arrays = _test_arrays(path)
    return _flat(arrays["X_test"]), arrays["y_test"], _image_shape(arrays["X_test"])


def holds_only_test_split(path: Path) -> bool:
    """Whether ``path`` is an npz of ``X_test`` and/or ``y_test`` alone (a ``data.test_path`` file).

    Only the archive's list of arrays is read. False for anything else, a file
    that cannot be read as an npz included (reading it says why).
    """
    try:
        with _open(path, test=True) as npz:
            names = set(npz.files)
    except DataError:
        return False
    return bool(names) and names <= set(TEST_KEYS)


def is_zip(path: Path) -> bool:
    """Whether ``path`` starts as a zip archive, as an npz file does; False if it cannot be read."""
    try:
        with open(path, "rb") as file:
            return file.read(len(NPY_MAGIC)).startswith(ZIP_MAGICS)
    except OSError:
        return False


def _test_arrays(path: Path) -> dict[str, np.ndarray]:
    arrays = _load_arrays(path, test=True)
    _check_keys(arrays, path, TEST_KEYS, "a data.test_path npz holds only")
    missing = [key for key in TEST_KEYS if key not in arrays]
    if missing:
        raise DataError(
            f"{path}: missing array(s) {', '.join(missing)}; a data.test_path npz holds "
            "X_test and y_test (numpy.savez(path, X_test=..., y_test=...))"
        )
    return arrays


def _image_shape(X: np.ndarray) -> tuple[int, ...] | None:
    return X.shape[1:] if X.ndim > 2 else None


def _flat(X: np.ndarray) -> np.ndarray:
    return X.reshape(X.shape[0], -1) if X.ndim > 2 else X  # (N, D)


def _check_keys(
    arrays: dict[str, np.ndarray], path: Path, keys: tuple[str, ...], rule: str
) -> None:
    unknown = sorted(set(arrays) - set(keys))
    if unknown:
        raise DataError(f"{path}: unknown array(s) {', '.join(unknown)}; {rule} {', '.join(keys)}")


def _check_pairs(arrays: dict[str, np.ndarray], path: Path) -> None:
    present_pairs = [pair for pair in PAIRS if set(pair) & set(arrays)]
    required = ["X_train", "y_train", *(key for pair in present_pairs for key in pair)]
    missing = [key for key in required if key not in arrays]
    if missing and arrays and set(arrays) <= set(TEST_KEYS):
        raise DataError(
            f"{path}: holds only {', '.join(sorted(arrays))}, a test split: name it in "
            "data.test_path, and in data.path an npz holding X_train and y_train"
        )
    if missing:
        raise DataError(
            f"{path}: missing array(s) {', '.join(missing)}; an npz data set needs X_train and "
            "y_train, and X_val/X_test each with its y_val/y_test"
        )


def _load_arrays(path: Path, test: bool) -> dict[str, np.ndarray]:
    with _open(path, test) as npz:
        return {key: _read_array(npz, key, path) for key in npz.files}


def _open(path: Path, test: bool) -> np.lib.npyio.NpzFile:
    """Open ``path`` (``data.test_path`` when ``test``) as an npz; arrays are read when asked."""
    _check_magic(path, test)
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DataError(
            f"{path}: cannot read it as an npz file ({reason}); save it again with numpy.savez"
        ) from None


def _check_magic(path: Path, test: bool) -> None:
    """Refuse a file that is not a zip archive, saying what it looks like and what to save.

    ``test``: the file is ``data.test_path``, which must be an npz whatever it looks
    like, rather than ``data.path``, where text means a csv data set.
    """
    try:
        with open(path, "rb") as file:
            start = file.read(len(NPY_MAGIC))
    except OSError as exc:
        raise DataError(f"{path}: cannot read the file ({exc.strerror}); check the path") from None
    if start.startswith(ZIP_MAGICS):
        return
    if start == NPY_MAGIC:
        looks = "a single .npy array, not named arrays"
    elif not start:
        looks = "an empty file"
    elif all(byte in TEXT_BYTES for byte in start):
        looks = "a text file" if test else "a text file (for a csv file, set data.name: csv)"
    else:
        looks = f"not a zip archive (it starts with {start!r})"
    save = SAVE_TEST if test else SAVE_DATA
    raise DataError(f"{path}: not an npz file (a zip of .npy arrays): {looks}; {save}")


def _read_array(npz: np.lib.npyio.NpzFile, key: str, path: Path) -> np.ndarray:
    try:
        array = npz[key]
        if not isinstance(array, np.ndarray):  # a member that is no .npy comes back as bytes
            raise DataError(f"{path}: {key} is no .npy array; save it again with numpy.savez")
        return array
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise DataError(
                f"{path}: {key} is an object array, which is never unpickled "
                "(allow_pickle=False); save it as "
                + ("a str array: numpy.array(names, dtype=str)" if key == "class_names"
                   else "a numeric array")
            ) from None
        reason = str(exc)
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:  # zlib: savez_compressed
        reason = str(exc)
    raise DataError(f"{path}: array {key} is truncated or corrupt ({reason}); save it again")


def _class_names(names: np.ndarray, path: Path) -> tuple[str, ...]:
    if names.ndim != 1 or names.dtype.kind not in "US":
        raise DataError(
            f"{path}: class_names has dtype {names.dtype} and shape {names.shape}; "
            "save it as a 1-D str array, one name per class"
        )
    return tuple(n.decode() if isinstance(n, bytes) else str(n) for n in names.tolist())
