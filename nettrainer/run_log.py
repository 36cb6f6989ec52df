"""A run folder's training logs, kept current while the :class:`~nettrainer.solver.Solver` trains.

:class:`RunFolderWriter` is a solver callback: at epoch ends it appends a row to
``metrics.csv`` and rewrites it with ``history.json`` and the ``last.npz`` and
``best.npz`` checkpoints (see :mod:`nettrainer.runs` for the files).
"""

import time
from pathlib import Path
from typing import Any

import numpy as np

from nettrainer import runs
from nettrainer.solver import Solver, learning_rate_at

WRITE_EVERY_S = 1.0  # run files are rewritten during training at most this often


class RunFolderWriter:
    """Solver callback that keeps a run folder's metrics, history and checkpoints current.

    Parameters
    ----------
    run_dir : Path
    rows : list of dict
        Metric rows already written (empty for a new run); extended in place.
    """

    def __init__(self, run_dir: Path, rows: list[dict[str, Any]]):
        self.run_dir = run_dir
        self.rows = rows
        self.seconds_before = 0.0
        self.started = time.perf_counter()
        self.last_write: float | None = None
        self.unwritten_epoch: dict[str, Any] | None = None  # last epoch's state, if not yet on disk

    def write_logs(self, solver: Solver) -> None:
        """Write ``metrics.csv`` (completed epochs, row 0 at least) and ``history.json``."""
        if not self.rows:
            self.rows.append(metrics_row(solver, 0, 0.0))
        runs.write_text(self.run_dir / "metrics.csv", runs.metrics_csv(self.rows))
        runs.write_json(self.run_dir / "history.json", history(solver))

    def resume_rows(self, solver: Solver, saved: list[dict[str, float]]) -> None:
        """Rebuild the rows of the epochs a resumed solver has done, keeping their times.

        Rows are recomputed from the solver's histories, so a resumed run's
        ``metrics.csv`` is the same text as an uninterrupted run's.
        """
        seconds = [row["seconds"] for row in saved[: solver.epoch + 1]]
        self.rows[:] = [metrics_row(solver, epoch, s) for epoch, s in enumerate(seconds)]
        self.seconds_before = seconds[-1] if seconds else 0.0

    @property
    def seconds(self) -> float:
        """Training wall time so far, resumed sessions included."""
        return self.seconds_before + time.perf_counter() - self.started

    def on_train_start(self, solver: Solver) -> None:
        """Write the run's files as they are before the first step (epoch 0).

        From then on the folder can be resumed, evaluated and plotted, even
        after a kill that leaves no time to save (SIGKILL, the machine going down).
        The checkpoints come first: ``history.json``, written last, is what
        makes the folder a run (:data:`~nettrainer.run_checks.RUN_MARKERS`), so
        a kill before it leaves a folder that says it was stopped before its
        first step, never one that lacks a checkpoint.
        """
        self._write_checkpoints(solver.state_dict())
        self.write_logs(solver)

    def on_epoch_end(self, solver: Solver) -> None:
        """Append the epoch's metrics row (and row 0 first); rewrite the run's files now and then.

        The files, written before training, are rewritten after the first
        epoch and then at most every :data:`WRITE_EVERY_S` seconds: every epoch
        of a real data set, while thousands of millisecond epochs do not spend
        their time rewriting ever longer files. :func:`train_run` writes them
        once more at the end.
        """
        if not self.rows:
            self.rows.append(metrics_row(solver, 0, 0.0))
        self.rows.append(metrics_row(solver, solver.epoch, self.seconds))
        now = time.perf_counter()
        if self.last_write is None or now - self.last_write >= WRITE_EVERY_S:
            self.write(solver)
            self.last_write = now
        else:  # kept, so that a divergence can still save this epoch's checkpoints
            self.unwritten_epoch = solver.state_dict()

    def write(self, solver: Solver) -> None:
        """Write metrics, history, solver state and best params atomically."""
        self.write_logs(solver)
        self._write_checkpoints(solver.state_dict())

    def write_after_divergence(self, solver: Solver) -> None:
        """Write the logs, and the checkpoints of the last complete epoch.

        The solver's own state is mid-epoch and partly spoilt by the diverging
        step, so the checkpoints are those of the last epoch end, written now if
        that epoch's write was skipped; with no complete epoch there are none.
        """
        self.write_logs(solver)
        if self.unwritten_epoch is not None:
            self._write_checkpoints(self.unwritten_epoch)

    def _write_checkpoints(self, state: dict[str, Any]) -> None:
        runs.save_state(self.run_dir / "last.npz", state)
        runs.write_npz(self.run_dir / "best.npz", state["best_params"])
        self.unwritten_epoch = None


def metrics_row(solver: Solver, epoch: int, seconds: float) -> dict[str, Any]:
    """Return the ``metrics.csv`` row of a completed ``epoch`` (0: before training).

    The learning rate is the one the epoch's updates used; the train loss is
    the mean over its iterations.
    """
    per_epoch = solver.iterations_per_epoch
    epoch_losses = solver.loss_history[(epoch - 1) * per_epoch : epoch * per_epoch] if epoch else []
    used_rate = learning_rate_at(solver.initial_learning_rate, solver.lr_decay, max(epoch - 1, 0))
    return {
        "epoch": epoch,
        "iteration": epoch * per_epoch,
        "learning_rate": f"{used_rate:.6g}",
        "train_loss": runs.loss_text(float(np.mean(epoch_losses))) if epoch_losses else "",
        "train_acc": f"{solver.train_acc_history[epoch]:.6f}",
        "val_acc": f"{solver.val_acc_history[epoch]:.6f}" if solver.has_val else "",
        "seconds": round(seconds, 3),
    }


def history(solver: Solver) -> dict[str, Any]:
    """Return the ``history.json`` content: per-iteration losses and per-epoch accuracies."""
    return {
        "loss_history": solver.loss_history,
        "train_acc_history": solver.train_acc_history,
        "val_acc_history": solver.val_acc_history if solver.has_val else [],
        "iterations_per_epoch": solver.iterations_per_epoch,
    }
