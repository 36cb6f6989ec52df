"""One training process per run folder: an advisory lock on the folder itself.

Two processes training in one folder (a ``--resume`` typed while the run is
still going, or the same resume started in two terminals) would interleave
their rows in ``metrics.csv`` and overwrite each other's checkpoints. ``train``
holds an exclusive ``flock`` on the run folder from before it reads anything
there until it ends; the operating system drops the lock when the process ends,
however it ends, so a killed run never leaves a stale lock, and no lock file is
written. Where the platform or file system offers no such lock (Windows, some
network file systems) training goes on unlocked, as it always could.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nettrainer.errors import CheckpointError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None


@contextmanager
def training_lock(run_dir: Path) -> Iterator[None]:
    """Hold the run folder's lock while training in it.

    Raises
    ------
    CheckpointError
        If another process holds it: that process is training in the folder.
    """
    if fcntl is None:
        yield
        return
    folder = os.open(run_dir, os.O_RDONLY)
    try:
        _lock(folder, run_dir)
        yield
    finally:
        os.close(folder)


def _lock(folder: int, run_dir: Path) -> None:
    """Take the exclusive lock on the open ``folder``, or raise if another process holds it."""
    try:
        fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise CheckpointError(
            f"{run_dir}: another nettrainer process is training in this run folder; "
            "let it finish (or stop it with Ctrl-C), then resume"
        ) from None
    except OSError:
        return  # no locks on this file system: train unlocked
