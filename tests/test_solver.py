"""Solver: CS231n loop semantics, sampling, optimiser state, best params, resume, divergence."""

# The global numpy generator is part of the contract under test (seed=None is CS231n parity).
# ruff: noqa: NPY002

import warnings

import numpy as np
import pytest

from nettrainer.errors import CheckpointError, DivergenceError, RegistryError
from nettrainer.model import TwoLayerNet
from nettrainer.solver import Solver

PARAM_NAMES = ("W1", "b1", "W2", "b2")


def make_data(seed=0, n_train=60, n_val=30, d=5, c=3, label_noise=0.0):
    """A learnable problem: labels from a random linear teacher, optionally flipped at random."""
    rng = np.random.default_rng(seed)
    teacher = rng.standard_normal((d, c))
    X = rng.standard_normal((n_train + n_val, d))
    y = np.argmax(X @ teacher, axis=1)
    flip = rng.random(y.size) < label_noise
    y[flip] = rng.integers(0, c, size=int(flip.sum()))
    train, val = slice(0, n_train), slice(n_train, None)
    return {"X_train": X[train], "y_train": y[train], "X_val": X[val], "y_val": y[val]}


def make_model(seed=0, d=5, h=10, c=3, std=0.1, dtype=np.float64):
    return TwoLayerNet(d, h, c, std=std, dtype=dtype, rng=np.random.default_rng(seed))


def snapshot(params):
    return {k: v.copy() for k, v in params.items()}


def assert_params_equal(actual, expected):
    assert set(actual) == set(expected)
    for name in expected:
        np.testing.assert_array_equal(actual[name], expected[name], err_msg=name)


class Recorder:
    """A callback recording what it sees after each update and each epoch."""

    def __init__(self):
        self.iterations = []
        self.epochs = []

    def on_iteration(self, solver):
        learning_rate = solver.optim_configs["W1"]["learning_rate"]
        self.iterations.append((solver.epoch, learning_rate, snapshot(solver.model.params)))

    def on_epoch_end(self, solver):
        self.epochs.append(
            (solver.epoch, len(solver.val_acc_history), snapshot(solver.model.params))
        )


