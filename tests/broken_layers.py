"""Deliberately broken layers and losses, one classic backprop mistake each.

Every function names its mistake; tests/test_layercheck.py asserts that
``check_layer``/``check_loss`` catch it and that the hint names the cause.
"""

import numpy as np

from nettrainer.layers import affine_backward, affine_forward, softmax_loss

REG = 0.3
LABELS = np.array([0, 2, 1, 2, 0])  # (N,) for the regularised affine-softmax layer, N = 5


def _probs_onehot(x, y):
    probs = np.exp(x - x.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)  # (N, C)
    onehot = np.zeros_like(x)
    onehot[np.arange(x.shape[0]), y] = 1
    return probs, onehot


def softmax_loss_missing_mean(x, y):
    """The loss is a mean over the batch, the gradient forgets the 1/N."""
    loss, _ = softmax_loss(x, y)
    probs, onehot = _probs_onehot(x, y)
    return loss, probs - onehot


def softmax_loss_no_onehot(x, y):
    """dx = probs / N: the one-hot of the labels is never subtracted."""
    loss, _ = softmax_loss(x, y)
    probs, _ = _probs_onehot(x, y)
    return loss, probs / x.shape[0]


def softmax_loss_no_jacobian(x, y):
    """dx = -onehot / p / N: d(-log p_y)/dp, never chained through the softmax Jacobian."""
    loss, _ = softmax_loss(x, y)
    probs, onehot = _probs_onehot(x, y)
    return loss, -onehot / probs / x.shape[0]


def relu_backward_no_mask(dout, cache):
    """Lets every gradient through, as if ReLU were the identity."""
    return dout.copy()


def relu_backward_mask_of_dout(dout, cache):
    """Applies the ReLU mask to the wrong array: dout > 0 instead of x > 0."""
    return np.where(dout > 0, dout, 0)


def affine_backward_transposed(dout, cache):
    """dw = dout.T @ x, shape (M, D) instead of (D, M)."""
    x, w, _ = cache
    return (dout @ w.T).reshape(x.shape), dout.T @ x.reshape(x.shape[0], -1), dout.sum(axis=0)


def affine_backward_flat_dx(dout, cache):
    """dx left flat (N, D) for an input of shape (N, d1, d2)."""
    x, w, _ = cache
    return dout @ w.T, x.reshape(x.shape[0], -1).T @ dout, dout.sum(axis=0)


def affine_backward_two_grads(dout, cache):
    """Forgets db."""
    x, w, _ = cache
    return (dout @ w.T).reshape(x.shape), x.reshape(x.shape[0], -1).T @ dout


def affine_softmax_l2_forward(x, w, b):
    """Scalar loss: mean softmax cross-entropy of x @ w + b on LABELS, plus REG * sum(w**2)."""
    scores, affine_cache = affine_forward(x, w, b)  # (N, C)
    loss, dscores = softmax_loss(scores, LABELS)
    return np.array(loss + REG * np.sum(w * w)), (affine_cache, dscores)


def affine_softmax_l2_backward_half_reg(dout, cache):
    """Uses the 0.5*reg convention's gradient reg*W for a loss written reg*W**2."""
    (x, w, _), dscores = cache
    dx = (dscores @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dscores + REG * w  # should be 2 * REG * w
    return dout * dx, dout * dw, dout * dscores.sum(axis=0)


def l2_forward(w):
    """REG * sum(w**2), a scalar."""
    return np.array(REG * np.sum(w * w)), w


def l2_backward_half(dout, cache):
    """REG * w: the gradient of 0.5 * REG * sum(w**2)."""
    return dout * REG * cache



def relu_forward_in_place(x):
    """x[x < 0] = 0: the input itself is clipped, so the backward's mask sees no negatives."""
    x[x < 0] = 0
    return x.copy(), x


def softmax_loss_shifting_in_place(x, y):
    """x -= max: the caller's scores are shifted, so each perturbed call sees other scores."""
    x -= x.max(axis=1, keepdims=True)
    return softmax_loss(x, y)


def softmax_loss_summed(x, y):
    """The loss sums over the batch, while dx is the gradient of the mean."""
    loss, dx = softmax_loss(x, y)
    return loss * x.shape[0], dx


def softmax_loss_per_example(x, y):
    """Returns one loss per example: the mean was forgotten."""
    probs, onehot = _probs_onehot(x, y)
    return -np.log(probs[np.arange(x.shape[0]), y]), (probs - onehot) / x.shape[0]


def affine_backward_doubled(dout, cache):
    """Every gradient twice too large: a constant factor, with no L2 term anywhere."""
    x, w, _ = cache
    return (2 * (dout @ w.T).reshape(x.shape), 2 * x.reshape(x.shape[0], -1).T @ dout,
            2 * dout.sum(axis=0))


def affine_backward_no_db(dout, cache):
    """Forgets to return db: None in its place."""
    x, w, _ = cache
    return (dout @ w.T).reshape(x.shape), x.reshape(x.shape[0], -1).T @ dout, None


def affine_forward_float32(x, w, b):
    """Computes in float32 (a .astype(np.float32) copied from a training script)."""
    return affine_forward(x.astype(np.float32), w.astype(np.float32), b.astype(np.float32))


def affine_backward_float32(dout, cache):
    x, w, _ = cache
    dout = dout.astype(np.float32)
    return (dout @ w.T).reshape(x.shape), x.reshape(x.shape[0], -1).T @ dout, dout.sum(axis=0)


def affine_forward_float32_cast_back(x, w, b):
    """Computes in float32, then returns float64, so its dtype looks right."""
    out, _ = affine_forward_float32(x, w, b)
    return out.astype(np.float64), (x, w, b)


def affine_backward_float32_cast_back(dout, cache):
    return tuple(grad.astype(np.float64) for grad in affine_backward_float32(dout, cache))


def softmax_loss_float32_cast_back(x, y):
    """Computes in float32; returns a Python float and a float64 dx."""
    loss, dx = softmax_loss(x.astype(np.float32), y)
    return float(loss), dx.astype(np.float64)


def affine_backward_db_of_ones(dout, cache):
    """A db of simple constants (fits any float), wrong for a float64 check."""
    x, w, _ = cache
    return (dout @ w.T).reshape(x.shape), x.reshape(x.shape[0], -1).T @ dout, np.ones(w.shape[1])


def affine_backward_dw_over_n(dout, cache):
    """Divides dw by N, as if the layer took the batch mean (the loss already did)."""
    dx, dw, db = affine_backward(dout, cache)
    return dx, dw / cache[0].shape[0], db
