"""TwoLayerNet: CS231n assignment-1 toy-model numbers, gradients, train() semantics, dtypes."""

# The global numpy generator is the subject here (CS231n notebook parity), not an accident.
# ruff: noqa: NPY002

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import nettrainer.layers
import nettrainer.model
from nettrainer.model import TwoLayerNet

PARAM_NAMES = ("W1", "b1", "W2", "b2")
CORRECT_SCORES = np.array(
    [
        [-0.81233741, -1.27654624, -0.70335995],
        [-0.17129677, -1.18803311, -0.47310444],
        [-0.51590475, -1.01354314, -0.8504215],
        [-0.15419291, -0.48629638, -0.52901952],
        [-0.00618733, -0.12435261, -0.15226949],
    ]
)
CORRECT_LOSS = 1.30378789133  # the notebook's value for reg=0.05, reg * (sum W1^2 + sum W2^2)


def rel_error(x, y):
    """CS231n's relative error, written here independently of nettrainer.gradcheck."""
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def init_toy_model():
    np.random.seed(0)
    return TwoLayerNet(4, 10, 3, std=1e-1)


def init_toy_data():
    np.random.seed(1)
    X = 10 * np.random.randn(5, 4)
    y = np.array([0, 1, 2, 2, 1])
    return X, y


def reference_loss(params, X, y, reg):
    """An independent forward and backward pass of the two-layer net (the test oracle)."""
    W1, b1, W2, b2 = (params[k] for k in PARAM_NAMES)
    n = X.shape[0]
    hidden = np.maximum(0, X @ W1 + b1)
    scores = hidden @ W2 + b2
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(n), y].mean() + reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    dscores = np.exp(log_probs)
    dscores[np.arange(n), y] -= 1
    dscores /= n
    dhidden = (dscores @ W2.T) * (hidden > 0)
    grads = {
        "W1": X.T @ dhidden + 2 * reg * W1,
        "b1": dhidden.sum(axis=0),
        "W2": hidden.T @ dscores + 2 * reg * W2,
        "b2": dscores.sum(axis=0),
    }
    return loss, grads


