"""nettrainer: a CS231n-style two-layer neural-net trainer in numpy.

The numerical core (:mod:`nettrainer.layers`, :mod:`nettrainer.model`,
:mod:`nettrainer.optim`, :mod:`nettrainer.solver`, :mod:`nettrainer.gradcheck`)
takes arrays and plain arguments, so it runs the same in a notebook, a test or
the command line.
"""

import functools

__all__ = ["__version__"]


@functools.cache
def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nettrainer")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+unknown"


def __getattr__(name: str) -> str:
    """Look ``__version__`` up on first use.

    importlib.metadata takes a moment to import, and Ctrl-C in the command
    line's first moments should get the command line's own message.
    """
    if name == "__version__":
        return _installed_version()
    raise AttributeError(f"module 'nettrainer' has no attribute {name!r}")
