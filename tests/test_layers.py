"""Layers: known outputs for linspace inputs, numeric vs analytic gradients, numerics, dtypes."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nettrainer.layers import (
    affine_backward,
    affine_forward,
    affine_relu_backward,
    affine_relu_forward,
    relu_backward,
    relu_forward,
    softmax_loss,
    svm_loss,
)

SMALL = settings(max_examples=25, deadline=None)
seeds = st.integers(min_value=0, max_value=2**32 - 1)
batch_sizes = st.integers(min_value=1, max_value=4)
feature_shapes = st.lists(st.integers(min_value=1, max_value=3), min_size=1, max_size=3)
widths = st.integers(min_value=1, max_value=4)
class_counts = st.integers(min_value=2, max_value=5)


def rel_error(x, y):
    """CS231n's relative error, written here independently of nettrainer.gradcheck."""
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def softmax_reference(x, y):
    """Mean cross-entropy, one row at a time, in log-sum-exp form."""
    losses = []
    for row, label in zip(x, y, strict=True):
        top = max(row)
        log_sum = top + math.log(sum(math.exp(v - top) for v in row))
        losses.append(log_sum - row[label])
    return sum(losses) / len(losses)


def svm_reference(x, y):
    """Mean multiclass hinge loss with margin 1, with explicit loops."""
    total = 0.0
    for row, label in zip(x, y, strict=True):
        total += sum(max(0.0, row[j] - row[label] + 1.0) for j in range(len(row)) if j != label)
    return total / len(x)


# affine ---------------------------------------------------------------------------------


def test_affine_forward_matches_cs231n_linspace_output():
    x = np.linspace(-0.1, 0.5, num=2 * 120).reshape(2, 4, 5, 6)
    w = np.linspace(-0.2, 0.3, num=120 * 3).reshape(120, 3)
    b = np.linspace(-0.3, 0.1, num=3)
    out, _ = affine_forward(x, w, b)
    correct_out = np.array(
        [[1.49834967, 1.70660132, 1.91485297], [3.25553199, 3.5141327, 3.77273342]]
    )
    assert out.shape == (2, 3)
    assert rel_error(out, correct_out) < 1e-9


def test_affine_backward_matches_numeric_gradient_and_keeps_x_shape(numeric_gradient):
    rng = np.random.default_rng(231)
    x = rng.standard_normal((10, 2, 3))
    w = rng.standard_normal((6, 5))
    b = rng.standard_normal(5)
    dout = rng.standard_normal((10, 5))
    _, cache = affine_forward(x, w, b)
    dx, dw, db = affine_backward(dout, cache)
    assert dx.shape == x.shape
    assert dw.shape == w.shape
    assert db.shape == b.shape
    assert rel_error(dx, numeric_gradient(lambda: affine_forward(x, w, b)[0], x, dout)) < 1e-9
    assert rel_error(dw, numeric_gradient(lambda: affine_forward(x, w, b)[0], w, dout)) < 1e-9
    assert rel_error(db, numeric_gradient(lambda: affine_forward(x, w, b)[0], b, dout)) < 1e-9


def test_affine_backward_closed_forms():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((3, 2, 2))
    w = rng.standard_normal((4, 2))
    b = rng.standard_normal(2)
    dout = rng.standard_normal((3, 2))
    _, cache = affine_forward(x, w, b)
    dx, dw, db = affine_backward(dout, cache)
    np.testing.assert_allclose(dx, (dout @ w.T).reshape(x.shape), rtol=1e-12)
    np.testing.assert_allclose(dw, x.reshape(3, 4).T @ dout, rtol=1e-12)
    np.testing.assert_allclose(db, dout.sum(axis=0), rtol=1e-12)


@SMALL
@given(seed=seeds, n=batch_sizes, dims=feature_shapes, m=widths)
def test_affine_gradients_on_random_shapes(numeric_gradient, seed, n, dims, m):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, *dims))
    d = int(np.prod(dims))
    w = rng.standard_normal((d, m))
    b = rng.standard_normal(m)
    dout = rng.standard_normal((n, m))
    out, cache = affine_forward(x, w, b)
    np.testing.assert_allclose(out, x.reshape(n, d) @ w + b, rtol=1e-12, atol=1e-12)
    dx, dw, db = affine_backward(dout, cache)
    assert dx.shape == x.shape
    for value, analytic in ((x, dx), (w, dw), (b, db)):
        numeric = numeric_gradient(lambda: affine_forward(x, w, b)[0], value, dout)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


# relu -----------------------------------------------------------------------------------


def test_relu_forward_matches_cs231n_linspace_output():
    x = np.linspace(-0.5, 0.5, num=12).reshape(3, 4)
    out, _ = relu_forward(x)
    correct_out = np.array(
        [
            [0.0, 0.0, 0.0, 0.0],
            [0.0, 0.0, 0.04545455, 0.13636364],
            [0.22727273, 0.31818182, 0.40909091, 0.5],
        ]
    )
    assert rel_error(out, correct_out) < 1e-7


