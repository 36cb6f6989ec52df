"""Gradient checking: numeric gradients of known functions, rel_error, layer and model checks."""

import dataclasses

import numpy as np
import pytest

import nettrainer.gradcheck
import nettrainer.layers
from nettrainer.gradcheck import (
    check_layers,
    check_model,
    eval_numerical_gradient,
    eval_numerical_gradient_array,
    rel_error,
)
from nettrainer.model import TwoLayerNet

RECORD_FIELDS = {"name", "parameter", "rel_error", "threshold", "passed"}


def test_rel_error_is_cs231n_max_relative_difference():
    assert rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    assert rel_error(np.array([1.0, 3.0]), np.array([1.0, 1.0])) == pytest.approx(0.5)
    assert rel_error(np.array([0.0]), np.array([0.0])) == 0.0
    # Below 1e-8 in magnitude the denominator is floored at 1e-8.
    assert rel_error(np.array([2e-9]), np.array([0.0])) == pytest.approx(0.2)
    assert rel_error(np.array([[1.0, -1.0]]), np.array([[-1.0, -1.0]])) == pytest.approx(1.0)


def test_eval_numerical_gradient_of_a_cubic():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4))
    grad = eval_numerical_gradient(lambda v: float(np.sum(v**3) + np.sum(v)), x)
    assert grad.shape == x.shape
    np.testing.assert_allclose(grad, 3 * x**2 + 1, rtol=1e-8, atol=1e-9)


def test_eval_numerical_gradient_is_centred():
    """f(x) = x^2 at x = 1 with h = 0.1: centred gives exactly 2, forward would give 2.1."""
    x = np.array([1.0])
    grad = eval_numerical_gradient(lambda v: float(v[0] ** 2), x, h=0.1)
    assert grad[0] == pytest.approx(2.0, rel=1e-12)


def test_eval_numerical_gradient_restores_x_exactly_and_does_not_print(capsys):
    rng = np.random.default_rng(1)
    # Entries near h in size: (x + h) - h and (x - h) + h are rarely x again.
    x = 1e-6 * rng.standard_normal((4, 3))
    before = x.copy()
    eval_numerical_gradient(lambda v: float(np.sum(np.sin(v))), x, verbose=False)
    np.testing.assert_array_equal(x, before)  # bit for bit
    assert capsys.readouterr().out == ""


def test_eval_numerical_gradient_array_of_a_matrix_product():
    rng = np.random.default_rng(2)
    x = 1e-6 * rng.standard_normal((3, 4))  # near h in size, as above
    a = rng.standard_normal((4, 2))
    df = rng.standard_normal((3, 2))
    before = x.copy()
    grad = eval_numerical_gradient_array(lambda v: v @ a, x, df)
    np.testing.assert_allclose(grad, df @ a.T, rtol=1e-8, atol=1e-10)
    np.testing.assert_array_equal(x, before)


def test_eval_numerical_gradient_array_elementwise_with_h():
    x = np.array([0.5, -1.0, 2.0])
    df = np.array([1.0, 2.0, -1.0])
    grad = eval_numerical_gradient_array(lambda v: v**2, x, df, h=1e-3)
    np.testing.assert_allclose(grad, 2 * x * df, rtol=1e-10)


def as_dict(record):
    return {field: getattr(record, field) for field in RECORD_FIELDS}


def test_check_layers_covers_every_layer_and_passes():
    results = check_layers(seed=0)
    assert results
    for record in results:
        assert RECORD_FIELDS <= {f.name for f in dataclasses.fields(record)}
        assert record.passed, as_dict(record)
        assert record.rel_error <= record.threshold
        assert 0 < record.threshold <= 1e-6
    pairs = {(r.name, r.parameter) for r in results}
    names = {name for name, _ in pairs}
    assert any("affine" in n and "relu" not in n for n in names)
    assert any("relu" in n and "affine" not in n for n in names)
    assert any("affine_relu" in n for n in names)
    assert any("softmax" in n for n in names)
    assert any("svm" in n for n in names)
    # affine and affine_relu are checked for each of their three inputs.
    for layer in [n for n in names if "affine" in n]:
        assert len({p for n, p in pairs if n == layer}) == 3, layer


def test_check_layers_is_deterministic_and_silent(capsys):
    first = [as_dict(r) for r in check_layers(seed=3)]
    second = [as_dict(r) for r in check_layers(seed=3)]
    assert first == second
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def patch_layer(monkeypatch, name, replacement):
    for module in (nettrainer.layers, nettrainer.gradcheck):
        monkeypatch.setattr(module, name, replacement, raising=False)


def test_check_layers_reports_a_wrong_backward(monkeypatch):
    """A relu_backward that lets every gradient through must be reported as failing."""
    patch_layer(monkeypatch, "relu_backward", lambda dout, cache: dout.copy())
    failed = {r.name for r in check_layers(seed=0) if not r.passed}
    assert any("relu" in name for name in failed)


def test_check_layers_reports_a_wrong_loss_gradient(monkeypatch):
    original = nettrainer.layers.svm_loss

    def scaled(x, y):
        loss, dx = original(x, y)
        return loss, 1.01 * dx

    patch_layer(monkeypatch, "svm_loss", scaled)
    failed = {r.name for r in check_layers(seed=0) if not r.passed}
    assert any("svm" in name for name in failed)
    assert not any("softmax" in name for name in failed)


