"""The training loop's fast path for :class:`~nettrainer.model.TwoLayerNet`.

:meth:`TwoLayerNet.loss <nettrainer.model.TwoLayerNet.loss>` is what learners
read and compare with their notebooks; the functions here compute the same
loss and gradients, arranged for a loop that calls them thousands of times:
the ReLU and its backward pass work in place, each layer's parameter gradients
go straight where the update needs them, and the L2 term's gradient
``2 * reg * W`` is left to the update, which adds it in its own pass over the
weights. ``tests/test_speed_parity.py`` holds them to :meth:`loss` up to
round-off. Shapes ``N``, ``D``, ``H``, ``C`` as in :mod:`nettrainer.layers`;
``params`` holds ``W1`` (D, H), ``b1`` (H,), ``W2`` (H, C), ``b2`` (C,).
"""

from collections.abc import Callable
from typing import Any

import numpy as np

from nettrainer.blas import matmul_accumulate, scaled_add
from nettrainer.layers import affine_forward, affine_param_grads, softmax_loss
from nettrainer.optim import momentum_state, sgd, sgd_momentum

Params = dict[str, np.ndarray]
FUSED_RULES = (sgd, sgd_momentum)  # the update rules loss_and_sgd_step can take


def weight_decay(reg: float) -> dict[str, float]:
    """Per parameter, the multiple of it that the L2 term adds to its gradient.

    Parameters
    ----------
    reg : float
        L2 strength: the loss adds ``reg * (sum(W1**2) + sum(W2**2))``.

    Returns
    -------
    weight_decay : dict of str to float
        ``2 * reg`` for ``W1`` and ``W2``, 0 for the biases.
    """
    return {"W1": 2 * reg, "b1": 0.0, "W2": 2 * reg, "b2": 0.0}


def loss_and_grads(
    params: Params, X: np.ndarray, y: np.ndarray, reg: float, *, out: Params
) -> tuple[float, dict[str, float]]:
    """Compute the loss with its gradients written into ``out``, less the L2 term's part.

    ``out[name] + weight_decay[name] * params[name]`` is the gradient that
    :meth:`~nettrainer.model.TwoLayerNet.loss` returns, up to round-off; the
    update rules of :mod:`nettrainer.optim` take ``weight_decay`` to add it.
    When the loss is not finite, ``out`` is left as it was (so it may hold the
    previous parameters, for the caller to restore).

    Parameters
    ----------
    params : dict of str to ndarray
    X : ndarray of shape (N, D)
        Input batch in the parameters' dtype; fastest when C-contiguous.
    y : ndarray of shape (N,)
        Integer labels in [0, C).
    reg : float
        L2 strength.
    out : dict of str to ndarray
        An array shaped like each parameter, overwritten with the data term of
        its gradient.

    Returns
    -------
    loss : float
        The mean softmax cross-entropy plus the L2 term.
    weight_decay : dict of str to float
        See :func:`weight_decay`.
    """

    def write_grads(layer_input: np.ndarray, dout: np.ndarray, w: str, b: str) -> None:
        affine_param_grads(dout, layer_input, out=(out[w], out[b]))

    return _loss_with(params, X, y, reg, write_grads), weight_decay(reg)


