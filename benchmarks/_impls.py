"""The implementations that benchmarks/throughput.py times, an epoch at a time, in workers.

Every implementation trains the same two-layer net (affine - ReLU - affine -
softmax, loss = mean cross-entropy + reg * (sum(W1**2) + sum(W2**2))) with
vanilla SGD on the same synthetic CIFAR-shaped data, visiting a fresh seeded
permutation cut into batches each epoch, and measures train accuracy on 1000
random training rows and validation accuracy on the validation rows after it.
"""

import time

import numpy as np

NUM_CLASSES = 10
LEARNING_RATE = 1e-4
REG = 1e-3
WEIGHT_SCALE = 1e-2
EVAL_ROWS = 1000


def make_data(num_train, num_val, dim, dtype, seed=0):
    """Gaussian features in ``dtype`` (C-contiguous, no float64 temporary) and random labels."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((num_train + num_val, dim), dtype=np.float32)
    X = X if dtype == np.float32 else X.astype(dtype)
    y = rng.integers(0, NUM_CLASSES, num_train + num_val)
    return {"X_train": X[:num_train], "y_train": y[:num_train],
            "X_val": X[num_train:], "y_val": y[num_train:]}


def init_params(dim, hidden, dtype, seed=1):
    rng = np.random.default_rng(seed)
    return {"W1": (WEIGHT_SCALE * rng.standard_normal((dim, hidden))).astype(dtype),
            "b1": np.zeros(hidden, dtype),
            "W2": (WEIGHT_SCALE * rng.standard_normal((hidden, NUM_CLASSES))).astype(dtype),
            "b2": np.zeros(NUM_CLASSES, dtype)}


class Nettrainer:
    """nettrainer's Solver and TwoLayerNet; each run() is one more epoch of the same solver."""

    def __init__(self, data, hidden, batch_size):
        from nettrainer.model import TwoLayerNet
        from nettrainer.solver import Solver

        dim, dtype = data["X_train"].shape[1], data["X_train"].dtype
        model = TwoLayerNet(dim, hidden, NUM_CLASSES, std=WEIGHT_SCALE, dtype=dtype,
                            rng=np.random.default_rng(1))
        self.solver = Solver(model, data, update_rule="sgd",
                             optim_config={"learning_rate": LEARNING_RATE}, reg=REG,
                             batch_size=batch_size, num_epochs=0,
                             num_train_samples=EVAL_ROWS, seed=0)
        self.solver.train()  # the initial evaluation, outside the timed epochs

    def run(self):
        self.solver.num_epochs += 1
        self.solver.train()
        return self.solver.iterations_per_epoch * self.solver.batch_size


