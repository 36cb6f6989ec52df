"""The YAML config: frozen dataclasses, ``--set`` overrides and validation.

This is the only module that imports :mod:`yaml`. The defaults live in the
dataclasses below and are mirrored, with the same comments, by
``configs/default.yaml``; task configs override only what differs. A config is
validated once, by :func:`load` or :func:`from_dict`: expected types come from
the field annotations, domains (ranges, choices) from ``_RANGES`` and
``_CHOICES``. Every problem raises :class:`~nettrainer.errors.ConfigError` with
one line naming the file, the dotted key, the allowed domain and the value.
"""

import dataclasses
import difflib
import functools
import math
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from nettrainer.errors import ConfigError


@dataclasses.dataclass(frozen=True)
class PreprocessConfig:
    """Preprocessing fitted on the training split and applied to every split."""

    scale: float | None = None  # multiply inputs by this (0.00392156862745098 = 1/255); null: off
    subtract_mean: bool = False  # subtract the training mean image
    standardize: bool = False  # divide by the training per-feature std (after the mean)


@dataclasses.dataclass(frozen=True)
class DataConfig:
    """Which data set to load and how to split it."""

    name: str = "spiral"  # spiral, blobs, fashion-mnist, mnist, cifar10, npz, csv
    path: str | None = None  # file or folder of the data; null: the format's default
    val_size: float | int = 0.1  # validation carved from train: fraction in (0, 1) or a count
    test_path: str | None = None  # separate test file (npz, csv); null: none or built in
    label_column: int | str = -1  # csv: index or header name of the label column
    header: bool | None = None  # csv: first row is a header; null: detect
    points_per_class: int = 100  # spiral, blobs: points per class
    num_classes: int = 3  # spiral, blobs: number of classes
    max_train: int | None = None  # keep only the first max_train training samples; null: all
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
    sampling: str = "shuffle"  # shuffle: each sample once per epoch; replacement: draw
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

    name: str = "spiral"  # run name: <output.dir>/<name>/<timestamp>/
    seed: int = 0  # drives init, data split and shuffling
    data: DataConfig = dataclasses.field(default_factory=DataConfig)
    model: ModelConfig = dataclasses.field(default_factory=ModelConfig)
    train: TrainConfig = dataclasses.field(default_factory=TrainConfig)
    output: OutputConfig = dataclasses.field(default_factory=OutputConfig)


_Domain = tuple[str, Callable[[Any], bool]]
_OTHER_SECTION_CUTOFF = 0.7  # a key from another section is suggested only when this close
_INVALID = object()  # what _coerce returns for a value of the wrong type
_SAFE_NAME = re.compile(r"[A-Za-z0-9_.-]+")
_TYPE_NAMES = {
    bool: "a boolean (true or false)",
    int: "an integer",
    float: "a number",
    str: "a string",
}


def _int_at_least(low: int) -> _Domain:
    return f"an integer >= {low}", lambda value: value >= low


def _is_safe_name(value: str) -> bool:
    return bool(_SAFE_NAME.fullmatch(value)) and value not in {".", ".."}


def _is_val_size(value: float | int) -> bool:
    return 0 < value < 1 if isinstance(value, float) else value >= 0


def _dataset_names() -> tuple[str, ...]:
    from nettrainer.data import DATASET_NAMES  # on first use, so data may import this module

    return tuple(DATASET_NAMES)


def _update_rule_names() -> tuple[str, ...]:
    from nettrainer.optim import UPDATE_RULES  # on first use, so optim may import this module

    return tuple(UPDATE_RULES)


_POSITIVE: _Domain = ("a number > 0", lambda value: value > 0)
_UNIT: _Domain = ("a number in [0, 1)", lambda value: 0 <= value < 1)
_PATH: _Domain = ("a non-empty path", bool)

