"""Tests of nettrainer.deferred_interrupt: Ctrl-C during C-extension imports is held, not lost.

Signals go to this process with ``signal.raise_signal``, whose Python handler
runs before the next statement.
"""

import inspect
import signal
import subprocess
import sys
import threading

import pytest

from nettrainer.deferred_interrupt import interrupts_deferred


def interrupted_extension_init() -> None:
    """What a C extension's module init makes of a Ctrl-C inside it (pybind11, Cython)."""
    try:
        signal.raise_signal(signal.SIGINT)
    except KeyboardInterrupt as interrupt:
        raise ImportError("initialization failed") from interrupt


def optional_import() -> str:
    """An optional-import fallback, as PyYAML's for libyaml."""
    try:
        interrupted_extension_init()
    except ImportError:
        return "fallback"
    return "extension"


def test_without_deferral_an_optional_import_swallows_the_ctrl_c():
    assert optional_import() == "fallback"  # the premise: no KeyboardInterrupt comes out


def test_the_ctrl_c_comes_after_the_block_and_the_import_is_not_spoilt():
    before = signal.getsignal(signal.SIGINT)
    imported = []
    with pytest.raises(KeyboardInterrupt), interrupts_deferred():
        imported.append(optional_import())
    assert imported == ["extension"]
    assert signal.getsignal(signal.SIGINT) is before


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_the_python_handler_in_force_before_gets_the_signal(signum):
    received = []
    previous = signal.signal(signum, lambda number, _frame: received.append(number))
    try:
        with interrupts_deferred():
            signal.raise_signal(signum)
            assert received == []
        assert received == [signum]
    finally:
        signal.signal(signum, previous)


def test_a_block_without_ctrl_c_runs_as_usual():
    with interrupts_deferred():
        value = 1
    assert value == 1


def test_outside_the_main_thread_nothing_changes():
    seen = []
    thread = threading.Thread(target=lambda: seen.append(_enter_and_read_handler()))
    thread.start()
    thread.join()
    assert seen == [signal.getsignal(signal.SIGINT)]


def _enter_and_read_handler():
    with interrupts_deferred():
        return signal.getsignal(signal.SIGINT)


@pytest.mark.parametrize(("extension", "statement"), [
    ("yaml._yaml", "import nettrainer.cli"),  # the command line's first imports: PyYAML falls back
    ("matplotlib._path", "from nettrainer import evaluation; evaluation._plots()"),  # first picture
])
def test_a_ctrl_c_while_an_extension_imports_is_delivered_after_it(extension, statement):
    script = (
        "import importlib.abc, signal, sys\n"
        + inspect.getsource(interrupted_extension_init)
        + "class Finder(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        f"        if name == {extension!r}:\n"
        "            interrupted_extension_init()\n"
        "        return None\n"
        "sys.meta_path.insert(0, Finder())\n"
        f"{statement}\n"
        "print('imported')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert "imported" not in done.stdout
    assert done.returncode != 0
    assert done.stderr.rstrip().endswith("KeyboardInterrupt"), done.stderr


def test_every_signal_held_is_delivered_so_a_second_ctrl_c_still_aborts():
    stops = []

    def first_stops_then_aborts(signum, _frame):  # as training's interrupt handler does
        stops.append(signum)
        signal.signal(signal.SIGINT, signal.default_int_handler)

    previous = signal.signal(signal.SIGINT, first_stops_then_aborts)
    try:
        with pytest.raises(KeyboardInterrupt), interrupts_deferred():
            signal.raise_signal(signal.SIGINT)
            signal.raise_signal(signal.SIGINT)
        assert stops == [signal.SIGINT]
    finally:
        signal.signal(signal.SIGINT, previous)

