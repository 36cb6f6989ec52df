"""Checking config values: type coercion, domains, unknown keys and one-line errors.

:func:`build` turns a mapping shaped like the YAML file into the dataclasses of
:mod:`nettrainer.config_schema`: expected types come from the field
annotations, domains from :data:`~nettrainer.config_schema.RANGES` and
:data:`~nettrainer.config_schema.CHOICES`. Every problem is a
:class:`~nettrainer.errors.ConfigError` with one line naming the source, the
dotted key, the allowed domain and the value.
"""

import dataclasses
import difflib
import functools
import math
import types
import typing
from collections.abc import Mapping
from typing import Any

from nettrainer.config_schema import CHOICES, RANGES, READ_ONLY_WHEN, Config, Domain
from nettrainer.errors import ConfigError

_OTHER_SECTION_CUTOFF = 0.7  # a key from another section is suggested only when this close
_INVALID = object()  # what _coerce returns for a value of the wrong type
_TYPE_NAMES = {
    bool: "a boolean (true or false)",
    int: "an integer",
    float: "a number",
    str: "a string",
}


def build(cls: type, mapping: Any, prefix: str, source: str) -> Any:
    """Return the dataclass ``cls`` built from ``mapping``, every key and value checked.

    Parameters
    ----------
    cls : type
        A dataclass of :mod:`nettrainer.config_schema`, such as ``Config``.
    mapping : object
        Its keys and values; null (a section whose keys are all commented out)
        counts as empty, and missing keys take their defaults.
    prefix : str
        The dotted key of the section followed by ``"."``; ``""`` at the top.
    source : str
        Where the mapping came from, named in error messages.

    Returns
    -------
    object
        An instance of ``cls``.

    Raises
    ------
    ConfigError
        If ``mapping`` is not a mapping, or a key is unknown, or a value is of
        the wrong type or out of its domain.
    """
    if mapping is None:  # a section whose keys are all commented out
        mapping = {}
    if not isinstance(mapping, Mapping):
        section = prefix.rstrip(".")
        raise config_error(
            source, f"{section} must be a mapping of keys to values; got {show(mapping)}"
        )
    hints = _hints(cls)
    values = {}
    for name, value in mapping.items():
        key = f"{prefix}{name}"
        if name not in hints:
            raise _unknown_key(key, prefix, hints, source)
        if dataclasses.is_dataclass(hints[name]):
            values[name] = build(hints[name], value, f"{key}.", source)
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
        infinite = " (not a finite number)" if float in options and _is_not_finite(value) else ""
        unquoted = QUOTE_HINT if _read_as_text(key, options, value) else ""
        exponent = ""
        if int in options and float not in options and _is_exponent_text(value):
            exponent = f" (YAML reads {value} as text; write the integer out"
            exponent += f": {int(float(value))})" if float(value).is_integer() else ")"
        raise config_error(source, f"{key} must be {text}{nullable}; got {show(value)}"
                                   f"{infinite}{unquoted}{exponent}")
    return checked


QUOTE_HINT = (" (YAML reads yes, no, on, off and bare numbers as booleans and numbers; "
              "quote the value to keep it text)")


def _is_exponent_text(value: Any) -> bool:
    """Whether ``value`` is a string such as ``"1e3"``: a number YAML 1.1 did not read as one."""
    if not isinstance(value, str) or "e" not in value.lower():
        return False
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


def _read_as_text(key: str, options: tuple[type, ...], value: Any) -> bool:
    """Whether ``value`` was probably meant as text that YAML read as a boolean or number.

    True for a free-text key (not one of a fixed set of names) given a boolean,
    or given a number where numbers are not allowed.
    """
    if str not in options or key in CHOICES or not isinstance(value, bool | int | float):
        return False
    return isinstance(value, bool) or int not in options


def _is_not_finite(value: Any) -> bool:
    """Whether ``value`` reads as an infinite or NaN number, e.g. ``.inf`` or ``"nan"``."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return False
    try:
        return not math.isfinite(float(value))
    except (ValueError, OverflowError):
        return False


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


def _domain(key: str, options: list[type]) -> Domain:
    """Return the domain of ``key`` in words, and its test, for non-null values."""
    if key in CHOICES:
        names = tuple(CHOICES[key]())
        return f"one of {', '.join(names)}", names.__contains__
    default = " or ".join(_TYPE_NAMES[option] for option in options)
    return RANGES.get(key, (default, lambda value: True))


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
        return config_error(source, f"unknown key {key}; did you mean {prefix}{close[0]}?")
    leaves = {dotted.rpartition(".")[2]: dotted for dotted in reversed(_dotted_keys())}
    close = difflib.get_close_matches(name, list(leaves), n=1, cutoff=_OTHER_SECTION_CUTOFF)
    if close:
        return config_error(source, f"unknown key {key}; did you mean {leaves[close[0]]}?")
    where = f" under {prefix.rstrip('.')}" if prefix else ""
    return config_error(source, f"unknown key {key}; valid keys{where} are {', '.join(hints)}")


def unread_settings(cfg: Config) -> list[str]:
    """Return one line per key set away from its default that ``cfg`` will never read.

    Such a key is no error (a config may keep ``momentum`` for a switch back
    to ``sgd_momentum`` with ``--set``), but a user tuning it would otherwise
    see no change and not know why: ``train.momentum`` under ``adam``, the
    generators' class counts for a file, ``std_epsilon`` without ``standardize``.

    Parameters
    ----------
    cfg : Config
        A validated config.

    Returns
    -------
    list of str
        Lines such as ``"train.momentum is 0.95, but train.optimizer is adam; it
        is read only when train.optimizer is sgd_momentum"``, in the order of
        :data:`~nettrainer.config_schema.READ_ONLY_WHEN`.
    """
    lines = []
    for key, (deciding_key, readers) in READ_ONLY_WHEN.items():
        value, decision = _setting(cfg, key), _setting(cfg, deciding_key)
        if value != _setting(Config(), key) and decision not in readers:
            lines.append(
                f"{key} is {_word(value)}, but {deciding_key} is {_word(decision)}; it is read "
                f"only when {deciding_key} is {' or '.join(map(_word, readers))}"
            )
    return lines


def _setting(cfg: Config, key: str) -> Any:
    return functools.reduce(getattr, key.split("."), cfg)


def _word(value: Any) -> str:
    """``value`` as a message shows a config value: names bare, the rest as :func:`show`."""
    return value if isinstance(value, str) else show(value)


def show(value: Any) -> str:
    """Return ``value`` as a short one-line text for a message.

    Parameters
    ----------
    value : object
        Any value read from YAML.

    Returns
    -------
    str
        YAML's ``null``, ``true`` and ``false``, else the repr, cut to 60 characters.
    """
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def config_error(source: str, text: str) -> ConfigError:
    """Return a one-line ConfigError for the problem ``text`` found in ``source``.

    Parameters
    ----------
    source : str
        The file or ``--set`` override where the problem is.
    text : str
        The problem; line breaks are escaped so the message stays on one line.

    Returns
    -------
    ConfigError
        The error, to be raised by the caller: ``"<source>: <text>"``.
    """
    message = f"{source}: {text}"
    return ConfigError(message.replace("\r", "\\r").replace("\n", "\\n"))
