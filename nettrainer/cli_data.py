"""The ``nettrainer data`` commands: ``fetch`` a data set, ``info`` about one.

Part of the command line: user mistakes propagate as
:class:`~nettrainer.errors.NettrainerError` for :mod:`nettrainer.cli` to report.
"""

import os
import re
import sys
from pathlib import Path

import click

from nettrainer.console import echo
from nettrainer.data.cifar import find_cifar_dir
from nettrainer.data.fetch import fetch
from nettrainer.data.idx import is_idx_dir
from nettrainer.data.locations import SEARCH_PATHS
from nettrainer.data.raw import TableColumns
from nettrainer.data.sources import FETCHABLE
from nettrainer.data.summary import CsvOptions, DataInfo, info
from nettrainer.errors import FetchError, NettrainerError

MB = 1e6
PLAIN_STEPS = 4  # off a terminal, one line per quarter of each download
TEST_ONLY = (
    "a test split alone (X_test, y_test): use it as data.test_path, with data.path an npz "
    "holding X_train and y_train"
)


class DownloadProgress:
    """Shows each download: a bar on a terminal, a plain line per quarter otherwise.

    Parameters
    ----------
    live : bool
        Draw a redrawn bar (a terminal) instead of plain lines.
    """

    def __init__(self, live: bool):
        self.live = live
        self.bar = None
        self.shown = 0
        self.steps_shown = 0

    def __call__(self, done: int, total: int | None) -> None:
        """Show that ``done`` of ``total`` bytes (None: unknown) of the current file arrived."""
        if done == 0:
            self.steps_shown = 0
            self.shown = 0
            if self.live and total:
                self.bar = click.progressbar(length=total, label="  ", show_pos=False)
            return
        if self.bar is not None:
            self.bar.update(done - self.shown)
            self.shown = done
            if done == total:
                self.bar.render_finish()
                self.bar = None
        elif total and done * PLAIN_STEPS >= (self.steps_shown + 1) * total:
            self.steps_shown = done * PLAIN_STEPS // total
            echo(f"  {100 * done // total}% of {_size(total)}")


def _size(count: int) -> str:
    """Write a byte count in MB, or in kB below 0.1 MB (MNIST's label files are 5 and 29 kB)."""
    return f"{count / MB:.1f} MB" if count >= MB / 10 else f"{count / 1e3:.1f} kB"


@click.group()
def data() -> None:
    """Fetch data sets and describe data files.

    Example: nettrainer data fetch fashion-mnist
    """


@data.command("fetch")
@click.argument("name", type=click.Choice(FETCHABLE))
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data"),
    show_default=True,
    help="Data root: files go to DIR/NAME/ (CIFAR-10: DIR/cifar-10-batches-bin/).",
)
def fetch_command(name: str, directory: Path) -> None:
    """Download data set NAME, verify its pinned checksums and unpack it.

    Proxies come from HTTP_PROXY/HTTPS_PROXY/NO_PROXY; NETTRAINER_MIRROR
    replaces the official homes with a mirror (files under MIRROR/NAME/).

    Example: nettrainer data fetch fashion-mnist --dir data
    """
    progress = DownloadProgress(live=sys.stdout.isatty())
    try:
        paths = fetch(name, directory, progress=progress, log=echo)
    except FetchError as error:
        copy = _installed_copy(name)
        if copy is None:
            raise
        raise FetchError(f"{error}; but a copy is already in {copy}, where training and data "
                         "info find it without a fetch") from None
    echo(f"{name}: {len(paths)} file(s) in {paths[0].parent}")


def _installed_copy(name: str) -> Path | None:
    """Return a folder where data set ``name`` is found without a fetch, or None."""
    holds = is_idx_dir if name in ("fashion-mnist", "mnist") else find_cifar_dir
    return next((folder for folder in SEARCH_PATHS[name] if folder.is_dir() and holds(folder)),
                None)


