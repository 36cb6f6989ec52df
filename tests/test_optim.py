"""Update rules against CS231n's FullyConnectedNets checks and hand-computed steps; the registry."""

import numpy as np
import pytest

from nettrainer.errors import RegistryError
from nettrainer.optim import UPDATE_RULES, adam, get_update_rule, rmsprop, sgd, sgd_momentum

RULES = {"sgd": sgd, "sgd_momentum": sgd_momentum, "rmsprop": rmsprop, "adam": adam}
N, D = 4, 5


def rel_error(x, y):
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def notebook_w_dw():
    w = np.linspace(-0.4, 0.6, num=N * D).reshape(N, D)
    dw = np.linspace(-0.6, 0.4, num=N * D).reshape(N, D)
    return w, dw


# the CS231n notebook checks ----------------------------------------------------------------


def test_sgd_momentum_matches_the_notebook():
    w, dw = notebook_w_dw()
    v = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    next_w, config = sgd_momentum(w, dw, {"learning_rate": 1e-3, "velocity": v})
    expected_next_w = np.array(
        [
            [0.1406, 0.20738947, 0.27417895, 0.34096842, 0.40775789],
            [0.47454737, 0.54133684, 0.60812632, 0.67491579, 0.74170526],
            [0.80849474, 0.87528421, 0.94207368, 1.00886316, 1.07565263],
            [1.14244211, 1.20923158, 1.27602105, 1.34281053, 1.4096],
        ]
    )
    expected_velocity = np.array(
        [
            [0.5406, 0.55475789, 0.56891579, 0.58307368, 0.59723158],
            [0.61138947, 0.62554737, 0.63970526, 0.65386316, 0.66802105],
            [0.68217895, 0.69633684, 0.71049474, 0.72465263, 0.73881053],
            [0.75296842, 0.76712632, 0.78128421, 0.79544211, 0.8096],
        ]
    )
    assert rel_error(next_w, expected_next_w) < 1e-8
    assert rel_error(config["velocity"], expected_velocity) < 1e-8


def test_rmsprop_matches_the_notebook():
    w, dw = notebook_w_dw()
    cache = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    next_w, config = rmsprop(w, dw, {"learning_rate": 1e-2, "cache": cache})
    expected_next_w = np.array(
        [
            [-0.39223849, -0.34037513, -0.28849239, -0.23659121, -0.18467247],
            [-0.132737, -0.08078555, -0.02881884, 0.02316247, 0.07515774],
            [0.12716641, 0.17918792, 0.23122175, 0.28326742, 0.33532447],
            [0.38739248, 0.43947102, 0.49155973, 0.54365823, 0.59576619],
        ]
    )
    expected_cache = np.array(
        [
            [0.5976, 0.6126277, 0.6277108, 0.64284931, 0.65804321],
            [0.67329252, 0.68859723, 0.70395734, 0.71937285, 0.73484377],
            [0.75037008, 0.7659518, 0.78158892, 0.79728144, 0.81302936],
            [0.82883269, 0.84469141, 0.86060554, 0.87657507, 0.8926],
        ]
    )
    assert rel_error(next_w, expected_next_w) < 1e-6  # the notebook's digits: about 1e-7
    assert rel_error(config["cache"], expected_cache) < 1e-8