# Domains narrower than the annotated type, tested after it; null passes where the type allows.
_RANGES: dict[str, _Domain] = {
    "name": ("a folder name of letters, digits, '-', '_' and '.'", _is_safe_name),
    "seed": _int_at_least(0),
    "data.path": _PATH,
    "data.val_size": ("a fraction in (0, 1) or an integer count >= 0", _is_val_size),
    "data.test_path": _PATH,
    "data.label_column": ("a column index or a non-empty column name", lambda value: value != ""),
    "data.points_per_class": _int_at_least(1),
    "data.num_classes": _int_at_least(2),
    "data.max_train": _int_at_least(1),
    "data.preprocess.scale": _POSITIVE,
    "model.hidden_size": _int_at_least(1),
    "model.weight_scale": _POSITIVE,
    "model.reg": ("a number >= 0", lambda value: value >= 0),
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

# Keys whose value must be one of a set of names; each entry returns the names.
_CHOICES: dict[str, Callable[[], Sequence[str]]] = {
    "data.name": _dataset_names,
    "model.dtype": lambda: ("float32", "float64"),
    "train.optimizer": _update_rule_names,
    "train.sampling": lambda: ("shuffle", "replacement"),
}


def load(path: str | Path, overrides: Sequence[str] = ()) -> Config:
    """Read, override and validate a YAML config file.

    Parameters
    ----------
    path : str or Path
        The YAML file; it names the place in error messages.
    overrides : sequence of str
        ``"a.b=value"`` strings, applied in order; each value is parsed as YAML
        and checked like the file (``"train.learning_rate=0.5"``).

    Returns
    -------
    Config
        The validated config.

    Raises
    ------
    ConfigError
        If the file is missing, unreadable, empty or not valid YAML, or any key
        or value in it or in an override is unknown, of the wrong type or out of
        its domain.
    """
    source = str(path)
    data = _parse_yaml(_read_text(Path(path)), source)
    if data is None:
        raise _error(source, "the file is empty; expected a mapping of keys to values")
    return apply(from_dict(data, source), overrides)


def from_dict(mapping: Mapping[str, Any], source: str) -> Config:
    """Validate a mapping shaped like the YAML file and build its config.

    Parameters
    ----------
    mapping : mapping
        Sections and keys as in ``configs/default.yaml``; missing keys take
        their defaults. A top-level ``versions`` key (written into a run's
        ``config.yaml``) is ignored.
    source : str
        Where the mapping came from, named in error messages.

    Returns
    -------
    Config
        The validated config.

    Raises
    ------
    ConfigError
        If the mapping is not a mapping, or any key or value is unknown, of the
        wrong type or out of its domain.
    """
    if not isinstance(mapping, Mapping):
        raise _error(
            source, f"the top level must be a mapping of keys to values; got {_show(mapping)}"
        )
    settings = {key: value for key, value in mapping.items() if key != "versions"}
    return _build(Config, settings, "", source)


def to_dict(cfg: Config) -> dict[str, Any]:
    """Return the config as nested plain dicts, keys in schema order.

    Parameters
    ----------
    cfg : Config
        The config.

    Returns
    -------
    dict
        One dict per section; ``from_dict(to_dict(cfg), ...) == cfg``.
    """
    return dataclasses.asdict(cfg)


def dump(cfg: Config, versions: Mapping[str, str] | None = None) -> str:
    """Return the config as YAML text that :func:`load` reads back to an equal config.

    Parameters
    ----------
    cfg : Config
        The config.
    versions : mapping of str to str, optional
        Package versions written under a last top-level ``versions`` key, which
        :func:`load` and :func:`from_dict` ignore.

    Returns
    -------
    str
        Block-style YAML, keys in schema order.
    """
    data = to_dict(cfg)
    if versions is not None:
        data["versions"] = dict(versions)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def apply(cfg: Config, overrides: Sequence[str]) -> Config:
    """Apply ``--set`` overrides to a config, checking each like a file.

    Parameters
    ----------
    cfg : Config
        The config to start from.
    overrides : sequence of str
        ``"a.b=value"`` strings, applied in order; values are parsed as YAML.

    Returns
    -------
    Config
        A new config; ``cfg`` is unchanged.

    Raises
    ------
    ConfigError
        If an override has no ``=``, is not valid YAML, names an unknown key or
        gives a value of the wrong type or out of its domain.
    """
    for item in overrides:
        source = f"--set {item}"
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise _error(source, "expected KEY=VALUE, such as --set train.learning_rate=0.5")
        cfg = replace(cfg, key.strip(), _parse_yaml(text, source), source)
    return cfg


def replace(cfg: Config, key: str, value: Any, source: str = "override") -> Config:
    """Return a copy of ``cfg`` with the dotted ``key`` set to ``value``, checked.

    Parameters
    ----------
    cfg : Config
        The config to start from.
    key : str
        A dotted key such as ``"output.dir"``; a section's key takes a mapping,
        merged into the section.
    value : object
        The new value, checked like one read from a file.
    source : str
        The place named in error messages.

    Returns
    -------
    Config
        A new config; ``cfg`` is unchanged.

    Raises
    ------
    ConfigError
        If ``key`` is unknown or ``value`` is of the wrong type or out of its domain.
    """
    for part in reversed(key.split(".")):
        value = {part: value}
    return _build(Config, _merge(to_dict(cfg), value), "", source)


def differences(first: Config, second: Config) -> list[str]:
    """Return the dotted keys whose values differ between two configs.

    Parameters
    ----------
    first, second : Config
        The configs to compare.

    Returns
    -------
    list of str
        Dotted keys such as ``"train.epochs"``, in schema order.
    """
    flat_first, flat_second = _flatten(to_dict(first)), _flatten(to_dict(second))
    return [key for key, value in flat_first.items() if flat_second[key] != value]


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _error(str(path), "no such file") from None
    except UnicodeDecodeError:
        raise _error(str(path), "cannot read the file: it is not UTF-8 text") from None
    except OSError as exc:
        raise _error(str(path), f"cannot read the file: {exc.strerror or exc}") from None


def _parse_yaml(text: str, source: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise _error(source, f"invalid YAML{where}: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise _error(source, f"invalid YAML: {str(exc).splitlines()[0]}") from None


def _merge(base: dict[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``base`` updated by ``patch``, merging nested mappings key by key."""
    merged = dict(base)
    for key, value in patch.items():
        old = merged.get(key)
        both = isinstance(old, dict) and isinstance(value, Mapping)
        merged[key] = _merge(old, value) if both else value
    return merged


def _flatten(mapping: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Return the leaves of nested ``mapping`` under their dotted keys."""
    flat = {}
    for name, value in mapping.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


def _build(cls: type, mapping: Any, prefix: str, source: str) -> Any:
    """Return the dataclass ``cls`` built from ``mapping``, the section at dotted ``prefix``."""
    if mapping is None:  # a section whose keys are all commented out
        mapping = {}
    if not isinstance(mapping, Mapping):
        section = prefix.rstrip(".")
        raise _error(source, f"{section} must be a mapping of keys to values; got {_show(mapping)}")
    hints = _hints(cls)
    values = {}
    for name, value in mapping.items():
        key = f"{prefix}{name}"
        if name not in hints:
            raise _unknown_key(key, prefix, hints, source)
        if dataclasses.is_dataclass(hints[name]):
            values[name] = _build(hints[name], value, f"{key}.", source)
        else:
            values[name] = _check_value(key, hints[name], value, source)
    return cls(**values)


def _check_value(key: str, annotation: Any, value: Any, source: str) -> Any:
    """Return ``value`` converted to ``annotation`` after checking its type and domain."""
    options = _members(annotation)
    checked = _coerce(value, options)
    text, test = _domain(key, [option for option in options if option is not type(None)])
    if checked is _INVALID or (checked is not None and not test(checked)):
        nullable = " or null" if type(None) in options else ""
        raise _error(source, f"{key} must be {text}{nullable}; got {_show(value)}")
    return checked


def _coerce(value: Any, options: tuple[type, ...]) -> Any:
    """Return ``value`` as one of the types ``options`` (``_INVALID`` when none fits).

    An exact type wins (an int stays an int in ``float | int``); otherwise an
    int or a string such as ``"1e-3"`` (YAML 1.1 reads ``1e-3`` as a string)
    becomes a float where a float is allowed. bool is never a number.
    """
    if any(_is_instance(value, option) for option in options):
        return value
    if float in options and isinstance(value, int | str) and not isinstance(value, bool):
        try:
            number = float(value)
        except (ValueError, OverflowError):
            return _INVALID
        return number if math.isfinite(number) else _INVALID
    return _INVALID


def _is_instance(value: Any, option: type) -> bool:
    if isinstance(value, bool) or option is bool:
        return isinstance(value, bool) and option is bool
    if option is float:
        return isinstance(value, float) and math.isfinite(value)
    return isinstance(value, option)


def _domain(key: str, options: list[type]) -> _Domain:
    """Return the domain of ``key`` in words, and its test, for non-null values."""
    if key in _CHOICES:
        names = tuple(_CHOICES[key]())
        return f"one of {', '.join(names)}", names.__contains__
    default = " or ".join(_TYPE_NAMES[option] for option in options)
    return _RANGES.get(key, (default, lambda value: True))


def _members(annotation: Any) -> tuple[type, ...]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return typing.get_args(annotation)
    return (annotation,)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@functools.cache
def _dotted_keys(cls: type = Config, prefix: str = "") -> tuple[str, ...]:
    keys: list[str] = []
    for name, annotation in _hints(cls).items():
        keys.append(f"{prefix}{name}")
        if dataclasses.is_dataclass(annotation):
            keys.extend(_dotted_keys(annotation, f"{prefix}{name}."))
    return tuple(keys)


def _unknown_key(key: str, prefix: str, hints: Mapping[str, Any], source: str) -> ConfigError:
    """Return the error for an unknown ``key``, suggesting a close key of its section or any."""
    name = key.removeprefix(prefix)
    close = difflib.get_close_matches(name, list(hints), n=1)
    if close:
        return _error(source, f"unknown key {key}; did you mean {prefix}{close[0]}?")
    leaves = {dotted.rpartition(".")[2]: dotted for dotted in reversed(_dotted_keys())}
    close = difflib.get_close_matches(name, list(leaves), n=1, cutoff=_OTHER_SECTION_CUTOFF)
    if close:
        return _error(source, f"unknown key {key}; did you mean {leaves[close[0]]}?")
    where = f" under {prefix.rstrip('.')}" if prefix else ""
    return _error(source, f"unknown key {key}; valid keys{where} are {', '.join(hints)}")


def _show(value: Any) -> str:
    """Return ``value`` as a short one-line text for a message (YAML's null, true, false)."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _error(source: str, text: str) -> ConfigError:
    """Return a one-line ConfigError for the problem ``text`` found in ``source``."""
    message = f"{source}: {text}"
    return ConfigError(message.replace("\r", "\\r").replace("\n", "\\n"))
