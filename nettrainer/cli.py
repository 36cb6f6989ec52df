"""The ``nettrainer`` command line: train, gradcheck, plot, evaluate and data.

With the ``cli_*`` modules, :mod:`~nettrainer.progress` and
:mod:`~nettrainer.console`, the only code that prints. A user mistake raises a
:class:`~nettrainer.errors.NettrainerError`; :class:`Commands` turns it into
one line on stderr and the error's exit code (2, or 3 for divergence).
"""

import shlex
import sys
from pathlib import Path
from typing import NoReturn

from nettrainer.deferred_interrupt import interrupts_deferred

with interrupts_deferred():  # a Ctrl-C while numpy and yaml import comes after, not lost in them
    import click
    import numpy as np

    from nettrainer import __version__, config, evaluation, experiment, reports, runs
    from nettrainer.cli_data import data
    from nettrainer.cli_gradcheck import gradcheck
    from nettrainer.cli_resume import (
        full_disk_keeps_the_run,
        resume_data,
        resumed_config,
        unwritable_run_folder,
    )
    from nettrainer.console import discard_stdout, echo
    from nettrainer.data import Dataset
    from nettrainer.errors import WRITE_FIXES, ConfigError, NettrainerError
    from nettrainer.picture_paths import picture_path
    from nettrainer.progress import Progress, WarnAtStart
    from nettrainer.run_lock import training_lock
    from nettrainer.stop_signals import STOPS, interrupt_handler, sigterm_raises, stop_of

# Where each command's option to write elsewhere is, for a file it may not write.
ELSEWHERE = {"train": "--out DIR", "plot": "--out FILE", "evaluate": "--plot FILE",
             "data": "data fetch --dir DIR"}


class Commands(click.Group):
    """A click group that reports user errors on one line instead of a traceback."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse the group's own options; a usage mistake is one line and exit 2."""
        try:
            return super().parse_args(ctx, args)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as error:
            _usage_error(error, ctx)
        except BrokenPipeError:  # --help or --version piped into a reader that left
            discard_stdout()
            ctx.exit(0)

    def invoke(self, ctx: click.Context) -> object:
        """Run the command, mapping user errors (and OS errors, memory), Ctrl-C, SIGTERM.

        User errors, OS errors (e.g. a full disk) and running out of memory
        become one line on stderr and exit 2 (3 for
        divergence), as does a usage mistake such as an unknown option or
        command; Ctrl-C outside training prints ``interrupted`` and exits 130,
        SIGTERM ``terminated`` and 143, after the same clean-up. Output that
        click prints itself (a command's --help) into a closed pipe ends
        quietly, exit 0, as :func:`~nettrainer.console.echo` does for the
        commands' own output.
        """
        try:
            with sigterm_raises():
                return super().invoke(ctx)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as error:
            _usage_error(error, ctx)
        except BrokenPipeError:
            discard_stdout()
            ctx.exit(0)
        except NettrainerError as error:
            click.echo(f"error: {error}", err=True)
            ctx.exit(error.exit_code)
        except OSError as error:
            where = f"{error.filename}: " if error.filename else ""
            elsewhere = ELSEWHERE.get(ctx.invoked_subcommand or "")
            fix = ""
            if elsewhere and error.errno in WRITE_FIXES:
                fix = f"; {WRITE_FIXES[error.errno]} ({elsewhere})"
            click.echo(f"error: {where}{error.strerror or error}{fix}", err=True)
            ctx.exit(2)
        except MemoryError as error:
            click.echo(f"error: out of memory ({error or 'an allocation failed'}); use a "
                       "smaller model.hidden_size, train.batch_size or data set (data.max_train)"
                       " (or, if model.dtype is float64, float32)", err=True)
            ctx.exit(2)
        except KeyboardInterrupt as interrupt:  # Ctrl-C, or SIGTERM's Terminated
            stop = stop_of(interrupt)
            click.echo(stop.word, err=True)
            ctx.exit(stop.exit_code)


