"""Data sets saved as ``.npz``: ``X_train``, ``y_train`` and optional splits and class names.

Keys: ``X_train`` (N, D) or (N, d1, ..., dk) images, ``y_train`` (N,) integer
labels; optionally ``X_val``/``y_val`` (used instead of carving a validation
split), ``X_test``/``y_test``, and ``class_names`` (C strings). The test split
may instead come from a second file (``data.test_path``) holding only
``X_test`` and ``y_test``. Loaded with ``allow_pickle=False``: object arrays are
refused, never unpickled.
"""

import zipfile
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
    arrays = _load_arrays(path)
    _check_keys(arrays, path, NPZ_KEYS, "an npz data set holds only")
    _check_pairs(arrays, path)
    files = {}
    if test_path is not None:
        arrays.update(_read_test_file(test_path, path, has_test="X_test" in arrays))
        files["test"] = str(test_path)
    names = arrays.pop("class_names", None)
    image_shape = arrays["X_train"].shape[1:] if arrays["X_train"].ndim > 2 else None
    for key in arrays:
        if key.startswith("X_") and arrays[key].ndim > 2:
            arrays[key] = arrays[key].reshape(arrays[key].shape[0], -1)  # (N, D)
    class_names = None if names is None else _class_names(names, path)
    return RawData(
        **arrays, class_names=class_names, source=str(path), files=files, image_shape=image_shape
    )


def _read_test_file(test_path: Path, path: Path, has_test: bool) -> dict[str, np.ndarray]:
    if has_test:
        raise DataError(
            f"{path} holds X_test, and data.test_path names another test split ({test_path}); "
            "remove data.test_path, or X_test and y_test from the data file"
        )
    arrays = _load_arrays(test_path)
    _check_keys(arrays, test_path, TEST_KEYS, "a data.test_path npz holds only")
    missing = [key for key in TEST_KEYS if key not in arrays]
    if missing:
        raise DataError(
            f"{test_path}: missing array(s) {', '.join(missing)}; a data.test_path npz holds "
            "X_test and y_test (numpy.savez(path, X_test=..., y_test=...))"
        )
    return arrays


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
    if missing:
        raise DataError(
            f"{path}: missing array(s) {', '.join(missing)}; an npz data set needs X_train and "
            "y_train, and X_val/X_test each with its y_val/y_test"
        )


def _load_arrays(path: Path) -> dict[str, np.ndarray]:
    _check_magic(path)
    try:
        npz = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DataError(
            f"{path}: cannot read it as an npz file ({reason}); save it again with numpy.savez"
        ) from None
    with npz:
        return {key: _read_array(npz, key, path) for key in npz.files}


def _check_magic(path: Path) -> None:
    """Refuse a file that is not a zip archive, saying what it looks like instead."""
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
        looks = "a text file (for a csv file, set data.name: csv)"
    else:
        looks = f"not a zip archive (it starts with {start!r})"
    raise DataError(
        f"{path}: not an npz file (a zip of .npy arrays): {looks}; save the data set with "
        "numpy.savez(path, X_train=..., y_train=...)"
    )


def _read_array(npz: np.lib.npyio.NpzFile, key: str, path: Path) -> np.ndarray:
    try:
        return npz[key]
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise DataError(
                f"{path}: {key} is an object array, which is never unpickled "
                "(allow_pickle=False); save it as a numeric array (class_names as a str array)"
            ) from None
        reason = str(exc)
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        reason = str(exc)
    raise DataError(f"{path}: array {key} is truncated or corrupt ({reason}); save it again")


def _class_names(names: np.ndarray, path: Path) -> tuple[str, ...]:
    if names.ndim != 1 or names.dtype.kind not in "US":
        raise DataError(
            f"{path}: class_names has dtype {names.dtype} and shape {names.shape}; "
            "save it as a 1-D str array, one name per class"
        )
    return tuple(n.decode() if isinstance(n, bytes) else str(n) for n in names.tolist())
