"""Check a learner's own layer or loss against centred differences, with hints on failure.

:func:`check_layer` takes a forward/backward pair in the CS231n convention and
:func:`check_loss` a ``loss(x, y) -> (loss, dx)``; both run in float64 and
return :class:`LayerCheck` records (the fields ``results_table`` prints, plus
the worst entry and a ``hint`` naming the usual cause of the mistake). Nothing
here prints; :mod:`nettrainer.usercode` runs these checks on code named on the
command line.
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
from nettrainer.numerical import eval_numerical_gradient_array_at

SAME = 1e-4  # relative tolerance for "this ratio is exactly 2 / N" and "this matches a pattern"
MAX_LAYER_ENTRIES = 1000  # larger inputs are checked on a random sample of this many entries


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
        Seeds the random upstream gradient ``dout``.
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
    returned = forward(*values)
    if not (isinstance(returned, tuple) and len(returned) == 2):
        raise ConventionError(f"{getattr(forward, '__name__', 'forward')} must return "
                              f"(out, cache), as CS231n's layers do; it returned {_what(returned)}")
    out, cache = returned
    dout = np.random.default_rng(seed).standard_normal(np.shape(out))
    grads = backward(dout, cache)
    grads = tuple(grads) if isinstance(grads, tuple | list) else (grads,)
    title = getattr(backward, "__name__", "backward")
    if len(grads) != len(values):
        hint = (f"backward returned {len(grads)} gradient(s) for {len(values)} input(s): "
                "return one gradient per input of forward, in the same order")
        return [LayerCheck(title, "d" + n, float("inf"), LAYER_THRESHOLD, False, hint=hint)
                for n in names]
    checks = []
    sampler = np.random.default_rng([seed, 1])  # dout's generator stays as it always was
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
        weight_like = position > 0 or name.lower().startswith("w")
        checks.append(_compare(title, "d" + name, analytic, numeric, values[position],
                               batch=values[0].shape[0] if values[0].ndim else 1,
                               weight_like=weight_like, h=h, entries=entries))
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
    returned = loss_fn(x.copy(), y)
    if not (isinstance(returned, tuple) and len(returned) == 2):
        raise ConventionError(f"{getattr(loss_fn, '__name__', 'loss')} must return (loss, dx), "
                              f"as CS231n's losses do; it returned {_what(returned)}")
    loss, analytic = returned
    numeric = eval_numerical_gradient(lambda s: float(loss_fn(s, y)[0]), x, h=h)
    check = _compare(getattr(loss_fn, "__name__", "loss"), "dx", analytic, numeric, x,
                     batch=x.shape[0], weight_like=False, h=h, loss=float(loss))
    if not check.passed and np.shape(analytic) == x.shape:
        softmax = _softmax_hint(np.asarray(analytic, dtype=np.float64), numeric, x, y)
        if softmax:
            check = LayerCheck(**{**check.__dict__, "hint": softmax})
    return [check]


def _compare(name: str, parameter: str, analytic: object, numeric: np.ndarray,
             value: np.ndarray, *, batch: int, weight_like: bool, h: float,
             loss: float | None = None, entries: np.ndarray | None = None) -> LayerCheck:
    """Judge one gradient, relative errors floored as :func:`~nettrainer.gradcheck.error_floor`.

    ``numeric`` holds the centred differences of ``value``'s entries at the flat
    indices ``entries`` (all of them, in order, when None).
    """
    analytic = np.asarray(analytic, dtype=np.float64)
    if analytic.shape != value.shape:
        return LayerCheck(name, parameter, float("inf"), LAYER_THRESHOLD, False,
                          hint=_shape_hint(analytic.shape, value.shape))
    entries = np.arange(value.size) if entries is None else entries
    checked, numeric, at = analytic.ravel()[entries], numeric.ravel(), value.ravel()[entries]
    floor = error_floor(checked, numeric, LAYER_THRESHOLD, loss=loss, h=h)
    error = rel_error(checked, numeric, floor=floor)
    if error <= LAYER_THRESHOLD:
        return LayerCheck(name, parameter, error, LAYER_THRESHOLD, True)
    errors = np.abs(checked - numeric) / np.maximum(floor, np.abs(checked) + np.abs(numeric))
    k = int(np.argmax(errors))
    worst = np.unravel_index(int(entries[k]), value.shape)
    hint = diagnose(checked, numeric, at, batch, weight_like)
    return LayerCheck(name, parameter, error, LAYER_THRESHOLD, False, tuple(int(i) for i in worst),
                      float(checked[k]), float(numeric[k]), hint)


def _what(returned: object) -> str:
    """Name what a learner's function returned instead of a pair."""
    if isinstance(returned, tuple):
        return f"a tuple of {len(returned)}"
    return f"one {type(returned).__name__}"


