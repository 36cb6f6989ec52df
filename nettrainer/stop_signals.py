"""Ctrl-C and SIGTERM: one clean-up for both, and an exit code that says which came.

Job schedulers, ``timeout`` and ``kill`` stop a process with SIGTERM, which by
default ends Python on the spot: no ``finally`` block runs, so a download's
``.part`` file and the folders made for it stay behind. Inside
:func:`sigterm_raises`, SIGTERM raises :class:`Terminated`, a
:class:`KeyboardInterrupt`, so every clean-up written for Ctrl-C runs for it
too. Part of the command line: the exit code and the word printed come from
:data:`STOPS`.
"""

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NoReturn

from nettrainer.exit_codes import EXIT_INTERRUPTED, EXIT_TERMINATED


class Terminated(KeyboardInterrupt):
    """Raised in the main thread when SIGTERM arrives inside :func:`sigterm_raises`."""


def raise_terminated(_signum: int, _frame: Any) -> NoReturn:
    """Handle SIGTERM by raising :class:`Terminated`."""
    raise Terminated


@dataclass(frozen=True)
class Stop:
    """How the command line reports one stop signal.

    Attributes
    ----------
    word : str
        Printed on stderr when the command stops: ``"interrupted"``.
    exit_code : int
    """

    word: str
    exit_code: int


STOPS = {
    signal.SIGINT: Stop("interrupted", EXIT_INTERRUPTED),
    signal.SIGTERM: Stop("terminated", EXIT_TERMINATED),
}


def stop_of(interrupt: KeyboardInterrupt) -> Stop:
    """Return how to report ``interrupt``: Ctrl-C's, or SIGTERM's for a :class:`Terminated`."""
    return STOPS[signal.SIGTERM if isinstance(interrupt, Terminated) else signal.SIGINT]


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """Make SIGTERM raise :class:`Terminated`, as Ctrl-C raises KeyboardInterrupt.

    Only the main thread receives signals; elsewhere (the command line called
    from a worker thread) nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)