class BatchSpy(TwoLayerNet):
    """A TwoLayerNet recording which training rows each loss call saw (column 0: the row id)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.batches = []

    def loss(self, X, y=None, reg=0.0):
        if y is not None:
            self.batches.append(np.asarray(X)[:, 0].astype(np.int64))
        return super().loss(X, y, reg)


def id_data(n_train=40, n_val=10, d=3, c=3, seed=0):
    data = make_data(seed=seed, n_train=n_train, n_val=n_val, d=d, c=c)
    data["X_train"] = data["X_train"].copy()
    data["X_train"][:, 0] = np.arange(n_train)
    return data


# loop structure ---------------------------------------------------------------------------


def test_history_lengths_and_counters():
    data = make_data(n_train=60)
    solver = Solver(make_model(), data, batch_size=25, num_epochs=3, seed=0)
    solver.train()
    # max(60 // 25, 1) = 2 updates per epoch.
    assert len(solver.loss_history) == 6
    assert len(solver.train_acc_history) == 4
    assert len(solver.val_acc_history) == 4
    assert solver.epoch == 3
    assert all(np.isfinite(solver.loss_history))
    assert all(0.0 <= a <= 1.0 for a in solver.train_acc_history + solver.val_acc_history)


def test_a_batch_larger_than_the_data_gives_one_update_per_epoch():
    data = make_data(n_train=10)
    solver = Solver(make_model(), data, batch_size=100, num_epochs=4, seed=0)
    solver.train()
    assert len(solver.loss_history) == 4
    assert len(solver.val_acc_history) == 5
    assert solver.samples_per_step == 10  # the whole data set, not the batch size asked for
    replacing = Solver(make_model(), data, batch_size=100, sampling="replacement", seed=0)
    assert replacing.samples_per_step == 100  # 100 rows drawn with replacement from 10


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        Solver(make_model(), make_data(), "sgd")


def test_solver_never_prints(capsys):
    solver = Solver(make_model(), make_data(), batch_size=20, num_epochs=3, seed=1)
    solver.train()
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ""


def test_callbacks_are_called_after_every_update_and_every_epoch():
    recorder = Recorder()

    class OnlyEpochs:
        def __init__(self):
            self.calls = 0

        def on_epoch_end(self, solver):
            self.calls += 1

    only_epochs = OnlyEpochs()
    solver = Solver(
        make_model(), make_data(n_train=60), batch_size=20, num_epochs=2, seed=0,
        callbacks=[recorder, only_epochs],
    )
    solver.train()
    assert len(recorder.iterations) == 6
    assert only_epochs.calls == 2
    # on_epoch_end runs after that epoch's evaluation: epoch e has e + 1 accuracy entries.
    assert [(epoch, n) for epoch, n, _ in recorder.epochs] == [(1, 2), (2, 3)]
    # on_iteration runs after the update: the first snapshot differs from the initial params.
    assert not np.array_equal(recorder.iterations[0][2]["W1"], make_model().params["W1"])


def test_on_train_start_runs_once_after_the_epoch_0_evaluation_and_not_on_resume():
    class Events:
        def __init__(self):
            self.seen = []

        def on_train_start(self, solver):
            self.seen.append(("start", solver.iteration, len(solver.train_acc_history)))

        def on_epoch_end(self, solver):
            self.seen.append(("epoch", solver.epoch))

    events = Events()
    solver = Solver(make_model(), make_data(n_train=60), batch_size=20, num_epochs=1, seed=0,
                    callbacks=[events])
    solver.train()
    assert events.seen == [("start", 0, 1), ("epoch", 1)]
    resumed_events = Events()
    resumed = Solver(make_model(), make_data(n_train=60), batch_size=20, num_epochs=2, seed=0,
                     callbacks=[resumed_events])
    resumed.load_state_dict(solver.state_dict())
    resumed.train()
    assert resumed_events.seen == [("epoch", 2)]


# optimiser state and learning-rate decay -------------------------------------------------


def test_each_parameter_gets_its_own_optimiser_state_and_the_callers_config_is_untouched():
    optim_config = {"learning_rate": 1e-2, "momentum": 0.8}
    before = dict(optim_config)
    model = make_model()
    solver = Solver(
        model, make_data(), update_rule="sgd_momentum", optim_config=optim_config,
        lr_decay=0.5, batch_size=20, num_epochs=2, seed=0,
    )
    solver.train()
    assert optim_config == before
    configs = solver.optim_configs
    assert set(configs) == set(PARAM_NAMES)
    assert len({id(c) for c in configs.values()}) == 4
    assert all(c is not optim_config for c in configs.values())
    for name in PARAM_NAMES:
        assert configs[name]["momentum"] == 0.8
        assert configs[name]["velocity"].shape == model.params[name].shape
    velocities = [configs[name]["velocity"] for name in PARAM_NAMES]
    assert not any(
        np.shares_memory(a, b) for i, a in enumerate(velocities) for b in velocities[i + 1 :]
    )


def test_learning_rate_decays_at_each_epoch_end():
    recorder = Recorder()
    solver = Solver(
        make_model(), make_data(n_train=60), optim_config={"learning_rate": 0.1},
        lr_decay=0.5, batch_size=30, num_epochs=3, seed=0, callbacks=[recorder],
    )
    solver.train()
    used = [lr for _, lr, _ in recorder.iterations]
    assert used == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025, 0.025], rel=1e-12)
    for name in PARAM_NAMES:
        assert solver.optim_configs[name]["learning_rate"] == pytest.approx(0.0125, rel=1e-12)


def test_one_worked_sgd_step_through_the_solver():
    data = make_data(n_train=20)
    model = make_model()
    start = snapshot(model.params)
    recorder = Recorder()
    solver = Solver(
        model, data, optim_config={"learning_rate": 0.2}, batch_size=20, num_epochs=1,
        seed=0, callbacks=[recorder],
    )
    solver.train()
    # One full batch: the order of rows does not change the mean loss or the gradient.
    reference = make_model()
    loss, grads = reference.loss(data["X_train"], data["y_train"])
    assert solver.loss_history[0] == pytest.approx(loss, rel=1e-12)
    after_step = recorder.iterations[0][2]
    for name in PARAM_NAMES:
        np.testing.assert_allclose(
            after_step[name], start[name] - 0.2 * grads[name], rtol=1e-10, atol=1e-15
        )


# sampling -------------------------------------------------------------------------------------


def test_shuffle_visits_every_example_once_per_epoch_in_a_fresh_order():
    model = BatchSpy(3, 6, 3, std=0.1, rng=np.random.default_rng(0))
    solver = Solver(
        model, id_data(n_train=40), optim_config={"learning_rate": 1e-6},
        batch_size=10, num_epochs=3, seed=4,
    )
    solver.train()
    assert len(model.batches) == 12
    assert all(len(batch) == 10 for batch in model.batches)
    epochs = [np.concatenate(model.batches[4 * e : 4 * e + 4]) for e in range(3)]
    for order in epochs:
        np.testing.assert_array_equal(np.sort(order), np.arange(40))
    assert not np.array_equal(epochs[0], epochs[1])
    assert not np.array_equal(epochs[1], epochs[2])
    assert not np.array_equal(epochs[0], np.arange(40))


def test_shuffle_with_a_remainder_never_repeats_an_example_within_an_epoch():
    model = BatchSpy(3, 6, 3, std=0.1, rng=np.random.default_rng(0))
    solver = Solver(
        model, id_data(n_train=45), optim_config={"learning_rate": 1e-6},
        batch_size=20, num_epochs=2, seed=1,
    )
    solver.train()
    assert len(model.batches) == 4  # 45 // 20 = 2 updates per epoch
    for e in range(2):
        seen = np.concatenate(model.batches[2 * e : 2 * e + 2])
        assert len(seen) == 40
        assert len(np.unique(seen)) == 40


def run_batches(seed, sampling="shuffle", n_train=40, batch_size=10, num_epochs=2):
    model = BatchSpy(3, 6, 3, std=0.1, rng=np.random.default_rng(0))
    Solver(
        model, id_data(n_train=n_train), optim_config={"learning_rate": 1e-6},
        batch_size=batch_size, num_epochs=num_epochs, sampling=sampling, seed=seed,
    ).train()
    return model.batches


@pytest.mark.parametrize("sampling", ["shuffle", "replacement"])
def test_a_seed_makes_sampling_reproducible_and_leaves_the_global_generator_alone(sampling):
    np.random.seed(77)
    before = np.random.get_state()
    first = run_batches(seed=5, sampling=sampling)
    after = np.random.get_state()
    np.testing.assert_array_equal(before[1], after[1])
    assert before[2] == after[2]
    second = run_batches(seed=5, sampling=sampling)
    other = run_batches(seed=6, sampling=sampling)
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))


def test_replacement_without_a_seed_is_cs231n_draw_from_the_global_generator():
    np.random.seed(3)
    batches = run_batches(
        seed=None, sampling="replacement", n_train=20, batch_size=20, num_epochs=10
    )
    np.random.seed(3)
    expected = [np.random.choice(20, 20) for _ in range(10)]
    assert len(batches) == 10
    for got, want in zip(batches, expected, strict=True):
        np.testing.assert_array_equal(got, want)
    # With replacement, some batch repeats an example (20 draws from 20 rows, 10 times).
    assert any(len(np.unique(batch)) < 20 for batch in batches)


def test_shuffle_without_a_seed_draws_from_the_global_generator():
    np.random.seed(8)
    first = run_batches(seed=None)
    np.random.seed(8)
    second = run_batches(seed=None)
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))


@pytest.mark.parametrize(
    ("option", "value", "valid"),
    [
        ("update_rule", "adamw", ("sgd", "sgd_momentum", "rmsprop", "adam")),
        ("sampling", "random", ("shuffle", "replacement")),
    ],
)
def test_unknown_names_raise_registry_errors_listing_the_choices(option, value, valid):
    with pytest.raises(RegistryError) as excinfo:
        Solver(make_model(), make_data(), num_epochs=1, **{option: value}).train()
    assert isinstance(excinfo.value, ValueError)
    message = str(excinfo.value)
    assert value in message
    for name in valid:
        assert name in message


@pytest.mark.parametrize(("rule", "optim_config", "said"), [
    ("sgd", {"lr": 0.1}, "'lr' unknown to sgd, which would ignore them; its keys: learning_rate"),
    ("adam", {"learning_rate": 1e-3, "beta": 0.9},
     "'beta' unknown to adam, which would ignore them; its keys: learning_rate, beta1, beta2, "
     "epsilon, t, m, v"),
])
def test_optim_config_keys_the_rule_would_ignore_are_refused(rule, optim_config, said):
    with pytest.raises(RegistryError) as excinfo:
        Solver(make_model(), make_data(), update_rule=rule, optim_config=optim_config)
    assert str(excinfo.value) == f"optim_config key(s) {said}"


def test_optim_config_may_hold_every_hyperparameter_its_rule_uses():
    config = {"learning_rate": 1e-2, "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-7}
    solver = Solver(make_model(), make_data(), update_rule="adam", optim_config=config,
                    num_epochs=1)
    solver.train()
    assert solver.optim_configs["W1"]["beta1"] == 0.8


def test_train_accuracy_is_measured_on_a_random_subsample():
    """Only the first 20 of 100 training rows carry the model's own predictions as labels."""
    model = make_model(std=1.0)
    X = np.random.default_rng(4).standard_normal((100, 5))
    y = model.predict(X)
    y[20:] = (y[20:] + 1) % 3  # every later row is wrong
    data = {"X_train": X, "y_train": y, "X_val": X[:20], "y_val": y[:20]}
    solver = Solver(
        model, data, optim_config={"learning_rate": 1e-12}, batch_size=50, num_epochs=2,
        num_train_samples=20, seed=0,
    )
    solver.train()
    assert solver.val_acc_history == [1.0, 1.0, 1.0]  # all of X_val (num_val_samples=None)
    # 20 rows drawn from all 100: about 20% right; the first 20 rows alone would give 100%.
    assert all(acc < 0.6 for acc in solver.train_acc_history)


