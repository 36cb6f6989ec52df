"""Run the command line: ``python -m nettrainer``.

The command line's imports (numpy, matplotlib) take a noticeable moment; Ctrl-C
during them prints ``interrupted`` and exits 130, as it does later on. (The
``nettrainer`` script enters at ``nettrainer.cli:cli`` directly, as STYLE.md fixes.)
"""

import sys

from nettrainer.exit_codes import EXIT_INTERRUPTED


def main() -> None:
    """Import and run the ``nettrainer`` command line."""
    try:
        from nettrainer.cli import cli
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    cli(prog_name="nettrainer")


if __name__ == "__main__":
    main()
