"""Tests of nettrainer.stop_signals: SIGTERM raised like Ctrl-C, and the exit codes.

Signals go to this process with ``signal.raise_signal``, whose Python handler
runs before the next statement; the handlers in force before are restored.
"""

import signal
import threading

import pytest
from click.testing import CliRunner

from nettrainer.cli import cli
from nettrainer.stop_signals import (
    STOPS,
    Terminated,
    sigterm_raises,
    stop_of,
)


def test_sigterm_raises_terminated_a_keyboard_interrupt_inside_only():
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Terminated), sigterm_raises():
        signal.raise_signal(signal.SIGTERM)
    assert issubclass(Terminated, KeyboardInterrupt)  # every Ctrl-C clean-up runs for it
    assert signal.getsignal(signal.SIGTERM) is before


def test_each_stop_reports_its_own_word_and_128_plus_its_number():
    assert (stop_of(Terminated()).word, stop_of(Terminated()).exit_code) == ("terminated", 143)
    assert (stop_of(KeyboardInterrupt()).word, stop_of(KeyboardInterrupt()).exit_code) == (
        "interrupted", 130)
    assert all(stop.exit_code == 128 + signum for signum, stop in STOPS.items())


def test_the_command_line_still_runs_in_a_worker_thread(tmp_path):
    """Only the main thread may set signal handlers: elsewhere SIGTERM is left alone."""
    results = []
    worker = threading.Thread(
        target=lambda: results.append(CliRunner().invoke(cli, ["plot", str(tmp_path)])))
    worker.start()
    worker.join()
    assert results[0].exit_code == 2, results[0].exception
    assert "not a nettrainer run folder" in results[0].stderr
