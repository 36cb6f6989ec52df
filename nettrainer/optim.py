"""First-order update rules with CS231n's signature: ``rule(w, dw, config) -> (next_w, config)``.

``config`` holds a rule's hyperparameters and its running state for one
parameter (velocity, caches, moments, step count). Missing hyperparameters are
filled with CS231n's defaults. Every rule updates ``w`` **in place** and returns
it, as CS231n's ``sgd`` does, and keeps its state arrays in ``config``, updating
those in place too; the :class:`~nettrainer.solver.Solver` gives each parameter
its own ``config``. ``dw`` is never modified.
"""

from collections.abc import Callable

import numpy as np

from nettrainer.errors import RegistryError

UpdateRule = Callable[[np.ndarray, np.ndarray, dict | None], tuple[np.ndarray, dict]]


def sgd(w: np.ndarray, dw: np.ndarray, config: dict | None = None) -> tuple[np.ndarray, dict]:
    """Vanilla stochastic gradient descent: ``w -= learning_rate * dw``.

    Parameters
    ----------
    w : ndarray of any shape
        Parameter, updated in place.
    dw : ndarray of the shape of ``w``
        Its gradient.
    config : dict, optional
        ``learning_rate`` (default 1e-2).

    Returns
    -------
    next_w : ndarray
        ``w`` itself, updated.
    config : dict
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    w -= config["learning_rate"] * dw
    return w, config


def sgd_momentum(
    w: np.ndarray, dw: np.ndarray, config: dict | None = None
) -> tuple[np.ndarray, dict]:
    """SGD with momentum: ``v = momentum * v - learning_rate * dw; w += v``.

    Parameters
    ----------
    w : ndarray of any shape
        Parameter, updated in place.
    dw : ndarray of the shape of ``w``
        Its gradient.
    config : dict, optional
        ``learning_rate`` (1e-2), ``momentum`` (0.9), ``velocity`` (zeros like ``w``).

    Returns
    -------
    next_w : ndarray
        ``w`` itself, updated.
    config : dict
        With the new ``velocity``.
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity")
    v = np.zeros_like(w) if v is None else v
    v *= config["momentum"]
    v -= config["learning_rate"] * dw
    w += v
    config["velocity"] = v
    return w, config


def rmsprop(w: np.ndarray, dw: np.ndarray, config: dict | None = None) -> tuple[np.ndarray, dict]:
    """RMSProp: scale the step by a running average of squared gradients.

    ``cache = decay_rate * cache + (1 - decay_rate) * dw**2``, then
    ``w -= learning_rate * dw / (sqrt(cache) + epsilon)``.

    Parameters
    ----------
    w : ndarray of any shape
        Parameter, updated in place.
    dw : ndarray of the shape of ``w``
        Its gradient.
    config : dict, optional
        ``learning_rate`` (1e-2), ``decay_rate`` (0.99), ``epsilon`` (1e-8),
        ``cache`` (zeros like ``w``).

    Returns
    -------
    next_w : ndarray
        ``w`` itself, updated.
    config : dict
        With the new ``cache``.
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    cache = config.get("cache")
    cache = np.zeros_like(w) if cache is None else cache
    decay = config["decay_rate"]
    cache *= decay
    cache += (1 - decay) * dw * dw
    w -= config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])
    config["cache"] = cache
    return w, config


def adam(w: np.ndarray, dw: np.ndarray, config: dict | None = None) -> tuple[np.ndarray, dict]:
    """Adam with bias-corrected first and second moments; ``t`` is incremented before use.

    Parameters
    ----------
    w : ndarray of any shape
        Parameter, updated in place.
    dw : ndarray of the shape of ``w``
        Its gradient.
    config : dict, optional
        ``learning_rate`` (1e-3), ``beta1`` (0.9), ``beta2`` (0.999),
        ``epsilon`` (1e-8), ``m`` and ``v`` (zeros like ``w``), ``t`` (0).

    Returns
    -------
    next_w : ndarray
        ``w`` itself, updated.
    config : dict
        With the new ``m``, ``v`` and ``t``.
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("t", 0)
    m = config.get("m")
    m = np.zeros_like(w) if m is None else m
    v = config.get("v")
    v = np.zeros_like(w) if v is None else v
    beta1, beta2 = config["beta1"], config["beta2"]
    config["t"] = t = config["t"] + 1
    m *= beta1
    m += (1 - beta1) * dw
    v *= beta2
    v += (1 - beta2) * dw * dw
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    w -= config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
    config["m"], config["v"] = m, v
    return w, config


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
