"""Layers as pure forward/backward function pairs, in the CS231n convention.

Every ``*_forward`` returns ``(out, cache)``; the matching ``*_backward`` takes
the upstream gradient and that opaque cache and returns the gradients of the
forward's inputs, in the same order. Nothing here keeps state or prints.

Dimensions used in every docstring and shape comment:

- ``N``: examples in the batch
- ``D``: input features (``d1 * ... * dk`` for an input of shape ``(N, d1, ..., dk)``)
- ``H``: hidden units
- ``C``: classes
- ``M``: outputs of an affine layer (``H`` or ``C`` in the two-layer net)
"""

import numpy as np


def affine_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, tuple]:
    """Compute ``x @ w + b`` with each example of ``x`` flattened to a row.

    Parameters
    ----------
    x : ndarray of shape (N, d1, ..., dk)
        Input batch; reshaped to (N, D) with D = d1 * ... * dk.
    w : ndarray of shape (D, M)
        Weights.
    b : ndarray of shape (M,)
        Biases.

    Returns
    -------
    out : ndarray of shape (N, M)
    cache : tuple
        ``(x, w, b)`` for :func:`affine_backward`.
    """
    out = x.reshape(x.shape[0], -1) @ w  # (N, M)
    out += b
    return out, (x, w, b)


def affine_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of :func:`affine_forward`.

    Parameters
    ----------
    dout : ndarray of shape (N, M)
        Upstream gradient.
    cache : tuple
        ``(x, w, b)`` from the forward pass.

    Returns
    -------
    dx : ndarray of shape (N, d1, ..., dk)
        Gradient with respect to ``x``, in its original shape: ``dout @ w.T``.
    dw : ndarray of shape (D, M)
        ``x.T @ dout``.
    db : ndarray of shape (M,)
        ``dout`` summed over the batch.
    """
    x, w, _ = cache
    dx = (dout @ w.T).reshape(x.shape)  # (N, d1, ..., dk)
    dw, db = affine_param_grads(dout, x)
    return dx, dw, db


def affine_param_grads(
    dout: np.ndarray, x: np.ndarray, out: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of an affine layer's weights and biases only, skipping ``dx``.

    The first layer of a network never needs the gradient with respect to the
    data, and it would cost as much as ``dw``: models call this instead of
    :func:`affine_backward` there.

    Parameters
    ----------
    dout : ndarray of shape (N, M)
        Upstream gradient.
    x : ndarray of shape (N, d1, ..., dk)
        The layer's input.
    out : (ndarray of shape (D, M), ndarray of shape (M,)), optional
        Arrays to write ``dw`` and ``db`` into instead of allocating them (a
        training loop reuses one ``dw`` the size of the weights every step).

    Returns
    -------
    dw : ndarray of shape (D, M)
    db : ndarray of shape (M,)
    """
    dw_out, db_out = (None, None) if out is None else out
    dw = np.matmul(x.reshape(x.shape[0], -1).T, dout, out=dw_out)  # (D, M)
    db = np.sum(dout, axis=0, out=db_out)  # (M,)
    return dw, db


def relu_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Compute ``max(0, x)`` elementwise.

    Parameters
    ----------
    x : ndarray of any shape

    Returns
    -------
    out : ndarray of the shape of ``x``
    cache : ndarray
        ``out`` itself: its positive entries are where the gradient passes.
    """
    out = np.maximum(x, 0)
    return out, out


def relu_backward(dout: np.ndarray, cache: np.ndarray) -> np.ndarray:
    """Backward pass of :func:`relu_forward`; the gradient is 0 where the input was <= 0.

    Parameters
    ----------
    dout : ndarray of any shape
        Upstream gradient.
    cache : ndarray of the shape of ``dout``
        The forward output.

    Returns
    -------
    dx : ndarray of the shape of ``dout``
    """
    return np.where(cache > 0, dout, 0).astype(dout.dtype, copy=False)


def affine_relu_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, tuple]:
    """Apply an affine layer followed by a ReLU.

    Parameters
    ----------
    x : ndarray of shape (N, d1, ..., dk)
    w : ndarray of shape (D, M)
    b : ndarray of shape (M,)

    Returns
    -------
    out : ndarray of shape (N, M)
    cache : tuple
        ``(affine_cache, relu_cache)``.
    """
    a, affine_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    return out, (affine_cache, relu_cache)


def affine_relu_backward(
    dout: np.ndarray, cache: tuple
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of :func:`affine_relu_forward`.

    Parameters
    ----------
    dout : ndarray of shape (N, M)
    cache : tuple
        ``(affine_cache, relu_cache)`` from the forward pass.

    Returns
    -------
    dx : ndarray of shape (N, d1, ..., dk)
    dw : ndarray of shape (D, M)
    db : ndarray of shape (M,)
    """
    affine_cache, relu_cache = cache
    return affine_backward(relu_backward(dout, relu_cache), affine_cache)


def softmax_loss(x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy loss and its gradient.

    The row maximum is subtracted before ``exp`` so that scores of any
    magnitude stay finite; the gradient is ``(probs - onehot(y)) / N``.

    Parameters
    ----------
    x : ndarray of shape (N, C)
        Class scores.
    y : ndarray of shape (N,)
        Integer labels in [0, C).

    Returns
    -------
    loss : float
    dx : ndarray of shape (N, C)
        Gradient of the loss with respect to ``x``, in the dtype of ``x``.
    """
    num_examples = x.shape[0]
    rows = np.arange(num_examples)
    shifted = x - x.max(axis=1, keepdims=True)  # (N, C), each row's max is 0
    correct_shifted = shifted[rows, y]  # (N,), a copy
    probs = np.exp(shifted, out=shifted)  # (N, C), unnormalised
    row_sums = probs.sum(axis=1, keepdims=True)  # (N, 1), each >= 1
    log_likelihood = correct_shifted - np.log(row_sums[:, 0])  # (N,), log p(y | x)
    loss = -float(log_likelihood.sum(dtype=np.float64)) / num_examples
    probs /= row_sums
    probs[rows, y] -= 1
    probs /= num_examples
    return loss, probs


def svm_loss(x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean multiclass hinge loss with margin 1, and its gradient.

    Parameters
    ----------
    x : ndarray of shape (N, C)
        Class scores.
    y : ndarray of shape (N,)
        Integer labels in [0, C).

    Returns
    -------
    loss : float
    dx : ndarray of shape (N, C)
    """
    num_examples = x.shape[0]
    rows = np.arange(num_examples)
    correct = x[rows, y][:, None]  # (N, 1)
    margins = np.maximum(0, x - correct + 1)  # (N, C)
    margins[rows, y] = 0
    loss = float(margins.sum(dtype=np.float64)) / num_examples
    dx = (margins > 0).astype(x.dtype)  # (N, C)
    dx[rows, y] -= dx.sum(axis=1)
    dx /= num_examples
    return loss, dx
