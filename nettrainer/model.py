"""The two-layer fully connected net of CS231n assignment 1.

Architecture: input - affine - ReLU - affine - softmax, with L2 weight decay
``reg * (sum(W1**2) + sum(W2**2))`` on the weights (not the biases). Dimensions
``N``, ``D``, ``H``, ``C`` as in :mod:`nettrainer.layers`.
"""

import numpy as np

from nettrainer import fast_path
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
        """Compute the loss of :meth:`loss` with its gradients written into ``out``.

        The :class:`~nettrainer.solver.Solver`'s fast path: see
        :func:`nettrainer.fast_path.loss_and_grads` for the arrays and the
        weight-decay coefficients it returns.
        """
        return fast_path.loss_and_grads(self.params, self._input(X), y, reg, out=out)

    def loss_and_sgd_step(
        self,
        X: np.ndarray,
        y: np.ndarray,
        reg: float,
        learning_rate: float,
        *,
        out: dict[str, np.ndarray] | None = None,
        velocity: dict[str, np.ndarray] | None = None,
        momentum: float = 0.9,
    ) -> float:
        """Compute the loss of :meth:`loss` and take the SGD (or momentum) step on its gradients.

        The fast path for ``update_rule="sgd"`` and ``"sgd_momentum"``: see
        :func:`nettrainer.fast_path.loss_and_sgd_step`. ``out=None`` updates
        :attr:`params` in place.
        """
        return fast_path.loss_and_sgd_step(
            self.params, self._input(X), y, reg, learning_rate,
            out=out, velocity=velocity, momentum=momentum,
        )

    def _input(self, X: np.ndarray) -> np.ndarray:
        """Return ``X`` in the model's dtype, uncopied when it already is."""
        return np.asarray(X, dtype=self.dtype)

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
        """Train with vanilla SGD as CS231n assignment 1's ``TwoLayerNet.train`` does.

        Each iteration draws one ``np.random.choice(num_train, batch_size)``
        (with replacement) from the global generator, and nothing else here
        draws from it. Every ``max(num_train // batch_size, 1)`` iterations,
        iteration 0 included, the train accuracy on the current batch and the
        validation accuracy are recorded and the learning rate is multiplied by
        ``learning_rate_decay`` (CS231n's Python 3 code divides with ``/``, which
        differs when ``num_train`` is not a multiple of ``batch_size``). For the
        full training loop with shuffling, other update rules, checkpoints and
        callbacks use :class:`~nettrainer.solver.Solver`.

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
