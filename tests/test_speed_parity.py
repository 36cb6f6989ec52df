"""The speed guard: the Solver's fast path gives the plain path's numbers, up to round-off.

``TwoLayerNet.loss`` (read by learners) and the plain Solver loop are the
reference; ``TwoLayerNet.loss_and_grads``, the reused batch and gradient arrays,
the fused weight decay and the out-of-place update rules must agree with them to
~1e-12 in float64 and ~1e-5 (relative) in float32. Tests never assert times.
"""

import numpy as np
import pytest

from nettrainer import blas
from nettrainer.errors import DivergenceError
from nettrainer.fast_path import fused_step_options
from nettrainer.model import TwoLayerNet
from nettrainer.optim import UPDATE_RULES
from nettrainer.solver import Solver
from nettrainer.workspace import has_fast_path, has_fused_update

PARAM_NAMES = ("W1", "b1", "W2", "b2")
RTOL = {np.float64: 1e-12, np.float32: 1e-5}


class PlainNet(TwoLayerNet):
    """A TwoLayerNet trained through ``loss``: overriding it turns the fast path off."""

    def loss(self, X, y=None, reg=0.0):
        return super().loss(X, y, reg)


def make_data(seed=0, n_train=300, n_val=50, d=40, c=5, dtype=np.float64):
    rng = np.random.default_rng(seed)
    teacher = rng.standard_normal((d, c))
    X = rng.standard_normal((n_train + n_val, d)).astype(dtype)
    y = np.argmax(X @ teacher, axis=1)
    train, val = slice(0, n_train), slice(n_train, None)
    return {"X_train": X[train], "y_train": y[train], "X_val": X[val], "y_val": y[val]}


def assert_close(actual, expected, dtype, what=""):
    scale = max(float(np.max(np.abs(expected))), 1e-30)
    error = float(np.max(np.abs(np.asarray(actual, np.float64) - expected))) / scale
    assert error <= RTOL[dtype], f"{what}: relative error {error:.3g} > {RTOL[dtype]:g}"


def random_problem(dtype, n, d, h, c, seed):
    """A TwoLayerNet with non-zero biases and a batch of n examples for it."""
    rng = np.random.default_rng(seed)
    model = TwoLayerNet(d, h, c, std=0.5, dtype=dtype, rng=rng)
    model.params["b1"][:] = rng.standard_normal(h)
    model.params["b2"][:] = rng.standard_normal(c)
    return model, rng.standard_normal((n, d)).astype(dtype), rng.integers(0, c, n)


def test_the_fast_path_is_taken_only_where_the_loss_class_defines_it():
    assert has_fast_path(TwoLayerNet(4, 3, 2))
    assert not has_fast_path(PlainNet(4, 3, 2))

    class Renamed(TwoLayerNet):
        """Overrides nothing: still the fast path."""

    assert has_fast_path(Renamed(4, 3, 2))
    assert not has_fast_path(object())


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reg", [0.0, 0.05, 3.0])
@pytest.mark.parametrize(("n", "d", "h", "c"), [(1, 1, 1, 2), (7, 13, 5, 3), (64, 300, 50, 10)])
def test_loss_and_grads_equals_loss(dtype, reg, n, d, h, c):
    model, X, y = random_problem(dtype, n, d, h, c, seed=n * d + h)
    before = {k: v.copy() for k, v in model.params.items()}
    loss, grads = model.loss(X, y, reg=reg)
    out = {k: np.full_like(v, np.nan) for k, v in model.params.items()}  # overwritten everywhere
    fast_loss, weight_decay = model.loss_and_grads(X, y, reg, out=out)
    assert fast_loss == pytest.approx(loss, rel=RTOL[dtype], abs=1e-12)
    assert weight_decay == {"W1": 2 * reg, "b1": 0.0, "W2": 2 * reg, "b2": 0.0}
    for name in PARAM_NAMES:
        assert out[name].dtype == dtype, name
        full = out[name] + weight_decay[name] * model.params[name]
        assert_close(full, grads[name], dtype, name)
        np.testing.assert_array_equal(model.params[name], before[name])


