"""The config schema: frozen dataclasses with their commented defaults, and value domains.

The defaults live in the dataclasses below and are mirrored, with the same
comments, by ``configs/default.yaml``; task configs override only what differs.
Expected types come from the field annotations; domains narrower than a type
come from :data:`RANGES` (tests on values) and :data:`CHOICES` (sets of names),
both keyed by dotted key. Reading and checking a config is
:mod:`nettrainer.config`'s job (with :mod:`nettrainer.config_checks`).
"""

import dataclasses
import re
from collections.abc import Callable, Sequence
from typing import Any


@dataclasses.dataclass(frozen=True)
class PreprocessConfig:
    """Preprocessing fitted on the training split and applied to every split."""

    scale: float | None = None  # multiply inputs by this (0.00392156862745098 = 1/255); null: off
    subtract_mean: bool = False  # subtract the training mean image
    standardize: bool = False  # divide by the training per-feature std (after the mean)
    std_epsilon: float = 0.0  # standardize: divide by sqrt(std**2 + std_epsilon**2) instead


@dataclasses.dataclass(frozen=True)
class DataConfig:
    """Which data set to load and how to split it."""

    name: str = "spiral"  # spiral, blobs, fashion-mnist, mnist, cifar10, npz, csv
    path: str | None = None  # file or folder of the data; null: the format's default
    val_size: float | int = 0.1  # validation carved from train: fraction in (0, 1) or a count
    test_path: str | None = None  # test file: npz (X_test, y_test) or csv; null: none/built in
    label_column: int | str = -1  # csv: index or header name of the label column
    header: bool | None = None  # csv: first row is a header; null: detect
    points_per_class: int = 100  # spiral, blobs: points per class
    num_classes: int = 3  # spiral, blobs: number of classes
    max_train: int | None = None  # keep max_train random training samples (after val); null: all
    preprocess: PreprocessConfig = dataclasses.field(default_factory=PreprocessConfig)


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """The two-layer net: affine - ReLU - affine - softmax."""

    hidden_size: int = 100  # H, hidden units
    weight_scale: float = 0.01  # std of the Gaussian initial weights
    reg: float = 0.001  # L2 strength: loss += reg * (sum(W1**2) + sum(W2**2))
    dtype: str = "float64"  # float32 (about twice as fast) or float64


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """The solver: update rule, its hyperparameters, schedule and evaluation."""

    optimizer: str = "sgd"  # sgd, sgd_momentum, rmsprop, adam
    learning_rate: float = 1.0  # step size at epoch 0
    momentum: float = 0.9  # sgd_momentum: velocity decay
    decay_rate: float = 0.99  # rmsprop: decay of the squared-gradient average
    beta1: float = 0.9  # adam: decay of the first moment
    beta2: float = 0.999  # adam: decay of the second moment
    epsilon: float = 1e-8  # rmsprop, adam: added to the denominator
    lr_decay: float = 1.0  # learning rate multiplied by this after every epoch
    batch_size: int = 300  # samples per step
    epochs: int = 100  # passes over the training split
    # shuffle: a new permutation per epoch, cut into N // batch_size batches (the rest sits
    # the epoch out); replacement: batches drawn with replacement, as CS231n
    sampling: str = "shuffle"
    early_stopping_patience: int | None = None  # epochs without a better val acc; null: off
    num_train_samples: int | None = 1000  # train accuracy measured on this many; null: all
    num_val_samples: int | None = None  # val accuracy measured on this many; null: all


@dataclasses.dataclass(frozen=True)
class OutputConfig:
    """Where runs are written: ``<dir>/<name>/<timestamp>/``."""

    dir: str = "runs"  # parent folder of all runs


@dataclasses.dataclass(frozen=True)
class Config:
    """A whole run: its name and seed, and one section per concern."""

    name: str | None = None  # run name: <output.dir>/<name>/<timestamp>/; null: data.name
    seed: int = 0  # drives init, data split and shuffling
    data: DataConfig = dataclasses.field(default_factory=DataConfig)
    model: ModelConfig = dataclasses.field(default_factory=ModelConfig)
    train: TrainConfig = dataclasses.field(default_factory=TrainConfig)
    output: OutputConfig = dataclasses.field(default_factory=OutputConfig)

    @property
    def run_name(self) -> str:
        """The run folder's name: ``name``, or the data set's name when that is null."""
        return self.name if self.name is not None else self.data.name