def _usage_error(error: click.UsageError, ctx: click.Context) -> NoReturn:
    """Print click's usage mistake as one line naming the command's --help, and exit 2.

    ``ctx`` is the group's context, used when click did not say which command
    was being parsed (an option missing its value).
    """
    message = " ".join(error.format_message().split())
    if not message.endswith((".", "?", "!")):
        message += "."
    if isinstance(error, click.NoSuchOption) and error.ctx and error.ctx.command.name == "train":
        key = config.key_named(error.option_name.lstrip("-").replace("-", "_"))
        message += f" Config keys are set with --set {key}=VALUE." if key else ""
    taken = error.ctx.params.get("plot_path") if error.ctx else None  # evaluate --plot RUN_DIR
    if isinstance(error, click.MissingParameter) and taken and Path(taken).is_dir():
        message += (f" --plot took {taken} as its FILE|FOLDER; put the run folder first: "
                    f"nettrainer evaluate {shlex.quote(taken)} --plot.")
    if error.ctx is not None:
        command = error.ctx.command_path
    else:
        command = " ".join(filter(None, (ctx.command_path, ctx.invoked_subcommand)))
    click.echo(f"error: {message} See '{command} --help'.", err=True)
    sys.exit(error.exit_code)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nettrainer")
def cli() -> None:
    """Train CS231n-style two-layer nets from YAML configs.

    Example: nettrainer train configs/spiral.yaml
    """


@cli.command()
@click.argument("config_path", metavar="[CONFIG]", required=False, type=click.Path(path_type=Path))
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override a config key, e.g. --set train.learning_rate=0.5 (repeatable).")
@click.option("--out", "out_dir", metavar="DIR", help="Runs folder (output.dir).")
@click.option("--resume", "resume_dir", metavar="RUN_DIR", type=click.Path(path_type=Path),
              help="Continue the run in this folder from its last.npz.")
@click.option("--print-config", is_flag=True, help="Print the resolved config and exit.")
@click.option("--quiet", is_flag=True, help="Print only the summary.")
def train(config_path: Path | None, overrides: tuple[str, ...], out_dir: str | None,
          resume_dir: Path | None, print_config: bool, quiet: bool) -> None:
    """Train the net described by CONFIG and write a run folder.

    CONFIG may be left out with --resume, which reads the run's own config.yaml.

    Example: nettrainer train configs/spiral.yaml --set train.epochs=50
    """
    cfg = resolve_config(config_path, overrides, out_dir, resume_dir)
    if print_config:
        echo(config.dump(cfg), nl=False)
        if resume_dir is None:  # a resumed run's settings were warned about when it started
            WarnAtStart(config.unread_settings(cfg)).show()
        return
    if resume_dir is None:
        dataset = experiment.load_dataset(cfg)
        with (experiment.new_run(cfg, dataset) as run_dir, training_lock(run_dir),
              full_disk_keeps_the_run(run_dir)):
            _train_in(run_dir, cfg, dataset, None, quiet=quiet, resume=False)
        return
    with training_lock(resume_dir), unwritable_run_folder(resume_dir):
        dataset, missing_test = resume_data(resume_dir, cfg)
        _train_in(resume_dir, cfg, dataset, missing_test, quiet=quiet, resume=True)


