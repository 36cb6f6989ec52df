"""nettrainer: a CS231n-style two-layer neural-net trainer in numpy.

The numerical core (:mod:`nettrainer.layers`, :mod:`nettrainer.model`,
:mod:`nettrainer.optim`, :mod:`nettrainer.solver`, :mod:`nettrainer.gradcheck`)
takes arrays and plain arguments, so it runs the same in a notebook, a test or
the command line.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nettrainer")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
