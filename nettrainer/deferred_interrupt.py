"""Ctrl-C held back while C extensions import, then delivered.

A KeyboardInterrupt raised while a C extension initialises comes out of the
import as an ``ImportError`` ("initialization failed"). Optional-import
fallbacks swallow that (PyYAML falls back from libyaml): the Ctrl-C is lost,
and the command runs to its end. Where nothing swallows it (matplotlib), it is
a traceback and exit 1 instead of the command line's ``interrupted``. Standard
library only, so that it can guard the command line's first imports.
"""

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Record SIGINT inside the block; at its end, deliver it to the handler in force before.

    Outside the main thread (which alone receives signals), or when the
    handler in force was not set from Python, nothing changes.
    """
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or previous is None:
        yield
        return
    received: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, _frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        signal.raise_signal(signal.SIGINT)