def _train_in(
    run_dir: Path,
    cfg: config.Config,
    dataset: Dataset,
    missing_test: str | None,
    *,
    quiet: bool,
    resume: bool,
) -> None:
    """Train in ``run_dir``, report the outcome, and exit as it says (130 when interrupted)."""
    progress = Progress(cfg.train.epochs, quiet=quiet, live=sys.stdout.isatty())
    curves = evaluation.PeriodicCurves(run_dir, experiment.CURVES_EVERY_S)
    warnings = WarnAtStart(() if resume else config.unread_settings(cfg))
    with interrupt_handler(progress), np.errstate(over="ignore", invalid="ignore"):
        outcome = experiment.train_run(
            cfg, dataset, run_dir, callbacks=(progress, curves, warnings), resume=resume
        )
        progress.close()  # a stop signal from here on lets the run folder be finished
        evaluation.draw_curves(run_dir)
        echo(reports.run_summary(run_dir, outcome.status, outcome.summary))
    if missing_test is not None and outcome.status == "completed":
        click.echo(f"warning: no test accuracy: {missing_test}; put the file back, then "
                   f"`nettrainer evaluate {run_dir}` scores best.npz on it", err=True)
    if outcome.error is not None:
        raise outcome.error
    if outcome.status == "interrupted":
        click.echo(f"resume with: nettrainer train --resume {shlex.quote(str(run_dir))}", err=True)
        sys.exit(STOPS[progress.stop_signal].exit_code)


def resolve_config(
    config_path: Path | None,
    overrides: tuple[str, ...],
    out_dir: str | None,
    resume_dir: Path | None,
) -> config.Config:
    """Return the config ``train`` runs: CONFIG's, or that of the run being resumed.

    Raises
    ------
    ConfigError
        When neither CONFIG nor --resume is given, or a resumed run would
        change anything but ``train.epochs``.
    """
    if resume_dir is None:
        if config_path is None:
            raise ConfigError("train needs a CONFIG file: nettrainer train configs/spiral.yaml")
        cfg = config.load(config_path, overrides)
        if out_dir is not None:  # checked like output.dir in a file: "" is refused
            cfg = config.replace(cfg, "output.dir", out_dir, source="--out")
        return cfg
    return resumed_config(resume_dir, config_path, overrides, out_dir)


@cli.command()
@click.argument("run_dirs", metavar="RUN_DIR...", nargs=-1, required=True,
                type=click.Path(path_type=Path))
@click.option("--out", "out_path", metavar="FILE|FOLDER",
              help="Picture file (.png, .svg or .pdf), or a folder to put the default name in; "
                   "default RUN_DIR/curves.png for one run, ./comparison.png for several.")
def plot(run_dirs: tuple[Path, ...], out_path: str | None) -> None:
    """Draw loss and accuracy curves of one or more runs (never trains).

    Example: nettrainer plot runs/spiral/20261123-101500 --out spiral.svg
    """
    default_name = evaluation.curves_file(len(run_dirs))
    out = None if out_path is None else picture_path(out_path, "--out", default_name)
    written = evaluation.draw_curves(*run_dirs, out=out)
    echo(f"wrote {written}")


@cli.command()
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--split", type=click.Choice(["test", "val", "train"]), default="test",
              show_default=True, help="Which split to evaluate.")
@click.option("--checkpoint", type=click.Choice(["best", "last"]), default="best",
              show_default=True, help="best.npz or the params of last.npz.")
@click.option("--plot", "plot_path", metavar="[FILE|FOLDER]", is_flag=False,
              flag_value=evaluation.CONFUSION_FILE,
              help="Also draw the confusion matrix: to confusion.png in the run folder, or to "
                   "FILE (relative: in the run folder), or into FOLDER.")
def evaluate(run_dir: Path, split: str, checkpoint: str, plot_path: str | None) -> None:
    """Accuracy, per-class accuracy and confusion matrix of a trained run.

    Example: nettrainer evaluate runs/spiral/20261123-101500 --split val --plot
    """
    runs.check_run_dir(run_dir)
    target = None if plot_path is None else picture_path(
        plot_path, "--plot", evaluation.CONFUSION_FILE, base=run_dir)
    report = evaluation.evaluate_run(run_dir, split, checkpoint)
    echo(reports.evaluation_text(report))
    if target is not None:
        echo(f"wrote {evaluation.plot_report(report, target)}")


cli.add_command(gradcheck)
cli.add_command(data)