def reference_train(
    params, X, y, X_val, y_val, *, learning_rate, decay, reg, num_iters, batch_size
):
    """CS231n assignment 1's TwoLayerNet.train, transcribed, on a dict of params."""
    params = {k: v.copy() for k, v in params.items()}
    num_train = X.shape[0]
    iterations_per_epoch = max(num_train // batch_size, 1)
    history = {"loss_history": [], "train_acc_history": [], "val_acc_history": []}

    def predict(X_):
        hidden = np.maximum(0, X_ @ params["W1"] + params["b1"])
        return np.argmax(hidden @ params["W2"] + params["b2"], axis=1)

    for it in range(num_iters):
        batch = np.random.choice(num_train, batch_size)
        X_batch, y_batch = X[batch], y[batch]
        loss, grads = reference_loss(params, X_batch, y_batch, reg)
        history["loss_history"].append(loss)
        for k in params:
            params[k] -= learning_rate * grads[k]
        if it % iterations_per_epoch == 0:
            history["train_acc_history"].append(np.mean(predict(X_batch) == y_batch))
            history["val_acc_history"].append(np.mean(predict(X_val) == y_val))
            learning_rate *= decay
    return params, history


# initialisation -------------------------------------------------------------------------


def test_init_draws_w1_then_w2_from_the_global_generator():
    np.random.seed(0)
    expected_W1 = 1e-1 * np.random.randn(4, 10)
    expected_W2 = 1e-1 * np.random.randn(10, 3)
    after = np.random.get_state()[1].copy()
    net = init_toy_model()
    assert set(net.params) == set(PARAM_NAMES)
    np.testing.assert_array_equal(net.params["W1"], expected_W1)
    np.testing.assert_array_equal(net.params["W2"], expected_W2)
    np.testing.assert_array_equal(net.params["b1"], np.zeros(10))
    np.testing.assert_array_equal(net.params["b2"], np.zeros(3))
    assert all(net.params[k].dtype == np.float64 for k in PARAM_NAMES)
    np.testing.assert_array_equal(np.random.get_state()[1], after)  # nothing else was drawn


def test_init_with_a_generator_uses_it_and_leaves_the_global_one_alone():
    np.random.seed(123)
    before = np.random.get_state()
    net = TwoLayerNet(3, 5, 2, std=0.5, rng=np.random.default_rng(42))
    expected = np.random.default_rng(42)
    np.testing.assert_array_equal(net.params["W1"], 0.5 * expected.standard_normal((3, 5)))
    np.testing.assert_array_equal(net.params["W2"], 0.5 * expected.standard_normal((5, 2)))
    after = np.random.get_state()
    np.testing.assert_array_equal(before[1], after[1])
    assert before[2] == after[2]


# the CS231n toy model -------------------------------------------------------------------


def test_toy_model_scores_match_the_notebook():
    net = init_toy_model()
    X, _ = init_toy_data()
    scores = net.loss(X)
    assert scores.shape == (5, 3)
    assert np.sum(np.abs(scores - CORRECT_SCORES)) < 1e-7


def test_toy_model_loss_matches_the_notebook_and_the_reference():
    net = init_toy_model()
    X, y = init_toy_data()
    loss, _ = net.loss(X, y, reg=0.05)
    assert abs(loss - CORRECT_LOSS) < 1e-12
    assert loss == pytest.approx(reference_loss(net.params, X, y, 0.05)[0], rel=1e-13)


@pytest.mark.parametrize("reg", [0.0, 0.05])
def test_toy_model_gradients_match_numeric_gradients(numeric_gradient, reg):
    net = init_toy_model()
    X, y = init_toy_data()
    _, grads = net.loss(X, y, reg=reg)
    assert set(grads) == set(PARAM_NAMES)
    for name in PARAM_NAMES:
        assert grads[name].shape == net.params[name].shape
        numeric = numeric_gradient(lambda: net.loss(X, y, reg=reg)[0], net.params[name])
        assert rel_error(grads[name], numeric) < 1e-8, name


def test_toy_model_gradients_match_the_reference():
    net = init_toy_model()
    X, y = init_toy_data()
    _, grads = net.loss(X, y, reg=0.05)
    _, expected = reference_loss(net.params, X, y, 0.05)
    for name in PARAM_NAMES:
        np.testing.assert_allclose(grads[name], expected[name], rtol=1e-10, atol=1e-14)


def test_toy_model_training_reaches_the_notebook_loss():
    # The notebook's training cell re-creates the net (np.random.seed(0)) after the data.
    X, y = init_toy_data()
    net = init_toy_model()
    stats = net.train(X, y, X, y, learning_rate=1e-1, reg=5e-6, num_iters=100, verbose=False)
    assert len(stats["loss_history"]) == 100
    assert stats["loss_history"][-1] < 0.02
    # The notebook prints "Final training loss:  0.017149607938732093".
    assert stats["loss_history"][-1] == pytest.approx(0.017149607938732093, rel=1e-9)


# regularisation convention ------------------------------------------------------------


def test_regularisation_is_reg_times_sum_of_squared_weights_biases_excluded():
    rng = np.random.default_rng(5)
    net = TwoLayerNet(6, 7, 4, std=0.3, rng=rng)
    net.params["b1"] += rng.standard_normal(7)  # non-zero biases: they must not be regularised
    net.params["b2"] += rng.standard_normal(4)
    X = rng.standard_normal((8, 6))
    y = rng.integers(0, 4, size=8)
    reg = 0.37
    loss0, grads0 = net.loss(X, y, reg=0.0)
    loss_reg, grads_reg = net.loss(X, y, reg=reg)
    W1, W2 = net.params["W1"], net.params["W2"]
    assert loss_reg - loss0 == pytest.approx(reg * (np.sum(W1**2) + np.sum(W2**2)), rel=1e-12)
    np.testing.assert_allclose(grads_reg["W1"] - grads0["W1"], 2 * reg * W1, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(grads_reg["W2"] - grads0["W2"], 2 * reg * W2, rtol=1e-10, atol=1e-14)
    np.testing.assert_array_equal(grads_reg["b1"], grads0["b1"])
    np.testing.assert_array_equal(grads_reg["b2"], grads0["b2"])


def test_loss_at_small_init_is_log_of_class_count():
    rng = np.random.default_rng(0)
    net = TwoLayerNet(20, 30, 10, std=1e-4, rng=rng)
    X = rng.standard_normal((64, 20))
    y = rng.integers(0, 10, size=64)
    loss, _ = net.loss(X, y)
    assert abs(loss - math.log(10)) < 1e-3


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    n=st.integers(min_value=1, max_value=4),
    d=st.integers(min_value=1, max_value=4),
    h=st.integers(min_value=1, max_value=5),
    c=st.integers(min_value=2, max_value=4),
    reg=st.sampled_from([0.0, 0.3]),
)
def test_model_gradients_on_random_shapes(numeric_gradient, seed, n, d, h, c, reg):
    rng = np.random.default_rng(seed)
    net = TwoLayerNet(d, h, c, std=1.0, rng=rng)
    net.params["b1"] += 0.1 * rng.standard_normal(h)
    X = rng.standard_normal((n, d))
    y = rng.integers(0, c, size=n)
    assume(np.min(np.abs(X @ net.params["W1"] + net.params["b1"])) > 1e-4)  # no ReLU kink
    _, grads = net.loss(X, y, reg=reg)
    for name in PARAM_NAMES:
        numeric = numeric_gradient(lambda: net.loss(X, y, reg=reg)[0], net.params[name])
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-6, atol=1e-8, err_msg=name)


