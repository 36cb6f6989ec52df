"""Numerical gradient checking: centred differences against the analytic backward passes.

Everything runs in float64 and returns numbers; nothing here prints. The
numerical gradients and CS231n's relative error ``max(|a - n| / max(1e-8,
|a| + |n|))`` come from :mod:`nettrainer.numerical` and are re-exported here
under CS231n's names.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nettrainer import layers
from nettrainer.model import TwoLayerNet
from nettrainer.numerical import (
    eval_numerical_gradient,
    eval_numerical_gradient_array,
    eval_numerical_gradient_at,
    rel_error,
)

LAYER_THRESHOLD = 1e-7  # layers and losses on random inputs: expect about 1e-9 or less
MODEL_THRESHOLD = 1e-6  # the whole net composes several kinks (ReLU, max); expect about 1e-8
TINY_ENTRY = 1e-3  # entries below this fraction of the largest are judged against it
MAX_CHECKED_ENTRIES = 200  # larger params are checked on a random sample (CS231n's sparse check)
KINK_RETRIES = 20  # initialisations tried to keep every ReLU input out of a step's reach
RELU_INPUT_RMS = 3.0  # the check's net is scaled down on large inputs to ReLU inputs this large


@dataclass(frozen=True)
class CheckResult:
    """One compared gradient.

    Attributes
    ----------
    name : str
        What was checked, e.g. ``"affine_backward"`` or ``"TwoLayerNet reg=0.1"``.
    parameter : str
        The input whose gradient was compared, e.g. ``"dw"`` or ``"W1"``.
    rel_error : float
    threshold : float
    passed : bool
        ``rel_error <= threshold``.
    """

    name: str
    parameter: str
    rel_error: float
    threshold: float
    passed: bool


def _result(name: str, parameter: str, error: float, threshold: float) -> CheckResult:
    return CheckResult(name, parameter, error, threshold, bool(error <= threshold))


def _check_pair(
    name: str,
    forward: Callable[..., tuple],
    backward: Callable[..., tuple | np.ndarray],
    inputs: dict[str, np.ndarray],
    rng: np.random.Generator,
    h: float,
) -> list[CheckResult]:
    """Compare each gradient returned by ``backward`` with the numeric one of its input."""
    out, cache = forward(*inputs.values())
    dout = rng.standard_normal(out.shape)
    grads = backward(dout, cache)
    grads = grads if isinstance(grads, tuple) else (grads,)
    results = []
    for (input_name, value), analytic in zip(inputs.items(), grads, strict=True):
        args = list(inputs.values())
        position = list(inputs).index(input_name)

        def output_of(v: np.ndarray, position: int = position, args: list = args) -> np.ndarray:
            return forward(*args[:position], v, *args[position + 1 :])[0]

        numeric = eval_numerical_gradient_array(output_of, value, dout, h=h)
        error = rel_error(analytic, numeric, floor=error_floor(analytic, numeric, LAYER_THRESHOLD))
        results.append(_result(name, "d" + input_name, error, LAYER_THRESHOLD))
    return results


def _check_loss(
    name: str, loss_fn: Callable, scores: np.ndarray, y: np.ndarray, h: float
) -> CheckResult:
    loss, dx = loss_fn(scores, y)
    numeric = eval_numerical_gradient(lambda s: loss_fn(s, y)[0], scores, h=h)
    floor = error_floor(dx, numeric, LAYER_THRESHOLD, loss=loss, h=h)
    return _result(name, "dx", rel_error(dx, numeric, floor=floor), LAYER_THRESHOLD)


def check_layers(seed: int = 0, h: float = 1e-5) -> list[CheckResult]:
    """Check every layer function of :mod:`nettrainer.layers` on small random float64 inputs.

    Parameters
    ----------
    seed : int
        Seeds the random inputs.
    h : float
        Finite-difference step.

    Returns
    -------
    results : list of CheckResult
        One per gradient of each layer.
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((4, 3, 2))  # (N, d1, d2): D = 6
    w, b = rng.standard_normal((6, 5)), rng.standard_normal(5)  # (D, M), (M,)
    relu_input = rng.standard_normal((4, 5))
    relu_input[np.abs(relu_input) < 1e-3] = 0.5  # keep clear of the kink at 0
    scores = rng.standard_normal((6, 4))  # (N, C)
    labels = rng.integers(0, 4, size=6)
    return [
        *_check_pair(
            "affine_backward", layers.affine_forward, layers.affine_backward,
            {"x": x, "w": w, "b": b}, rng, h,
        ),
        *_check_pair(
            "relu_backward", layers.relu_forward, layers.relu_backward, {"x": relu_input}, rng, h
        ),
        *_check_pair(
            "affine_relu_backward", layers.affine_relu_forward, layers.affine_relu_backward,
            {"x": x, "w": w, "b": b}, rng, h,
        ),
        _check_loss("softmax_loss", layers.softmax_loss, scores, labels, h),
        _check_loss("svm_loss", layers.svm_loss, scores, labels, h),
    ]


