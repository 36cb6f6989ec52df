"""What the benchmark scripts share on their command line: checked numbers and one-line errors.

A mistake in a benchmark's arguments or config is a user error like any other
in nettrainer: one line on stderr that names the argument and the fix, exit 2
(3 for a diverged training run), never a traceback, and never after minutes
of measuring.
"""

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from nettrainer.errors import NettrainerError
from nettrainer.exit_codes import EXIT_INTERRUPTED


class OneLineParser(argparse.ArgumentParser):
    """An argparse parser whose usage mistakes are one line naming ``--help``, exit 2."""

    def error(self, message: str) -> None:
        self.exit(2, f"error: {message}; see '{self.prog} --help'\n")


def int_at_least(low: int, why: str = "") -> Callable[[str], int]:
    """Return an argparse ``type`` that accepts integers >= ``low`` (``why`` explains the bound)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low:
            raise argparse.ArgumentTypeError(
                f"must be an integer >= {low}{why}; got {text!r}")
        return value

    return parse


def writable_file(path: Path, option: str) -> Path:
    """Check, before any measuring, that ``path`` can be written, creating nothing.

    The probe is a temporary file in the nearest folder of ``path`` that
    exists; the folders below it are made when the file is written.

    Raises
    ------
    NettrainerError
        Naming ``option`` and the reason, when that folder cannot be written in.
    """
    existing = next(folder for folder in path.absolute().parents if folder.exists())
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        raise NettrainerError(
            f"{option} {path}: cannot write in {existing} ({error.strerror or error}); "
            f"choose another {option}") from None
    return path


def run(main: Callable[[], None]) -> None:
    """Call ``main``, turning nettrainer's user errors and Ctrl-C into one line and an exit code."""
    try:
        main()
    except NettrainerError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(error.exit_code)
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        print(f"error: {where}{error.strerror or error}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
