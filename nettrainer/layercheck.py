"""Check a learner's own layer or loss against centred differences, with hints on failure.

:func:`check_layer` takes a forward/backward pair in the CS231n convention and
:func:`check_loss` a ``loss(x, y) -> (loss, dx)``; both run in float64 and
return :class:`LayerCheck` records (the fields ``results_table`` prints, plus
the worst entry and a ``hint`` from :mod:`nettrainer.layerhints` naming the
usual cause of the mistake). Nothing here prints; :mod:`nettrainer.usercode`
runs these checks on code named on the command line.
"""

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from nettrainer.gradcheck import (
    LAYER_THRESHOLD,
    error_floor,
    eval_numerical_gradient,
    rel_error,
)
from nettrainer.layerhints import diagnose, narrow_float_hint, shape_hint, softmax_hint
from nettrainer.numerical import eval_numerical_gradient_array_at

MAX_LAYER_ENTRIES = 1000  # larger inputs are checked on a random sample of this many entries
SAMPLER_STREAM, UPSTREAM_STREAM = 1, 2  # default_rng([seed, stream]): the sample, dout


class ConventionError(TypeError):
    """Raised when a learner's function breaks CS231n's calling convention (not its maths)."""


@dataclass(frozen=True)
class LayerCheck:
    """The check of one gradient returned by a learner's backward pass or loss.

    Attributes
    ----------
    name : str
        The checked function, e.g. ``"affine_backward"``.
    parameter : str
        ``"d"`` + the input's name (from ``inputs``' keys or the forward's
        signature), e.g. ``"dw"``; ``"d0"``, ``"d1"``... when unnamed.
    rel_error : float
        ``inf`` when the gradient is missing or has the wrong shape.
    threshold : float
    passed : bool
    worst_index : tuple of int or None
        On failure, the entry with the largest relative error.
    analytic, numeric : float or None
        The two gradients at ``worst_index``.
    hint : str or None
        The likely cause, when the pattern of the error is recognisable.
    """

    name: str
    parameter: str
    rel_error: float
    threshold: float
    passed: bool
    worst_index: tuple[int, ...] | None = None
    analytic: float | None = None
    numeric: float | None = None
    hint: str | None = None


def _input_names(forward: Callable, inputs: Sequence | dict) -> list[str]:
    if isinstance(inputs, dict):
        return [str(key) for key in inputs]
    try:
        names = list(inspect.signature(forward).parameters)
    except (TypeError, ValueError):
        names = []
    if len(names) < len(inputs):
        return [str(i) for i in range(len(inputs))]
    return names[: len(inputs)]