def check_model(
    input_size: int = 5,
    hidden_size: int = 10,
    num_classes: int = 3,
    num_inputs: int = 5,
    regs: tuple[float, ...] = (0.0, 0.7),
    seed: int = 0,
    h: float = 1e-5,
    X: np.ndarray | None = None,
    y: np.ndarray | None = None,
) -> list[CheckResult]:
    """Check every parameter gradient of :class:`~nettrainer.model.TwoLayerNet` in float64.

    Parameters
    ----------
    input_size, hidden_size, num_classes, num_inputs : int
        D, H, C and N of the random problem (D, C and N are taken from ``X``
        and ``y`` when those are given).
    regs : tuple of float
        L2 strengths to check, each a separate set of results.
    seed : int
        Seeds the weights and, when ``X`` is None, the data.
    h : float
        Finite-difference step.
    X : ndarray of shape (N, D), optional
        Real inputs to check on, e.g. a few samples of the configured data.
    y : ndarray of shape (N,), optional
        Their labels.

    Returns
    -------
    results : list of CheckResult
        One per parameter per ``reg``.
    """
    rng = np.random.default_rng(seed)
    if X is None or y is None:
        X = rng.standard_normal((num_inputs, input_size))
        y = rng.integers(0, num_classes, size=num_inputs)
    else:
        num_classes = max(num_classes, int(y.max()) + 1)
    X = np.asarray(X, dtype=np.float64)
    net = _net_away_from_kinks(X, hidden_size, num_classes, rng, h)
    results = []
    for reg in regs:
        loss, grads = net.loss(X, y, reg=reg)
        for name in sorted(net.params):
            param = net.params[name]
            entries = np.arange(param.size)
            if param.size > MAX_CHECKED_ENTRIES:
                entries = rng.choice(param.size, MAX_CHECKED_ENTRIES, replace=False)
            numeric = eval_numerical_gradient_at(
                lambda _w, reg=reg: net.loss(X, y, reg=reg)[0], param, entries, h=h
            )
            analytic = grads[name].ravel()[entries]
            floor = error_floor(analytic, numeric, MODEL_THRESHOLD, loss=loss, h=h)
            error = rel_error(analytic, numeric, floor=floor)
            results.append(_result(f"TwoLayerNet reg={reg:g}", name, error, MODEL_THRESHOLD))
    return results


def error_floor(
    analytic: np.ndarray,
    numeric: np.ndarray,
    threshold: float,
    *,
    loss: float | None = None,
    h: float = 1e-5,
) -> float:
    """Denominator floor of a relative error: the entry size below which differences can't tell.

    ``rel_error`` divides each entry's difference by ``|a| + |n|``, so a tiny
    entry of a correct gradient, carrying the centred difference's absolute
    round-off, can show a large relative error (a batch of 500 gives softmax
    gradient entries of 1e-6). Entries are judged against the larger of
    :data:`TINY_ENTRY` times the gradient's largest entry and, for a scalar
    function (a loss), the size below which its round-off, about
    ``eps * |loss| / h`` (~1e-10 at h = 1e-5) whatever the entry, would alone
    exceed ``threshold``.

    Parameters
    ----------
    analytic, numeric : ndarray of the same shape
    threshold : float
        The relative error the check allows.
    loss : float, optional
        The scalar function's value, when the numeric gradient is of one.
    h : float
        The centred-difference step.

    Returns
    -------
    floor : float
        At least CS231n's 1e-8.
    """
    scale = TINY_ENTRY * float(np.max(np.abs(analytic) + np.abs(numeric), initial=0.0))
    round_off = 0.0 if loss is None else 4 * np.finfo(np.float64).eps * max(1.0, abs(loss)) / h
    return max(1e-8, scale, round_off / threshold)


def _net_away_from_kinks(
    X: np.ndarray, hidden_size: int, num_classes: int, rng: np.random.Generator, h: float
) -> TwoLayerNet:
    """Draw a float64 net (std 0.1) whose ReLU inputs on ``X`` all lie beyond a step's reach.

    A step of ``h`` in W1 or b1 moves a ReLU input by at most ``h * max(1, |X|)``;
    across the kink at 0 a centred difference measures neither side's slope.
    On large inputs (CIFAR-10's 0-255 pixels less their mean, D = 3072) std 0.1
    gives ReLU inputs in the hundreds: W2's centred differences then carry a
    truncation error (``h**2`` times the third derivative, which grows with the
    cube of the hidden activations) above the threshold, failing correct
    gradients. W1 and b1 are scaled down so that the ReLU inputs' root mean
    square is at most :data:`RELU_INPUT_RMS`; smaller inputs keep std 0.1.
    """
    margin = 2 * h * max(1.0, float(np.abs(X).max()))
    for _ in range(KINK_RETRIES):
        net = TwoLayerNet(X.shape[1], hidden_size, num_classes, std=1e-1, rng=rng)
        relu_inputs = X @ net.params["W1"] + net.params["b1"]  # (N, H)
        shrink = min(1.0, RELU_INPUT_RMS / float(np.sqrt(np.mean(relu_inputs**2))))
        net.params["W1"] *= shrink
        net.params["b1"] *= shrink
        if shrink * np.abs(relu_inputs).min() > margin:
            break
    return net


def __getattr__(name: str) -> object:
    """Re-export :mod:`nettrainer.layercheck`'s checks of a learner's own code.

    Lazily, because ``layercheck`` builds on this module's numerical gradients.
    """
    if name in ("LayerCheck", "check_layer", "check_loss"):
        from nettrainer import layercheck

        return getattr(layercheck, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
