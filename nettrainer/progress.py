"""Training progress on the terminal.

Part of the command line (with :mod:`nettrainer.cli`, the only code that
prints): a :class:`Progress` is a solver callback. On a terminal it redraws one
live line; otherwise it prints one plain line per epoch, with no carriage
returns or colour codes, so logs stay readable. :class:`WarnAtStart` prints the
config's warnings once the run has started.
"""

import time
from collections.abc import Sequence
from typing import Any

import click

from nettrainer.console import echo
from nettrainer.runs import loss_text

REDRAW_SECONDS = 0.1  # the live line is redrawn at most this often
BAR_WIDTH = 20


class Progress:
    """Solver callback showing epochs, loss, accuracies and throughput.

    Parameters
    ----------
    total_epochs : int
    quiet : bool
        Show nothing (the caller prints the summary).
    live : bool
        Redraw one line in place (a terminal) instead of one line per epoch.
    """

    def __init__(self, total_epochs: int, *, quiet: bool = False, live: bool = False):
        self.total_epochs = total_epochs
        self.quiet, self.live = quiet, live
        self.stop_signal: int | None = None  # set by stop_signals.interrupt_handler
        self.training = True  # until close(): a stop signal then lets the run folder finish
        self.last_draw = 0.0
        self.window_start = time.perf_counter()
        self.window_samples = 0

    def on_iteration(self, solver: Any) -> None:
        """Count samples, redraw the live line now and then, and honour Ctrl-C or SIGTERM."""
        if self.stop_signal is not None:
            solver.request_stop()
        self.window_samples += solver.samples_per_step
        now = time.perf_counter()
        if self.live and not self.quiet and now - self.last_draw > REDRAW_SECONDS:
            self.last_draw = now
            done = solver.epoch + solver.step_in_epoch / solver.iterations_per_epoch
            self._draw(solver, done, end="")

    def on_epoch_end(self, solver: Any) -> None:
        """Print the epoch's line (plain output) or redraw the live line."""
        if not self.quiet:
            self._draw(solver, solver.epoch, end="" if self.live else "\n")

    def rate(self) -> float:
        """Return the samples per second since the last epoch line."""
        return self.window_samples / max(time.perf_counter() - self.window_start, 1e-9)

    def _draw(self, solver: Any, done: float, end: str) -> None:
        loss = solver.loss_history[-1] if solver.loss_history else float("nan")
        text = (
            f"epoch {solver.epoch}/{self.total_epochs} loss {loss_text(loss, 4)} "
            f"train {solver.train_acc_history[-1]:.2%} "
            f"val {f'{solver.val_acc_history[-1]:.2%}' if solver.has_val else 'n/a'} "
            f"{self.rate():,.0f} samples/s"
        )
        if self.live:
            filled = int(BAR_WIDTH * min(done / max(self.total_epochs, 1), 1.0))
            text = "\r\x1b[2K[" + "#" * filled + "." * (BAR_WIDTH - filled) + "] " + text
        else:
            self.window_start, self.window_samples = time.perf_counter(), 0
        echo(text + end, nl=False)

    def close(self) -> None:
        """End training's display: what follows (the summary) starts on a fresh line."""
        self.training = False
        if self.live and not self.quiet:
            echo("")


class WarnAtStart:
    """Solver callback printing ``warning: <line>`` to stderr for each line, once training starts.

    It follows the run folder's writer, so the lines come once the run's epoch-0
    files are written: a run that fails before that (out of memory, a full
    disk) shows its one error line alone. A resumed run passes no lines.

    Parameters
    ----------
    lines : sequence of str
        Such as :func:`~nettrainer.config.unread_settings` returns.
    """

    def __init__(self, lines: Sequence[str]):
        self.lines = tuple(lines)

    def on_train_start(self, _solver: object) -> None:
        """Print the lines, now that the run has started."""
        self.show()

    def show(self) -> None:
        """Print the lines (``train --print-config`` has no run to wait for)."""
        for line in self.lines:
            click.echo(f"warning: {line}", err=True)
