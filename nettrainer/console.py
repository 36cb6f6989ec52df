"""Printing to stdout that outlives its reader: ``nettrainer train ... | head`` still trains.

When the reader of a pipe goes away (``head`` has its lines, a pager quits),
the next write to stdout fails with :class:`BrokenPipeError`. :func:`echo` then
points stdout at :data:`os.devnull`, as the Python documentation recommends for
that error, and returns: the command goes on, writes every file it would have
written, and exits as if it had printed. Messages on stderr are not affected.
"""

import os
import sys

import click


def echo(message: str = "", nl: bool = True) -> None:
    """Print ``message`` to stdout like :func:`click.echo`; once the reader has gone, discard it.

    Parameters
    ----------
    message : str
    nl : bool
        End with a newline.
    """
    try:
        click.echo(message, nl=nl)
    except BrokenPipeError:
        discard_stdout()


def discard_stdout() -> None:
    """Point stdout's file descriptor at os.devnull: what is buffered and all later output vanish.

    For a :class:`BrokenPipeError` on stdout, as the Python documentation recommends.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
