"""The arrays a training loop reuses every step, and whether a model offers the fast path.

A step of the :class:`~nettrainer.solver.Solver` needs a batch of ``X_train``
and, per parameter, an array for the update rule to write the next parameters
into; on the fast path that array first receives the gradient, and the rule
turns it into the next parameters in place. Allocating those each step costs
page faults and memory traffic the size of ``W1``; a :class:`StepWorkspace`
keeps them between steps, and hands an array out again only where its shape and
dtype fit. Two arrays per parameter in all (``W1`` and its spare) also keep a
float64 ``W1`` of 3072x500 and its spare within a 32 MiB last-level cache.
"""

from typing import Any

import numpy as np

from nettrainer.blas import fuses_in_blas


def has_fast_path(model: Any) -> bool:
    """Whether ``model.loss_and_grads`` exists and comes from the class that defines ``loss``.

    A subclass that overrides only ``loss`` is then trained through its ``loss``.

    Parameters
    ----------
    model : object
        A model meeting the :class:`~nettrainer.solver.Solver` contract.

    Returns
    -------
    fast : bool
    """
    return _defined_beside_loss(model, "loss_and_grads")


def has_fused_update(model: Any) -> bool:
    """Whether SGD and momentum steps can run inside the gradient products (``loss_and_sgd_step``).

    It must come from the class that defines ``loss``, and every parameter's
    dtype must be one that :func:`nettrainer.blas.fuses_in_blas` accepts
    (otherwise the separate update of :mod:`nettrainer.optim` is faster).

    Parameters
    ----------
    model : object
        A model meeting the :class:`~nettrainer.solver.Solver` contract.

    Returns
    -------
    fused : bool
    """
    return _defined_beside_loss(model, "loss_and_sgd_step") and all(
        fuses_in_blas(w.dtype) for w in model.params.values()
    )


def _defined_beside_loss(model: Any, method: str) -> bool:
    """Whether ``method`` is defined by the class in ``type(model)``'s MRO that defines ``loss``."""
    mro = type(model).__mro__
    loss_owner = next((k for k in mro if "loss" in vars(k)), None)
    return loss_owner is not None and method in vars(loss_owner)


def _fits(array: np.ndarray | None, like: np.ndarray) -> bool:
    return array is not None and array.shape == like.shape and array.dtype == like.dtype


class StepWorkspace:
    """Reused arrays for one training loop: the batch and the spare parameters.

    Attributes
    ----------
    spares : dict of str to ndarray
        After an update, the parameters it started from (the rules wrote the
        next ones elsewhere); the next step writes its gradients, then its
        next parameters, into them.
    """

    def __init__(self) -> None:
        self.X_batch: np.ndarray | None = None
        self.spares: dict[str, np.ndarray] = {}

    def gather(
        self, X: np.ndarray, y: np.ndarray, rows: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Copy the examples ``rows`` of ``X`` into the reused batch array, in ascending row order.

        Parameters
        ----------
        X : ndarray of shape (N, D)
        y : ndarray of shape (N,)
        rows : ndarray of shape (B,)
            Valid row indices into ``X``; their order does not matter to a loss
            that averages over the batch.

        Returns
        -------
        X_batch : ndarray of shape (B, D)
            The reused array: valid until the next call.
        y_batch : ndarray of shape (B,)
        """
        rows = np.sort(rows)  # ascending addresses: the copy streams through memory
        shape = (rows.shape[0], *X.shape[1:])
        if self.X_batch is None or self.X_batch.shape != shape or self.X_batch.dtype != X.dtype:
            self.X_batch = np.empty(shape, dtype=X.dtype)
        np.take(X, rows, axis=0, out=self.X_batch, mode="clip")  # "clip" skips a buffered copy
        return self.X_batch, y[rows]

    def spares_like(self, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Return :attr:`spares`, with a new array for each parameter whose spare does not fit."""
        for name, w in params.items():
            if not _fits(self.spares.get(name), w):
                self.spares[name] = np.empty_like(w)
        return self.spares