def test_relu_backward_matches_numeric_gradient(numeric_gradient):
    rng = np.random.default_rng(10)
    x = rng.standard_normal((10, 10))
    x[np.abs(x) < 1e-3] = 0.5  # away from the kink
    dout = rng.standard_normal(x.shape)
    _, cache = relu_forward(x)
    dx = relu_backward(dout, cache)
    assert dx.shape == x.shape
    assert rel_error(dx, numeric_gradient(lambda: relu_forward(x)[0], x, dout)) < 1e-10


def test_relu_gradient_is_zero_at_exactly_zero():
    x = np.array([[-1.0, 0.0, 2.0, -0.0], [0.0, 3.0, -2.0, 1e-300]])
    dout = np.array([[5.0, 7.0, 11.0, 13.0], [17.0, 19.0, 23.0, 29.0]])
    _, cache = relu_forward(x)
    dx = relu_backward(dout, cache)
    np.testing.assert_array_equal(dx, [[0.0, 0.0, 11.0, 0.0], [0.0, 19.0, 0.0, 29.0]])


@SMALL
@given(seed=seeds, n=batch_sizes, dims=feature_shapes, m=widths)
def test_affine_relu_gradients_on_random_shapes(numeric_gradient, seed, n, dims, m):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, *dims))
    d = int(np.prod(dims))
    w = rng.standard_normal((d, m))
    b = rng.standard_normal(m)
    pre_activation = x.reshape(n, d) @ w + b
    assume(np.min(np.abs(pre_activation)) > 1e-3)  # numeric differences are wrong at the kink
    dout = rng.standard_normal((n, m))
    out, cache = affine_relu_forward(x, w, b)
    np.testing.assert_allclose(out, np.maximum(pre_activation, 0), rtol=1e-12, atol=1e-12)
    dx, dw, db = affine_relu_backward(dout, cache)
    assert dx.shape == x.shape
    for value, analytic in ((x, dx), (w, dw), (b, db)):
        numeric = numeric_gradient(lambda: affine_relu_forward(x, w, b)[0], value, dout)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


def test_affine_relu_matches_cs231n_check(numeric_gradient):
    rng = np.random.default_rng(231)
    x = rng.standard_normal((2, 3, 4))
    w = rng.standard_normal((12, 10))
    b = rng.standard_normal(10)
    dout = rng.standard_normal((2, 10))
    _, cache = affine_relu_forward(x, w, b)
    dx, dw, db = affine_relu_backward(dout, cache)
    assert dx.shape == x.shape
    for value, analytic in ((x, dx), (w, dw), (b, db)):
        numeric = numeric_gradient(lambda: affine_relu_forward(x, w, b)[0], value, dout)
        assert rel_error(analytic, numeric) < 1e-8


# losses ---------------------------------------------------------------------------------


def cs231n_loss_problem():
    """CS231n's loss-layer check: 50 examples, 10 classes, scores 0.001 * randn."""
    rng = np.random.default_rng(231)
    x = 0.001 * rng.standard_normal((50, 10))
    y = rng.integers(0, 10, size=50)
    return x, y


def test_softmax_loss_at_small_scores_is_log_of_class_count(numeric_gradient):
    x, y = cs231n_loss_problem()
    loss, dx = softmax_loss(x, y)
    assert abs(loss - math.log(10)) < 0.01
    assert loss == pytest.approx(softmax_reference(x, y), rel=1e-12)
    assert dx.shape == x.shape
    assert rel_error(dx, numeric_gradient(lambda: softmax_loss(x, y)[0], x)) < 1e-7


def test_svm_loss_at_small_scores_is_class_count_minus_one(numeric_gradient):
    x, y = cs231n_loss_problem()
    loss, dx = svm_loss(x, y)
    assert abs(loss - 9) < 0.1
    assert loss == pytest.approx(svm_reference(x, y), rel=1e-12)
    assert dx.shape == x.shape
    assert rel_error(dx, numeric_gradient(lambda: svm_loss(x, y)[0], x)) < 1e-8


def test_softmax_loss_gradient_is_probs_minus_onehot_over_n():
    x = np.array([[1.0, 2.0, 3.0], [0.5, -0.5, 0.0]])
    y = np.array([2, 0])
    probs = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    expected = (probs - np.eye(3)[y]) / 2
    loss, dx = softmax_loss(x, y)
    assert loss == pytest.approx(-np.mean(np.log(probs[[0, 1], y])), rel=1e-12)
    np.testing.assert_allclose(dx, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dx.sum(axis=1), 0.0, atol=1e-15)