def test_adam_matches_the_notebook_with_t_incremented_before_use():
    w, dw = notebook_w_dw()
    m = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    v = np.linspace(0.7, 0.5, num=N * D).reshape(N, D)
    next_w, config = adam(w, dw, {"learning_rate": 1e-2, "m": m, "v": v, "t": 5})
    expected_next_w = np.array(
        [
            [-0.40094747, -0.34836187, -0.29577703, -0.24319299, -0.19060977],
            [-0.1380274, -0.08544591, -0.03286534, 0.01971428, 0.0722929],
            [0.1248705, 0.17744702, 0.23002243, 0.28259667, 0.33516969],
            [0.38774145, 0.44031188, 0.49288093, 0.54544852, 0.59801459],
        ]
    )
    expected_v = np.array(
        [
            [0.69966, 0.68908382, 0.67851319, 0.66794809, 0.65738853],
            [0.64683452, 0.63628604, 0.6257431, 0.61520571, 0.60467385],
            [0.59414753, 0.58362676, 0.57311152, 0.56260183, 0.55209767],
            [0.54159906, 0.53110598, 0.52061845, 0.51013645, 0.49966],
        ]
    )
    expected_m = np.array(
        [
            [0.48, 0.49947368, 0.51894737, 0.53842105, 0.55789474],
            [0.57736842, 0.59684211, 0.61631579, 0.63578947, 0.65526316],
            [0.67473684, 0.69421053, 0.71368421, 0.73315789, 0.75263158],
            [0.77210526, 0.79157895, 0.81105263, 0.83052632, 0.85],
        ]
    )
    assert rel_error(next_w, expected_next_w) < 1e-6  # the notebook's digits: about 1e-7
    assert rel_error(config["v"], expected_v) < 1e-8
    assert rel_error(config["m"], expected_m) < 1e-8
    assert config["t"] == 6


# hand-computed steps from the defaults -------------------------------------------------------


def test_sgd_one_worked_step():
    w = np.array([[1.0, -2.0], [0.5, 3.0]])
    dw = np.array([[0.25, 1.0], [-4.0, 0.0]])
    next_w, config = sgd(w.copy(), dw, {"learning_rate": 0.1})
    np.testing.assert_allclose(next_w, [[0.975, -2.1], [0.9, 3.0]], rtol=1e-15)
    assert config["learning_rate"] == 0.1


def test_sgd_defaults_to_learning_rate_1e_2():
    w = np.array([1.0, 2.0])
    dw = np.array([10.0, -10.0])
    next_w, config = sgd(w.copy(), dw)
    np.testing.assert_allclose(next_w, [0.9, 2.1], rtol=1e-15)
    assert config["learning_rate"] == 1e-2


def test_sgd_momentum_defaults_and_two_steps():
    w = np.array([1.0, -1.0])
    dw = np.array([2.0, 4.0])
    next_w, config = sgd_momentum(w.copy(), dw)
    assert config["learning_rate"] == 1e-2
    assert config["momentum"] == 0.9
    np.testing.assert_allclose(config["velocity"], [-0.02, -0.04], rtol=1e-15)
    np.testing.assert_allclose(next_w, [0.98, -1.04], rtol=1e-15)
    # Second step: v = 0.9 * v - 0.01 * dw.
    next_w, config = sgd_momentum(next_w, dw, config)
    np.testing.assert_allclose(config["velocity"], [-0.038, -0.076], rtol=1e-14)
    np.testing.assert_allclose(next_w, [0.942, -1.116], rtol=1e-14)


def test_rmsprop_defaults_first_step():
    w = np.array([1.0, -1.0, 0.0])
    dw = np.array([2.0, -0.5, 0.0])
    next_w, config = rmsprop(w.copy(), dw)
    assert config["learning_rate"] == 1e-2
    assert config["decay_rate"] == 0.99
    assert config["epsilon"] == 1e-8
    cache = 0.01 * dw**2
    np.testing.assert_allclose(config["cache"], cache, rtol=1e-14)
    # cache = 0.01 dw^2, so the step is lr * dw / (0.1 |dw| + eps) ~ 0.1 * sign(dw).
    np.testing.assert_allclose(next_w, w - 1e-2 * dw / (np.sqrt(cache) + 1e-8), rtol=1e-14)
    np.testing.assert_allclose(next_w, [0.9, -0.9, 0.0], rtol=1e-6)


def test_adam_defaults_first_step_moves_each_weight_by_the_learning_rate():
    w = np.array([1.0, -1.0, 0.5])
    dw = np.array([3.0, -0.2, 1e-3])
    next_w, config = adam(w.copy(), dw)
    assert config["learning_rate"] == 1e-3
    assert config["beta1"] == 0.9
    assert config["beta2"] == 0.999
    assert config["epsilon"] == 1e-8
    assert config["t"] == 1
    np.testing.assert_allclose(config["m"], 0.1 * dw, rtol=1e-14)
    np.testing.assert_allclose(config["v"], 0.001 * dw**2, rtol=1e-12)
    # Bias correction at t = 1 gives m_hat = dw and v_hat = dw^2: a step of lr * sign(dw).
    np.testing.assert_allclose(next_w, w - 1e-3 * np.sign(dw), rtol=1e-5)