Domain = tuple[str, Callable[[Any], bool]]
"""A value domain: its description in words and the test a value must pass."""

# A leading "-" reads as an option in a shell command, a leading "." hides the folder.
_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def _int_at_least(low: int) -> Domain:
    return f"an integer >= {low}", lambda value: value >= low


def _is_safe_name(value: str) -> bool:
    return bool(_SAFE_NAME.fullmatch(value))


def _is_val_size(value: float | int) -> bool:
    return 0 < value < 1 if isinstance(value, float) else value >= 0


def _dataset_names() -> tuple[str, ...]:
    from nettrainer.data import DATASET_NAMES  # on first use, so data may import the config

    return tuple(DATASET_NAMES)


def _update_rule_names() -> tuple[str, ...]:
    from nettrainer.optim import UPDATE_RULES  # on first use, so optim may import the config

    return tuple(UPDATE_RULES)


_POSITIVE: Domain = ("a number > 0", lambda value: value > 0)
_NON_NEGATIVE: Domain = ("a number >= 0", lambda value: value >= 0)
_UNIT: Domain = ("a number in [0, 1)", lambda value: 0 <= value < 1)
_PATH: Domain = ("a non-empty path", bool)

# Domains narrower than the annotated type, tested after it; null passes where the type allows.
RANGES: dict[str, Domain] = {
    "name": (
        "a folder name of ASCII letters, digits, '_', '-' and '.' ('-' and '.' not first)",
        _is_safe_name,
    ),
    "seed": _int_at_least(0),
    "data.path": _PATH,
    "data.val_size": ("a fraction in (0, 1) or an integer count >= 0", _is_val_size),
    "data.test_path": _PATH,
    "data.label_column": ("a column index or a non-empty column name", lambda value: value != ""),
    "data.points_per_class": _int_at_least(1),
    "data.num_classes": _int_at_least(2),
    "data.max_train": _int_at_least(1),
    "data.preprocess.scale": _POSITIVE,
    "data.preprocess.std_epsilon": _NON_NEGATIVE,
    "model.hidden_size": _int_at_least(1),
    "model.weight_scale": _POSITIVE,
    "model.reg": _NON_NEGATIVE,
    "train.learning_rate": _POSITIVE,
    "train.momentum": _UNIT,
    "train.decay_rate": _UNIT,
    "train.beta1": _UNIT,
    "train.beta2": _UNIT,
    "train.epsilon": _POSITIVE,
    "train.lr_decay": ("a number in (0, 1]", lambda value: 0 < value <= 1),
    "train.batch_size": _int_at_least(1),
    "train.epochs": _int_at_least(1),
    "train.early_stopping_patience": _int_at_least(1),
    "train.num_train_samples": _int_at_least(1),
    "train.num_val_samples": _int_at_least(1),
    "output.dir": _PATH,
}

# The train keys each update rule reads (its optim_config); train.optimizer names the rule.
OPTIMIZER_KEYS: dict[str, tuple[str, ...]] = {
    "sgd": ("learning_rate",),
    "sgd_momentum": ("learning_rate", "momentum"),
    "rmsprop": ("learning_rate", "decay_rate", "epsilon"),
    "adam": ("learning_rate", "beta1", "beta2", "epsilon"),
}

# Keys read only when another key has one of some values: key -> (that key, those values).
READ_ONLY_WHEN: dict[str, tuple[str, tuple[Any, ...]]] = {
    **{
        f"train.{name}": ("train.optimizer", tuple(r for r, keys in OPTIMIZER_KEYS.items()
                                                   if name in keys))
        for name in ("momentum", "decay_rate", "beta1", "beta2", "epsilon")
    },
    "data.label_column": ("data.name", ("csv",)),
    "data.header": ("data.name", ("csv",)),
    "data.points_per_class": ("data.name", ("spiral", "blobs")),
    "data.num_classes": ("data.name", ("spiral", "blobs")),
    "data.preprocess.std_epsilon": ("data.preprocess.standardize", (True,)),
}

# Keys whose value must be one of a set of names; each entry returns the names.
CHOICES: dict[str, Callable[[], Sequence[str]]] = {
    "data.name": _dataset_names,
    "model.dtype": lambda: ("float32", "float64"),
    "train.optimizer": _update_rule_names,
    "train.sampling": lambda: ("shuffle", "replacement"),
}
