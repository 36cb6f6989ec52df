"""Run folders: atomic file writes, checkpoints, metric logs, and reading a run back.

A run lives in ``<output.dir>/<name>/<YYYYmmdd-HHMMSS>/`` and holds:

- ``config.yaml``: the resolved config, with the package versions
- ``metrics.csv``: one row per epoch (:data:`METRIC_COLUMNS`), row 0 before training
- ``history.json``: per-iteration losses and per-epoch accuracies
- ``last.npz``: the full solver state; ``best.npz``: the best params
- ``preprocess.npz``: the preprocessing fitted on the training split
- ``dataset.json``: where the data came from, shapes, class names
- ``summary.json``: the outcome; ``curves.png``: the pictures

Every file is written to a temporary name in the same folder and renamed over
the old one, so a crash leaves either the previous file or the new one. Files
get the permissions a plain ``open(path, "w")`` gives them (0o666 less the umask).
"""

import csv
import io
import json
import os
import secrets
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nettrainer.errors import CheckpointError
from nettrainer.run_checks import (
    changed,
    check_history,
    check_run_dir,
    check_summary,
    read_json_object,
)

METRIC_COLUMNS = (
    "epoch", "iteration", "learning_rate", "train_loss", "train_acc", "val_acc", "seconds",
)
STATE_META_KEY = "__meta__"
LOSS_EXPONENT_FROM = 1e6  # metrics.csv losses this large are written as 1.234567e+06


def atomic_write(path: Path, write: Any, mode: str = "w") -> None:
    """Write a file through a temporary sibling and an atomic rename.

    Parameters
    ----------
    path : Path
        Final location; the previous file, if any, stays intact until the rename.
    write : callable
        Called with the open temporary file object to write the content.
    mode : {"w", "wb"}
        Text or binary.
    """
    path = Path(path)
    tmp_path, fd = _create_sibling(path)
    try:
        with os.fdopen(fd, mode) as handle:
            write(handle)
        os.replace(tmp_path, path)
    except OSError as error:  # e.g. a full disk: name the file the user knows
        tmp_path.unlink(missing_ok=True)
        raise _naming(error, path) from None
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def _naming(error: OSError, path: Path) -> OSError:
    """Return ``error`` as the same kind of OSError, naming ``path`` instead of any other file."""
    if error.errno is None:
        return error
    return type(error)(error.errno, error.strerror, str(path))


def _create_sibling(path: Path) -> tuple[Path, int]:
    """Create a new, randomly named hidden file next to ``path``, opened for writing.

    Unlike :func:`tempfile.mkstemp` (always mode 0o600), the file is created
    like ``open(path, "w")`` creates one: mode 0o666 less the umask, or what a
    default ACL of the folder says. ``O_EXCL`` guarantees that no existing file
    is reused.
    """
    tmp_path = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        return tmp_path, os.open(tmp_path, flags, 0o666)
    except OSError as error:  # name the file the user asked for, not the temporary one
        raise _naming(error, path) from None


def write_text(path: Path, text: str) -> None:
    """Atomically write a text file."""
    atomic_write(path, lambda handle: handle.write(text))


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Atomically write ``data`` as JSON, one top-level key per line.

    Each value is written compactly on its line: readable, and fast enough to
    rewrite a ``history.json`` of every iteration's loss at each epoch end
    (``json.dumps`` with ``indent`` takes the pure-Python encoder, about 20x slower).
    """
    lines = [f"  {json.dumps(key)}: {json.dumps(value)}" for key, value in data.items()]
    write_text(path, "{\n" + ",\n".join(lines) + "\n}\n")


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Atomically write arrays to an uncompressed ``.npz`` (no pickled objects)."""
    atomic_write(path, lambda handle: np.savez(handle, **arrays), mode="wb")


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """Read every array of an ``.npz`` written by :func:`write_npz`.

    Raises
    ------
    CheckpointError
        When the file is missing, truncated or holds pickled objects.
    """
    try:
        if Path(path).is_file() and not zipfile.is_zipfile(path):  # np.load: "a pickle"
            raise CheckpointError(f"{path}: not an npz file (a zip of .npy arrays); the file "
                                  "is damaged or was replaced")
        with np.load(path, allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files}
    except FileNotFoundError:
        raise CheckpointError(f"{path}: no such file; is this a complete run folder?") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise CheckpointError(f"{path}: cannot be read ({error}); the file is damaged") from None


