"""The YAML config: load, override, compare and write it.

This is the public entry to the config. It and :mod:`nettrainer.config_yaml`
(reading YAML text) are the only modules that import :mod:`yaml`. The frozen
dataclasses (:class:`Config` and its sections) live in
:mod:`nettrainer.config_schema` with their commented defaults and value
domains, and are re-exported here. A config is validated once, by :func:`load`
or :func:`from_dict`, through :mod:`nettrainer.config_checks`: every problem
raises :class:`~nettrainer.errors.ConfigError` with one line naming the file,
the dotted key, the allowed domain and the value.
"""

import dataclasses
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from nettrainer.config_checks import build, config_error, show, unread_settings
from nettrainer.config_schema import (
    Config,
    DataConfig,
    ModelConfig,
    OutputConfig,
    PreprocessConfig,
    TrainConfig,
)
from nettrainer.config_yaml import parse_yaml, read_text

__all__ = [
    "Config",
    "DataConfig",
    "ModelConfig",
    "OutputConfig",
    "PreprocessConfig",
    "TrainConfig",
    "apply",
    "differences",
    "dump",
    "from_dict",
    "key_named",
    "load",
    "replace",
    "to_dict",
    "unread_settings",
]


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
        The validated config, with a null ``name`` replaced by ``data.name``,
        and ``data.path`` and ``data.test_path`` made absolute (``~`` is the
        home folder; relative paths start from the current folder).

    Raises
    ------
    ConfigError
        If the file is missing, unreadable, empty or not valid YAML, or any key
        or value in it or in an override is unknown, of the wrong type or out of
        its domain.
    """
    source = str(path)
    data = parse_yaml(read_text(Path(path)), source)
    if data is None:
        raise config_error(source, "the file is empty; expected a mapping of keys to values")
    return _resolve_file_defaults(apply(from_dict(data, source), overrides))


def key_named(leaf: str) -> str | None:
    """Return the dotted key whose last part is ``leaf`` when exactly one is, else None.

    ``"epochs"`` gives ``"train.epochs"``, for messages that point a mistyped
    command-line option to ``--set``.
    """
    matches = [key for key in _flatten(to_dict(Config())) if key.rpartition(".")[2] == leaf]
    return matches[0] if len(matches) == 1 else None


def _resolve_file_defaults(cfg: Config) -> Config:
    """Return ``cfg`` with its run name set and ``data.path``, ``data.test_path`` absolute.

    A null ``name`` becomes the data set's name once the overrides are in (so
    ``--set data.name=mnist`` names the run too). ``~`` is the home folder;
    relative paths start from the current folder. Fixing both when a config is loaded makes a run's
    ``config.yaml`` say where it was written from and resume or evaluate from
    any folder.
    """
    absolute = {
        key: os.path.abspath(os.path.expanduser(value))
        for key in ("path", "test_path")
        if (value := getattr(cfg.data, key)) is not None
    }
    return dataclasses.replace(
        cfg, name=cfg.run_name, data=dataclasses.replace(cfg.data, **absolute)
    )


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
        raise config_error(
            source, f"the top level must be a mapping of keys to values; got {show(mapping)}"
        )
    settings = {key: value for key, value in mapping.items() if key != "versions"}
    return build(Config, settings, "", source)


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
            raise config_error(source, "expected KEY=VALUE, such as --set train.learning_rate=0.5")
        value = parse_yaml(text, source)
        _refuse_emptied_section(cfg, key.strip(), value, source)
        cfg = replace(cfg, key.strip(), value, source)
    return cfg


def _refuse_emptied_section(cfg: Config, key: str, value: Any, source: str) -> None:
    """Raise when an override gives a section ``{}`` or null, naming a key to set instead.

    ``{}`` would merge nothing, and null would silently put every key of the
    section back to its default, dropping what the config file set. Sections
    nested in a mapping value are checked too. Keys that are not sections are
    left to :func:`replace`, whose message is the one any other wrong value gets.
    """
    leaves = [leaf for leaf in _flatten(to_dict(cfg)) if leaf.startswith(key + ".")]
    if leaves and (value is None or value == {}):
        what = ("an empty mapping changes nothing, because --set merges a mapping into"
                if value == {} else "null would reset every key to its default in")
        raise config_error(
            source,
            f"{what} the section {key}; set the keys to change, such as --set {leaves[0]}=VALUE",
        )
    if isinstance(value, Mapping):
        for name, inner in value.items():
            _refuse_emptied_section(cfg, f"{key}.{name}", inner, source)


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
    return build(Config, _merge(to_dict(cfg), value), "", source)


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
