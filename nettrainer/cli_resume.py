"""``train --resume``: the config a resumed run trains with, and whether it can go on.

A resumed run continues from its ``last.npz``, whose counters are the truth
about how far it got: ``summary.json`` says how a session ended, and a hard
kill (SIGKILL, a power cut) leaves it behind ``last.npz``. Only
``train.epochs`` may change, and the run folder's ``config.yaml`` is brought up
to the new count, so that a later plain ``--resume`` (the command an
interrupted run prints) keeps the target. A run folder the system will not
write, or a disk that fills during training, ends in one line on how to
resume the run.
"""

import dataclasses
import errno
import os
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from nettrainer import config, evaluation, experiment, runs
from nettrainer.data import Dataset
from nettrainer.errors import FULL_DISK, WRITE_FIXES, CheckpointError, ConfigError, DataError
from nettrainer.run_checks import check_metric_rows

RESUMABLE_KEYS = ("train.epochs",)  # what a resumed run may change: train for longer


def resumed_config(
    resume_dir: Path, config_path: Path | None, overrides: tuple[str, ...], out_dir: str | None
) -> config.Config:
    """Return the config a resumed run trains with: its own, or CONFIG's, with ``--set``.

    Raises
    ------
    ConfigError
        When it would change anything but ``train.epochs``.
    CheckpointError
        When the folder is not a run.
    """
    if out_dir is not None:
        raise ConfigError(
            f"--out: a resumed run stays in its own folder, {resume_dir}; leave --out out"
        )
    saved = evaluation.read_run_config(resume_dir)
    wanted = config.load(config_path or resume_dir / "config.yaml", overrides)
    wanted = dataclasses.replace(wanted, output=saved.output)  # the run's folder is decided
    changed = [key for key in config.differences(saved, wanted) if key not in RESUMABLE_KEYS]
    if changed:
        raise ConfigError(
            f"{resume_dir}: resuming cannot change {', '.join(changed)}; only "
            f"{', '.join(RESUMABLE_KEYS)} may differ (start a new run instead)"
        )
    return wanted


def resume_data(resume_dir: Path, cfg: config.Config) -> tuple[Dataset, str | None]:
    """Check that the run can go on, load its data, and record a new ``train.epochs``.

    A resumed run cannot change its data settings, and training never reads
    the test split, so a test split that cannot be read (``data.test_path``'s
    file, MNIST's ``t10k-*`` or CIFAR-10's ``test_batch`` moved or damaged) is a
    warning, not an error: the run trains on, its ``summary.json`` has
    ``test_acc: null``, and ``nettrainer evaluate`` gives the same figure once
    the files are back.

    Returns
    -------
    dataset : Dataset
        The run's data, checked against its ``dataset.json``.
    missing_test : str or None
        Why the run has no test split (the error loading it), or None.

    Raises
    ------
    NettrainerError
        As :func:`check_can_continue` and
        :func:`~nettrainer.evaluation.load_run_dataset` raise.
    """
    check_can_continue(resume_dir, cfg)
    try:
        dataset, missing_test = evaluation.load_run_dataset(resume_dir, cfg, with_test=True), None
    except DataError as error:  # training goes on if only the test split is the problem:
        dataset = evaluation.load_run_dataset(resume_dir, cfg, with_test=False)  # else raises
        missing_test = str(error)
        click.echo(f"warning: {missing_test}; training goes on without the test split, so "
                   "summary.json will have no test accuracy", err=True)
    record_epochs(resume_dir, cfg)
    return dataset, missing_test


