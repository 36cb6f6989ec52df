"""Tests of nettrainer.experiment: the rows written to a run's metrics.csv."""

from types import SimpleNamespace

import pytest

from nettrainer.experiment import metrics_row


def solver_with_losses(losses):
    """A stand-in for a Solver after one epoch of ``len(losses)`` iterations."""
    return SimpleNamespace(
        iterations_per_epoch=len(losses), loss_history=losses, initial_learning_rate=1e6,
        lr_decay=1.0, train_acc_history=[0.25, 0.5], val_acc_history=[0.2, 0.4],
    )


@pytest.mark.parametrize(("losses", "text"), [
    ([1.2, 1.0], "1.100000"),
    ([2.8e63, 1.9e60], "1.400950e+63"),  # a diverging run: no 64-digit numbers
])
def test_metrics_row_writes_the_mean_loss_short(losses, text):
    row = metrics_row(solver_with_losses(losses), epoch=1, seconds=0.5)
    assert row == {
        "epoch": 1, "iteration": 2, "learning_rate": "1e+06", "train_loss": text,
        "train_acc": "0.500000", "val_acc": "0.400000", "seconds": 0.5,
    }


def test_metrics_row_of_epoch_0_has_no_loss():
    assert metrics_row(solver_with_losses([1.0]), epoch=0, seconds=0.0)["train_loss"] == ""