def test_svm_loss_worked_example():
    # Row 0: margins 2 - 1 + 1 = 2 and 3 - 1 + 1 = 3; row 1: the correct class wins by > 1.
    x = np.array([[1.0, 2.0, 3.0], [5.0, 1.0, 0.0]])
    y = np.array([0, 0])
    loss, dx = svm_loss(x, y)
    assert loss == pytest.approx(5.0 / 2, rel=1e-15)
    np.testing.assert_allclose(dx, [[-1.0, 0.5, 0.5], [0.0, 0.0, 0.0]], rtol=1e-15)


@pytest.mark.parametrize("magnitude", [1e3, 1e4, 1e6])
def test_softmax_loss_is_finite_and_exact_for_large_scores(magnitude):
    x = np.array([[magnitude, 0.0, 0.0], [0.0, -magnitude, magnitude]])
    y = np.array([1, 2])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # not even a hidden one
        loss, dx = softmax_loss(x, y)
    # Row 0 puts all the mass on class 0 (loss = magnitude), row 1 on its label (loss 0).
    assert loss == pytest.approx(magnitude / 2, rel=1e-12)
    np.testing.assert_allclose(dx, [[0.5, -0.5, 0.0], [0.0, 0.0, 0.0]], atol=1e-12)


@pytest.mark.parametrize("magnitude", [1e3, 1e4])
def test_softmax_loss_finite_for_random_large_scores(magnitude):
    rng = np.random.default_rng(3)
    x = magnitude * rng.standard_normal((20, 10))
    y = rng.integers(0, 10, size=20)
    loss, dx = softmax_loss(x, y)
    assert np.isfinite(loss)
    assert np.all(np.isfinite(dx))
    assert loss == pytest.approx(softmax_reference(x, y), rel=1e-12)


@SMALL
@given(seed=seeds, n=batch_sizes, c=class_counts, scale=st.sampled_from([0.01, 1.0, 10.0]))
def test_softmax_loss_gradient_on_random_shapes(numeric_gradient, seed, n, c, scale):
    rng = np.random.default_rng(seed)
    x = scale * rng.standard_normal((n, c))
    y = rng.integers(0, c, size=n)
    loss, dx = softmax_loss(x, y)
    assert loss == pytest.approx(softmax_reference(x, y), rel=1e-10)
    numeric = numeric_gradient(lambda: softmax_loss(x, y)[0], x)
    np.testing.assert_allclose(dx, numeric, rtol=1e-6, atol=1e-9)


@SMALL
@given(seed=seeds, n=batch_sizes, c=class_counts)
def test_svm_loss_gradient_on_random_shapes(numeric_gradient, seed, n, c):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c))
    y = rng.integers(0, c, size=n)
    margins = x - x[np.arange(n), y][:, None] + 1
    margins[np.arange(n), y] = 5.0  # the correct class itself has no kink
    assume(np.min(np.abs(margins)) > 1e-3)  # numeric differences are wrong at the hinge
    loss, dx = svm_loss(x, y)
    assert loss == pytest.approx(svm_reference(x, y), rel=1e-10, abs=1e-12)
    numeric = numeric_gradient(lambda: svm_loss(x, y)[0], x)
    np.testing.assert_allclose(dx, numeric, rtol=1e-6, atol=1e-9)


# dtypes and purity ----------------------------------------------------------------------


def test_layers_keep_float32():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 2, 3)).astype(np.float32)
    w = rng.standard_normal((6, 5)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    dout = rng.standard_normal((4, 5)).astype(np.float32)
    y = np.array([0, 4, 2, 1])

    out, cache = affine_forward(x, w, b)
    assert out.dtype == np.float32
    assert all(g.dtype == np.float32 for g in affine_backward(dout, cache))
    out, cache = affine_relu_forward(x, w, b)
    assert out.dtype == np.float32
    assert all(g.dtype == np.float32 for g in affine_relu_backward(dout, cache))
    out, cache = relu_forward(dout)
    assert out.dtype == np.float32
    assert relu_backward(dout, cache).dtype == np.float32
    assert softmax_loss(dout, y)[1].dtype == np.float32
    assert svm_loss(dout, y)[1].dtype == np.float32


def test_layers_do_not_modify_their_inputs():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 6))
    w = rng.standard_normal((6, 5))
    b = rng.standard_normal(5)
    dout = rng.standard_normal((4, 5))
    y = np.array([0, 4, 2, 1])
    originals = [a.copy() for a in (x, w, b, dout, y)]

    _, cache = affine_forward(x, w, b)
    affine_backward(dout, cache)
    _, cache = affine_relu_forward(x, w, b)
    affine_relu_backward(dout, cache)
    _, cache = relu_forward(dout)
    relu_backward(dout, cache)
    softmax_loss(dout, y)
    svm_loss(dout, y)
    for original, now in zip(originals, (x, w, b, dout, y), strict=True):
        np.testing.assert_array_equal(original, now)