def test_loss_and_grads_leaves_out_alone_when_the_loss_is_not_finite():
    model = TwoLayerNet(4, 3, 2, std=1.0, rng=np.random.default_rng(0))
    model.params["W1"][0, 0] = np.inf
    out = {k: np.full_like(v, 7.0) for k, v in model.params.items()}
    with np.errstate(all="ignore"):
        loss, _ = model.loss_and_grads(np.ones((2, 4)), np.array([0, 1]), 0.1, out=out)
    assert not np.isfinite(loss)
    assert all(np.all(v == 7.0) for v in out.values())


def test_loss_and_grads_converts_input_of_another_dtype():
    model = TwoLayerNet(6, 4, 3, std=0.3, dtype=np.float32, rng=np.random.default_rng(0))
    X = np.random.default_rng(1).standard_normal((5, 6))  # float64 data, float32 model
    y = np.array([0, 1, 2, 1, 0])
    out = {k: np.empty_like(v) for k, v in model.params.items()}
    loss, _ = model.loss_and_grads(X, y, 0.1, out=out)
    assert loss == pytest.approx(model.loss(X, y, reg=0.1)[0], rel=1e-5)
    assert all(g.dtype == np.float32 for g in out.values())


# loss_and_sgd_step: the SGD and momentum steps inside the gradient products


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reg", [0.0, 0.05])
@pytest.mark.parametrize("in_place", [False, True])
@pytest.mark.parametrize("momentum", [None, 0.0, 0.9])
@pytest.mark.parametrize(("n", "d", "h", "c"), [(1, 1, 1, 2), (64, 300, 50, 10)])
def test_loss_and_sgd_step_is_loss_then_the_update(
    blas_backend, dtype, reg, in_place, momentum, n, d, h, c
):
    """None: vanilla SGD; else CS231n's momentum step from a non-zero velocity."""
    model, X, y = random_problem(dtype, n, d, h, c, seed=n + d + h)
    before = {k: v.copy() for k, v in model.params.items()}
    loss, grads = model.loss(X, y, reg=reg)
    rng = np.random.default_rng(5)
    if momentum is None:
        velocity, expected_velocity, options = None, None, {}
        expected = {k: before[k] - 0.3 * grads[k] for k in PARAM_NAMES}
    else:
        velocity = {k: (0.1 * rng.standard_normal(v.shape)).astype(dtype)
                    for k, v in before.items()}
        expected_velocity = {k: momentum * velocity[k] - 0.3 * grads[k] for k in PARAM_NAMES}
        expected = {k: before[k] + expected_velocity[k] for k in PARAM_NAMES}
        options = {"velocity": velocity, "momentum": momentum}
    out = None if in_place else {k: np.full_like(v, np.nan) for k, v in model.params.items()}
    step_loss = model.loss_and_sgd_step(X, y, reg, 0.3, out=out, **options)
    assert step_loss == pytest.approx(loss, rel=RTOL[dtype], abs=1e-12)
    result = model.params if in_place else out
    for name in PARAM_NAMES:
        assert result[name].dtype == dtype, name
        assert_close(result[name], expected[name], dtype, name)
        if velocity is not None:
            assert_close(velocity[name], expected_velocity[name], dtype, f"velocity {name}")
        if not in_place:
            np.testing.assert_array_equal(model.params[name], before[name])


