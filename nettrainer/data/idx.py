"""IDX files, the format of MNIST and Fashion-MNIST, gzip-compressed or raw.

An IDX file is a big-endian header (magic ``0x00000801`` for labels, ``0x00000803``
for images: two zero bytes, the element type ``0x08`` = unsigned byte, the
number of dimensions) followed by one 4-byte size per dimension and the bytes
themselves. Gzip is detected from the file's first bytes, not its name.
"""

import gzip
import hashlib
import math
import zlib
from pathlib import Path

import numpy as np

from nettrainer.data.raw import RawData
from nettrainer.data.sources import SOURCES
from nettrainer.errors import DataError

LABELS_MAGIC = 0x00000801
IMAGES_MAGIC = 0x00000803
GZIP_MAGIC = b"\x1f\x8b"
SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
MNIST_CLASSES = tuple(str(digit) for digit in range(10))
REFETCH = "replace it with an intact copy (of MNIST or Fashion-MNIST: nettrainer data fetch NAME)"
FAMILY = ("fashion-mnist", "mnist")  # the data sets in IDX files, told apart by checksum


def read_idx(path: Path, magic: int) -> np.ndarray:
    """Read one IDX file of unsigned bytes, checking its magic number and size.

    Parameters
    ----------
    path : Path
        The file, gzip-compressed or raw.
    magic : int
        :data:`LABELS_MAGIC` or :data:`IMAGES_MAGIC`.

    Returns
    -------
    ndarray of uint8, of shape (N,) for labels or (N, rows, cols) for images
        A read-only view of the file's bytes (no copy).

    Raises
    ------
    DataError
        If the file cannot be read, is not valid gzip, has the wrong magic number,
        or holds fewer or more bytes than its header promises.
    """
    data = _decompressed(_read_file(path), path)
    kind = "labels" if magic == LABELS_MAGIC else "images"
    if data[:4] != magic.to_bytes(4, "big"):
        found = f"magic 0x{data[:4].hex()}" if data else "an empty file"
        raise DataError(
            f"{path}: not an IDX {kind} file ({found}, expected magic 0x{magic:08x}); {REFETCH}"
        )
    header = 4 + 4 * data[3]
    if len(data) < header:
        raise DataError(
            f"{path}: truncated IDX file: its {header}-byte header ends after {len(data)} "
            f"bytes; {REFETCH}"
        )
    dims = tuple(int.from_bytes(data[i : i + 4], "big") for i in range(4, header, 4))
    expected = math.prod(dims)
    if len(data) != header + expected:
        state = "truncated" if len(data) < header + expected else "corrupt (trailing bytes)"
        shape = f"{' x '.join(map(str, dims))} = " if len(dims) > 1 else ""
        raise DataError(
            f"{path}: {state} IDX file: its header promises {shape}{expected} bytes of {kind} "
            f"but {len(data) - header} follow; {REFETCH}"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def find_idx_file(directory: Path, stem: str) -> Path | None:
    """Return ``directory / stem`` or ``directory / (stem + ".gz")``, whichever exists, or None."""
    for name in (stem, stem + ".gz"):
        if (directory / name).is_file():
            return directory / name
    return None


def is_idx_dir(directory: Path) -> bool:
    """Tell whether ``directory`` holds the training images of an MNIST-family data set."""
    return find_idx_file(directory, SPLIT_FILES["train"][0]) is not None


def identify(directory: Path) -> str | None:
    """Name the data set whose files are in ``directory`` by its training labels' pinned checksum.

    The IDX format cannot tell MNIST from Fashion-MNIST; the checksums that
    ``nettrainer data fetch`` pins can: Fashion-MNIST's is of the decompressed
    labels (any copy matches), MNIST's of the ``.gz`` file as published.

    Parameters
    ----------
    directory : Path
        A folder of IDX files.

    Returns
    -------
    str or None
        ``"fashion-mnist"`` or ``"mnist"``; None when the training labels are
        missing or match neither (e.g. an uncompressed MNIST, or other data).

    Raises
    ------
    DataError
        If the training labels cannot be read or are corrupt gzip.
    """
    path = find_idx_file(directory, SPLIT_FILES["train"][1])
    if path is None:
        return None
    stored = _read_file(path)
    payload = _decompressed(stored, path)
    filename = f"{SPLIT_FILES['train'][1]}.gz"
    for name in FAMILY:
        remote = next(r for r in SOURCES[name].files if r.filename == filename)
        data = payload if remote.of_payload else stored
        if hashlib.new(remote.algorithm, data, usedforsecurity=False).hexdigest() == remote.digest:
            return name
    return None


def read_idx_dir(
    directory: Path, class_names: tuple[str, ...] | None, name: str, *, with_test: bool = True
) -> RawData:
    """Read the train and test splits of an MNIST-family data set from ``directory``.

    Parameters
    ----------
    directory : Path
        Holds the four files of :data:`SPLIT_FILES`, each raw or ``.gz``.
    class_names : tuple of str or None
        The data set's class names, C of them; None to number them (data not
        known to be MNIST or Fashion-MNIST).
    name : str
        The data set's name (``"mnist"``, ``"fashion-mnist"``, or ``"idx"`` when
        not known), for messages.
    with_test : bool, default True
        False: leave the test split out, without looking for its files.

    Returns
    -------
    RawData
        ``uint8`` images flattened to (N, rows * cols), ``uint8`` labels.

    Raises
    ------
    DataError
        If a file is missing, unreadable or corrupt, or images and labels disagree in number.
    """
    splits = {split: stems for split, stems in SPLIT_FILES.items() if with_test or split == "train"}
    paths = {
        split: [find_idx_file(directory, stem) for stem in stems] for split, stems in splits.items()
    }
    missing = [
        stem
        for split, stems in splits.items()
        for stem, path in zip(stems, paths[split], strict=True)
        if path is None
    ]
    if missing:
        fix = (
            f"run `nettrainer data fetch {name}` or set data.path to the folder holding them"
            if name in FAMILY
            else "put them in the folder with the others"
        )
        raise DataError(f"{directory}: missing {', '.join(s + '[.gz]' for s in missing)}; {fix}")
    X_train, y_train = _read_pair(*paths["train"])  # (N, rows, cols), (N,)
    X_test, y_test = _read_pair(*paths["test"]) if with_test else (None, None)
    if X_test is not None and X_test.shape[1:] != X_train.shape[1:]:
        sizes = [" x ".join(map(str, X.shape[1:])) for X in (X_test, X_train)]
        raise DataError(
            f"{paths['test'][0]}: images of {sizes[0]} pixels, but {paths['train'][0].name}'s "
            f"are {sizes[1]}; both files must come from the same data set"
        )
    return RawData(
        X_train=X_train.reshape(X_train.shape[0], -1),
        y_train=y_train,
        X_test=None if X_test is None else X_test.reshape(X_test.shape[0], -1),
        y_test=y_test,
        class_names=class_names,
        source=str(directory),
        files={split: str(files[1]) for split, files in paths.items()},
        image_shape=X_train.shape[1:],
    )


def _read_pair(images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
    images = read_idx(images_path, IMAGES_MAGIC)  # (N, rows, cols)
    labels = read_idx(labels_path, LABELS_MAGIC)  # (N,)
    if images.shape[0] != labels.shape[0]:
        raise DataError(
            f"{images_path}: {images.shape[0]} images but {labels_path} has "
            f"{labels.shape[0]} labels; both files must come from the same split"
        )
    return images, labels


def _read_file(path: Path) -> bytes:
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError as exc:
        raise DataError(f"{path}: cannot read the file ({exc.strerror}); check the path") from None


def _decompressed(data: bytes, path: Path) -> bytes:
    try:
        return gzip.decompress(data) if data[:2] == GZIP_MAGIC else data
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise DataError(f"{path}: corrupt gzip data ({exc}); {REFETCH}") from None