def check_can_continue(resume_dir: Path, cfg: config.Config) -> None:
    """Raise unless resuming would train: epochs are left and nothing would end it at once.

    Raises
    ------
    ConfigError
        When ``last.npz`` has trained ``train.epochs`` epochs or more, or early
        stopping has ended the run (it would stop again at once), or the run
        diverged (training is reproducible, so it would diverge again at the
        same step).
    CheckpointError
        When ``summary.json`` was edited by hand, ``metrics.csv`` lacks the
        times of the epochs done, or ``last.npz`` is missing or is not a solver
        state.
    """
    if runs.read_summary(resume_dir).get("status") == "diverged":
        raise ConfigError(
            f"{resume_dir}: the run diverged, and resuming would repeat it exactly (the same "
            "params, batches and learning rate); start a new run with a lower "
            "train.learning_rate"
        )
    state = runs.load_state(resume_dir / "last.npz")
    try:
        epoch, since_best = int(state["epoch"]), int(state["epochs_since_best"])
    except KeyError as missing:
        raise CheckpointError(
            f"{resume_dir / 'last.npz'}: solver state is missing {missing}; it is incomplete"
        ) from None
    patience = cfg.train.early_stopping_patience
    if patience is not None and since_best >= patience:
        raise ConfigError(
            f"{resume_dir}: early stopping ended the run at epoch {epoch} (no better "
            f"validation accuracy for train.early_stopping_patience = {patience} epochs), so "
            "resuming would stop again at once; start a new run, with a larger "
            "train.early_stopping_patience or null to train longer"
        )
    if cfg.train.epochs <= epoch:
        raise ConfigError(
            f"{resume_dir}: the run already completed {epoch} epochs; "
            f"add --set train.epochs=N with N > {epoch} to train longer"
        )
    check_metric_rows(runs.read_metrics(resume_dir / "metrics.csv"), epoch,
                      resume_dir / "metrics.csv")


def record_epochs(resume_dir: Path, cfg: config.Config) -> None:
    """Rewrite the run's ``config.yaml`` when the resumed run trains to another epoch count."""
    if evaluation.read_run_config(resume_dir).train.epochs != cfg.train.epochs:
        text = config.dump(cfg, versions=experiment.versions())
        runs.write_text(resume_dir / "config.yaml", text)


@contextmanager
def unwritable_run_folder(run_dir: Path) -> Iterator[None]:
    """Turn a run folder the system will not write into one line on how to resume it anyway.

    A resumed run stays in its folder (``--out`` is refused), so the fix is a
    writable copy of it: beside it where its parent folder may be written,
    else on another disk (a read-only file system, a full disk).
    """
    try:
        yield
    except OSError as error:
        if error.errno not in WRITE_FIXES:
            raise
        source = shlex.quote(str(run_dir))
        beside = error.errno in (errno.EACCES, errno.EPERM) and os.access(
            run_dir.resolve().parent, os.W_OK)
        if beside:
            copy = shlex.quote(f"{run_dir}-copy")
            fix = f"resume a writable copy: cp -r {source} {copy}"
        else:
            copy = f"DIR/{shlex.quote(run_dir.resolve().name)}"
            free = "free some space, or " if error.errno in FULL_DISK else ""
            fix = f"{free}resume a copy on a disk you may write (DIR): cp -r {source} DIR/"
        raise CheckpointError(
            f"{run_dir}: the run folder cannot be written ({error.strerror}: "
            f"{error.filename}); {fix} && nettrainer train --resume {copy}"
        ) from None


@contextmanager
def full_disk_keeps_the_run(run_dir: Path) -> Iterator[None]:
    """Turn a full disk during a new run's training into one line on how to resume it.

    The run folder keeps its last saved epoch (every file is written whole or
    not at all), so the fix is space, then ``--resume``, not a new run
    elsewhere. A disk that fills before the run's first step (its folder is
    then removed) is left to the command line's own message.
    """
    try:
        yield
    except OSError as error:
        if error.errno not in FULL_DISK or not (run_dir / "history.json").is_file():
            raise
        folder = shlex.quote(str(run_dir))
        if (run_dir / "summary.json").is_file():  # it ended; only its curves were not drawn
            fix = (f"the run ended and its files are saved: free some space, then nettrainer "
                   f"plot {folder} draws its curves")
        else:
            fix = (f"the run folder keeps its last saved epoch: free some space, then "
                   f"nettrainer train --resume {folder}")
        raise CheckpointError(f"{error.filename}: {error.strerror}; {fix}") from None
