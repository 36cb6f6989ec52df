"""Preprocessing: the fitted state, in-place application, constant features, saved states."""

import numpy as np
import pytest
from data_fixtures import Preprocess

from nettrainer.data.preprocess import apply_preprocess, check_state, fit_preprocess
from nettrainer.errors import DataError


def images():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(300, 6)).astype(np.float32)
    X[:, 0] = 17.0  # a constant pixel, like an image border
    return X


def test_nothing_configured_is_the_identity():
    X = images()
    state = fit_preprocess(X, Preprocess())
    assert state == {}
    np.testing.assert_array_equal(apply_preprocess(X.copy(), state), X)


def test_state_holds_only_the_configured_steps_as_plain_arrays(tmp_path):
    X = images()
    state = fit_preprocess(X, Preprocess(scale=0.5, subtract_mean=True))
    assert set(state) == {"scale", "mean"}
    assert state["scale"].shape == () and state["mean"].shape == (6,)
    np.testing.assert_allclose(state["mean"], 0.5 * X.astype(np.float64).mean(axis=0))
    np.savez(tmp_path / "state.npz", **state)
    with np.load(tmp_path / "state.npz", allow_pickle=False) as saved:
        assert set(saved.files) == {"scale", "mean"}


def test_apply_works_in_place_and_returns_the_same_array():
    X = images()
    original = X.copy()
    state = fit_preprocess(X, Preprocess(scale=1 / 255, subtract_mean=True))
    out = apply_preprocess(X, state)
    assert out is X and X.dtype == np.float32
    expected = original * np.float32(1 / 255) - state["mean"].astype(np.float32)
    np.testing.assert_array_equal(X, expected)


def test_standardize_centres_and_scales_and_leaves_constant_features_at_zero():
    X = images()
    state = fit_preprocess(X, Preprocess(standardize=True))
    assert state["std"][0] == 1.0  # constant: divided by 1, not by ~0
    Z = apply_preprocess(X.copy(), state)
    assert np.isfinite(Z).all()
    np.testing.assert_array_equal(Z[:, 0], 0.0)
    np.testing.assert_allclose(Z[:, 1:].mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(Z[:, 1:].std(axis=0), 1.0, atol=1e-5)


def test_standardize_scales_every_varying_feature_whatever_its_scale_or_mean():
    rng = np.random.default_rng(1)
    stds = np.array([1e4, 0.005, 1.0, 346.0])  # the last: Unix times over 20 minutes
    means = np.array([5.0, 0.0, -3.0, 1.7e9])
    X = rng.standard_normal((400, 4)) * stds + means
    Z = apply_preprocess(X.copy(), fit_preprocess(X, Preprocess(standardize=True)))
    np.testing.assert_allclose(Z.std(axis=0), 1.0, rtol=1e-9)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_standardize_leaves_constant_features_of_any_value_at_exactly_zero(dtype):
    """A summed mean of 1.7e9 is off by round-off, and a std of round-off would make +-1."""
    X = np.random.default_rng(2).standard_normal((1000, 4)).astype(dtype)
    X[:, 1], X[:, 2], X[:, 3] = 0.1, 1.7e9 + 0.3, 0.0
    Z = apply_preprocess(X.copy(), fit_preprocess(X, Preprocess(standardize=True)))
    np.testing.assert_array_equal(Z[:, 1:], 0.0)


def test_standardize_with_scale_uses_scaled_statistics():
    X = images()
    plain = apply_preprocess(X.copy(), fit_preprocess(X, Preprocess(standardize=True)))
    state = fit_preprocess(X, Preprocess(scale=1 / 255, standardize=True))
    scaled = apply_preprocess(X.copy(), state)
    np.testing.assert_allclose(scaled, plain, atol=1e-5)


def test_std_epsilon_adds_to_the_scaled_std_in_quadrature():
    X = images()
    plain = fit_preprocess(X, Preprocess(scale=1 / 255, standardize=True))
    state = fit_preprocess(X, Preprocess(scale=1 / 255, standardize=True, std_epsilon=0.1))
    np.testing.assert_allclose(state["std"][1:], np.sqrt(plain["std"][1:] ** 2 + 0.1**2))
    assert state["std"][0] == 0.1  # a constant feature: divided by epsilon, and still 0
    np.testing.assert_array_equal(apply_preprocess(X.copy(), state)[:, 0], 0.0)


def test_std_epsilon_keeps_a_nearly_constant_pixel_from_blowing_up():
    X = np.zeros((10000, 2), dtype=np.float32)
    X[:, 1] = np.arange(10000) % 256
    X[0, 0] = 255.0  # a border pixel lit in one image out of 10000
    plain_spec = Preprocess(scale=1 / 255, standardize=True)
    damped_spec = Preprocess(scale=1 / 255, standardize=True, std_epsilon=0.04)
    plain = apply_preprocess(X.copy(), fit_preprocess(X, plain_spec))
    damped = apply_preprocess(X.copy(), fit_preprocess(X, damped_spec))
    assert plain[0, 0] > 99.0  # (1 - 1e-4) / std 0.01: the lone bright pixel becomes huge
    assert 24.0 < damped[0, 0] < 24.3  # (1 - 1e-4) / sqrt(0.01**2 + 0.04**2)
    spread = np.std(X[:, 1] / 255)  # a well-spread pixel is barely touched
    np.testing.assert_allclose(damped[:, 1], plain[:, 1] * spread / np.hypot(spread, 0.04),
                               rtol=1e-5, atol=1e-6)


def test_fit_does_not_modify_the_training_array():
    X = images()
    before = X.copy()
    fit_preprocess(X, Preprocess(scale=2.0, standardize=True))
    np.testing.assert_array_equal(X, before)


@pytest.mark.parametrize(("state", "message"), [
    ({"median": np.zeros(6)}, r"unknown preprocessing state key\(s\) median"),
    ({"mean": np.zeros(5)}, r"^runs/x: the saved preprocessing 'mean' has shape \(5,\), but "
                            r"this data needs \(6,\); use the data set the run was trained on$"),
    ({"std": np.zeros(6)}, r"^runs/x: the saved preprocessing 'std' needs finite values > 0; the "
                           r"run's preprocess.npz was changed outside nettrainer: restore it$"),
    ({"mean": np.full(6, np.nan)}, r"'mean' needs finite values; "),
    ({"scale": np.array([1.0])}, r"'scale' has shape \(1,\), but this data needs \(\)"),
])
def test_saved_states_that_do_not_fit_are_refused(state, message):
    with pytest.raises(DataError, match=message):
        check_state(state, 6, "runs/x")