def test_loss_and_sgd_step_writes_nothing_when_the_loss_is_not_finite():
    model = TwoLayerNet(4, 3, 2, std=1.0, rng=np.random.default_rng(0))
    model.params["W1"][0, 0] = np.inf
    before = {k: v.copy() for k, v in model.params.items()}
    out = {k: np.full_like(v, 7.0) for k, v in model.params.items()}
    velocity = {k: np.full_like(v, 3.0) for k, v in model.params.items()}
    X, y = np.ones((2, 4)), np.array([0, 1])
    with np.errstate(all="ignore"):
        loss = model.loss_and_sgd_step(X, y, 0.1, 0.5, out=out)
        in_place_loss = model.loss_and_sgd_step(X, y, 0.1, 0.5)
        momentum_loss = model.loss_and_sgd_step(X, y, 0.1, 0.5, out=out, velocity=velocity)
    assert not any(np.isfinite([loss, in_place_loss, momentum_loss]))
    assert all(np.all(v == 7.0) for v in out.values())
    assert all(np.all(v == 3.0) for v in velocity.values())
    for name in PARAM_NAMES:
        np.testing.assert_array_equal(model.params[name], before[name])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_solver_fuses_only_sgd_and_momentum_with_blas(dtype, monkeypatch):
    data = make_data(dtype=dtype)

    def solver(model, rule="sgd"):
        return Solver(model, data, update_rule=rule, num_epochs=0)

    assert solver(TwoLayerNet(40, 3, 5, dtype=dtype)).fused_update
    assert solver(TwoLayerNet(40, 3, 5, dtype=dtype), "sgd_momentum").fused_update
    assert not solver(TwoLayerNet(40, 3, 5, dtype=dtype), "adam").fused_update
    assert not solver(TwoLayerNet(40, 3, 5, dtype=dtype), "rmsprop").fused_update
    assert not solver(PlainNet(40, 3, 5, dtype=dtype)).fused_update
    assert not has_fused_update(TwoLayerNet(40, 3, 5, dtype=np.float16))
    monkeypatch.setattr(blas, "_blas_routines", lambda dtype: {})
    assert not solver(TwoLayerNet(40, 3, 5, dtype=dtype)).fused_update


def test_fused_step_options_need_settings_every_param_shares():
    params = TwoLayerNet(4, 3, 2).params
    same = {name: {"learning_rate": 0.5} for name in params}
    assert fused_step_options(UPDATE_RULES["sgd"], params, same) == {"learning_rate": 0.5}
    options = fused_step_options(UPDATE_RULES["sgd_momentum"], params, same)
    assert (options["learning_rate"], options["momentum"]) == (0.5, 0.9)  # momentum's default
    for name, w in params.items():
        assert options["velocity"][name] is same[name]["velocity"]  # kept in the config
        np.testing.assert_array_equal(same[name]["velocity"], np.zeros_like(w))
    assert fused_step_options(UPDATE_RULES["adam"], params, same) is None
    apart = {name: {"learning_rate": 0.5 if name != "b2" else 0.25} for name in params}
    assert fused_step_options(UPDATE_RULES["sgd"], params, apart) is None
    uneven = {name: {"learning_rate": 0.5, "momentum": 0.9 if name != "W1" else 0.5}
              for name in params}
    assert fused_step_options(UPDATE_RULES["sgd_momentum"], params, uneven) is None


@pytest.mark.parametrize("rule", ["sgd", "sgd_momentum"])
def test_the_fused_update_follows_the_separate_update(rule, monkeypatch):
    """The fused Solver against the fast path with optim's rule (BLAS switched off)."""
    runs = []
    for routines in (blas._blas_routines, lambda dtype: {}):
        monkeypatch.setattr(blas, "_blas_routines", routines)
        model = TwoLayerNet(40, 30, 5, std=0.1, rng=np.random.default_rng(3))
        solver = Solver(model, make_data(), update_rule=rule, optim_config={"learning_rate": 0.1},
                        reg=0.01, lr_decay=0.9, batch_size=32, num_epochs=3, seed=11)
        solver.train()
        runs.append(solver)
    assert runs[0].fused_update and not runs[1].fused_update
    assert_close(runs[0].loss_history, np.array(runs[1].loss_history), np.float64, "loss")
    for name in PARAM_NAMES:
        assert_close(runs[0].model.params[name], runs[1].model.params[name], np.float64, name)
        if rule == "sgd_momentum":
            velocities = [run.optim_configs[name]["velocity"] for run in runs]
            assert_close(velocities[0], velocities[1], np.float64, f"velocity {name}")


@pytest.mark.parametrize("rule", ["sgd", "sgd_momentum"])
def test_the_fused_update_restores_the_last_finite_params_on_divergence(blas_backend, rule):
    model = TwoLayerNet(40, 30, 5, std=1.0, rng=np.random.default_rng(3))
    solver = Solver(model, make_data(n_train=32), update_rule=rule,
                    optim_config={"learning_rate": 1e170}, reg=1.0, batch_size=32,
                    num_epochs=3, seed=0)
    start = {k: v.copy() for k, v in model.params.items()}
    with np.errstate(all="ignore"), pytest.raises(DivergenceError) as excinfo:
        solver.train()
    assert solver.fused_update == (blas_backend == "blas")
    assert excinfo.value.iteration == 1
    for name in PARAM_NAMES:
        np.testing.assert_array_equal(model.params[name], start[name])