class PlainNumpy:
    """A CS231n assignment-style loop: fancy-indexed batches, fresh arrays everywhere."""

    def __init__(self, data, hidden, batch_size):
        self.data, self.batch_size = data, batch_size
        self.params = init_params(data["X_train"].shape[1], hidden, data["X_train"].dtype)
        self.rng = np.random.default_rng(0)

    def loss(self, X, y, reg):
        p = self.params
        hidden = np.maximum(0, X @ p["W1"] + p["b1"])
        scores = hidden @ p["W2"] + p["b2"]
        scores -= scores.max(axis=1, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(axis=1, keepdims=True)
        n = X.shape[0]
        loss = -np.log(probs[np.arange(n), y]).mean()
        loss += reg * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2))
        dscores = probs
        dscores[np.arange(n), y] -= 1
        dscores /= n
        grads = {"W2": hidden.T @ dscores, "b2": dscores.sum(axis=0)}
        dhidden = dscores @ p["W2"].T
        dhidden[hidden <= 0] = 0
        grads["W1"] = X.T @ dhidden
        grads["b1"] = dhidden.sum(axis=0)
        grads["W1"] += 2 * reg * p["W1"]
        grads["W2"] += 2 * reg * p["W2"]
        return loss, grads

    def predict(self, X):
        p = self.params
        return np.argmax(np.maximum(0, X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"], axis=1)

    def run(self):
        X, y, batch = self.data["X_train"], self.data["y_train"], self.batch_size
        order = self.rng.permutation(X.shape[0])
        steps = X.shape[0] // batch
        for step in range(steps):
            rows = order[step * batch : (step + 1) * batch]
            loss, grads = self.loss(X[rows], y[rows], REG)
            if not np.isfinite(loss):
                raise FloatingPointError("diverged")
            for name, grad in grads.items():
                self.params[name] -= LEARNING_RATE * grad
        rows = self.rng.choice(X.shape[0], EVAL_ROWS)
        np.mean(self.predict(X[rows]) == y[rows])
        np.mean(self.predict(self.data["X_val"]) == self.data["y_val"])
        return steps * batch


class Torch:
    """PyTorch eager on the CPU, 2 threads, the same batches; L2 by autograd or weight_decay."""

    def __init__(self, data, hidden, batch_size, weight_decay=False):
        import torch

        torch.set_num_threads(2)
        self.torch, self.batch_size, self.weight_decay = torch, batch_size, weight_decay
        self.X = {k: torch.from_numpy(v) for k, v in data.items()}
        params = init_params(data["X_train"].shape[1], hidden, data["X_train"].dtype)
        self.params = {k: torch.from_numpy(v).requires_grad_() for k, v in params.items()}
        decay = 2 * REG if weight_decay else 0.0
        self.optimizer = torch.optim.SGD(self.params.values(), lr=LEARNING_RATE,
                                         weight_decay=decay)
        self.rng = np.random.default_rng(0)

    def scores(self, X):
        p = self.params
        return self.torch.relu(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]

    def step(self, X, y):
        torch, p = self.torch, self.params
        data_loss = torch.nn.functional.cross_entropy(self.scores(X), y)
        if self.weight_decay:
            with torch.no_grad():
                l2 = REG * (torch.sum(p["W1"] ** 2) + torch.sum(p["W2"] ** 2))
            loss = data_loss
        else:
            l2 = 0.0
            loss = data_loss + REG * (torch.sum(p["W1"] ** 2) + torch.sum(p["W2"] ** 2))
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return float(loss.item() + float(l2))

    def run(self):
        torch, X, y, batch = self.torch, self.X["X_train"], self.X["y_train"], self.batch_size
        order = torch.from_numpy(self.rng.permutation(X.shape[0]))
        steps = X.shape[0] // batch
        for step in range(steps):
            rows = order[step * batch : (step + 1) * batch]
            if not np.isfinite(self.step(X[rows], y[rows])):
                raise FloatingPointError("diverged")
        with torch.no_grad():
            rows = torch.from_numpy(self.rng.choice(X.shape[0], EVAL_ROWS))
            (self.scores(X[rows]).argmax(1) == y[rows]).float().mean().item()
            (self.scores(self.X["X_val"]).argmax(1) == self.X["y_val"]).float().mean().item()
        return steps * batch


class GemmBound:
    """The step's five matrix products alone, into preallocated arrays, on one fixed batch."""

    def __init__(self, data, hidden, batch_size):
        X, dtype = data["X_train"], data["X_train"].dtype
        self.steps = X.shape[0] // batch_size
        p = init_params(X.shape[1], hidden, dtype)
        self.W1, self.W2 = p["W1"], p["W2"]
        self.X = np.ascontiguousarray(X[:batch_size])
        self.hidden = np.empty((batch_size, hidden), dtype)
        self.scores = np.empty((batch_size, NUM_CLASSES), dtype)
        self.dhidden = np.empty((batch_size, hidden), dtype)
        self.dW1, self.dW2 = np.empty_like(self.W1), np.empty_like(self.W2)

    def run(self):
        for _ in range(self.steps):
            np.matmul(self.X, self.W1, out=self.hidden)
            np.matmul(self.hidden, self.W2, out=self.scores)
            np.matmul(self.hidden.T, self.scores, out=self.dW2)
            np.matmul(self.scores, self.W2.T, out=self.dhidden)
            np.matmul(self.X.T, self.dhidden, out=self.dW1)
        return self.steps * self.X.shape[0]


IMPLEMENTATIONS = {
    "nettrainer": Nettrainer,
    "plain numpy": PlainNumpy,
    "torch (L2 in loss)": Torch,
    "torch (weight_decay)": lambda *a: Torch(*a, weight_decay=True),
    "GEMM bound": GemmBound,
}


def worker(connection):
    """Serve ("prepare", name, config) and ("run",) requests from the parent until ("stop",)."""
    impl = None
    while True:
        request = connection.recv()
        if request[0] == "stop":
            return
        if request[0] == "prepare":
            _, name, cfg = request
            impl = None
            data = make_data(cfg["num_train"], cfg["num_val"], cfg["dim"], np.dtype(cfg["dtype"]))
            impl = IMPLEMENTATIONS[name](data, cfg["hidden"], cfg["batch_size"])
            connection.send(("ready",))
        else:
            start = time.perf_counter()
            samples = impl.run()
            connection.send(("done", samples / (time.perf_counter() - start)))
