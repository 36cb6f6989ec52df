"""First-order update rules with CS231n's signature: ``rule(w, dw, config) -> (next_w, config)``.

``config`` holds a rule's hyperparameters and its running state for one
parameter (velocity, caches, moments, step count). Missing hyperparameters are
filled with CS231n's defaults. Every rule updates ``w`` **in place** (unless
given ``out``, below) and returns it, as CS231n's ``sgd`` does, and keeps its
state arrays in ``config``, updating those in place too; the
:class:`~nettrainer.solver.Solver` gives each parameter its own ``config``.
``dw`` is never modified, unless passed as ``out``.

Two keyword-only extensions serve the solver's fast path and leave CS231n's
numbers unchanged when omitted. ``out`` writes the next parameter into another
array and leaves ``w`` as it was, so the previous parameters survive an update
without a copy; ``out`` may be ``dw`` itself, whose gradient is then consumed.
``weight_decay`` adds ``weight_decay * w`` to the gradient (the L2 term
``2 * reg * w``) without materialising the sum. The arithmetic runs on
cache-sized blocks of the flattened arrays (:mod:`nettrainer.blocks`), so a
parameter the size of ``W1`` is read and written once per update instead of
once per operation; each element
sees the same operations in the same order as the whole-array formulas in the
docstrings, so the results are the same bits (``sgd`` with a weight decay aside:
it saves a pass by distributing the learning rate, equal up to round-off).
"""

from collections.abc import Callable

import numpy as np

from nettrainer.blocks import blocks, decayed_gradient, scratch, work
from nettrainer.errors import RegistryError

UpdateRule = Callable[..., tuple[np.ndarray, dict]]

def sgd(
    w: np.ndarray,
    dw: np.ndarray,
    config: dict | None = None,
    *,
    out: np.ndarray | None = None,
    weight_decay: float = 0.0,
) -> tuple[np.ndarray, dict]:
    """Vanilla stochastic gradient descent: ``w -= learning_rate * dw``.

    Parameters
    ----------
    w : ndarray of any shape
        Parameter, updated in place unless ``out`` is given.
    dw : ndarray of the shape of ``w``
        Its gradient.
    config : dict, optional
        ``learning_rate`` (default 1e-2).
    out : ndarray of the shape of ``w``, optional
        Where to write the next parameter instead; ``w`` is then left unchanged.
    weight_decay : float
        The update uses the gradient ``dw + weight_decay * w``, computed as
        ``(1 - learning_rate * weight_decay) * w - learning_rate * dw``: one
        pass fewer, equal to the formula up to round-off.

    Returns
    -------
    next_w : ndarray
        ``w`` (or ``out``), updated.
    config : dict
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    learning_rate = float(config["learning_rate"])
    target = w if out is None else out
    (step,) = scratch(1, w, dw, target)
    for w_b, dw_b, next_b in blocks(w, dw, target):
        scaled = np.multiply(dw_b, learning_rate, out=work(step, dw_b))
        if weight_decay == 0:
            np.subtract(w_b, scaled, out=next_b)
        else:
            np.multiply(w_b, 1 - learning_rate * weight_decay, out=next_b)
            next_b -= scaled
    return target, config


def sgd_momentum(
    w: np.ndarray,
    dw: np.ndarray,
    config: dict | None = None,
    *,
    out: np.ndarray | None = None,
    weight_decay: float = 0.0,
) -> tuple[np.ndarray, dict]:
    """SGD with momentum: ``v = momentum * v - learning_rate * dw; w += v``.

    Parameters
    ----------
    w : ndarray of any shape
        Parameter, updated in place unless ``out`` is given.
    dw : ndarray of the shape of ``w``
        Its gradient.
    config : dict, optional
        ``learning_rate`` (1e-2), ``momentum`` (0.9), ``velocity`` (zeros like ``w``).
    out : ndarray of the shape of ``w``, optional
        Where to write the next parameter instead; ``w`` is then left unchanged.
    weight_decay : float
        The update uses the gradient ``dw + weight_decay * w``.

    Returns
    -------
    next_w : ndarray
        ``w`` (or ``out``), updated.
    config : dict
        With the new ``velocity``.
    """
    config = {} if config is None else config
    learning_rate, momentum, v = momentum_state(w, config)
    target = w if out is None else out
    (step,) = scratch(1, w, dw, v, target)
    for w_b, dw_b, v_b, next_b in blocks(w, dw, v, target):
        grad = decayed_gradient(w_b, dw_b, weight_decay, step)
        v_b *= momentum
        v_b -= np.multiply(grad, learning_rate, out=work(step, grad))
        np.add(w_b, v_b, out=next_b)
    return target, config


def momentum_state(w: np.ndarray, config: dict) -> tuple[float, float, np.ndarray]:
    """Fill :func:`sgd_momentum`'s defaults into ``config`` and return its settings and velocity.

    Parameters
    ----------
    w : ndarray
        The parameter; a missing velocity starts as zeros like it.
    config : dict
        Gains the defaults ``learning_rate`` 1e-2, ``momentum`` 0.9 and ``velocity``.

    Returns
    -------
    learning_rate, momentum : float
    velocity : ndarray of the shape of ``w``
        ``config["velocity"]`` itself, for updating in place.
    """
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    if config.get("velocity") is None:
        config["velocity"] = np.zeros_like(w)
    return float(config["learning_rate"]), float(config["momentum"]), config["velocity"]


def rmsprop(
    w: np.ndarray,
    dw: np.ndarray,
    config: dict | None = None,
    *,
    out: np.ndarray | None = None,
    weight_decay: float = 0.0,
) -> tuple[np.ndarray, dict]:
    """RMSProp: scale the step by a running average of squared gradients.

    ``cache = decay_rate * cache + (1 - decay_rate) * dw**2``, then
    ``w -= learning_rate * dw / (sqrt(cache) + epsilon)``.

    Parameters
    ----------
    w : ndarray of any shape
        Parameter, updated in place unless ``out`` is given.
    dw : ndarray of the shape of ``w``
        Its gradient.
    config : dict, optional
        ``learning_rate`` (1e-2), ``decay_rate`` (0.99), ``epsilon`` (1e-8),
        ``cache`` (zeros like ``w``).
    out : ndarray of the shape of ``w``, optional
        Where to write the next parameter instead; ``w`` is then left unchanged.
    weight_decay : float
        The update uses the gradient ``dw + weight_decay * w``.

    Returns
    -------
    next_w : ndarray
        ``w`` (or ``out``), updated.
    config : dict
        With the new ``cache``.
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    learning_rate, decay = float(config["learning_rate"]), float(config["decay_rate"])
    epsilon = float(config["epsilon"])
    cache = config.get("cache")
    cache = np.zeros_like(w) if cache is None else cache
    target = w if out is None else out
    gradient, square, step = scratch(3, w, dw, cache, target)
    for w_b, dw_b, cache_b, next_b in blocks(w, dw, cache, target):
        grad = decayed_gradient(w_b, dw_b, weight_decay, gradient)
        cache_b *= decay
        squared = np.multiply(grad, 1 - decay, out=work(square, grad))
        squared *= grad
        cache_b += squared
        denominator = np.sqrt(cache_b, out=work(square, grad))
        denominator += epsilon
        scaled = np.multiply(grad, learning_rate, out=work(step, grad))
        np.subtract(w_b, np.divide(scaled, denominator, out=scaled), out=next_b)
    config["cache"] = cache
    return target, config


