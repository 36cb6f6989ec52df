"""CS231n's numerical gradients: centred differences of scalar and array functions.

``eval_numerical_gradient`` and ``eval_numerical_gradient_array`` are the
assignments' helpers, under their names; ``rel_error`` is their relative error,
``max(|a - n| / max(1e-8, |a| + |n|))``. Each perturbs its input in place, one
entry at a time, and restores it exactly. :mod:`nettrainer.gradcheck` re-exports them.
The function is evaluated twice per entry, on inputs a check keeps small, so
numpy's BLAS runs on one thread meanwhile (:func:`~nettrainer.blas.one_blas_thread`).
"""

from collections.abc import Callable
from typing import Any

import numpy as np

from nettrainer.blas import one_blas_thread


def rel_error(x: np.ndarray, y: np.ndarray, floor: float = 1e-8) -> float:
    """Return ``max(|x - y| / max(floor, |x| + |y|))`` over all entries (CS231n's with 1e-8)."""
    return float(np.max(np.abs(x - y) / np.maximum(floor, np.abs(x) + np.abs(y))))


def eval_numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, verbose: bool = False, h: float = 1e-5
) -> np.ndarray:
    """Centred-difference gradient of a scalar function at ``x``.

    ``x`` is perturbed in place, one entry at a time, and restored exactly.

    Parameters
    ----------
    f : callable
        Takes ``x`` and returns a float.
    x : ndarray of any shape, float64
    verbose : bool
        Print each index and its gradient, as CS231n's helper does.
    h : float
        Step size.

    Returns
    -------
    grad : ndarray of the shape of ``x``
    """
    values = eval_numerical_gradient_at(f, x, np.arange(x.size), h=h)
    grad = values.reshape(x.shape).astype(x.dtype, copy=False)
    if verbose:
        for index in np.ndindex(x.shape):
            print(index, grad[index])
    return grad


def eval_numerical_gradient_array(
    f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, df: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    """Centred-difference gradient of ``sum(f(x) * df)``: the chain rule for array outputs.

    Parameters
    ----------
    f : callable
        Takes ``x`` and returns an array of the shape of ``df``.
    x : ndarray of any shape, float64
        Perturbed in place and restored exactly.
    df : ndarray
        Upstream gradient.
    h : float
        Step size.

    Returns
    -------
    grad : ndarray of the shape of ``x``
    """
    values = eval_numerical_gradient_array_at(f, x, df, np.arange(x.size), h=h)
    return values.reshape(x.shape).astype(x.dtype, copy=False)


def eval_numerical_gradient_array_at(
    f: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    df: np.ndarray,
    entries: np.ndarray,
    h: float = 1e-5,
) -> np.ndarray:
    """Centred-difference gradient of ``sum(f(x) * df)`` at some entries of ``x`` only.

    As :func:`eval_numerical_gradient_at` (the same ``x``, ``entries``, ``h``
    and result), for an ``f`` that returns an array of the shape of ``df``, the
    upstream gradient. The two outputs are subtracted before ``df`` weights
    them, so the round-off stays that of the entries the step changes.
    """
    return _centred_differences(
        lambda v: f(v).copy(), x, entries, h, lambda plus, minus: np.sum((plus - minus) * df)
    )


def eval_numerical_gradient_at(
    f: Callable[[np.ndarray], float], x: np.ndarray, entries: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    """Centred-difference gradient of a scalar function at some entries of ``x`` only.

    Parameters
    ----------
    f : callable
        Takes ``x`` and returns a float.
    x : ndarray of any shape, float64
        Perturbed in place, one entry at a time, and restored exactly.
    entries : ndarray of shape (K,)
        Flat indices of the entries to differentiate.
    h : float
        Step size.

    Returns
    -------
    grad : ndarray of shape (K,)
        The partial derivatives at ``entries``, in that order.
    """
    return _centred_differences(f, x, entries, h, lambda plus, minus: plus - minus)


@one_blas_thread()
def _centred_differences(
    f: Callable[[np.ndarray], Any],
    x: np.ndarray,
    entries: np.ndarray,
    h: float,
    difference: Callable[[Any, Any], float],
) -> np.ndarray:
    """``difference(f(x + h e_i), f(x - h e_i)) / (2 h)`` for each flat index i in ``entries``.

    ``x`` is perturbed in place, one entry at a time, and restored exactly; the
    result has shape (K,) for K ``entries``.
    """
    grad = np.empty(len(entries))
    for k, flat_index in enumerate(entries):
        index = np.unravel_index(flat_index, x.shape)  # works for any memory layout of x
        original = x[index]
        x[index] = original + h
        plus = f(x)
        x[index] = original - h
        minus = f(x)
        x[index] = original
        grad[k] = difference(plus, minus) / (2 * h)
    return grad