INFO_OPTIONS = {  # config key: the data info option that sets it
    "data.path": "--path",
    "data.label_column": "--label-column",
    "data.header": "--header/--no-header",
}


@data.command("info")
@click.argument("target", metavar="NAME|PATH")
@click.option("--path", default=None, help="Where to look for NAME (like data.path).")
@click.option("--label-column", default=None, metavar="INDEX|NAME",
              help="csv: the label column (like data.label_column; default: the last).")
@click.option("--header/--no-header", default=None,
              help="csv: the first row is (or is not) a header (like data.header).")
def info_command(
    target: str, path: str | None, label_column: str | None, header: bool | None
) -> None:
    """Say where a data set is found, its splits' shapes, dtype and class counts.

    NAME is a data set name (fashion-mnist, mnist, cifar10, spiral, blobs, npz,
    csv); PATH a .npz or .csv file or a folder of IDX files or CIFAR-10 batches.

    A csv file is read as a config's data.label_column and data.header would
    read it: nettrainer data info iris.csv --label-column species

    Example: nettrainer data info fashion-mnist
    """
    column = -1 if label_column is None else _column(label_column)
    target, path = os.path.expanduser(target), path and os.path.expanduser(path)  # as in a config
    try:
        report = info(target, path, csv_options=CsvOptions(column, header))
    except NettrainerError as error:
        error.args = (in_option_terms(str(error)),)
        raise
    for line in describe(report):
        echo(line)


def in_option_terms(message: str) -> str:
    """Add to a data error which ``data info`` options set the config keys it names.

    The data layer's messages speak of config keys (``set data.header to
    true``), since a config is how most data are read; ``data info`` takes
    the same settings as options.
    """
    named = [f"{option} sets {key}" for key, option in INFO_OPTIONS.items()
             if re.search(rf"{re.escape(key)}\b", message) and option not in message]
    return f"{message} (in data info, {'; '.join(named)})" if named else message


def _column(text: str) -> int | str:
    """Read ``--label-column``: an index (negative counts from the end) or a header name."""
    try:
        return int(text)
    except ValueError:
        return text


def describe(report: DataInfo) -> list[str]:
    """Turn a :class:`DataInfo` into the lines ``nettrainer data info`` prints.

    A test split stored alone has labels, not classes (the data file it goes
    with names those); a last line says how to use it.
    """
    test_only = "train" not in report.splits
    classes, per = ("labels", "label") if test_only else ("classes", "class")
    where = "" if report.format == "generated" else f" in {report.location}"
    lines = [f"{report.name}: {report.format} data{where}"]
    if report.image_shape is not None:
        lines.append(f"image shape: {' x '.join(map(str, report.image_shape))}")
    if report.columns is not None:
        lines.append(_columns_line(report.columns, 1 + report.splits["train"].shape[1]))
    lines.append(f"{classes} ({len(report.class_names)}): {_listed(report.class_names)}")
    for split, about in report.splits.items():
        shape = " x ".join(map(str, about.shape))
        counts = " ".join(map(str, about.class_counts))
        lines.append(f"{split}: {shape} {about.dtype}; per {per}: {counts}")
    if test_only:
        lines.append(TEST_ONLY)
    return lines


def _listed(names: tuple[str, ...]) -> str:
    """Join class names with commas, quoting every name when one holds a comma itself."""
    quoted = any("," in name for name in names)
    return ", ".join(repr(name) if quoted else name for name in names)


def _columns_line(columns: TableColumns, count: int) -> str:
    """Say whether a csv file has a header and which of its ``count`` columns holds the labels.

    A long header is shortened to its first three and last two names.
    """
    label = f"labels: column {columns.label + 1} of {count}"
    if columns.header is None:
        return f"header: none ({label})"
    names = columns.header
    shown = ", ".join(names if len(names) <= 6 else (*names[:3], "...", *names[-2:]))
    return f"header: {shown} ({label}, {names[columns.label]!r})"
