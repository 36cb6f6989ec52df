"""What a run folder and its JSON files must hold when they are read back.

:func:`check_run_dir` says why a path is no run folder. nettrainer writes
``summary.json``, ``history.json`` and ``dataset.json`` itself; a file that is
not what it writes was changed by hand, and reading it back (``train
--resume``, ``evaluate``, ``plot``) stops with one line naming the file and the
key, rather than a traceback or a run resumed from a wrong state.
"""

import json
import math
from pathlib import Path
from typing import Any

from nettrainer.errors import CheckpointError

RUN_STATUSES = ("completed", "interrupted", "diverged")  # how a run ended: summary.json's status
RUN_MARKERS = ("config.yaml", "history.json")  # the files that make a folder a run folder


def check_run_dir(path: Path) -> Path:
    """Return ``path`` if it is a run folder, else raise a :class:`CheckpointError` saying why."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise CheckpointError(
            f"{path}: a file, not a run folder; pass the folder 'nettrainer train' made, e.g. "
            "runs/spiral/20260101-120000"
        )
    if not path.is_dir():
        raise CheckpointError(f"{path}: no such run folder")
    missing = [marker for marker in RUN_MARKERS if not (path / marker).is_file()]
    if missing and (path / "dataset.json").is_file() and _trained(path):
        raise CheckpointError(
            f"{path}: {' and '.join(missing)} missing, though the run trained (its summary.json "
            "or metrics.csv says so): removed outside nettrainer; restore it from a copy"
        )
    if missing and (path / "dataset.json").is_file():
        raise CheckpointError(
            f"{path}: this run was stopped before its first step (missing "
            f"{', '.join(missing)}), so nothing was trained; delete the folder and train again"
        )
    if missing:
        raise CheckpointError(
            f"{path}: not a nettrainer run folder (missing {', '.join(missing)}); "
            "pass a folder made by 'nettrainer train', e.g. runs/spiral/20260101-120000"
        )
    return path


def _trained(path: Path) -> bool:
    """Whether the run in ``path`` got past its first step: it ended, or logged an epoch.

    ``metrics.csv`` holds a header, epoch 0's row, and a row per epoch trained.
    """
    if (path / "summary.json").is_file():
        return True
    try:
        with open(path / "metrics.csv", encoding="utf-8") as metrics:
            return sum(1 for line in metrics if line.strip()) > 2
    except (OSError, UnicodeDecodeError):
        return False


def check_summary(summary: dict[str, Any], file: Path) -> dict[str, Any]:
    """Return ``summary.json``'s content if the keys nettrainer reads back are as it writes them.

    Raises
    ------
    CheckpointError
        If ``status``, ``epochs_completed`` or ``stopped_early`` (what ``train
        --resume`` and ``evaluate`` read back) is not what nettrainer writes.
    """
    if summary.get("status") not in RUN_STATUSES:
        raise _summary_changed(file, summary, "status", f"one of {', '.join(RUN_STATUSES)}")
    epochs = summary.get("epochs_completed")
    if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 0:
        raise _summary_changed(file, summary, "epochs_completed", "an integer >= 0")
    if not isinstance(summary.get("stopped_early", False), bool):  # absent from older runs' files
        raise _summary_changed(file, summary, "stopped_early", "true or false")
    return summary


def _summary_changed(path: Path, summary: dict[str, Any], key: str, domain: str) -> CheckpointError:
    """Return the error for a ``summary.json`` whose ``key`` is not in ``domain``, and the fix."""
    got = json.dumps(summary[key]) if key in summary else f"no {key!r} key"
    return CheckpointError(
        f"{path}: {key} must be {domain}, as nettrainer writes it; got {got}; {changed(path)}"
    )


def check_metric_rows(rows: list[dict[str, float]], epochs: int, path: Path) -> None:
    """Check that ``metrics.csv``'s ``rows`` hold epochs 0 to ``epochs``, as a resume needs.

    A resumed run keeps the rows of the epochs its ``last.npz`` has done, and
    their times, which add up to the run's training time.

    Raises
    ------
    CheckpointError
        When a row of those epochs is missing or has no time.
    """
    for epoch in range(epochs + 1):
        row = rows[epoch] if epoch < len(rows) else {}
        if row.get("epoch") != epoch or not math.isfinite(row.get("seconds", math.nan)):
            raise CheckpointError(
                f"{path}: no row with the time of epoch {epoch}, and last.npz has done "
                f"{epochs} epoch(s); {changed(path)}"
            )


def changed(path: Path) -> str:
    """Say that run file ``path`` was edited outside nettrainer, and how to recover from it."""
    if path.name != "summary.json":
        return "the file was changed outside nettrainer: restore it"
    return ("the file was changed outside nettrainer: restore it, or delete it (plot and "
            "evaluate need none, and a --resume that trains on writes a new one)")


def read_json_object(path: Path) -> dict[str, Any]:
    """Read a run file holding one JSON object; empty if the file is absent.

    Raises
    ------
    CheckpointError
        If it cannot be read, is not JSON, or holds something other than an object.
    """
    try:
        data = json.loads(path.read_text()) if path.exists() else {}
    except OSError as error:
        raise CheckpointError(f"{path}: cannot be read ({error})") from None
    except ValueError as error:
        raise CheckpointError(f"{path}: not valid JSON ({error}); {changed(path)}") from None
    if not isinstance(data, dict):
        raise CheckpointError(
            f"{path}: expected a JSON object as nettrainer writes it; got "
            f"{type(data).__name__ if data is not None else 'null'}; {changed(path)}")
    return data


def check_history(history: dict[str, Any], path: Path) -> dict[str, Any]:
    """Return ``history.json``'s content if its lists hold numbers and its step count is one.

    Raises
    ------
    CheckpointError
        Naming the first key whose value is not what nettrainer writes.
    """
    for key in ("loss_history", "train_acc_history", "val_acc_history"):
        values = history.get(key, [])
        if not isinstance(values, list) or not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            raise CheckpointError(
                f"{path}: {key} must be a list of numbers, as nettrainer writes it; "
                f"{changed(path)}")
    per_epoch = history.get("iterations_per_epoch", 1)
    if not isinstance(per_epoch, int) or isinstance(per_epoch, bool) or per_epoch < 1:
        raise CheckpointError(
            f"{path}: iterations_per_epoch must be an integer >= 1, as nettrainer writes it; "
            f"{changed(path)}")
    return history
