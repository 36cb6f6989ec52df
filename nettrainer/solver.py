"""The training loop: minibatch updates, learning-rate decay, evaluation, best params.

A :class:`Solver` follows CS231n's ``Solver`` and adds per-epoch shuffling,
early stopping, divergence detection, callbacks and an exact
``state_dict``/``load_state_dict`` for resuming.
"""

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from nettrainer.errors import RegistryError
from nettrainer.fast_path import FUSED_RULES
from nettrainer.optim import get_update_rule
from nettrainer.random_state import RandomSource, make_random_source
from nettrainer.solver_state import ResumableState, copy_config
from nettrainer.solver_step import UpdateStep
from nettrainer.workspace import StepWorkspace, has_fast_path, has_fused_update

SAMPLING_MODES = ("shuffle", "replacement")


def learning_rate_at(initial: float, lr_decay: float, epoch: int) -> float:
    """Return the learning rate in force during ``epoch`` (0-based) under step decay."""
    return initial * lr_decay**epoch


class Solver(UpdateStep, ResumableState):
    """Train a classification model with minibatch gradient descent.

    The model contract: ``model.params`` is a dict of name to ndarray, updated
    in place or replaced by the solver; ``model.loss(X, y, reg=reg)`` returns
    ``(loss, grads)`` with ``grads`` keyed like ``params``; ``model.predict(X)``
    returns int labels of shape (N,).

    The fast path: when the class defining ``model.loss`` also defines
    :meth:`~nettrainer.model.TwoLayerNet.loss_and_grads`, training calls it with
    a reused batch array, writes the gradients into the spare arrays below and
    fuses the L2 gradient into the update; the numbers equal the plain path's
    up to round-off. Each update writes the next params into spare arrays
    swapped into ``model.params``, so the previous ones stay for a divergence
    to restore. With ``update_rule="sgd"`` or ``"sgd_momentum"`` and a model
    that also defines :meth:`~nettrainer.model.TwoLayerNet.loss_and_sgd_step`,
    the step runs inside the weights' gradient products instead (see
    :mod:`nettrainer.blas`).

    Parameters
    ----------
    model : object
        Anything meeting the contract above, e.g. :class:`~nettrainer.model.TwoLayerNet`.
    data : dict
        ``X_train`` (N, D), ``y_train`` (N,), ``X_val`` (N_val, D), ``y_val`` (N_val,).
    update_rule : str
        A key of :data:`nettrainer.optim.UPDATE_RULES`.
    optim_config : dict, optional
        Hyperparameters of the rule; each parameter gets its own copy.
    lr_decay : float
        Factor applied to the learning rate at the end of every epoch.
    reg : float
        L2 strength passed to ``model.loss``.
    batch_size : int
        Examples per update, B.
    num_epochs : int
        Epochs to train; an epoch is ``max(N // B, 1)`` updates.
    num_train_samples : int or None
        Train accuracy is measured on this many random training examples; all when None.
    num_val_samples : int or None
        Likewise for validation accuracy.
    sampling : {"shuffle", "replacement"}
        ``"shuffle"`` cuts a fresh permutation into batches each epoch;
        ``"replacement"`` draws every batch with replacement, as CS231n does.
    seed : int, sequence of int, or None
        Seeds the solver's own generator; when None, the global numpy
        generator is used, as in CS231n.
    early_stopping_patience : int or None
        Stop after this many epochs without a new best validation accuracy.
    callbacks : sequence
        Objects with optional methods ``on_train_start(solver)`` (after the
        evaluation before the first epoch, not when resumed), ``on_iteration(solver)``
        (after every update) and ``on_epoch_end(solver)`` (after the epoch's evaluation).

    Attributes
    ----------
    loss_history : list of float
        One loss per update.
    train_acc_history, val_acc_history : list of float
        At the start and after every epoch: ``num_epochs + 1`` entries.
    best_val_acc : float
    best_params : dict of str to ndarray
        Copies of the params with the best validation accuracy (the latest
        params when there are no validation examples); restored into the model
        when training ends.
    epoch, iteration : int
        Completed epochs and updates.
    fast_path : bool
        Whether training goes through ``model.loss_and_grads``.
    fused_update : bool
        Whether SGD and momentum steps go through ``model.loss_and_sgd_step``
        instead, the update running inside the weights' gradient products.
    """

    def __init__(
        self,
        model: Any,
        data: dict[str, np.ndarray],
        *,
        update_rule: str = "sgd",
        optim_config: dict | None = None,
        lr_decay: float = 1.0,
        reg: float = 0.0,
        batch_size: int = 100,
        num_epochs: int = 10,
        num_train_samples: int | None = 1000,
        num_val_samples: int | None = None,
        sampling: str = "shuffle",
        seed: int | Sequence[int] | None = None,
        early_stopping_patience: int | None = None,
        callbacks: Sequence[Any] = (),
    ):
        if sampling not in SAMPLING_MODES:
            valid = ", ".join(SAMPLING_MODES)
            raise RegistryError(f"unknown sampling {sampling!r}; choose one of: {valid}")
        self.model = model
        self.X_train, self.y_train = data["X_train"], data["y_train"]
        self.X_val, self.y_val = data["X_val"], data["y_val"]
        self.update_rule = get_update_rule(update_rule)
        self.base_config = dict(optim_config or {})
        self.initial_learning_rate = self._initial_learning_rate()
        self.lr_decay, self.reg = lr_decay, reg
        self.batch_size, self.num_epochs = batch_size, num_epochs
        self.num_train_samples, self.num_val_samples = num_train_samples, num_val_samples
        self.sampling, self.patience = sampling, early_stopping_patience
        self.callbacks = tuple(callbacks)
        self.random: RandomSource = make_random_source(seed)
        self.fast_path = has_fast_path(model)
        fusable = self.fast_path and self.update_rule in FUSED_RULES
        self.fused_update = fusable and has_fused_update(model)
        self._reset()

    def _initial_learning_rate(self) -> float:
        """Return the configured rate, refusing keys the rule would silently ignore (``lr``)."""
        defaults = self.update_rule(np.zeros(1), np.zeros(1), {})[1]
        unknown = sorted(set(self.base_config) - set(defaults))
        if unknown:
            raise RegistryError(
                f"optim_config key(s) {', '.join(map(repr, unknown))} unknown to "
                f"{self.update_rule.__name__}, which would ignore them; its keys: "
                f"{', '.join(defaults)}"
            )
        return float(self.base_config.get("learning_rate", defaults["learning_rate"]))

    def _reset(self) -> None:
        self.epoch = 0
        self.iteration = 0
        self.loss_history: list[float] = []
        self.train_acc_history: list[float] = []
        self.val_acc_history: list[float] = []
        self.best_val_acc = -1.0
        self.best_params = {k: v.copy() for k, v in self.model.params.items()}
        self.epochs_since_best = 0
        self.stop_requested = False
        self.epoch_order: np.ndarray | None = None
        self.step_in_epoch = 0
        self.optim_configs = {name: self._fresh_config() for name in self.model.params}
        self._trajectory_params: dict[str, np.ndarray] | None = None
        self._workspace = StepWorkspace()
        self._restorable = False  # whether the workspace's spares hold the last finite params

    def _fresh_config(self) -> dict:
        config = copy_config(self.base_config)
        config["learning_rate"] = self.learning_rate
        return config

    @property
    def learning_rate(self) -> float:
        """The learning rate of the current epoch."""
        return learning_rate_at(self.initial_learning_rate, self.lr_decay, self.epoch)

    @property
    def iterations_per_epoch(self) -> int:
        """Updates per epoch: ``max(N // batch_size, 1)``."""
        return max(self.X_train.shape[0] // self.batch_size, 1)

    @property
    def finished(self) -> bool:
        """Whether every epoch ran or early stopping ended training."""
        return self.epoch >= self.num_epochs or self.stopped_early

    @property
    def samples_per_step(self) -> int:
        """Examples in each batch: ``batch_size``, or all N when shuffling fewer rows than that."""
        if self.sampling == "shuffle":
            return min(self.batch_size, self.X_train.shape[0])
        return self.batch_size

    @property
    def has_val(self) -> bool:
        """Whether there are validation examples; without them the latest params count as best."""
        return self.X_val.shape[0] > 0

    @property
    def stopped_early(self) -> bool:
        """Whether validation accuracy stopped improving for ``early_stopping_patience`` epochs."""
        return self.patience is not None and self.epochs_since_best >= self.patience

    def request_stop(self) -> None:
        """Ask :meth:`train` to return after the update in progress (e.g. on Ctrl-C)."""
        self.stop_requested = True

    def check_accuracy(
        self, X: np.ndarray, y: np.ndarray, num_samples: int | None = None
    ) -> float:
        """Accuracy of the model on ``X``, or on ``num_samples`` random rows of it.

        Parameters
        ----------
        X : ndarray of shape (N, D)
        y : ndarray of shape (N,)
        num_samples : int, optional
            Subsample this many rows (drawn from the solver's generator) when N is larger.

        Returns
        -------
        accuracy : float
            Fraction of correct predictions in [0, 1]; 0.0 for an empty set.
        """
        if num_samples is not None and X.shape[0] > num_samples:
            rows = self.random.choice(X.shape[0], num_samples)
            X, y = X[rows], y[rows]
        if X.shape[0] == 0:
            return 0.0
        return float(np.mean(self.model.predict(X) == y))

    def train(self) -> None:
        """Run the remaining epochs, then restore the best params into the model.

        Raises
        ------
        DivergenceError
            When a loss is not finite; the model keeps the params that produced
            the last finite loss.
        """
        self.stop_requested = False
        if self._trajectory_params is not None:
            self.model.params, self._trajectory_params = self._trajectory_params, None
        # Overflow on the way to a non-finite loss is reported by DivergenceError, not warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            if not self.train_acc_history:
                self._record_accuracies()
                for callback in self.callbacks:
                    getattr(callback, "on_train_start", _ignore)(self)
            while not self.finished:
                for rows in self._remaining_batches():
                    self._step(*self._gather(rows))
                    for callback in self.callbacks:
                        getattr(callback, "on_iteration", _ignore)(self)
                    if self.stop_requested:
                        return
                self._end_epoch()
        self._trajectory_params = self.model.params
        self.model.params = {k: v.copy() for k, v in self.best_params.items()}

    def _remaining_batches(self) -> Iterator[np.ndarray]:
        num_train, batch = self.X_train.shape[0], self.batch_size
        if self.sampling == "shuffle" and self.epoch_order is None:
            self.epoch_order = self.random.permutation(num_train)
        while self.step_in_epoch < self.iterations_per_epoch:
            if self.sampling == "shuffle":
                start = self.step_in_epoch * batch
                rows = self.epoch_order[start : start + batch]
            else:
                rows = self.random.choice(num_train, batch)
            self.step_in_epoch += 1
            yield rows

    def _end_epoch(self) -> None:
        self.epoch += 1
        self.epoch_order, self.step_in_epoch = None, 0
        for config in self.optim_configs.values():
            config["learning_rate"] = self.learning_rate
        self._record_accuracies()
        for callback in self.callbacks:
            getattr(callback, "on_epoch_end", _ignore)(self)

    def _record_accuracies(self) -> None:
        train_acc = self.check_accuracy(self.X_train, self.y_train, self.num_train_samples)
        val_acc = self.check_accuracy(self.X_val, self.y_val, self.num_val_samples)
        self.train_acc_history.append(train_acc)
        self.val_acc_history.append(val_acc)
        if val_acc > self.best_val_acc or not self.has_val:
            self.best_val_acc = val_acc
            self.best_params = {k: v.copy() for k, v in self.model.params.items()}
            self.epochs_since_best = 0
        else:
            self.epochs_since_best += 1


def _ignore(_solver: Solver) -> None:
    """Stand in for a callback method that an object does not define."""
