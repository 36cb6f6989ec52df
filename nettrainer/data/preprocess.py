"""Preprocessing fitted on the training split only and applied, in place, to every split.

The fitted state is a dict of plain ndarrays, savable with ``np.savez`` and
reused by ``evaluate`` so that a run sees exactly the transform it trained with:

``"scale"`` : ndarray of shape ()
    Multiplies the features first (``data.preprocess.scale``, e.g. 1/255).
``"mean"`` : ndarray of shape (D,)
    The mean of the scaled training features, subtracted next
    (``subtract_mean``, the CS231n mean image; also part of ``standardize``).
``"std"`` : ndarray of shape (D,)
    The per-feature standard deviation of the scaled training features, divided
    last (``standardize``); with ``std_epsilon``, ``sqrt(std**2 + std_epsilon**2)``,
    so that nearly constant features (a border pixel lit in a handful of images)
    are not blown up into huge values. Without ``std_epsilon``, a feature
    constant on train (every value the same, like an image border) gets 1
    instead, so it stays 0 rather than blowing up; every other feature is
    standardised, however small its std next to its mean or the others' stds.

A key is present only when its step is configured; the empty dict is the identity.
"""

from typing import Protocol

import numpy as np

from nettrainer.data.split import row_chunks
from nettrainer.errors import DataError

STATE_KEYS = ("scale", "mean", "std")


class PreprocessSpec(Protocol):
    """What :func:`fit_preprocess` reads from ``data.preprocess`` in the config."""

    scale: float | None
    subtract_mean: bool
    standardize: bool
    std_epsilon: float


def fit_preprocess(X_train: np.ndarray, spec: PreprocessSpec) -> dict[str, np.ndarray]:
    """Fit the configured preprocessing on the training features.

    Parameters
    ----------
    X_train : ndarray of shape (N_train, D)
        Training features, not yet transformed; not modified.
    spec : PreprocessSpec
        ``scale`` (float or None), ``subtract_mean`` and ``standardize`` (bool),
        ``std_epsilon`` (float >= 0, in the units after ``scale``).

    Returns
    -------
    dict of str to ndarray
        The state described in the module docstring, in float64.
    """
    state: dict[str, np.ndarray] = {}
    scale = 1.0 if spec.scale is None else float(spec.scale)
    if spec.scale is not None:
        state["scale"] = np.array(scale)
    if not (spec.subtract_mean or spec.standardize):
        return state
    constant = _constant_columns(X_train)  # (D,)
    mean = np.where(constant, X_train[0], _column_mean(X_train))  # exact where constant
    state["mean"] = scale * mean
    if spec.standardize:
        std = abs(scale) * _column_std(X_train, mean)  # (D,)
        if spec.std_epsilon > 0:
            state["std"] = np.hypot(std, spec.std_epsilon)
        else:
            state["std"] = np.where(constant, 1.0, std)
    return state


def apply_preprocess(X: np.ndarray, state: dict[str, np.ndarray]) -> np.ndarray:
    """Apply a fitted state to ``X`` **in place**: ``X = (X * scale - mean) / std``.

    Parameters
    ----------
    X : ndarray of shape (N, D)
        Features in the training dtype, owned by the caller; overwritten.
    state : dict of str to ndarray
        From :func:`fit_preprocess` (or a saved run), checked with :func:`check_state`.

    Returns
    -------
    ndarray of shape (N, D)
        ``X`` itself, transformed.
    """
    if "scale" in state:
        X *= state["scale"].astype(X.dtype)
    if "mean" in state:
        X -= state["mean"].astype(X.dtype)
    if "std" in state:
        X /= state["std"].astype(X.dtype)
    return X


def check_state(state: dict[str, np.ndarray], num_features: int, where: str) -> dict:
    """Check that a saved preprocessing state fits data with ``num_features`` features.

    Parameters
    ----------
    state : dict of str to ndarray
        A state saved with a run.
    num_features : int
        Number of features of the data it will be applied to, D.
    where : str
        Where the data came from, for messages.

    Returns
    -------
    dict of str to ndarray
        ``state`` as float64 arrays.

    Raises
    ------
    DataError
        If a key is unknown or an array has the wrong shape or is not finite.
    """
    unknown = sorted(set(state) - set(STATE_KEYS))
    if unknown:
        raise DataError(
            f"{where}: unknown preprocessing state key(s) {', '.join(unknown)}; "
            f"expected some of {', '.join(STATE_KEYS)}"
        )
    checked = {key: np.asarray(value, dtype=np.float64) for key, value in state.items()}
    for key, value in checked.items():
        expected = () if key == "scale" else (num_features,)
        if value.shape != expected:
            raise DataError(
                f"{where}: the saved preprocessing {key!r} has shape {value.shape}, but this data "
                f"needs {expected}; use the data set the run was trained on"
            )
        if not (np.isfinite(value).all() and (key != "std" or (value > 0).all())):
            needs = "finite values > 0" if key == "std" else "finite values"
            raise DataError(
                f"{where}: the saved preprocessing {key!r} needs {needs}; the run's "
                "preprocess.npz was changed outside nettrainer: restore it"
            )
    return checked


def _column_mean(X: np.ndarray) -> np.ndarray:
    total = np.zeros(X.shape[1])  # (D,)
    for rows in row_chunks(*X.shape):
        total += X[rows].sum(axis=0, dtype=np.float64)
    return total / X.shape[0]


def _constant_columns(X: np.ndarray) -> np.ndarray:
    """Return a (D,) bool mask of the columns whose smallest and largest values are equal."""
    low, high = X[0].copy(), X[0].copy()  # (D,)
    for rows in row_chunks(*X.shape):  # reductions: no temporary the size of a block
        np.minimum(low, X[rows].min(axis=0), out=low)
        np.maximum(high, X[rows].max(axis=0), out=high)
    return low == high


def _column_std(X: np.ndarray, mean: np.ndarray) -> np.ndarray:
    squares = np.zeros(X.shape[1])  # (D,)
    for rows in row_chunks(*X.shape):
        centred = X[rows] - mean  # (rows, D), float64
        squares += np.einsum("ij,ij->j", centred, centred)
    return np.sqrt(squares / X.shape[0])
