"""Tests of nettrainer.run_log: the rows written to a run's metrics.csv, and how often."""

from types import SimpleNamespace

import pytest

from nettrainer import config, experiment, run_log, runs
from nettrainer.run_log import metrics_row


def solver_with_losses(losses):
    """A stand-in for a Solver after one epoch of ``len(losses)`` iterations."""
    return SimpleNamespace(
        iterations_per_epoch=len(losses), loss_history=losses, initial_learning_rate=1e6,
        lr_decay=1.0, train_acc_history=[0.25, 0.5], val_acc_history=[0.2, 0.4],
        has_val=True,
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


@pytest.mark.parametrize(("every_s", "writes"), [(0.0, 22), (1e9, 3)])
def test_run_files_are_rewritten_at_most_every_write_every_s(
    tmp_path, monkeypatch, every_s, writes
):
    """Before training, then 0 s: after each of the 20 epochs, and at the end; 1e9 s: after
    epoch 1 and at the end."""
    monkeypatch.setattr(run_log, "WRITE_EVERY_S", every_s)
    saved_states = []
    save_state = runs.save_state
    monkeypatch.setattr(runs, "save_state", lambda path, state: (
        saved_states.append(state), save_state(path, state)))
    cfg = config.from_dict({
        "data": {"points_per_class": 20}, "model": {"hidden_size": 10},
        "train": {"epochs": 20, "batch_size": 30}, "output": {"dir": str(tmp_path)},
    }, "test")
    dataset = experiment.load_dataset(cfg)
    with experiment.new_run(cfg, dataset) as run_dir:
        outcome = experiment.train_run(cfg, dataset, run_dir)
    assert outcome.status == "completed"
    assert len(saved_states) == writes
    assert [row["epoch"] for row in runs.read_metrics(run_dir / "metrics.csv")] == list(range(21))
