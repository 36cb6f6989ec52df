"""Making a new run folder, and taking it back if the run never starts.

A new run gets ``<output.dir>/<name>/<YYYYmmdd-HHMMSS>/`` (a ``-N`` suffix for
a second run in the same second), never an existing folder. Until its first
step the folder is no run that ``--resume``, ``evaluate`` or ``plot`` could
read, so a failure before then removes it, with the folders made for it.
"""

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from nettrainer.errors import CheckpointError


def new_run_dir(output_dir: Path, name: str, now: datetime | None = None) -> Path:
    """Create ``output_dir/name/YYYYmmdd-HHMMSS``, with a ``-N`` suffix if that exists.

    Returns
    -------
    run_dir : Path
        A new, empty folder: an existing run is never overwritten.

    Raises
    ------
    CheckpointError
        When the folder cannot be created (e.g. ``output_dir`` is a file).
    """
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    parent = Path(output_dir) / name
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        file = next((p for p in (parent, *parent.parents) if p.exists() and not p.is_dir()), None)
        problem = (f"a file where the run folder {parent / stamp} needs a folder; move it, or"
                   if file else f"cannot create the run folder ({error.strerror});")
        raise CheckpointError(
            f"{file or parent}: {problem} choose another --out or output.dir"
        ) from None
    for suffix in ("", *(f"-{n}" for n in range(1, 1000))):
        run_dir = parent / f"{stamp}{suffix}"
        try:
            run_dir.mkdir()
            return run_dir
        except FileExistsError:
            continue
    raise CheckpointError(f"{parent}: too many runs started in the same second")


def _outermost_missing(path: Path) -> Path | None:
    """Return the outermost folder of ``path`` (itself included) that does not exist yet."""
    missing = None
    for folder in (Path(path), *Path(path).parents):
        if folder.exists():
            break
        missing = folder
    return missing


@contextmanager
def new_run_folder(output_dir: Path, name: str) -> Iterator[Path]:
    """Make a new run folder (:func:`new_run_dir`) for the block, removed if it fails early.

    See :func:`discarded_unless_started`; the folders made for the run folder
    (``--out runs/new`` makes ``runs/new`` and ``runs/new/NAME``) go with it
    when left empty, and folders that were there stay.
    """
    made = _outermost_missing(Path(output_dir) / name)
    run_dir = new_run_dir(output_dir, name)
    with discarded_unless_started(run_dir, made):
        yield run_dir


@contextmanager
def discarded_unless_started(run_dir: Path, made: Path | None = None) -> Iterator[Path]:
    """Remove the new run folder ``run_dir`` if the block fails before training starts.

    Training starts when ``history.json``, the last of the run's files, is
    first written (before the first step); until then the folder is no run
    that ``--resume`` or ``evaluate`` could read, so an error (a full disk),
    Ctrl-C or out-of-memory while the data is described, the model is built or
    the first files are written leaves no half-written folder behind.

    Parameters
    ----------
    run_dir : Path
    made : Path, optional
        The outermost folder made for ``run_dir`` (``--out runs/new`` makes
        ``runs/new`` and ``runs/new/NAME``); those left empty go with it.
    """
    try:
        yield run_dir
    except BaseException:
        if not (run_dir / "history.json").exists():
            shutil.rmtree(run_dir, ignore_errors=True)
            _remove_empty_folders(run_dir.parent, made)
        raise


def _remove_empty_folders(folder: Path, made: Path | None) -> None:
    """Remove ``folder`` and its parents up to ``made`` while they are empty."""
    if made is None or not folder.is_relative_to(made):
        return
    for each in (folder, *folder.parents):
        try:
            each.rmdir()
        except OSError:  # not empty: another run began in it
            return
        if each == made:
            return