def check_layer(
    forward: Callable[..., tuple],
    backward: Callable[..., tuple | np.ndarray],
    inputs: Sequence[np.ndarray] | dict[str, np.ndarray],
    seed: int = 0,
    h: float = 1e-5,
) -> list[LayerCheck]:
    """Compare every gradient of a forward/backward pair with centred differences in float64.

    An input of more than :data:`MAX_LAYER_ENTRIES` entries is checked on a
    random sample of that many (CS231n's sparse check), so MNIST-sized layers
    take a second rather than minutes.

    Parameters
    ----------
    forward : callable
        ``forward(*inputs) -> (out, cache)``.
    backward : callable
        ``backward(dout, cache) -> grads``: one gradient per input, in order (a
        tuple, or a single array for a one-input layer).
    inputs : sequence of ndarray, or dict of str to ndarray
        The forward's inputs; copied to float64 (the caller's arrays are not
        touched). A dict's keys name the records; otherwise the forward's
        parameter names do.
    seed : int
        Seeds the random upstream gradient ``dout`` and the entries sampled, on
        streams of their own (never equal to ``default_rng(seed)``'s draws).
    h : float
        Finite-difference step.

    Returns
    -------
    checks : list of LayerCheck
        One per input, with a ``hint`` on a recognisable failure.

    Raises
    ------
    ConventionError
        If ``forward`` does not return ``(out, cache)``.
    """
    names = _input_names(forward, inputs)
    given = inputs.values() if isinstance(inputs, dict) else inputs
    values = [np.array(v, dtype=np.float64) for v in given]  # copies: the caller's stay intact
    pristine = [v.copy() for v in values]
    returned = forward(*values)
    if not (isinstance(returned, tuple) and len(returned) == 2):
        raise ConventionError(f"{getattr(forward, '__name__', 'forward')} must return "
                              f"(out, cache), as CS231n's layers do; it returned {_what(returned)}")
    title = getattr(backward, "__name__", "backward")
    changed = [n for n, v, p in zip(names, values, pristine, strict=True)
               if not np.array_equal(v, p, equal_nan=True)]
    if changed:
        return _all_failed(title, names, _changed_hint(forward, changed, "forward"))
    out, cache = returned
    # Streams of their own: inputs drawn with default_rng(seed), as the command line's
    # and a learner's are, would otherwise equal dout, and a backward that returns
    # its cache (relu_backward as np.maximum(dout, 0)) would pass.
    dout = np.random.default_rng([seed, UPSTREAM_STREAM]).standard_normal(np.shape(out))
    grads = backward(dout, cache)
    grads = tuple(grads) if isinstance(grads, tuple | list) else (grads,)
    if len(grads) != len(values):
        return _all_failed(title, names, (
            f"backward returned {len(grads)} gradient(s) for {len(values)} input(s): "
            "return one gradient per input of forward, in the same order"))
    narrow = narrow_float_hint(out, *grads)
    checks = []
    sampler = np.random.default_rng([seed, SAMPLER_STREAM])
    for position, (name, analytic) in enumerate(zip(names, grads, strict=True)):

        def output_of(v: np.ndarray, position: int = position) -> np.ndarray:
            return np.asarray(forward(*values[:position], v, *values[position + 1 :])[0])

        size = values[position].size
        entries = np.arange(size) if size <= MAX_LAYER_ENTRIES else np.sort(
            sampler.choice(size, MAX_LAYER_ENTRIES, replace=False))
        if np.shape(analytic) == values[position].shape:  # else _compare names the mismatch
            numeric = eval_numerical_gradient_array_at(output_of, values[position], dout,
                                                       entries, h=h)
        else:
            numeric = np.empty(0)
        # The L2 convention's factor 2 lives in loss terms: a scalar out of a weight.
        weight_like = (position > 0 or name.lower().startswith("w")) and np.size(out) == 1
        checks.append(_compare(title, "d" + name, analytic, numeric, values[position],
                               batch=values[0].shape[0] if values[0].ndim else 1,
                               weight_like=weight_like, h=h, entries=entries, narrow=narrow))
    return checks


def check_loss(
    loss_fn: Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]],
    x: np.ndarray,
    y: np.ndarray,
    h: float = 1e-5,
) -> list[LayerCheck]:
    """Compare the gradient of a loss ``loss_fn(x, y) -> (loss, dx)`` with centred differences.

    Parameters
    ----------
    loss_fn : callable
        Returns the scalar loss and its gradient with respect to ``x``.
    x : ndarray of shape (N, C)
        Scores; copied to float64.
    y : ndarray of shape (N,)
        Integer labels in [0, C).
    h : float
        Finite-difference step.

    Returns
    -------
    checks : list of LayerCheck
        One record for ``dx``; its hint also recognises the classic softmax
        mistakes (``probs`` without subtracting the one-hot, ``-onehot/p``).

    Raises
    ------
    ConventionError
        If ``loss_fn`` does not return ``(loss, dx)``.
    """
    x = np.array(x, dtype=np.float64)
    given = x.copy()
    returned = loss_fn(given, y)
    name = getattr(loss_fn, "__name__", "loss")
    if not (isinstance(returned, tuple) and len(returned) == 2):
        raise ConventionError(f"{name} must return (loss, dx), as CS231n's losses do; it "
                              f"returned {_what(returned)}")
    loss, analytic = returned
    if np.ndim(loss) != 0 or not np.isreal(loss):
        raise ConventionError(f"{name} must return the loss as one number (the mean over the "
                              f"N examples), as CS231n's losses do; it returned "
                              f"{_what_loss(loss)}")
    if not np.array_equal(given, x, equal_nan=True):
        return _all_failed(name, ["x"], _changed_hint(loss_fn, ["x"], "loss"))
    numeric = eval_numerical_gradient(lambda s: float(loss_fn(s, y)[0]), x, h=h)
    check = _compare(name, "dx", analytic, numeric, x, batch=x.shape[0], weight_like=False,
                     h=h, loss=float(loss), narrow=narrow_float_hint(loss, analytic))
    if not check.passed and np.shape(analytic) == x.shape:
        softmax = softmax_hint(np.asarray(analytic, dtype=np.float64), numeric, x, y)
        if softmax:
            check = LayerCheck(**{**check.__dict__, "hint": softmax})
    return [check]