def test_adam_second_step_by_hand():
    w = np.array([0.3, -0.7])
    dw1 = np.array([1.0, -2.0])
    dw2 = np.array([-0.5, 1.5])
    w1, config = adam(w.copy(), dw1, {"learning_rate": 0.1})
    w2, config = adam(w1.copy(), dw2, config)
    m = 0.9 * (0.1 * dw1) + 0.1 * dw2
    v = 0.999 * (0.001 * dw1**2) + 0.001 * dw2**2
    step = 0.1 * (m / (1 - 0.9**2)) / (np.sqrt(v / (1 - 0.999**2)) + 1e-8)
    assert config["t"] == 2
    np.testing.assert_allclose(w2, w1 - step, rtol=1e-12)


# state, purity and dtypes ----------------------------------------------------------------


@pytest.mark.parametrize("name", list(RULES))
def test_rules_never_modify_dw(name):
    rng = np.random.default_rng(0)
    w = rng.standard_normal((3, 4))
    dw = rng.standard_normal((3, 4))
    dw_before = dw.copy()
    config = None
    for _ in range(3):
        w, config = RULES[name](w, dw, config)
    np.testing.assert_array_equal(dw, dw_before)


@pytest.mark.parametrize("name", list(RULES))
def test_default_state_does_not_leak_between_parameters(name):
    """Two parameters each starting with ``config=None`` get independent state."""
    rule = RULES[name]
    rng = np.random.default_rng(1)
    a, da = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    b, db = rng.standard_normal(5), rng.standard_normal(5)
    a_next, a_config = rule(a.copy(), da)
    b_next, b_config = rule(b.copy(), db)
    b_alone, b_alone_config = rule(b.copy(), db)
    assert a_config is not b_config
    np.testing.assert_array_equal(b_next, b_alone)
    a_again, _ = rule(a.copy(), da)
    np.testing.assert_array_equal(a_next, a_again)
    for key, value in b_config.items():
        assert np.array_equal(value, b_alone_config[key]), key


@pytest.mark.parametrize("name", list(RULES))
def test_rules_keep_float32(name):
    rng = np.random.default_rng(2)
    w = rng.standard_normal((3, 4)).astype(np.float32)
    dw = rng.standard_normal((3, 4)).astype(np.float32)
    config = None
    for _ in range(2):
        w, config = RULES[name](w, dw, config)
    assert w.dtype == np.float32
    for key, value in config.items():
        if isinstance(value, np.ndarray):
            assert value.dtype == np.float32, key


@pytest.mark.parametrize("name", list(RULES))
def test_rules_descend_a_quadratic(name):
    """Minimising 0.5 * |w - target|^2 from the defaults brings w much closer to the target."""
    target = np.array([1.0, -2.0, 0.5])
    w = np.zeros(3)
    config = {"learning_rate": 0.05}
    for _ in range(500):
        w, config = RULES[name](w, w - target, config)
    assert np.max(np.abs(w - target)) < 0.05


# registry ------------------------------------------------------------------------------------


def test_registry_holds_the_four_rules():
    assert {name: UPDATE_RULES[name] for name in RULES} == RULES
    for name, rule in RULES.items():
        assert get_update_rule(name) is rule


@pytest.mark.parametrize("bad", ["adamw", "SGD", "", "momentum"])
def test_unknown_rule_raises_registry_error_listing_the_valid_names(bad):
    with pytest.raises(RegistryError) as excinfo:
        get_update_rule(bad)
    assert isinstance(excinfo.value, ValueError)
    message = str(excinfo.value)
    for name in RULES:
        assert name in message
    assert repr(bad) in message or f'"{bad}"' in message  # names the value it got