def _flatten(tree: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            yield from _flatten(value, path + "/")
        else:
            yield path, value


def save_state(path: Path, state: dict[str, Any]) -> None:
    """Save a nested dict of arrays and plain scalars (a solver state) as one ``.npz``.

    Arrays become entries named by their path (``params/W1``); every other
    leaf (numbers, strings, None, lists) goes into one JSON string entry.
    """
    arrays, meta = {}, {}
    for key, value in _flatten(state):
        if isinstance(value, np.ndarray):
            arrays[key] = value
        else:
            meta[key] = value
    arrays[STATE_META_KEY] = np.array(json.dumps(meta))
    write_npz(path, arrays)


def load_state(path: Path) -> dict[str, Any]:
    """Load a state saved by :func:`save_state` back into its nested form."""
    flat = read_npz(path)
    if STATE_META_KEY not in flat:
        raise CheckpointError(f"{path}: not a nettrainer solver state (no {STATE_META_KEY} entry)")
    leaves: dict[str, Any] = json.loads(str(flat.pop(STATE_META_KEY)))
    leaves.update(flat)
    state: dict[str, Any] = {}
    for key, value in leaves.items():
        *parents, leaf = key.split("/")
        node = state
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    return state


def loss_text(loss: float, decimals: int = 6) -> str:
    """Write a loss for ``metrics.csv`` or a progress line: fixed decimals, or exponent form.

    ``1.098612`` below 1e6 in magnitude; ``1.409878e+63`` from there on, so a
    diverging run's losses stay short; ``inf`` and ``nan`` as such. Every form
    reads back with ``float``.
    """
    return f"{loss:.{decimals}f}" if abs(loss) < LOSS_EXPONENT_FROM else f"{loss:.{decimals}e}"


def metrics_csv(rows: list[dict[str, Any]]) -> str:
    """Render metric rows (dicts keyed by :data:`METRIC_COLUMNS`) as CSV text."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=METRIC_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def read_metrics(path: Path) -> list[dict[str, float]]:
    """Read ``metrics.csv`` into rows of floats (an empty cell becomes NaN); none if it is absent.

    Raises
    ------
    CheckpointError
        When a cell is no number, or a row has more or fewer cells than the header.
    """
    if not Path(path).exists():
        return []
    rows = []
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            cells = list(row.values())
            if None in row or None in cells:  # more cells than the header names, or fewer
                more = "more" if None in row else "fewer"
                problem = f"line {reader.line_num} has {more} cells than the header"
            else:
                try:
                    rows.append({key: float(value) if value != "" else float("nan")
                                 for key, value in row.items()})
                    continue
                except ValueError as error:
                    problem = f"line {reader.line_num}: {error}"
            raise CheckpointError(f"{path}: cannot be read ({problem}); {changed(path)}")
    return rows


@dataclass(frozen=True)
class RunRecord:
    """What ``plot`` and ``evaluate`` read from a run folder; nothing is re-trained.

    Attributes
    ----------
    path : Path
    name : str
        The config's ``name``.
    config : dict
        The resolved config as plain data (``versions`` included).
    metrics : list of dict
        The rows of ``metrics.csv`` as floats.
    history : dict
        ``loss_history`` (per iteration), ``train_acc_history``,
        ``val_acc_history`` (per epoch) and ``iterations_per_epoch``.
    summary : dict
        ``summary.json``, or an empty dict while the run has not finished.
    """

    path: Path
    name: str
    config: dict[str, Any]
    metrics: list[dict[str, float]]
    history: dict[str, Any]
    summary: dict[str, Any]


def read_dataset_info(path: Path) -> dict[str, Any]:
    """Read a run's ``dataset.json`` (shapes, classes, image shape); empty if absent."""
    return read_json_object(Path(path) / "dataset.json")


def read_summary(path: Path) -> dict[str, Any]:
    """Read a run's ``summary.json``; empty while the run has not stopped once.

    Raises
    ------
    CheckpointError
        If the file is there but is not a JSON object, or its ``status``,
        ``epochs_completed`` or ``stopped_early`` (what ``train --resume`` and
        ``evaluate`` read back) is not what nettrainer writes.
    """
    file = Path(path) / "summary.json"
    return check_summary(read_json_object(file), file) if file.exists() else {}


def read_run(path: Path, config: dict[str, Any]) -> RunRecord:
    """Read a run folder's history, metrics and summary.

    Parameters
    ----------
    path : Path
        A folder accepted by :func:`check_run_dir`.
    config : dict
        Its ``config.yaml``, already parsed by the caller (only
        :mod:`nettrainer.config` reads YAML).

    Returns
    -------
    RunRecord
    """
    path = check_run_dir(path)
    history = check_history(read_json_object(path / "history.json"), path / "history.json")
    metrics = read_metrics(path / "metrics.csv")
    name = str(config.get("name") or path.parent.name)
    return RunRecord(path, name, config, metrics, history, read_summary(path))
