"""Ctrl-C held back while C extensions import, then delivered.

A KeyboardInterrupt raised while a C extension initialises comes out of the
import as an ``ImportError`` ("initialization failed"). Optional-import
fallbacks swallow that (PyYAML falls back from libyaml): the Ctrl-C is lost,
and the command runs to its end. Where nothing swallows it (matplotlib), it is
a traceback and exit 1 instead of the command line's ``interrupted``. Standard
library only, so that it can guard the command line's first imports.
SIGTERM is held too where a Python handler turns it into an exception.
"""

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Record SIGINT and SIGTERM inside the block; at its end, deliver each, in order.

    Each goes to the handler in force before the block, once per arrival, so
    that during training a second Ctrl-C still aborts. Only signals whose
    handler is Python code are held (SIGTERM's default ends the process at
    once, inside the block or not). Outside the main thread, which alone
    receives signals, nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    held = {signum: handler for signum, handler in held.items() if callable(handler)}
    received: list[int] = []
    for signum in held:
        signal.signal(signum, lambda signum, _frame: received.append(signum))
    try:
        yield
    finally:
        for signum, handler in held.items():
            signal.signal(signum, handler)
    for signum in received:
        signal.raise_signal(signum)