def adam(
    w: np.ndarray,
    dw: np.ndarray,
    config: dict | None = None,
    *,
    out: np.ndarray | None = None,
    weight_decay: float = 0.0,
) -> tuple[np.ndarray, dict]:
    """Adam with bias-corrected first and second moments; ``t`` is incremented before use.

    ``m = beta1 * m + (1 - beta1) * dw``, ``v = beta2 * v + (1 - beta2) * dw**2``,
    then ``w -= learning_rate * m_hat / (sqrt(v_hat) + epsilon)`` with
    ``m_hat = m / (1 - beta1**t)`` and ``v_hat = v / (1 - beta2**t)``.

    Parameters
    ----------
    w : ndarray of any shape
        Parameter, updated in place unless ``out`` is given.
    dw : ndarray of the shape of ``w``
        Its gradient.
    config : dict, optional
        ``learning_rate`` (1e-3), ``beta1`` (0.9), ``beta2`` (0.999),
        ``epsilon`` (1e-8), ``m`` and ``v`` (zeros like ``w``), ``t`` (0).
    out : ndarray of the shape of ``w``, optional
        Where to write the next parameter instead; ``w`` is then left unchanged.
    weight_decay : float
        The update uses the gradient ``dw + weight_decay * w``.

    Returns
    -------
    next_w : ndarray
        ``w`` (or ``out``), updated.
    config : dict
        With the new ``m``, ``v`` and ``t``.
    """
    config = {} if config is None else config
    for key, default in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999)):
        config.setdefault(key, default)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("t", 0)
    m = config.get("m")
    m = np.zeros_like(w) if m is None else m
    v = config.get("v")
    v = np.zeros_like(w) if v is None else v
    config["t"] = t = config["t"] + 1
    hyper = (float(config[key]) for key in ("learning_rate", "beta1", "beta2", "epsilon"))
    learning_rate, beta1, beta2, epsilon = hyper
    target = w if out is None else out
    gradient, second, first = scratch(3, w, dw, m, v, target)
    for w_b, dw_b, m_b, v_b, next_b in blocks(w, dw, m, v, target):
        grad = decayed_gradient(w_b, dw_b, weight_decay, gradient)
        m_b *= beta1
        m_b += np.multiply(grad, 1 - beta1, out=work(first, grad))
        v_b *= beta2
        squared = np.multiply(grad, 1 - beta2, out=work(second, grad))
        squared *= grad
        v_b += squared
        denominator = np.divide(v_b, 1 - beta2**t, out=squared)  # v_hat
        np.sqrt(denominator, out=denominator)
        denominator += epsilon
        step = np.divide(m_b, 1 - beta1**t, out=work(first, grad))  # m_hat
        step *= learning_rate
        np.subtract(w_b, np.divide(step, denominator, out=step), out=next_b)
    config["m"], config["v"] = m, v
    return target, config


UPDATE_RULES: dict[str, UpdateRule] = {
    "sgd": sgd,
    "sgd_momentum": sgd_momentum,
    "rmsprop": rmsprop,
    "adam": adam,
}


def get_update_rule(name: str) -> UpdateRule:
    """Look an update rule up by name.

    Parameters
    ----------
    name : str
        A key of :data:`UPDATE_RULES`.

    Returns
    -------
    rule : callable
        ``rule(w, dw, config) -> (next_w, config)``.

    Raises
    ------
    RegistryError
        If ``name`` is not a known rule; the message lists the valid names.
    """
    try:
        return UPDATE_RULES[name]
    except (KeyError, TypeError):
        valid = ", ".join(UPDATE_RULES)
        raise RegistryError(f"unknown update rule {name!r}; choose one of: {valid}") from None