def test_loss_does_not_modify_params_or_inputs():
    rng = np.random.default_rng(2)
    net = TwoLayerNet(5, 6, 3, std=0.5, rng=rng)
    X = rng.standard_normal((7, 5))
    y = rng.integers(0, 3, size=7)
    before = {k: v.copy() for k, v in net.params.items()}
    X_before, y_before = X.copy(), y.copy()
    net.loss(X, y, reg=0.5)
    net.loss(X)
    for name in PARAM_NAMES:
        np.testing.assert_array_equal(net.params[name], before[name])
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


def test_predict_returns_int_argmax_of_scores():
    rng = np.random.default_rng(4)
    net = TwoLayerNet(5, 8, 4, std=1.0, rng=rng)
    X = rng.standard_normal((9, 5))
    pred = net.predict(X)
    assert pred.shape == (9,)
    assert np.issubdtype(pred.dtype, np.integer)
    np.testing.assert_array_equal(pred, np.argmax(net.loss(X), axis=1))


def test_first_layer_input_gradient_is_not_computed(monkeypatch):
    """Spy on the layer backward functions: none may be asked for the gradient w.r.t. X.

    (A model that computed ``dX`` inline, without these functions, would not be
    seen by this test; the model builds its backward pass from the layers.)
    """
    calls = []

    def spy(name, original, input_of):
        def wrapper(dout, cache):
            calls.append((name, input_of(cache).shape))
            return original(dout, cache)

        return wrapper

    originals = {
        "affine_backward": (nettrainer.layers.affine_backward, lambda cache: cache[0]),
        "affine_relu_backward": (nettrainer.layers.affine_relu_backward, lambda cache: cache[0][0]),
    }
    for name, (original, input_of) in originals.items():
        for module in (nettrainer.layers, nettrainer.model):
            monkeypatch.setattr(module, name, spy(name, original, input_of), raising=False)

    rng = np.random.default_rng(8)
    net = TwoLayerNet(7, 5, 3, std=0.5, rng=rng)
    X = rng.standard_normal((4, 7))
    y = rng.integers(0, 3, size=4)
    _, grads = net.loss(X, y, reg=0.1)
    assert (4, 7) not in [shape for _, shape in calls], calls
    _, expected = reference_loss(net.params, X, y, 0.1)
    np.testing.assert_allclose(grads["W1"], expected["W1"], rtol=1e-10, atol=1e-14)


# train() ------------------------------------------------------------------------------------


