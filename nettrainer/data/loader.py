"""``load(spec)``: read a data set, carve the validation split, convert once, preprocess.

The readers (one module per format) return :class:`~nettrainer.data.raw.RawData`
in the stored dtypes; :func:`load` checks it, chooses the validation rows with
``numpy.random.default_rng(seed)``, copies each split once into the training
dtype and applies the preprocessing fitted on the training split.
"""

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from nettrainer.data.cifar import find_cifar_dir, read_cifar_dir
from nettrainer.data.classes import check_two_classes
from nettrainer.data.csvfile import first_row_hint, label_column_hint, read_csv
from nettrainer.data.dataset import Dataset
from nettrainer.data.idx import (
    FASHION_MNIST_CLASSES,
    MNIST_CLASSES,
    identify,
    is_idx_dir,
    read_idx_dir,
)
from nettrainer.data.locations import SEARCH_PATHS, locate, optional_test_path, required_path
from nettrainer.data.npz import read_npz
from nettrainer.data.preprocess import apply_preprocess, check_state, fit_preprocess
from nettrainer.data.raw import RawData, check
from nettrainer.data.spiral import make_blobs, make_spiral
from nettrainer.data.split import gather, gather_labels, split_indices, val_count
from nettrainer.errors import DataError, RegistryError

if TYPE_CHECKING:
    from nettrainer.config import DataConfig

DATASET_NAMES: tuple[str, ...] = (
    "spiral",
    "blobs",
    "fashion-mnist",
    "mnist",
    "cifar10",
    "npz",
    "csv",
)
TEST_PATH_FORMATS = ("npz", "csv")  # the others have a test split of their own, or none


def load(
    spec: "DataConfig",
    *,
    seed: int,
    dtype: Any,
    preprocess_state: dict[str, np.ndarray] | None = None,
    with_test: bool = True,
) -> Dataset:
    """Load the data set a config's ``data`` section describes.

    Parameters
    ----------
    spec : nettrainer.config.DataConfig
        The ``data`` section: ``name``, ``path``, ``val_size``, ``test_path``,
        ``label_column``, ``header``, ``points_per_class``, ``num_classes``,
        ``max_train`` and ``preprocess`` (``scale``, ``subtract_mean``, ``standardize``,
        ``std_epsilon``).
    seed : int
        Seeds the generators (spiral, blobs) and, separately, the validation split.
    dtype : numpy dtype or str
        The training dtype, float32 or float64; features are converted into it once.
    preprocess_state : dict of str to ndarray, optional
        A state saved with a run: applied instead of fitting a new one.
    with_test : bool, default True
        Whether to load the test split. False leaves ``X_test`` and ``y_test`` None
        and never reads ``data.test_path`` (training, ``evaluate --split val``); the
        classes and the preprocessing come from the training split either way.

    Returns
    -------
    Dataset
        Splits of shape (N, D) in ``dtype`` (C-contiguous), int64 labels, the fitted
        (or given) ``preprocess_state``.

    Raises
    ------
    RegistryError
        If ``spec.name`` is not one of :data:`DATASET_NAMES`.
    DataError
        If the data cannot be found or read, or fail :func:`~nettrainer.data.raw.check`.
    """
    dtype = _float_dtype(dtype)
    raw = read_raw(spec, seed=seed, dtype=dtype, with_test=with_test)
    data = _split_and_convert(raw, spec.val_size, spec.max_train, seed, dtype)
    if preprocess_state is None:
        state = fit_preprocess(data.X_train, spec.preprocess)
    else:
        state = check_state(preprocess_state, data.input_size, raw.source)
    for X in (data.X_train, data.X_val, data.X_test):
        if X is not None:
            apply_preprocess(X, state)
    data.preprocess_state = state
    return data


def read_raw(
    spec: "DataConfig", *, seed: int, dtype: np.dtype, with_test: bool = True
) -> RawData:
    """Read and check the data set of ``spec`` in its stored dtypes (see :func:`load`).

    Parameters
    ----------
    spec : nettrainer.config.DataConfig
        As for :func:`load`.
    seed : int
        Seeds the generators (spiral, blobs).
    dtype : numpy.dtype
        Dtype that text formats (csv) are parsed into.
    with_test : bool, default True
        False: leave the test split out, without reading its file
        (``data.test_path``, MNIST's ``t10k-*``, CIFAR-10's ``test_batch``).

    Returns
    -------
    RawData
        The checked data set.

    Raises
    ------
    RegistryError
        If ``spec.name`` is unknown.
    DataError
        As for :func:`load`.
    """
    if spec.name not in READERS:
        raise RegistryError(
            f"unknown data set {spec.name!r} in data.name; choose one of {', '.join(DATASET_NAMES)}"
        )
    if spec.path is not None and READERS[spec.name] is _generated:
        raise DataError(
            f"data.path ({spec.path}) is not read: {spec.name} data is generated; set data.name "
            "to the file's format (csv or npz) to train on it, or remove data.path"
        )
    if spec.test_path is not None and spec.name not in TEST_PATH_FORMATS:
        has = "has its own" if spec.name in SEARCH_PATHS else "is generated, without a"
        raise DataError(
            f"data.test_path ({spec.test_path}) is read only for npz and csv data, and "
            f"{spec.name} {has} test split; remove data.test_path"
        )
    if not with_test:
        spec = replace(spec, test_path=None)
    raw = READERS[spec.name](spec, seed, dtype, with_test)
    try:
        return check(raw if with_test else replace(raw, X_test=None, y_test=None))
    except DataError as error:
        if spec.name != "csv":
            raise
        headerless = spec.header is None and raw.columns.header is None
        hinted = first_row_hint(error, raw.row_lines["train"](0)) if headerless else error
        raise (label_column_hint(error, raw.columns) if hinted is error else hinted) from None


