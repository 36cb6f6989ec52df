"""The two-layer fully connected net of CS231n assignment 1.

Architecture: input - affine - ReLU - affine - softmax, with L2 weight decay
``reg * (sum(W1**2) + sum(W2**2))`` on the weights (not the biases). Dimensions
``N``, ``D``, ``H``, ``C`` as in :mod:`nettrainer.layers`.
"""

from collections.abc import Callable

import numpy as np

from nettrainer.gemm import matmul_accumulate
from nettrainer.layers import (
    affine_backward,
    affine_forward,
    affine_param_grads,
    affine_relu_forward,
    relu_backward,
    softmax_loss,
)

PREDICT_CHUNK_ROWS = 8192  # rows per forward pass in predict(): bounds the (rows, H) activations


class TwoLayerNet:
    """A two-layer net with a ReLU hidden layer and a softmax classifier.

    Parameters
    ----------
    input_size : int
        D, features per example.
    hidden_size : int
        H, hidden units.
    output_size : int
        C, classes.
    std : float
        Scale of the Gaussian initial weights; biases start at zero.
    dtype : numpy dtype
        dtype of the parameters, activations and gradients (float64 by default,
        what CS231n notebooks use; float32 is about twice as fast).
    rng : numpy.random.Generator, optional
        Source of the initial weights. When None, ``W1`` then ``W2`` are drawn
        with ``np.random.randn`` from the global generator, exactly as in
        CS231n, so a notebook's ``np.random.seed`` reproduces its numbers.

    Attributes
    ----------
    params : dict of str to ndarray
        ``W1`` (D, H), ``b1`` (H,), ``W2`` (H, C), ``b2`` (C,).
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        std: float = 1e-4,
        *,
        dtype: np.dtype | type = np.float64,
        rng: np.random.Generator | None = None,
    ):
        randn = np.random.randn if rng is None else (lambda *shape: rng.standard_normal(shape))
        self.dtype = np.dtype(dtype)
        self.params: dict[str, np.ndarray] = {}
        self.params["W1"] = (std * randn(input_size, hidden_size)).astype(self.dtype)
        self.params["b1"] = np.zeros(hidden_size, dtype=self.dtype)
        self.params["W2"] = (std * randn(hidden_size, output_size)).astype(self.dtype)
        self.params["b2"] = np.zeros(output_size, dtype=self.dtype)

    def loss(
        self, X: np.ndarray, y: np.ndarray | None = None, reg: float = 0.0
    ) -> np.ndarray | tuple[float, dict[str, np.ndarray]]:
        """Compute the class scores, or the loss and its gradients.

        Parameters
        ----------
        X : ndarray of shape (N, D)
            Input batch; converted to the model's dtype if needed.
        y : ndarray of shape (N,), optional
            Integer labels in [0, C). When None, only the scores are computed.
        reg : float
            L2 strength: the loss adds ``reg * (sum(W1**2) + sum(W2**2))``.

        Returns
        -------
        scores : ndarray of shape (N, C)
            When ``y`` is None.
        loss, grads : float, dict of str to ndarray
            Otherwise: the mean softmax cross-entropy plus the L2 term, and the
            gradient of each parameter under the keys of :attr:`params`.
        """
        W1, b1, W2, b2 = (self.params[name] for name in ("W1", "b1", "W2", "b2"))
        X = np.asarray(X, dtype=self.dtype)
        hidden, hidden_cache = affine_relu_forward(X, W1, b1)  # (N, H)
        scores, scores_cache = affine_forward(hidden, W2, b2)  # (N, C)
        if y is None:
            return scores
        data_loss, dscores = softmax_loss(scores, y)  # dscores: (N, C)
        reg_loss = reg * (float(np.vdot(W1, W1)) + float(np.vdot(W2, W2)))
        dhidden, dW2, db2 = affine_backward(dscores, scores_cache)  # dhidden: (N, H)
        _, relu_cache = hidden_cache
        dW1, db1 = affine_param_grads(relu_backward(dhidden, relu_cache), X)
        dW1 += 2 * reg * W1
        dW2 += 2 * reg * W2
        return data_loss + reg_loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}

    def loss_and_grads(
        self, X: np.ndarray, y: np.ndarray, reg: float = 0.0, *, out: dict[str, np.ndarray]
    ) -> tuple[float, dict[str, float]]:
        """Compute the loss of :meth:`loss` with its gradients written into ``out``: the fast path.

        The same arithmetic as :meth:`loss`, arranged for a training loop that
        calls it thousands of times: the ReLU and its backward pass work in
        place, the gradients go into preallocated arrays, and the L2 gradient
        ``2 * reg * W`` is not added to them but returned as a coefficient,
        which the update rule folds into its own pass over the weights
        (``weight_decay`` in :mod:`nettrainer.optim`).
        ``out[name] + weight_decay[name] * params[name]`` is the gradient that
        :meth:`loss` returns, up to floating-point round-off. When the loss is
        not finite, the backward pass is skipped and ``out`` is left as it was
        (so it may hold the previous parameters, for the caller to restore).

        Parameters
        ----------
        X : ndarray of shape (N, D)
            Input batch; fastest when C-contiguous in the model's dtype.
        y : ndarray of shape (N,)
            Integer labels in [0, C).
        reg : float
            L2 strength, as in :meth:`loss`.
        out : dict of str to ndarray
            An array shaped like each parameter, overwritten with the data term
            of its gradient.

        Returns
        -------
        loss : float
            The mean softmax cross-entropy plus the L2 term, as :meth:`loss` computes it.
        weight_decay : dict of str to float
            Per parameter, the multiple of it that completes its gradient:
            ``2 * reg`` for ``W1`` and ``W2``, 0 for the biases.
        """

        def write_grads(layer_input: np.ndarray, dout: np.ndarray, w: str, b: str) -> None:
            affine_param_grads(dout, layer_input, out=(out[w], out[b]))

        return self._fast_loss(X, y, reg, write_grads), self.weight_decay(reg)

    def loss_and_sgd_step(
        self,
        X: np.ndarray,
        y: np.ndarray,
        reg: float,
        learning_rate: float,
        *,
        out: dict[str, np.ndarray] | None = None,
    ) -> float:
        """Compute the loss of :meth:`loss` and take the SGD step on its gradients.

        ``out[name] = params[name] - learning_rate * grads[name]`` with the
        gradients of :meth:`loss` (L2 term included), up to round-off, as
        :func:`nettrainer.optim.sgd` would update them. Each weight matrix's
        step runs inside the matrix product of its gradient
        (:func:`nettrainer.gemm.matmul_accumulate`), so the gradient is never
        stored. When the loss is not finite, nothing is written.

        Parameters
        ----------
        X : ndarray of shape (N, D)
            Input batch; fastest when C-contiguous in the model's dtype.
        y : ndarray of shape (N,)
            Integer labels in [0, C).
        reg : float
            L2 strength, as in :meth:`loss`.
        learning_rate : float
        out : dict of str to ndarray, optional
            An array shaped like each parameter to write its next value into;
            ``params`` is then left as it was. When None, ``params`` is updated
            in place.

        Returns
        -------
        loss : float
            The loss before the step, as :meth:`loss` computes it.
        """
        out = self.params if out is None else out
        weight_decay = self.weight_decay(reg)

        def step(layer_input: np.ndarray, dout: np.ndarray, w: str, b: str) -> None:
            weights, bias = self.params[w], self.params[b]
            if out[w] is not weights:
                np.copyto(out[w], weights)
            keep = 1 - learning_rate * weight_decay[w]
            matmul_accumulate(layer_input.T, dout, out[w], alpha=-learning_rate, beta=keep)
            np.subtract(bias, learning_rate * np.sum(dout, axis=0), out=out[b])

        return self._fast_loss(X, y, reg, step)

    def weight_decay(self, reg: float) -> dict[str, float]:
        """Per parameter, the multiple of it that the L2 term adds to its gradient.

        Parameters
        ----------
        reg : float
            L2 strength, as in :meth:`loss`.

        Returns
        -------
        weight_decay : dict of str to float
            ``2 * reg`` for ``W1`` and ``W2``, 0 for the biases.
        """
        return {"W1": 2 * reg, "b1": 0.0, "W2": 2 * reg, "b2": 0.0}

    def _fast_loss(
        self,
        X: np.ndarray,
        y: np.ndarray,
        reg: float,
        store: Callable[[np.ndarray, np.ndarray, str, str], None],
    ) -> float:
        """Run the fast path's forward and backward passes; ``store`` consumes each layer's grads.

        ``store(layer_input, dout, "W", "b")`` is called once per affine layer,
        second layer first, with its input (N, D_in) and upstream gradient
        (N, D_out), after the last read of that layer's parameters, so it may
        overwrite them. It is not called when the loss is not finite.
        """
        W1, b1, W2, b2 = (self.params[name] for name in ("W1", "b1", "W2", "b2"))
        X = np.asarray(X, dtype=self.dtype)
        hidden, _ = affine_forward(X, W1, b1)  # (N, H), then the ReLU in place:
        np.maximum(hidden, 0, out=hidden)
        scores, _ = affine_forward(hidden, W2, b2)  # (N, C)
        data_loss, dscores = softmax_loss(scores, y)  # dscores: (N, C)
        loss = data_loss + reg * (float(np.vdot(W1, W1)) + float(np.vdot(W2, W2)))
        if not np.isfinite(loss):
            return loss
        dhidden = dscores @ W2.T  # (N, H), then relu_backward in place:
        store(hidden, dscores, "W2", "b2")
        np.multiply(dhidden, hidden > 0, out=dhidden)
        store(X, dhidden, "W1", "b1")
        return loss

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predict a label for each example, in chunks of rows to bound memory.

        Parameters
        ----------
        X : ndarray of shape (N, D)

        Returns
        -------
        y_pred : ndarray of shape (N,)
            int64 labels in [0, C).
        """
        y_pred = np.empty(X.shape[0], dtype=np.int64)
        for start in range(0, X.shape[0], PREDICT_CHUNK_ROWS):
            rows = slice(start, start + PREDICT_CHUNK_ROWS)
            y_pred[rows] = np.argmax(self.loss(X[rows]), axis=1)
        return y_pred

    def train(
        self,
        X: np.ndarray,
        y: np.ndarray,
        X_val: np.ndarray,
        y_val: np.ndarray,
        learning_rate: float = 1e-3,
        learning_rate_decay: float = 0.95,
        reg: float = 5e-6,
        num_iters: int = 100,
        batch_size: int = 200,
        verbose: bool = False,
    ) -> dict[str, list[float]]:
        """Train with vanilla SGD exactly as CS231n assignment 1's ``TwoLayerNet.train``.

        Each iteration draws one ``np.random.choice(num_train, batch_size)``
        (with replacement) from the global generator, and nothing else here
        draws from it. Every ``max(num_train // batch_size, 1)`` iterations,
        iteration 0 included, the train accuracy on the current batch and the
        validation accuracy are recorded and the learning rate is multiplied by
        ``learning_rate_decay``. For the full training loop with shuffling,
        other update rules, checkpoints and callbacks use
        :class:`~nettrainer.solver.Solver`.

        Parameters
        ----------
        X : ndarray of shape (N, D)
        y : ndarray of shape (N,)
        X_val : ndarray of shape (N_val, D)
        y_val : ndarray of shape (N_val,)
        learning_rate : float
        learning_rate_decay : float
            Factor applied to the learning rate once per epoch.
        reg : float
            L2 strength.
        num_iters : int
            Number of SGD steps.
        batch_size : int
        verbose : bool
            Print the loss every 100 iterations, as the assignment does (the
            only place in the numerical core that prints, and only on request).

        Returns
        -------
        history : dict
            ``loss_history`` (one float per iteration), ``train_acc_history``
            and ``val_acc_history`` (one per epoch).
        """
        num_train = X.shape[0]
        iterations_per_epoch = max(num_train // batch_size, 1)
        history: dict[str, list[float]] = {
            "loss_history": [],
            "train_acc_history": [],
            "val_acc_history": [],
        }
        for it in range(num_iters):
            batch = np.random.choice(num_train, batch_size)
            X_batch, y_batch = X[batch], y[batch]
            loss, grads = self.loss(X_batch, y=y_batch, reg=reg)
            history["loss_history"].append(loss)
            for name, grad in grads.items():
                self.params[name] -= learning_rate * grad
            if verbose and it % 100 == 0:
                print(f"iteration {it} / {num_iters}: loss {loss:f}")
            if it % iterations_per_epoch == 0:
                train_acc = float(np.mean(self.predict(X_batch) == y_batch))
                history["train_acc_history"].append(train_acc)
                history["val_acc_history"].append(float(np.mean(self.predict(X_val) == y_val)))
                learning_rate *= learning_rate_decay
        return history