# best params and early stopping ---------------------------------------------------------------


def noisy_run(num_epochs=8, callbacks=()):
    """A run whose validation accuracy peaks before the last epoch (checked by the callers)."""
    data = make_data(seed=3, n_train=40, n_val=15, label_noise=0.5)
    solver = Solver(
        make_model(seed=2, std=0.5), data, update_rule="sgd", optim_config={"learning_rate": 0.5},
        batch_size=10, num_epochs=num_epochs, seed=11, callbacks=callbacks,
    )
    return solver, data


def test_best_params_by_validation_accuracy_are_restored_at_the_end():
    recorder = Recorder()
    solver, data = noisy_run(callbacks=[recorder])
    initial = snapshot(solver.model.params)
    solver.train()
    per_epoch = [initial] + [params for _, _, params in recorder.epochs]
    best_epoch = int(np.argmax(solver.val_acc_history))  # the first epoch reaching the best
    assert best_epoch < solver.num_epochs, "precondition: the best epoch is not the last"
    assert solver.best_val_acc == max(solver.val_acc_history)
    assert_params_equal(solver.model.params, per_epoch[best_epoch])
    assert_params_equal(solver.best_params, per_epoch[best_epoch])
    val_acc = np.mean(solver.model.predict(data["X_val"]) == data["y_val"])
    assert val_acc == solver.best_val_acc