def _compare(name: str, parameter: str, analytic: object, numeric: np.ndarray,
             value: np.ndarray, *, batch: int, weight_like: bool, h: float,
             loss: float | None = None, entries: np.ndarray | None = None,
             narrow: str | None = None) -> LayerCheck:
    """Judge one gradient, relative errors floored as :func:`~nettrainer.gradcheck.error_floor`.

    ``numeric`` holds the centred differences of ``value``'s entries at the flat
    indices ``entries`` (all of them, in order, when None). ``narrow`` is the
    hint for code that rounds to a float narrower than float64, whose round-off
    alone fails the check (see :func:`~nettrainer.layerhints.narrow_float_hint`).
    """
    if analytic is None:
        return LayerCheck(name, parameter, float("inf"), LAYER_THRESHOLD, False,
                          hint=f"no gradient: {name} returned None for {parameter}; return an "
                               f"array of its input's shape {value.shape}")
    analytic = np.asarray(analytic, dtype=np.float64)
    if analytic.shape != value.shape:
        return LayerCheck(name, parameter, float("inf"), LAYER_THRESHOLD, False,
                          hint=shape_hint(analytic.shape, value.shape))
    entries = np.arange(value.size) if entries is None else entries
    checked, numeric, at = analytic.ravel()[entries], numeric.ravel(), value.ravel()[entries]
    floor = error_floor(checked, numeric, LAYER_THRESHOLD, loss=loss, h=h)
    error = rel_error(checked, numeric, floor=floor)
    if error <= LAYER_THRESHOLD:
        return LayerCheck(name, parameter, error, LAYER_THRESHOLD, True)
    errors = np.abs(checked - numeric) / np.maximum(floor, np.abs(checked) + np.abs(numeric))
    k = int(np.argmax(errors))
    worst = np.unravel_index(int(entries[k]), value.shape)
    transposed = analytic.ndim == 2 and analytic.shape[0] == analytic.shape[1] and rel_error(
        analytic.T.ravel()[entries], numeric, floor=floor) <= LAYER_THRESHOLD
    if narrow is not None:
        hint = narrow
    elif transposed:  # a square gradient's transpose has the right shape
        hint = shape_hint(analytic.shape, value.shape, square=True)
    else:
        hint = diagnose(checked, numeric, at, batch, weight_like, loss=loss is not None,
                        parameter=parameter)
    return LayerCheck(name, parameter, error, LAYER_THRESHOLD, False, tuple(int(i) for i in worst),
                      float(checked[k]), float(numeric[k]), hint)


def _all_failed(name: str, inputs: Sequence[str], hint: str) -> list[LayerCheck]:
    """One failed record per input, all with ``hint``: the check could not be made."""
    return [LayerCheck(name, "d" + n, float("inf"), LAYER_THRESHOLD, False, hint=hint)
            for n in inputs]


def _changed_hint(function: Callable, inputs: Sequence[str], kind: str) -> str:
    """Say that ``function`` changed its ``inputs`` in place, which spoils every check."""
    named = ", ".join(inputs)
    return (f"{getattr(function, '__name__', kind)} changed its input {named} in place (e.g. "
            "x[x < 0] = 0 or x -= x.max(...)), so the backward pass and the numerical "
            "gradient see other values; compute into a new array (np.maximum(x, 0), "
            "x - x.max(axis=1, keepdims=True))")


def _what_loss(loss: object) -> str:
    """Name a loss that is no single number."""
    if np.ndim(loss):
        return f"an array of shape {np.shape(loss)} (take its mean)"
    return f"one {type(loss).__name__}"


def _what(returned: object) -> str:
    """Name what a learner's function returned instead of a pair."""
    if isinstance(returned, tuple):
        return f"a tuple of {len(returned)}"
    return f"one {type(returned).__name__}"
