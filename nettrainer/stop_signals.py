"""Ctrl-C and SIGTERM: one clean stop for both, and an exit code that says which came.

Job schedulers, ``timeout`` and ``kill`` stop a process with SIGTERM, which by
default ends Python on the spot: no ``finally`` block runs, so a download's
``.part`` file and the folders made for it stay behind, and a training run
loses its current epoch. Inside :func:`sigterm_raises`, SIGTERM raises
:class:`Terminated`, a :class:`KeyboardInterrupt`, so every clean-up written
for Ctrl-C runs for it too; during training, :func:`interrupt_handler` turns
the first of either signal into a clean stop after the current step. Part of
the command line: the exit code and the word printed come from :data:`STOPS`.
"""

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NoReturn

import click

from nettrainer.exit_codes import EXIT_INTERRUPTED, EXIT_TERMINATED
from nettrainer.progress import Progress


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
    stopping : str
        Printed when it asks a training run to stop after the current step.
    finishing : str
        Printed when it arrives after the last step, while the run folder is finished.
    abort : callable
        Its handler once a stop is under way: the next signal raises at once.
    """

    word: str
    exit_code: int
    stopping: str
    finishing: str
    abort: Callable[[int, Any], None]


STOPS = {
    signal.SIGINT: Stop("interrupted", EXIT_INTERRUPTED,
                        "stopping after the current step (Ctrl-C again to abort)",
                        "training is over: finishing the run folder (Ctrl-C again to abort)",
                        signal.default_int_handler),
    signal.SIGTERM: Stop("terminated", EXIT_TERMINATED,
                         "terminated: stopping after the current step (SIGTERM again to abort)",
                         "terminated: training is over, finishing the run folder "
                         "(SIGTERM again to abort)",
                         raise_terminated),
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


@contextmanager
def interrupt_handler(progress: Progress) -> Iterator[None]:
    """Turn the first Ctrl-C or SIGTERM into a clean stop after the current step.

    A second signal of either kind aborts at once (it raises).

    Parameters
    ----------
    progress : Progress
        Its ``stop_signal`` is set to the signal's number, and it asks the
        solver to stop.
    """

    def handle(signum: int, _frame: Any) -> None:
        progress.stop_signal = signum
        for each in previous:
            signal.signal(each, STOPS[each].abort)
        stop = STOPS[signum]
        click.echo(f"\n{stop.stopping if progress.training else stop.finishing}", err=True)

    # A signal ignored from the start (a background job of a script) stays ignored.
    previous = {signum: signal.signal(signum, handle) for signum in STOPS
                if signal.getsignal(signum) is not signal.SIG_IGN}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
