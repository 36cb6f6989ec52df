"""Tests of nettrainer.stop_signals: SIGTERM raised like Ctrl-C, training's clean stop, exit codes.

Signals go to this process with ``signal.raise_signal``, whose Python handler
runs before the next statement; the handlers in force before are restored.
"""

import signal
import threading
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from nettrainer.cli import cli
from nettrainer.stop_signals import (
    STOPS,
    Terminated,
    interrupt_handler,
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


@pytest.mark.parametrize(("first", "second", "aborts_with"), [
    (signal.SIGTERM, signal.SIGTERM, Terminated),
    (signal.SIGINT, signal.SIGINT, KeyboardInterrupt),
    (signal.SIGTERM, signal.SIGINT, KeyboardInterrupt),
])
def test_training_stops_cleanly_on_the_first_signal_and_aborts_on_the_second(
        capsys, first, second, aborts_with):
    before = {signum: signal.getsignal(signum) for signum in STOPS}
    progress = SimpleNamespace(stop_signal=None, training=True)
    with sigterm_raises(), interrupt_handler(progress):
        signal.raise_signal(first)  # no exception: the solver stops after its step
        assert progress.stop_signal == first
        with pytest.raises(aborts_with):
            signal.raise_signal(second)
    assert capsys.readouterr().err == f"\n{STOPS[first].stopping}\n"
    assert {signum: signal.getsignal(signum) for signum in STOPS} == before


def test_the_command_line_still_runs_in_a_worker_thread(tmp_path):
    """Only the main thread may set signal handlers: elsewhere SIGTERM is left alone."""
    results = []
    worker = threading.Thread(
        target=lambda: results.append(CliRunner().invoke(cli, ["plot", str(tmp_path)])))
    worker.start()
    worker.join()
    assert results[0].exit_code == 2, results[0].exception
    assert "not a nettrainer run folder" in results[0].stderr


def test_a_signal_ignored_from_the_start_stays_ignored_during_training():
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a script's background job
    try:
        progress = SimpleNamespace(stop_signal=None, training=True)
        with interrupt_handler(progress):
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) is not signal.SIG_IGN
            signal.raise_signal(signal.SIGINT)
        assert progress.stop_signal is None
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