def test_early_stopping_after_patience_epochs_without_improvement():
    data = make_data(n_train=40)
    solver = Solver(
        make_model(std=1e-3), data, optim_config={"learning_rate": 1e-12}, batch_size=10,
        num_epochs=10, seed=0, early_stopping_patience=2,
    )
    solver.train()
    # The validation accuracy cannot move at this learning rate: epochs 1 and 2 do not improve.
    assert len(set(solver.val_acc_history)) == 1
    assert solver.epoch == 2
    assert len(solver.val_acc_history) == 3
    assert len(solver.loss_history) == 2 * 4


def test_no_early_stopping_without_patience():
    data = make_data(n_train=40)
    solver = Solver(
        make_model(std=1e-3), data, optim_config={"learning_rate": 1e-12}, batch_size=10,
        num_epochs=5, seed=0,
    )
    solver.train()
    assert solver.epoch == 5
    assert len(solver.val_acc_history) == 6


# divergence -----------------------------------------------------------------------------------


def test_a_non_finite_loss_raises_divergence_error_and_keeps_the_last_finite_params():
    data = make_data(n_train=20)
    model = make_model(std=1.0)
    start = snapshot(model.params)
    solver = Solver(
        model, data, optim_config={"learning_rate": 1e170}, reg=1.0, batch_size=20,
        num_epochs=3, seed=0,
    )
    with np.errstate(all="ignore"), pytest.raises(DivergenceError) as excinfo:
        solver.train()
    error = excinfo.value
    # The first update multiplies the weights by about 1e170: the next loss (reg * sum W^2) is inf.
    assert error.iteration == 1 == len(solver.loss_history)
    assert str(error).startswith(
        "training diverged: the loss became non-finite at iteration 2, after 1 finite loss (")
    assert error.learning_rate == pytest.approx(1e170)
    assert error.last_finite_loss == pytest.approx(solver.loss_history[0])
    assert np.isfinite(error.last_finite_loss)
    for name in PARAM_NAMES:
        assert np.all(np.isfinite(model.params[name])), name
    # "The last finite state": the params whose loss was the last finite one.
    with np.errstate(all="ignore"):
        loss, _ = model.loss(data["X_train"], data["y_train"], reg=1.0)
    assert loss == pytest.approx(error.last_finite_loss, rel=1e-10)
    assert_params_equal(model.params, start)


