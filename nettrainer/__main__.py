"""Run the command line as ``python -m nettrainer``."""

from nettrainer.cli import cli

if __name__ == "__main__":
    cli(prog_name="nettrainer")
