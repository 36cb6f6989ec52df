"""A solver's checkpoint: everything needed to continue training exactly, and its checks.

:class:`ResumableState` gives :class:`~nettrainer.solver.Solver` its
``state_dict``/``load_state_dict``: params, best params, per-parameter
optimiser state, the generator state, counters and histories, as arrays and
plain scalars only (no pickled objects), so a run folder stores them in an
``.npz`` and a resumed run ends bit-identical to an uninterrupted one.
"""

from typing import Any

import numpy as np

from nettrainer.errors import CheckpointError


class ResumableState:
    """The checkpoint half of :class:`~nettrainer.solver.Solver` (see its attributes)."""

    model: Any
    best_params: dict[str, np.ndarray]
    _trajectory_params: dict[str, np.ndarray] | None

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue training exactly, as arrays and plain scalars.

        Returns
        -------
        state : dict
            Copies of the params, best params and per-parameter optimiser
            state; the generator state; counters; histories as float64 arrays.
        """
        return {
            "params": {k: v.copy() for k, v in self._current_params().items()},
            "best_params": {k: v.copy() for k, v in self.best_params.items()},
            "optim_configs": {name: copy_config(c) for name, c in self.optim_configs.items()},
            "random": self.random.get_state(),
            "epoch": self.epoch,
            "iteration": self.iteration,
            "step_in_epoch": self.step_in_epoch,
            "epoch_order": None if self.epoch_order is None else self.epoch_order.copy(),
            "best_val_acc": self.best_val_acc,
            "epochs_since_best": self.epochs_since_best,
            "loss_history": np.asarray(self.loss_history, dtype=np.float64),
            "train_acc_history": np.asarray(self.train_acc_history, dtype=np.float64),
            "val_acc_history": np.asarray(self.val_acc_history, dtype=np.float64),
        }

    def _current_params(self) -> dict[str, np.ndarray]:
        """Return the params training continues from, not the best ones restored at the end."""
        return self.model.params if self._trajectory_params is None else self._trajectory_params

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue from a :meth:`state_dict`; arrays are copied, never aliased.

        Raises
        ------
        CheckpointError
            When the state is missing a key or its params do not fit the model.
        """
        try:
            params = checked_params(state["params"], self._current_params())
            self.best_params = checked_params(state["best_params"], self.model.params)
            self.optim_configs = {
                name: copy_config(config) for name, config in state["optim_configs"].items()
            }
            self.random.set_state(state["random"])
            self.epoch, self.iteration = int(state["epoch"]), int(state["iteration"])
            self.step_in_epoch = int(state["step_in_epoch"])
            order = state["epoch_order"]
            self.epoch_order = None if order is None else np.array(order, dtype=np.int64)
            self.best_val_acc = float(state["best_val_acc"])
            self.epochs_since_best = int(state["epochs_since_best"])
            self.loss_history = [float(v) for v in state["loss_history"]]
            self.train_acc_history = [float(v) for v in state["train_acc_history"]]
            self.val_acc_history = [float(v) for v in state["val_acc_history"]]
        except KeyError as missing:
            raise CheckpointError(f"solver state is missing {missing}; it is incomplete") from None
        self.model.params, self._trajectory_params = params, None
        self._restorable = False


def checked_params(
    saved: dict, current: dict[str, np.ndarray], where: str = "saved params"
) -> dict[str, np.ndarray]:
    """Copy saved params into the dtype of ``current``, checking names and shapes.

    Parameters
    ----------
    saved : dict of str to ndarray
        Params read from a checkpoint.
    current : dict of str to ndarray
        The model's params, whose names, shapes and dtypes the copies must match.
    where : str
        Where the params were read from (a file), for messages.

    Returns
    -------
    params : dict of str to ndarray
        New arrays, never aliasing ``saved``.

    Raises
    ------
    CheckpointError
        When the names or shapes differ.
    """
    if set(saved) != set(current):
        raise CheckpointError(
            f"{where}: params {sorted(saved)} do not match the model's {sorted(current)}; "
            "the file was changed outside nettrainer: restore it"
        )
    for name, value in current.items():
        if np.shape(saved[name]) != value.shape:
            raise CheckpointError(
                f"{where}: {name} has shape {np.shape(saved[name])}, the model needs "
                f"{value.shape}; "
                "was the checkpoint made with another model.hidden_size or data set?"
            )
    return {name: np.array(saved[name], dtype=value.dtype) for name, value in current.items()}


def copy_config(config: dict) -> dict:
    """Copy an optimiser config, its state arrays included, so that nothing is shared."""
    return {k: (np.array(v) if isinstance(v, np.ndarray) else v) for k, v in config.items()}