@pytest.mark.parametrize("update_rule", ["sgd", "sgd_momentum", "adam"])
def test_a_diverging_run_raises_only_divergence_error_not_numpy_warnings(update_rule):
    """From the Python API too, a divergence is one clear exception, not overflow warnings first."""
    solver = Solver(
        make_model(std=1.0), make_data(n_train=20), update_rule=update_rule,
        optim_config={"learning_rate": 1e170}, reg=1.0, batch_size=20, num_epochs=3, seed=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning would fail the test
        with pytest.raises(DivergenceError):
            solver.train()


# float32 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("update_rule", ["sgd", "sgd_momentum", "rmsprop", "adam"])
def test_float32_model_stays_float32_through_solver_steps(update_rule):
    data = {k: (v.astype(np.float32) if k.startswith("X") else v) for k, v in make_data().items()}
    model = make_model(dtype=np.float32)
    solver = Solver(
        model, data, update_rule=update_rule, batch_size=20, num_epochs=2, seed=0
    )
    solver.train()
    for name in PARAM_NAMES:
        assert model.params[name].dtype == np.float32, name
        assert solver.best_params[name].dtype == np.float32, name
        for value in solver.optim_configs[name].values():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32, name
    assert all(np.isfinite(solver.loss_history))


# overfitting a small set --------------------------------------------------------------------


def test_overfits_50_examples_to_100_percent_training_accuracy():
    rng = np.random.default_rng(231)
    X = rng.standard_normal((50, 20))
    y = rng.integers(0, 10, size=50)  # random labels: only memorisation fits them
    data = {"X_train": X, "y_train": y, "X_val": X, "y_val": y}
    model = TwoLayerNet(20, 100, 10, std=1e-1, rng=rng)
    solver = Solver(
        model, data, update_rule="sgd", optim_config={"learning_rate": 0.5},
        batch_size=25, num_epochs=40, seed=0,
    )
    solver.train()
    assert solver.train_acc_history[-1] == 1.0
    assert np.mean(model.predict(X) == y) == 1.0


# state_dict and resuming --------------------------------------------------------------------


PLAIN_SCALARS = (int, float, str, bool, type(None))


def assert_plain(value, path="state"):
    if isinstance(value, dict):
        for key, item in value.items():
            assert isinstance(key, str), f"{path}: key {key!r} is not a str"
            assert_plain(item, f"{path}[{key!r}]")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            assert_plain(item, f"{path}[{i}]")
    elif isinstance(value, np.ndarray):
        assert value.dtype != object, f"{path}: object array"
    else:
        assert isinstance(value, PLAIN_SCALARS), f"{path}: {type(value).__name__}"


def resumable_solver(num_epochs, seed=7, sampling="shuffle", callbacks=(), model_seed=0):
    data = make_data(seed=1, n_train=50, n_val=40, label_noise=0.2)
    return Solver(
        make_model(seed=model_seed), data, update_rule="adam",
        optim_config={"learning_rate": 5e-3}, lr_decay=0.9, batch_size=15,
        num_epochs=num_epochs, num_train_samples=30, num_val_samples=25,
        sampling=sampling, seed=seed, callbacks=callbacks,
    )


def assert_same_run(actual, expected):
    assert_params_equal(actual.model.params, expected.model.params)
    assert_params_equal(actual.best_params, expected.best_params)
    assert list(actual.loss_history) == list(expected.loss_history)
    assert list(actual.train_acc_history) == list(expected.train_acc_history)
    assert list(actual.val_acc_history) == list(expected.val_acc_history)
    assert actual.best_val_acc == expected.best_val_acc
    assert actual.epoch == expected.epoch


class CheckpointAt:
    """Keep the solver's state_dict() taken at the end of epoch ``epoch``."""

    def __init__(self, epoch):
        self.epoch = epoch
        self.state = None

    def on_epoch_end(self, solver):
        if solver.epoch == self.epoch:
            self.state = solver.state_dict()


def test_state_dict_holds_only_arrays_and_plain_scalars():
    solver = resumable_solver(num_epochs=2)
    solver.train()
    state = solver.state_dict()
    assert isinstance(state, dict)
    assert_plain(state)


def test_state_dict_is_a_copy():
    solver = resumable_solver(num_epochs=1)
    solver.train()
    state = solver.state_dict()
    frozen = {k: v.copy() for k, v in state["params"].items()}
    for value in solver.model.params.values():
        value += 1.0
    assert_params_equal(state["params"], frozen)


@pytest.mark.parametrize("sampling", ["shuffle", "replacement"])
def test_resuming_from_an_epoch_end_checkpoint_is_bit_identical(sampling):
    uninterrupted = resumable_solver(num_epochs=5, sampling=sampling)
    uninterrupted.train()

    checkpoint = CheckpointAt(epoch=2)
    first = resumable_solver(num_epochs=5, sampling=sampling, callbacks=[checkpoint])
    first.train()
    assert checkpoint.state is not None
    assert_plain(checkpoint.state)

    resumed = resumable_solver(num_epochs=5, sampling=sampling, model_seed=99)
    resumed.load_state_dict(checkpoint.state)
    resumed.train()
    assert_same_run(resumed, uninterrupted)


def test_resuming_from_the_global_generator_is_bit_identical():
    np.random.seed(21)
    uninterrupted = resumable_solver(num_epochs=4, seed=None)
    uninterrupted.train()

    np.random.seed(21)
    checkpoint = CheckpointAt(epoch=1)
    resumable_solver(num_epochs=4, seed=None, callbacks=[checkpoint]).train()

    np.random.seed(12345)  # whatever happened to the global generator since
    resumed = resumable_solver(num_epochs=4, seed=None, model_seed=99)
    resumed.load_state_dict(checkpoint.state)
    resumed.train()
    assert_same_run(resumed, uninterrupted)


def test_resuming_from_a_mid_epoch_stop_is_bit_identical():
    """``request_stop`` (documented for Ctrl-C) stops mid-epoch; the state continues exactly."""

    class StopAt:
        def on_iteration(self, solver):
            if solver.iteration == 5:  # 3 updates per epoch: in the middle of epoch 2
                solver.request_stop()

    uninterrupted = resumable_solver(num_epochs=4)
    uninterrupted.train()

    stopped = resumable_solver(num_epochs=4, callbacks=[StopAt()])
    stopped.train()
    assert len(stopped.loss_history) == 5
    state = stopped.state_dict()
    assert_plain(state)

    resumed = resumable_solver(num_epochs=4, model_seed=99)
    resumed.load_state_dict(state)
    resumed.train()
    assert_same_run(resumed, uninterrupted)


def test_resuming_after_a_finished_shorter_run_is_bit_identical():
    """Train for k epochs, save, then continue to K epochs: the same as K epochs at once.

    The validation accuracy of this run peaks before epoch k, so the k-epoch run
    ends by restoring earlier best params into the model; the state must still
    continue from where training actually was.
    """
    uninterrupted, _ = noisy_run(num_epochs=8)
    uninterrupted.train()

    short, _ = noisy_run(num_epochs=4)
    short.train()
    assert int(np.argmax(short.val_acc_history)) < 4, "precondition: the best epoch is not the last"
    state = short.state_dict()

    resumed, _ = noisy_run(num_epochs=8)
    resumed.load_state_dict(state)
    resumed.train()
    assert_same_run(resumed, uninterrupted)


def test_load_state_dict_rejects_params_of_another_shape():
    solver = resumable_solver(num_epochs=1)
    solver.train()
    state = solver.state_dict()
    other = Solver(make_model(h=7), make_data(seed=1, n_train=50, n_val=40), num_epochs=1, seed=7)
    with pytest.raises(CheckpointError):
        other.load_state_dict(state)


def test_without_validation_examples_the_latest_params_are_kept():
    # With an empty validation split every accuracy is 0: "best" would be the untrained epoch 0.
    from nettrainer.data import make_spiral

    X, y = make_spiral(20, rng=np.random.default_rng(0))
    net = TwoLayerNet(2, 20, 3, std=0.01, rng=np.random.default_rng(0))
    data = {"X_train": X, "y_train": y, "X_val": X[:0], "y_val": y[:0]}
    solver = Solver(net, data, optim_config={"learning_rate": 1.0}, batch_size=20,
                    num_epochs=5, seed=0)
    solver.train()
    last = solver.state_dict()["params"]
    assert all(np.array_equal(net.params[k], last[k]) for k in last)
    assert solver.train_acc_history[-1] > solver.train_acc_history[0]
