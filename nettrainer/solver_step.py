"""One update of a solver: gather the batch, compute loss and gradients, apply the rule.

:class:`UpdateStep` gives :class:`~nettrainer.solver.Solver` its training step,
on the plain path (``model.loss`` and an update rule) or the fast paths of
:mod:`nettrainer.fast_path`, and keeps the params of the last finite loss for a
divergence to restore.
"""

from typing import Any

import numpy as np

from nettrainer.errors import DivergenceError
from nettrainer.fast_path import fused_step_options
from nettrainer.optim import UpdateRule
from nettrainer.workspace import StepWorkspace


class UpdateStep:
    """The update half of :class:`~nettrainer.solver.Solver` (see its attributes)."""

    model: Any
    X_train: np.ndarray
    y_train: np.ndarray
    reg: float
    update_rule: UpdateRule
    optim_configs: dict[str, dict]
    fast_path: bool
    fused_update: bool
    iteration: int
    learning_rate: float
    loss_history: list[float]
    _workspace: StepWorkspace
    _restorable: bool

    def _gather(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the batch of training ``rows``; on the fast path, sorted into a reused array."""
        if not self.fast_path:
            return self.X_train[rows], self.y_train[rows]
        return self._workspace.gather(self.X_train, self.y_train, rows)

    def _step(self, X_batch: np.ndarray, y_batch: np.ndarray) -> None:
        spares = self._workspace.spares_like(self.model.params)
        fused = None
        if self.fused_update:
            fused = fused_step_options(self.update_rule, self.model.params, self.optim_configs)
        if fused is None:
            loss, grads, weight_decay = self._loss_and_grads(X_batch, y_batch, spares)
        else:  # the next params go straight into spares
            loss = self.model.loss_and_sgd_step(X_batch, y_batch, self.reg, out=spares, **fused)
        if not np.isfinite(loss):
            last = self.loss_history[-1] if self.loss_history else None
            if last is not None and self._restorable:
                self.model.params.update(self._workspace.spares)
                self._workspace.spares, self._restorable = {}, False
            raise DivergenceError(self.iteration, self.learning_rate, last)
        self.loss_history.append(float(loss))
        params = self.model.params
        for name, w in params.items():
            if fused is None:
                params[name], self.optim_configs[name] = self.update_rule(
                    w,
                    grads[name],
                    self.optim_configs[name],
                    out=spares[name],
                    weight_decay=weight_decay[name],
                )
            else:
                params[name] = spares[name]
            spares[name] = w  # the params of this step's (finite) loss
        self._restorable = True
        self.iteration += 1

    def _loss_and_grads(
        self, X_batch: np.ndarray, y_batch: np.ndarray, spares: dict[str, np.ndarray]
    ) -> tuple[float, dict[str, np.ndarray], dict[str, float]]:
        """Return the loss, gradients and weight-decay coefficients of one batch.

        The fast path writes the gradients into ``spares`` (which the update
        then turns into the next params), unless the loss is not finite.
        """
        if not self.fast_path:
            loss, grads = self.model.loss(X_batch, y_batch, reg=self.reg)
            return loss, grads, dict.fromkeys(grads, 0.0)
        loss, weight_decay = self.model.loss_and_grads(X_batch, y_batch, self.reg, out=spares)
        return loss, dict(spares), weight_decay