def loss_and_sgd_step(
    params: Params,
    X: np.ndarray,
    y: np.ndarray,
    reg: float,
    learning_rate: float,
    *,
    out: Params | None = None,
    velocity: Params | None = None,
    momentum: float = 0.9,
) -> float:
    """Compute the loss and take the SGD step, with or without momentum, L2 term included.

    Without ``velocity``: ``out[name] = params[name] - learning_rate * grads[name]``,
    as :func:`nettrainer.optim.sgd` would update them. With it, the step of
    :func:`nettrainer.optim.sgd_momentum`: ``velocity[name] = momentum *
    velocity[name] - learning_rate * grads[name]``, then ``out[name] =
    params[name] + velocity[name]``. Both up to round-off. Each weight
    matrix's gradient is added inside the matrix product that computes it
    (:func:`nettrainer.blas.matmul_accumulate`), into the next weights or the
    velocity, so the gradient is never stored; the L2 term's part rides on the
    pass that scales them (:func:`nettrainer.blas.scaled_add` for the
    velocity). When the loss is not finite, nothing is written.

    Parameters
    ----------
    params : dict of str to ndarray
    X : ndarray of shape (N, D)
        Input batch in the parameters' dtype; fastest when C-contiguous.
    y : ndarray of shape (N,)
        Integer labels in [0, C).
    reg : float
        L2 strength.
    learning_rate : float
    out : dict of str to ndarray, optional
        An array shaped like each parameter to write its next value into;
        ``params`` is then left as it was. When None, ``params`` is updated in place.
    velocity : dict of str to ndarray, optional
        Each parameter's velocity, updated in place; None for vanilla SGD.
    momentum : float
        The velocity's decay, with ``velocity``.

    Returns
    -------
    loss : float
        The loss before the step.
    """
    out = params if out is None else out
    decay = weight_decay(reg)

    def update(name: str, add_gradient: Callable[[np.ndarray], None]) -> None:
        """Step ``name``; ``add_gradient(target)`` adds -learning_rate times its data gradient."""
        decay_rate = learning_rate * decay[name]
        if velocity is None:
            target = out[name]
            if target is not params[name] or decay_rate:
                # With the shrink here, gemm's beta is 1 and BLAS skips its own pass over C.
                np.multiply(params[name], 1 - decay_rate, out=target)
            add_gradient(target)
        else:
            target = velocity[name]
            scaled_add(params[name], target, alpha=-decay_rate, beta=momentum)
            add_gradient(target)
            np.add(params[name], target, out=out[name])

    def step(layer_input: np.ndarray, dout: np.ndarray, w: str, b: str) -> None:
        update(w, lambda target: matmul_accumulate(
            layer_input.T, dout, target, alpha=-learning_rate, beta=1.0))
        update(b, lambda target: np.subtract(
            target, learning_rate * np.sum(dout, axis=0), out=target))

    return _loss_with(params, X, y, reg, step)


def fused_step_options(
    update_rule: Callable, params: Params, optim_configs: dict[str, dict]
) -> dict[str, Any] | None:
    """Return :func:`loss_and_sgd_step`'s keyword arguments for a solver's update rule.

    Parameters
    ----------
    update_rule : callable
        One of :data:`FUSED_RULES` (others give None).
    params : dict of str to ndarray
    optim_configs : dict of str to dict
        Each parameter's optim config; a momentum config gains its defaults
        and velocity (:func:`nettrainer.optim.momentum_state`).

    Returns
    -------
    options : dict or None
        ``learning_rate``, and for momentum ``momentum`` and the ``velocity``
        arrays of the configs; None unless every parameter shares the settings.
    """
    if update_rule is sgd:
        shared = {(float(optim_configs[name]["learning_rate"]),) for name in params}
        velocity = None
    elif update_rule is sgd_momentum:
        states = {name: momentum_state(w, optim_configs[name]) for name, w in params.items()}
        shared = {state[:2] for state in states.values()}
        velocity = {name: state[2] for name, state in states.items()}
    else:
        return None
    if len(shared) != 1:
        return None
    (settings,) = shared
    if velocity is None:
        return {"learning_rate": settings[0]}
    return {"learning_rate": settings[0], "momentum": settings[1], "velocity": velocity}


def _loss_with(
    params: Params,
    X: np.ndarray,
    y: np.ndarray,
    reg: float,
    store: Callable[[np.ndarray, np.ndarray, str, str], None],
) -> float:
    """Run the forward and backward passes; ``store`` consumes each layer's gradients.

    ``store(layer_input, dout, "W", "b")`` is called once per affine layer,
    second layer first, with its input (N, D_in) and upstream gradient
    (N, D_out), after the last read of that layer's parameters, so it may
    overwrite them. It is not called when the loss is not finite.
    """
    W1, b1, W2, b2 = (params[name] for name in ("W1", "b1", "W2", "b2"))
    hidden, _ = affine_forward(X, W1, b1)  # (N, H), then the ReLU in place:
    np.maximum(hidden, 0, out=hidden)
    scores, _ = affine_forward(hidden, W2, b2)  # (N, C)
    data_loss, dscores = softmax_loss(scores, y)  # dscores: (N, C)
    loss = data_loss + reg * (float(np.vdot(W1, W1)) + float(np.vdot(W2, W2)))
    if not np.isfinite(loss):
        return loss
    dhidden = dscores @ W2.T  # (N, H), then relu_backward in place:
    store(hidden, dscores, "W2", "b2")
    np.multiply(dhidden, hidden > 0, out=dhidden)
    store(X, dhidden, "W1", "b1")
    return loss