def _float_dtype(dtype: Any) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise DataError(f"data can be loaded as float32 or float64, not {dtype}; set model.dtype")
    return dtype


def _split_and_convert(
    raw: RawData, val_size: float, max_train: int | None, seed: int, dtype: np.dtype
) -> Dataset:
    stored_val = raw.X_val is not None
    num_rows = raw.X_train.shape[0]
    num_val = 0 if stored_val else val_count(val_size, num_rows, raw.where("train"))
    rng = np.random.default_rng(seed)
    train_rows, val_rows = split_indices(num_rows, num_val, max_train, rng)
    y_train = gather_labels(raw.y_train, train_rows)
    if max_train is not None and max_train < num_rows - num_val:
        fix = f": raise data.max_train (now {max_train})"
    else:
        fix = f": lower data.val_size (now {val_size!r})"
    which = f"{raw.where('train')}: the {y_train.size} example(s) left for training"
    check_two_classes(np.unique(y_train), which, fix)
    if stored_val:
        X_val, y_val = gather(raw.X_val, None, dtype), gather_labels(raw.y_val, None)
    else:
        X_val, y_val = gather(raw.X_train, val_rows, dtype), gather_labels(raw.y_train, val_rows)
    return Dataset(
        X_train=gather(raw.X_train, train_rows, dtype),
        y_train=y_train,
        X_val=X_val,
        y_val=y_val,
        X_test=None if raw.X_test is None else gather(raw.X_test, None, dtype),
        y_test=None if raw.y_test is None else gather_labels(raw.y_test, None),
        class_names=raw.class_names,
        image_shape=raw.image_shape,
        source=raw.source,
    )


def _generated(spec: "DataConfig", seed: int, dtype: np.dtype, _with_test: bool) -> RawData:
    make = make_spiral if spec.name == "spiral" else make_blobs
    X, y = make(spec.points_per_class, spec.num_classes, rng=np.random.default_rng(seed))
    names = tuple(str(c) for c in range(spec.num_classes))
    return RawData(X_train=X, y_train=y, class_names=names, source=f"generated {spec.name}")


def _idx(spec: "DataConfig", seed: int, dtype: np.dtype, with_test: bool) -> RawData:
    names = FASHION_MNIST_CLASSES if spec.name == "fashion-mnist" else MNIST_CLASSES
    folder = locate(spec.name, spec.path, lambda d: d if is_idx_dir(d) else None)
    family = identify(folder)
    if family not in (None, spec.name):
        raise DataError(
            f"{folder}: holds {family} (its training labels have the checksum pinned for "
            f"{family}), not {spec.name}; set data.name to {family}"
        )
    return read_idx_dir(folder, names, spec.name, with_test=with_test)


def _cifar(spec: "DataConfig", seed: int, dtype: np.dtype, with_test: bool) -> RawData:
    return read_cifar_dir(locate(spec.name, spec.path, find_cifar_dir), with_test=with_test)


def _npz(spec: "DataConfig", seed: int, dtype: np.dtype, _with_test: bool) -> RawData:
    return read_npz(required_path(spec), optional_test_path(spec))


def _csv(spec: "DataConfig", seed: int, dtype: np.dtype, _with_test: bool) -> RawData:
    path = required_path(spec)  # a missing data file is named before a missing test file
    return read_csv(path, optional_test_path(spec), spec.label_column, spec.header, dtype)


# Each reader takes (spec, seed, dtype, with_test); npz and csv read data.test_path, which
# read_raw clears when with_test is False.
READERS: dict[str, Callable[[Any, int, np.dtype, bool], RawData]] = {
    "spiral": _generated,
    "blobs": _generated,
    "fashion-mnist": _idx,
    "mnist": _idx,
    "cifar10": _cifar,
    "npz": _npz,
    "csv": _csv,
}