# update rules: out= and weight_decay= give the in-place, decay-in-the-gradient numbers bit for
# bit, except sgd's fused decay, (1 - lr * decay) * w - lr * dw: equal up to round-off


@pytest.mark.parametrize("name", list(UPDATE_RULES))
@pytest.mark.parametrize("shape", [(3, 4), (70000,), (300, 251)])  # one block and several
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_rules_with_out_and_weight_decay_are_bit_identical(name, shape, dtype):
    rule = UPDATE_RULES[name]
    rng = np.random.default_rng(5)
    w = rng.standard_normal(shape).astype(dtype)
    dw = rng.standard_normal(shape).astype(dtype)
    decay = 0.02
    plain_w, plain_config = w.copy(), {"learning_rate": 0.1}
    fast_w, fast_config = w.copy(), {"learning_rate": 0.1}
    for _ in range(3):
        plain_w, plain_config = rule(plain_w, dw + decay * plain_w, plain_config)
        previous = fast_w.copy()
        config_before = _copy(fast_config)
        spare = np.empty_like(fast_w)
        next_w, fast_config = rule(fast_w, dw, fast_config, out=spare, weight_decay=decay)
        assert next_w is spare
        np.testing.assert_array_equal(fast_w, previous)  # out= leaves w alone
        consumed = dw.copy()  # out=dw: the Solver's fast path writes into the gradient
        next_again, _ = rule(previous, consumed, _copy(config_before), out=consumed,
                             weight_decay=decay)
        np.testing.assert_array_equal(next_again, next_w)
        fast_w = next_w
        if name == "sgd":
            assert_close(fast_w, plain_w, dtype, name)
            fast_w = plain_w.copy()
        else:
            np.testing.assert_array_equal(fast_w, plain_w)
    for key, value in plain_config.items():
        np.testing.assert_array_equal(fast_config[key], value, err_msg=key)


def _copy(config):
    return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in config.items()}


# whole training runs: fast Solver against the plain one


def train_pair(dtype, **options):
    data = make_data(dtype=dtype)
    runs = []
    for cls in (TwoLayerNet, PlainNet):
        model = cls(40, 30, 5, std=0.1, dtype=dtype, rng=np.random.default_rng(3))
        solver = Solver(model, data, batch_size=32, num_epochs=3, seed=11, **options)
        solver.train()
        runs.append(solver)
    assert runs[0].fast_path and not runs[1].fast_path
    return runs


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    ("update_rule", "learning_rate"),
    [("sgd", 0.3), ("sgd_momentum", 0.05), ("rmsprop", 2e-3), ("adam", 2e-3)],
)
@pytest.mark.parametrize("sampling", ["shuffle", "replacement"])
def test_solver_fast_path_follows_the_plain_path(dtype, update_rule, learning_rate, sampling):
    fast, plain = train_pair(
        dtype, update_rule=update_rule, optim_config={"learning_rate": learning_rate},
        reg=0.01, lr_decay=0.9, sampling=sampling,
    )
    assert fast.iteration == plain.iteration
    assert_close(fast.loss_history, np.array(plain.loss_history), dtype, "loss history")
    trajectory = (fast.state_dict()["params"], plain.state_dict()["params"])
    for name in PARAM_NAMES:
        assert_close(trajectory[0][name], trajectory[1][name], dtype, name)
        assert fast.model.params[name].dtype == dtype


def test_solver_fast_path_accepts_non_contiguous_data_of_another_dtype():
    data = make_data(dtype=np.float64)
    data["X_train"] = np.asfortranarray(data["X_train"])
    reference = make_data(dtype=np.float64)
    runs = []
    for d in (data, reference):
        model = TwoLayerNet(40, 30, 5, std=0.1, dtype=np.float32, rng=np.random.default_rng(3))
        solver = Solver(model, d, optim_config={"learning_rate": 0.3}, batch_size=32,
                        num_epochs=2, seed=1)
        solver.train()
        runs.append(solver)
    np.testing.assert_array_equal(runs[0].loss_history, runs[1].loss_history)