def _shape_hint(got: tuple[int, ...], want: tuple[int, ...]) -> str:
    if len(want) >= 2 and got == want[::-1]:
        return (f"transposed: the gradient has shape {got} but the input has {want}; "
                "a weight gradient is x.T @ dout (D, M), a data gradient dout @ w.T (N, D)")
    return (f"shape mismatch: the gradient has shape {got} but the input has {want}; "
            "a gradient always has its input's shape (reshape dx to x.shape)")


def diagnose(analytic: np.ndarray, numeric: np.ndarray, value: np.ndarray,
             batch: int, weight_like: bool) -> str | None:
    """Name the likely cause of a wrong gradient from the pattern of its error.

    Parameters
    ----------
    analytic, numeric : ndarray of the same shape
        The learner's gradient and the centred-difference one.
    value : ndarray of that shape
        The input both are gradients of.
    batch : int
        N, the batch size (the first dimension of the input).
    weight_like : bool
        Whether the input may be an L2-regularised weight.

    Returns
    -------
    hint : str or None
        None when no known pattern fits.
    """
    scale = max(float(np.abs(numeric).max()), float(np.abs(analytic).max()), 1e-12)
    a_zero, n_zero = np.abs(analytic) <= 1e-10 * scale, np.abs(numeric) <= 1e-7 * scale
    if np.any(a_zero & ~n_zero):
        return ("zero where the numeric gradient is not: a missing path (e.g. the ReLU mask "
                "applied to the wrong array, or a forgotten term)")
    if np.any(n_zero & ~a_zero):
        return ("nonzero where the numeric gradient is zero: a missing mask (e.g. ReLU's "
                "backward must block dout where the input was <= 0: np.where(x > 0, dout, 0))")
    both = ~a_zero & ~n_zero
    ratios = analytic[both] / numeric[both]
    if ratios.size and np.ptp(ratios) <= SAME * np.abs(ratios).max():
        hint = _ratio_hint(float(np.median(ratios)), batch, weight_like)
        if hint:
            return hint
    difference = analytic - numeric
    norm = float(np.vdot(value, value))
    if norm > 0:
        k = float(np.vdot(difference, value)) / norm
        if np.linalg.norm(difference - k * value) <= SAME * np.linalg.norm(difference):
            return ("off by 2 in the L2 term: analytic - numeric is a multiple of the weight "
                    "itself; the L2 convention "
                    "(reg*W**2 has gradient 2*reg*W; 0.5*reg*W**2 has reg*W)")
    return None


def _ratio_hint(ratio: float, batch: int, weight_like: bool) -> str | None:
    def near(target: float) -> bool:
        return abs(ratio - target) <= SAME * abs(target)

    if batch > 2 and (near(batch) or near(1 / batch)):
        side = "a missing" if near(batch) else "an extra"
        return (f"off by a factor of N={batch}: a missing or extra 1/N (mean over the batch); "
                f"here the analytic gradient is {ratio:.4g} times the numeric one, so {side} 1/N")
    if near(2) or near(0.5):
        if weight_like:
            return ("off by 2: the L2 convention (reg*W**2 has gradient 2*reg*W; "
                    "0.5*reg*W**2 has reg*W)")
        return f"off by a factor of {ratio:.4g}: a constant factor 2 is missing or extra"
    if near(-1):
        return "the sign is flipped: the analytic gradient is minus the numeric one"
    if near(1):
        return None  # they agree to SAME wherever both are nonzero: no factor is wrong
    return f"off by a constant factor {ratio:.4g}: the pattern is right, a scale factor is wrong"


def _softmax_hint(analytic: np.ndarray, numeric: np.ndarray, x: np.ndarray,
                  y: np.ndarray) -> str | None:
    n = x.shape[0]
    rows = np.arange(n)
    probs = np.exp(x - x.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    onehot = np.zeros_like(x)
    onehot[rows, y] = 1
    if rel_error((probs - onehot) / n, numeric) > 1e-6:
        return None  # not a softmax cross-entropy
    expected = "dx should be (probs - onehot)/N"
    for divisor in (n, 1):
        if rel_error(analytic, probs / divisor) < SAME:
            return (f"{expected}; yours is probs{'/N' if divisor > 1 else ''}: subtract the "
                    "one-hot of the labels (probs[range(N), y] -= 1)")
        if rel_error(analytic, -onehot / probs / divisor) < SAME:
            return (f"{expected}; yours is -onehot/p, the gradient with respect to the "
                    "probabilities: chain it through the softmax Jacobian diag(p) - p pᵀ")
    return f"{expected}; {diagnose(analytic, numeric, x, n, False) or 'compare yours with it'}"
