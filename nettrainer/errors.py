"""The exceptions nettrainer raises for mistakes a user can make.

Every message names the place (file, key, argument) and the fix. The command
line catches :class:`NettrainerError` in one place, prints the message on one
line to stderr and exits with the error's ``exit_code``. :data:`WRITE_FIXES`
holds the fixes for the operating system's refusals to write a file.
"""

import errno

# The fix for a file the system will not let a command write, by errno.
WRITE_FIXES = {
    errno.EACCES: "fix its permissions, or write elsewhere",
    errno.EPERM: "fix its permissions, or write elsewhere",
    errno.EROFS: "the file system is read-only: write elsewhere",
    errno.ENOSPC: "free some space, or write elsewhere",
    errno.EDQUOT: "free some space, or write elsewhere",
}
FULL_DISK = (errno.ENOSPC, errno.EDQUOT)  # no space left, or none left to this user


class NettrainerError(Exception):
    """Base class of every error caused by user input rather than by a bug."""

    exit_code = 2


class ConfigError(NettrainerError):
    """Raised when a YAML config or a ``--set`` override is malformed or out of range."""


class DataError(NettrainerError):
    """Raised when a data set is missing, truncated, corrupt or inconsistent."""


class FetchError(DataError):
    """Raised when a download fails or its checksum does not match."""


class CheckpointError(NettrainerError):
    """Raised when a run folder or checkpoint is missing, incomplete or incompatible."""


class RegistryError(NettrainerError, ValueError):
    """Raised when a name (update rule, data set, sampling mode) is not one of the known choices."""


class DivergenceError(NettrainerError):
    """Raised when the training loss stops being finite.

    Attributes
    ----------
    iteration : int
        The iteration whose loss was not finite, counted from 0 (so it is also
        the number of finite losses before it); the message counts from 1.
    learning_rate : float
        The learning rate in force at that iteration.
    last_finite_loss : float or None
        The last finite loss seen before it, if any.
    """

    exit_code = 3

    def __init__(self, iteration: int, learning_rate: float, last_finite_loss: float | None):
        self.iteration = iteration
        self.learning_rate = learning_rate
        self.last_finite_loss = last_finite_loss
        last = "none" if last_finite_loss is None else f"{last_finite_loss:.6g}"
        finite = f"{iteration} finite loss" + ("" if iteration == 1 else "es")
        super().__init__(
            f"training diverged: the loss became non-finite at iteration {iteration + 1}, "
            f"after {finite} (learning rate {learning_rate:.6g}, last finite loss {last}); "
            "lower train.learning_rate (or model.reg, if large), or normalise the inputs "
            "(data.preprocess)"
        )
