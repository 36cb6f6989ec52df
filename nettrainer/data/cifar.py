"""CIFAR-10, binary version (``cifar-10-batches-bin``) and python version (``cifar-10-batches-py``).

Binary: ``data_batch_1.bin`` .. ``data_batch_5.bin`` and ``test_batch.bin``,
records of 1 label byte and 3072 pixel bytes (1024 red, 1024 green, 1024 blue,
each 32 x 32 row-major), class names in ``batches.meta.txt``. Python:
``data_batch_1`` .. ``data_batch_5`` and ``test_batch``, pickled dicts with
``b"data"`` (a (N, 3072) ``uint8`` array in the same order) and ``b"labels"``,
class names in ``batches.meta`` under ``b"label_names"``; they are read with
:mod:`nettrainer.data.safe_pickle`, which never runs code. Images keep the
(3, 32, 32) order, flattened to 3072 features.
"""

from pathlib import Path

import numpy as np

from nettrainer.data.raw import RawData
from nettrainer.data.safe_pickle import load_batch
from nettrainer.errors import DataError

CIFAR10_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
IMAGE_SHAPE = (3, 32, 32)
PIXELS = 3 * 32 * 32
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCH = "test_batch"
FOLDERS = ("cifar-10-batches-bin", "cifar-10-batches-py")
REFETCH = "replace it with an intact copy (nettrainer data fetch cifar10)"


def cifar_format(directory: Path) -> str | None:
    """Return ``"binary"`` or ``"python"`` for a folder of CIFAR-10 batches, else None."""
    if (directory / f"{TRAIN_BATCHES[0]}.bin").is_file():
        return "binary"
    if (directory / TRAIN_BATCHES[0]).is_file():
        return "python"
    return None


def find_cifar_dir(directory: Path) -> Path | None:
    """Return ``directory`` if it holds CIFAR-10 batches, else a batch folder inside it, or None."""
    for candidate in (directory, *(directory / folder for folder in FOLDERS)):
        if cifar_format(candidate) is not None:
            return candidate
    return None


def read_cifar_dir(directory: Path, *, with_test: bool = True) -> RawData:
    """Read the five training batches and the test batch of CIFAR-10 from ``directory``.

    Parameters
    ----------
    directory : Path
        A ``cifar-10-batches-bin`` or ``cifar-10-batches-py`` folder.
    with_test : bool, default True
        False: leave the test split out, without looking for its batch.

    Returns
    -------
    RawData
        ``uint8`` images of shape (N, 3072) in (3, 32, 32) order, ``uint8`` labels.
        Joining the five batches holds their bytes twice for a moment, before any
        float copy exists, so the peak stays below raw bytes plus one float copy.

    Raises
    ------
    DataError
        If a batch is missing, truncated or corrupt, or (python version) would
        need any code to unpickle.
    """
    binary = cifar_format(directory) == "binary"
    read = _read_binary_batch if binary else _read_python_batch
    suffix = ".bin" if binary else ""
    batches = (*TRAIN_BATCHES, TEST_BATCH) if with_test else TRAIN_BATCHES
    paths = [directory / f"{name}{suffix}" for name in batches]
    missing = [path.name for path in paths if not path.is_file()]
    if missing:
        raise DataError(
            f"{directory}: missing CIFAR-10 batch(es) {', '.join(missing)}; "
            "run `nettrainer data fetch cifar10` or set data.path to the complete folder"
        )
    train = [read(path) for path in paths[: len(TRAIN_BATCHES)]]
    X_train = np.concatenate([images for images, _ in train])  # (N_train, 3072)
    y_train = np.concatenate([labels for _, labels in train])  # (N_train,)
    del train
    X_test, y_test = read(paths[-1]) if with_test else (None, None)
    files = {"train": str(directory / f"data_batch_*{suffix}")}
    return RawData(
        X_train=X_train,
        y_train=y_train,
        X_test=X_test,
        y_test=y_test,
        class_names=_class_names(directory, binary),
        source=str(directory),
        files=files | ({"test": str(paths[-1])} if with_test else {}),
        image_shape=IMAGE_SHAPE,
    )


def _read_binary_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    records = np.fromfile(path, dtype=np.uint8)
    if records.size == 0 or records.size % (1 + PIXELS):
        raise DataError(
            f"{path}: {records.size} bytes is not a whole number of {1 + PIXELS}-byte records "
            f"(1 label byte + {PIXELS} pixels); the file is truncated or corrupt; {REFETCH}"
        )
    records = records.reshape(-1, 1 + PIXELS)  # (N, 3073)
    return records[:, 1:], records[:, 0]


def _read_python_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    batch = load_batch(path)
    data = _entry(batch, "data", path)
    labels = np.asarray(_entry(batch, "labels", path))
    valid_data = isinstance(data, np.ndarray) and data.dtype == np.uint8 and data.ndim == 2
    if not valid_data or data.shape[1] != PIXELS or labels.shape != (data.shape[0],):
        raise DataError(
            f"{path}: expected b'data' as uint8 of shape (N, {PIXELS}) and N b'labels'; got "
            f"{getattr(data, 'dtype', type(data).__name__)} {getattr(data, 'shape', '')} and "
            f"{labels.size} labels; {REFETCH}"
        )
    return data, labels


def _entry(batch: object, key: str, path: Path) -> object:
    if isinstance(batch, dict):
        for candidate in (key.encode(), key):
            if candidate in batch:
                return batch[candidate]
    raise DataError(f"{path}: no {key.encode()!r} entry; this is not a CIFAR-10 batch; {REFETCH}")


def _class_names(directory: Path, binary: bool) -> tuple[str, ...]:
    if binary:
        meta = directory / "batches.meta.txt"
        if not meta.is_file():
            return CIFAR10_CLASSES
        names = meta.read_text(encoding="ascii", errors="replace").split()
    else:
        meta = directory / "batches.meta"
        if not meta.is_file():
            return CIFAR10_CLASSES
        names = [_text(name) for name in _entry(load_batch(meta), "label_names", meta)]
    if len(names) != len(CIFAR10_CLASSES):
        raise DataError(
            f"{meta}: {len(names)} class names, expected {len(CIFAR10_CLASSES)}; "
            f"delete it to use the standard names, or {REFETCH}"
        )
    return tuple(names)


def _text(name: object) -> str:
    return name.decode("ascii", errors="replace") if isinstance(name, bytes) else str(name)