def test_check_model_covers_every_parameter_with_and_without_reg(capsys):
    results = check_model()
    assert all(r.passed for r in results), [as_dict(r) for r in results if not r.passed]
    assert all(r.rel_error <= r.threshold <= 1e-5 for r in results)
    by_run = {}
    for r in results:
        by_run.setdefault(r.name, set()).add(r.parameter)
    assert len(by_run) >= 2  # reg = 0 and reg > 0
    for parameters in by_run.values():
        assert parameters == {"W1", "b1", "W2", "b2"}
    assert capsys.readouterr().out == ""


def test_check_model_reports_wrong_gradients(monkeypatch):
    original = TwoLayerNet.loss

    def wrong(self, X, y=None, reg=0.0):
        if y is None:
            return original(self, X, y, reg)
        loss, grads = original(self, X, y, reg)
        grads = dict(grads, W2=grads["W2"] * 1.05)
        return loss, grads

    monkeypatch.setattr(TwoLayerNet, "loss", wrong)
    results = check_model()
    assert {r.parameter for r in results if not r.passed} == {"W2"}


def test_check_model_catches_a_missing_regularisation_gradient(monkeypatch):
    """Drop the 2 * reg * W1 term: the reg = 0 run passes, the reg > 0 run fails on W1."""
    original = TwoLayerNet.loss

    def no_reg_grad(self, X, y=None, reg=0.0):
        if y is None:
            return original(self, X, y, reg)
        loss, grads = original(self, X, y, reg)
        return loss, dict(grads, W1=grads["W1"] - 2 * reg * self.params["W1"])

    monkeypatch.setattr(TwoLayerNet, "loss", no_reg_grad)
    results = check_model()
    failed = {(r.name, r.parameter) for r in results if not r.passed}
    assert {p for _, p in failed} == {"W1"}
    passed_runs = {r.name for r in results} - {n for n, _ in failed}
    assert passed_runs  # the reg = 0 run


def _spiral_like_inputs(seed: int, n: int = 5):
    """Points near the origin of a spiral: many tiny hidden activations and gradient entries."""
    rng = np.random.default_rng(seed)
    radius = rng.uniform(0.0, 0.2, size=n)
    angle = rng.uniform(0.0, 2 * np.pi, size=n)
    return np.c_[radius * np.cos(angle), radius * np.sin(angle)], rng.integers(0, 3, size=n)


@pytest.mark.parametrize("seed", range(12))
def test_check_model_passes_correct_gradients_on_data_with_tiny_entries(seed):
    # Before kink avoidance and the scale floor, such data failed correct gradients
    # (rel errors ~1e-5 from round-off on entries a million times smaller than the rest).
    X, y = _spiral_like_inputs(seed)
    results = check_model(hidden_size=10, regs=(0.0, 1e-4), seed=seed, X=X, y=y)
    assert all(r.passed for r in results), [r for r in results if not r.passed]


def _cifar_like_inputs(seed: int, n: int = 5):
    """CS231n's CIFAR-10 inputs: 3072 pixels in 0-255 less their mean (no scaling)."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, size=(60, 3072)).astype(np.float64)  # (60, 3072)
    return (pixels - pixels.mean(axis=0))[:n], rng.integers(0, 10, size=n)


@pytest.mark.parametrize("seed", [6, 7])
def test_check_model_passes_correct_gradients_on_unscaled_cifar_sized_inputs(seed):
    # At these seeds a net of std 0.1 had ReLU inputs in the hundreds, and W2's centred
    # differences failed by truncation alone (rel errors about 3e-6 at h = 1e-5).
    X, y = _cifar_like_inputs(seed)
    results = check_model(hidden_size=50, num_classes=10, regs=(0.0,), seed=seed, X=X, y=y)
    assert all(r.passed for r in results), [r for r in results if not r.passed]


def test_the_scale_floor_still_catches_a_small_relative_mistake(monkeypatch):
    original = TwoLayerNet.loss

    def slightly_wrong(self, X, y=None, reg=0.0):
        if y is None:
            return original(self, X, y, reg)
        loss, grads = original(self, X, y, reg)
        return loss, dict(grads, b1=grads["b1"] * 1.001)

    monkeypatch.setattr(TwoLayerNet, "loss", slightly_wrong)
    X, y = _spiral_like_inputs(0)
    failed = {r.parameter for r in check_model(hidden_size=10, X=X, y=y) if not r.passed}
    assert failed == {"b1"}


def test_large_parameters_are_checked_on_a_sample_of_entries(monkeypatch):
    calls = []
    original = nettrainer.gradcheck.eval_numerical_gradient_at

    def counting(f, x, entries, h=1e-5):
        calls.append(len(entries))
        return original(f, x, entries, h)

    monkeypatch.setattr(nettrainer.gradcheck, "eval_numerical_gradient_at", counting)
    results = check_model(input_size=100, hidden_size=30, regs=(0.0,))
    assert all(r.passed for r in results)
    assert max(calls) == nettrainer.gradcheck.MAX_CHECKED_ENTRIES  # W1 has 3000 entries
    assert min(calls) == 3  # b2 is checked whole
