"""A restricted unpickler for the CIFAR-10 python batches: data only, never code.

A CIFAR-10 python batch is a pickled dict of bytes keys, lists, bytes, ints and
one numpy ``uint8`` array. Dicts, lists, bytes and ints are pickle opcodes; the
array needs exactly three globals: numpy's ``_reconstruct`` (under its numpy 1
and numpy 2 module names), ``numpy.ndarray`` and ``numpy.dtype``. Every other
global (``os.system``, ``builtins.eval``, ...) is refused with a
:class:`~nettrainer.errors.DataError` before anything runs.
"""

import pickle
from pathlib import Path

import numpy as np

from nettrainer.errors import DataError

# The function ndarray.__reduce__ names, whatever numpy calls its module today.
_RECONSTRUCT = np.empty(0).__reduce__()[0]
ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}


class _BatchUnpickler(pickle.Unpickler):
    """Unpickler that resolves only :data:`ALLOWED_GLOBALS`."""

    def __init__(self, file, path: Path):
        super().__init__(file, encoding="bytes")
        self.path = path

    def find_class(self, module: str, name: str) -> object:
        """Return an allowed global; refuse every other with DataError."""
        try:
            return ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise DataError(
                f"{self.path}: refusing to unpickle {module}.{name}: a CIFAR-10 python batch "
                "holds only dicts, lists, bytes, ints and numpy arrays, so this file is not "
                "one; replace it with the genuine batch (or use the binary version)"
            ) from None


def load_batch(path: Path) -> object:
    """Unpickle a CIFAR-10 python batch without running any code from it.

    Keys and strings come back as ``bytes``, as with ``pickle.load(f, encoding="bytes")``
    in the data set's own instructions.

    Parameters
    ----------
    path : Path
        The pickled batch.

    Returns
    -------
    object
        The unpickled object (a dict for a genuine batch).

    Raises
    ------
    DataError
        If the file names any global outside :data:`ALLOWED_GLOBALS`, or is
        truncated, corrupt or unreadable.
    """
    try:
        with open(path, "rb") as file:
            return _BatchUnpickler(file, path).load()
    except DataError:
        raise
    except OSError as exc:
        raise DataError(f"{path}: cannot read the file ({exc.strerror}); check the path") from None
    except Exception as exc:  # a corrupt pickle can fail in many ways; all are the file's fault
        raise DataError(
            f"{path}: not a readable CIFAR-10 python batch ({type(exc).__name__}: {exc}); "
            "replace it with an intact copy"
        ) from None