def small_problem(seed=0, n=50, d=4, c=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = rng.integers(0, c, size=n)
    X_val = rng.standard_normal((20, d))
    y_val = rng.integers(0, c, size=20)
    return X, y, X_val, y_val


def test_train_follows_cs231n_semantics_exactly():
    X, y, X_val, y_val = small_problem()
    net = TwoLayerNet(4, 10, 3, std=0.5, rng=np.random.default_rng(1))
    start = {k: v.copy() for k, v in net.params.items()}
    kwargs = dict(learning_rate=0.5, reg=1e-3, num_iters=23, batch_size=10)

    np.random.seed(11)
    stats = net.train(X, y, X_val, y_val, learning_rate_decay=0.5, **kwargs)
    state_after = np.random.get_state()[1].copy(), np.random.get_state()[2]

    np.random.seed(11)
    expected_params, expected = reference_train(start, X, y, X_val, y_val, decay=0.5, **kwargs)
    # num_train // batch_size = 5: accuracies at iterations 0, 5, 10, 15, 20.
    assert len(stats["loss_history"]) == 23
    assert len(stats["train_acc_history"]) == 5
    assert len(stats["val_acc_history"]) == 5
    np.testing.assert_allclose(stats["loss_history"], expected["loss_history"], rtol=1e-9)
    np.testing.assert_allclose(stats["train_acc_history"], expected["train_acc_history"])
    np.testing.assert_allclose(stats["val_acc_history"], expected["val_acc_history"])
    for name in PARAM_NAMES:
        np.testing.assert_allclose(net.params[name], expected_params[name], rtol=1e-8, atol=1e-12)
    # train() drew exactly the 23 batches from the global generator and nothing else.
    np.testing.assert_array_equal(np.random.get_state()[1], state_after[0])
    assert np.random.get_state()[2] == state_after[1]


def test_train_draws_one_choice_per_iteration_and_nothing_else():
    X, y, X_val, y_val = small_problem(n=30)
    net = TwoLayerNet(4, 6, 3, std=0.1, rng=np.random.default_rng(2))
    np.random.seed(5)
    net.train(X, y, X_val, y_val, num_iters=7, batch_size=8)
    after = np.random.get_state()
    np.random.seed(5)
    for _ in range(7):
        np.random.choice(30, 8)
    expected = np.random.get_state()
    np.testing.assert_array_equal(after[1], expected[1])
    assert after[2] == expected[2]


def test_train_one_worked_sgd_step():
    X, y, X_val, y_val = small_problem(n=12)
    net = TwoLayerNet(4, 6, 3, std=0.5, rng=np.random.default_rng(3))
    start = {k: v.copy() for k, v in net.params.items()}
    np.random.seed(9)
    stats = net.train(X, y, X_val, y_val, learning_rate=0.3, reg=0.01, num_iters=1, batch_size=5)
    np.random.seed(9)
    batch = np.random.choice(12, 5)
    loss, grads = reference_loss(start, X[batch], y[batch], 0.01)
    assert stats["loss_history"] == [pytest.approx(loss, rel=1e-12)]
    for name in PARAM_NAMES:
        np.testing.assert_allclose(
            net.params[name], start[name] - 0.3 * grads[name], rtol=1e-12, atol=1e-15
        )


def test_train_does_not_print_when_not_verbose(capsys):
    X, y, X_val, y_val = small_problem()
    net = TwoLayerNet(4, 6, 3, rng=np.random.default_rng(0))
    np.random.seed(0)
    net.train(X, y, X_val, y_val, num_iters=150, batch_size=10, verbose=False)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ""


# float32 ------------------------------------------------------------------------------------


def test_float32_model_keeps_params_scores_and_grads_float32():
    rng = np.random.default_rng(6)
    net = TwoLayerNet(5, 8, 3, std=0.1, dtype=np.float32, rng=rng)
    X = rng.standard_normal((10, 5)).astype(np.float32)
    y = rng.integers(0, 3, size=10)
    assert all(net.params[k].dtype == np.float32 for k in PARAM_NAMES)
    assert net.loss(X).dtype == np.float32
    loss, grads = net.loss(X, y, reg=0.1)
    assert np.isfinite(loss)
    assert all(grads[k].dtype == np.float32 for k in PARAM_NAMES)
    params64 = {k: v.astype(np.float64) for k, v in net.params.items()}
    _, expected = reference_loss(params64, X, y, 0.1)
    for name in PARAM_NAMES:
        np.testing.assert_allclose(grads[name], expected[name], rtol=1e-4, atol=1e-6)
    np.random.seed(0)
    net.train(X, y, X, y, learning_rate=0.1, num_iters=5, batch_size=4)
    assert all(net.params[k].dtype == np.float32 for k in PARAM_NAMES)
