"""Reading YAML text for the config: plain data only, duplicate keys refused.

Errors are :class:`~nettrainer.errors.ConfigError` lines naming the file (or
the ``--set`` override), and the line and column where YAML gives them.
"""

import shlex
from pathlib import Path
from typing import Any

import yaml

from nettrainer.config_checks import config_error

# Data files that may be given where the config goes, and their data.name (None: a folder's).
DATA_FILE_SUFFIXES = {".npz": "npz", ".csv": "csv", ".gz": None, ".tgz": None, ".tar": None}


def read_text(path: Path) -> str:
    """Return the UTF-8 text of config file ``path``; a missing or unreadable file is one line.

    A data file given as the config (``nettrainer train data.npz``) is named so,
    with the config keys that train on it.
    """
    if path.suffix.lower() in DATA_FILE_SUFFIXES and path.is_file():
        name = DATA_FILE_SUFFIXES[path.suffix.lower()]
        fix = ("set a config's data.path to the folder holding it (unpacked, for an archive)"
               if name is None else "train on it with: nettrainer train configs/default.yaml "
               f"--set data.name={name} --set data.path={shlex.quote(str(path))}")
        raise config_error(str(path), f"a data file, not a config file; {fix}")
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise config_error(
            str(path), "no such file; check the path (configs/ holds the example configs)"
        ) from None
    except IsADirectoryError:
        resume = ""
        if (path / "config.yaml").is_file():
            command = f"nettrainer train --resume {shlex.quote(str(path))}"
            resume = f" (to continue the run in it: {command})"
        raise config_error(
            str(path), f"a folder, not a config file; pass a YAML file such as "
            f"configs/spiral.yaml{resume}"
        ) from None
    except UnicodeDecodeError:
        raise config_error(str(path), "cannot read the file: it is not UTF-8 text") from None
    except OSError as exc:
        raise config_error(str(path), f"cannot read the file: {exc.strerror or exc}") from None


class _UniqueKeyLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` refusing a key given twice in one mapping.

    YAML itself keeps the last value silently, so a second ``learning_rate:``
    further down a file would quietly win over the first.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first_lines: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                first = first_lines.get(key)
            except TypeError:  # an unhashable key: SafeLoader's own error follows
                continue
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    problem=f"duplicate key {key!r} (first at line {first + 1}); keep one of them",
                    problem_mark=key_node.start_mark,
                )
            first_lines[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML ``text`` (a file's or an override's) into plain data.

    Raises
    ------
    ConfigError
        Naming ``source``, and the line and column where YAML says, for a syntax
        error or a key given twice in one mapping.
    """
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader: plain data only
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise config_error(source, f"invalid YAML{where}: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise config_error(source, f"invalid YAML: {str(exc).splitlines()[0]}") from None
