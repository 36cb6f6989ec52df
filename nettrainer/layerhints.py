"""Why a gradient check failed: the usual mistakes, recognised from the error's pattern.

:func:`diagnose` names the cause of a wrong gradient from how it differs from
the numerical one (a missing mask, a factor of N or 2, a flipped sign, the L2
convention); :func:`softmax_hint` knows the classic softmax mistakes,
:func:`shape_hint` a transposed or misshapen gradient, and
:func:`narrow_float_hint` code that computes in float32. Used by
:mod:`nettrainer.layercheck`; nothing here computes a gradient.
"""

import numpy as np

from nettrainer.numerical import rel_error

SAME = 1e-4  # relative tolerance for "this ratio is exactly 2 / N" and "this matches a pattern"


def shape_hint(got: tuple[int, ...], want: tuple[int, ...], square: bool = False) -> str:
    """Say how a gradient of shape ``got`` for an input of shape ``want`` went wrong.

    ``square``: the shapes agree, but the gradient's transpose is the numeric one.
    """
    fix = "a weight gradient is x.T @ dout (D, M), a data gradient dout @ w.T (N, D)"
    if square:
        return (f"transposed: the gradient's transpose matches the numeric one (a square "
                f"{got[0]} x {got[1]} input keeps the shapes equal); {fix}")
    if len(want) >= 2 and got == want[::-1]:
        return f"transposed: the gradient has shape {got} but the input has {want}; {fix}"
    return (f"shape mismatch: the gradient has shape {got} but the input has {want}; "
            "a gradient always has its input's shape (reshape dx to x.shape)")


def diagnose(analytic: np.ndarray, numeric: np.ndarray, value: np.ndarray,
             batch: int, weight_like: bool, loss: bool = False,
             parameter: str = "dx") -> str | None:
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
    loss : bool
        Whether the gradient is a loss's, whose own value may be off by N.
    parameter : str
        The gradient's name in hints, such as ``"dw"``.

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
        hint = _ratio_hint(float(np.median(ratios)), batch, weight_like, loss, parameter)
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


def _ratio_hint(ratio: float, batch: int, weight_like: bool, loss: bool,
                parameter: str) -> str | None:
    def near(target: float) -> bool:
        return abs(ratio - target) <= SAME * abs(target)

    if batch > 2 and (near(batch) or near(1 / batch)):
        side = "a missing" if near(batch) else "an extra"
        summed = ""
        if loss and near(1 / batch):
            summed = (f"; or the loss is summed over the N examples while {parameter} is the "
                      "gradient of their mean: divide the loss by N")
        return (f"off by a factor of N={batch}: a missing or extra 1/N (mean over the batch); "
                f"here the analytic gradient is {ratio:.4g} times the numeric one, so {side} "
                f"1/N in {parameter}{summed}")
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


def softmax_hint(analytic: np.ndarray, numeric: np.ndarray, x: np.ndarray,
                 y: np.ndarray) -> str | None:
    """Name a classic softmax-gradient mistake, or None when the loss is no softmax.

    ``analytic`` and ``numeric`` are gradients of shape (N, C) with respect to
    the scores ``x`` (N, C) of labels ``y`` (N,).
    """
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


def narrow_float_hint(*arrays: object) -> str | None:
    """Return the hint for code that rounds to a float narrower than float64, or None.

    ``arrays`` are what the learner's code returned (outputs, gradients, a loss).
    Either it returned arrays of a narrower float, or it returned float64 arrays that hold only
    values of one (a ``.astype(np.float32)`` inside, cast back): random float64
    inputs give a value that happens to fit float32 about once in 2**29.
    """
    given = [np.asarray(a) for a in arrays if isinstance(a, np.ndarray | np.generic | float)]
    floats = [a.dtype for a in given if a.dtype.kind == "f" and a.dtype.itemsize < 8]
    if floats:
        dtype = min(floats, key=lambda dtype: dtype.itemsize)
        return _narrow_hint(dtype, f"your code returned {dtype} arrays")
    for dtype in (np.dtype(np.float16), np.dtype(np.float32)):
        if any(_holds_only(a, dtype) for a in given if a.dtype == np.float64):
            return _narrow_hint(
                dtype, f"your code computes in {dtype} (its float64 results hold {dtype} values)")
    return None


def _holds_only(values: np.ndarray, dtype: np.dtype) -> bool:
    """Whether every value fits ``dtype`` exactly, and at least two are no multiple of 1/256.

    The second part keeps out gradients made of simple constants (0, 1, 0.5), which
    fit any float.
    """
    finite = values[np.isfinite(values)]
    fine = np.count_nonzero(finite * 256 != np.round(finite * 256))
    with np.errstate(over="ignore"):  # a value too large for float16 becomes inf: no fit
        return fine >= 2 and bool(np.all(finite.astype(dtype).astype(np.float64) == finite))


def _narrow_hint(dtype: np.dtype, what: str) -> str:
    """Say why a gradient computed in ``dtype`` fails a float64 check; ``what`` shows it."""
    return (f"{what}: the check runs in float64, and {dtype} round-off (about "
            f"{np.finfo(dtype).eps:.0e} of each value) alone fails it; compute in the inputs' "
            "dtype (no .astype to a narrower float)")
