"""One training run from a :class:`~nettrainer.config.Config`, kept on disk as it goes.

This is where the pieces meet: the config picks the data, the model and the
solver's settings; a :class:`~nettrainer.run_log.RunFolderWriter` callback
rewrites the run folder's files at epoch ends (at most once a second), so a
crash loses at most the current epoch or the last second.
Nothing here prints; progress goes to the callbacks the caller passes.
"""

import platform
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from nettrainer import __version__, config, data, run_folders, runs
from nettrainer.config_schema import OPTIMIZER_KEYS
from nettrainer.data import Dataset
from nettrainer.errors import ConfigError, DivergenceError
from nettrainer.gradcheck import CheckResult, check_model
from nettrainer.model import TwoLayerNet
from nettrainer.run_log import RunFolderWriter
from nettrainer.solver import Solver

MODEL_STREAM, SOLVER_STREAM = 1, 2  # independent random streams spawned from the config's seed
GRADCHECK_EXAMPLES = 5  # examples of the configured data used by gradcheck --config
CURVES_EVERY_S = 30.0  # curves.png is redrawn during training at most this often


@dataclass
class Outcome:
    """How a run ended.

    Attributes
    ----------
    run_dir : Path
    status : str
        ``"completed"``, ``"interrupted"`` or ``"diverged"``.
    summary : dict
        What ``summary.json`` holds.
    error : DivergenceError or None
        Why a diverged run stopped.
    """

    run_dir: Path
    status: str
    summary: dict[str, Any]
    error: DivergenceError | None = None


def versions() -> dict[str, str]:
    """Return the versions recorded in every run's ``config.yaml``."""
    return {"nettrainer": __version__, "numpy": np.__version__, "python": platform.python_version()}


def dataset_info(dataset: Dataset) -> dict[str, Any]:
    """Return what ``dataset.json`` records: provenance, sizes, classes, image shape."""
    test = dataset.split("test")
    return {
        "source": dataset.source,
        "input_size": dataset.input_size,
        "image_shape": list(dataset.image_shape) if dataset.image_shape else None,
        "class_names": list(dataset.class_names),
        "num_train": int(dataset.X_train.shape[0]),
        "num_val": int(dataset.X_val.shape[0]),
        "num_test": 0 if test is None else int(test[0].shape[0]),
    }


def check_configured_model(cfg: config.Config, seed: int, h: float) -> list[CheckResult]:
    """Gradient-check the configured hidden size and reg on a few random examples of its data.

    Random rows rather than the first ones: a data set stored in order (the
    spiral starts every arm at the origin) would put every ReLU input next to
    the kink, where centred differences are meaningless.
    """
    dataset = load_dataset(cfg, with_test=False)
    rows = np.random.default_rng(seed).choice(
        dataset.X_train.shape[0], size=min(GRADCHECK_EXAMPLES, dataset.X_train.shape[0]),
        replace=False,
    )
    X, y = dataset.X_train[rows], dataset.y_train[rows]
    results = check_model(
        hidden_size=cfg.model.hidden_size,
        num_classes=dataset.num_classes,
        regs=(0.0, cfg.model.reg),
        seed=seed,
        h=h,
        X=X.astype(np.float64),
        y=y,
    )
    return [replace(result, name=f"{cfg.run_name}: {result.name}") for result in results]


def load_dataset(
    cfg: config.Config, preprocess_state: dict | None = None, *, with_test: bool = True
) -> Dataset:
    """Load the configured data set in the configured dtype, refitting unless a state is given.

    ``with_test=False`` leaves the test split out without reading its files
    (see :func:`nettrainer.data.load`).

    Raises
    ------
    ConfigError
        When early stopping is on and the data set has no validation examples to watch.
    """
    dataset = data.load(
        cfg.data, seed=cfg.seed, dtype=np.dtype(cfg.model.dtype),
        preprocess_state=preprocess_state, with_test=with_test,
    )
    if cfg.train.early_stopping_patience is not None and dataset.X_val.shape[0] == 0:
        raise ConfigError(
            f"train.early_stopping_patience watches validation accuracy, but data.val_size = "
            f"{cfg.data.val_size!r} leaves no validation examples; set data.val_size > 0 or "
            "train.early_stopping_patience=null"
        )
    return dataset


def build_model(cfg: config.Config, dataset: Dataset) -> TwoLayerNet:
    """Make the configured :class:`TwoLayerNet`, initialised from the config's seed."""
    return TwoLayerNet(
        dataset.input_size,
        cfg.model.hidden_size,
        dataset.num_classes,
        std=cfg.model.weight_scale,
        dtype=np.dtype(cfg.model.dtype),
        rng=np.random.default_rng([cfg.seed, MODEL_STREAM]),
    )


def build_solver(
    cfg: config.Config, model: TwoLayerNet, dataset: Dataset, callbacks: Sequence[Any] = ()
) -> Solver:
    """Make the :class:`Solver` for the config's ``train`` section."""
    train = cfg.train
    optim_config = {key: getattr(train, key) for key in OPTIMIZER_KEYS[train.optimizer]}
    return Solver(
        model,
        {"X_train": dataset.X_train, "y_train": dataset.y_train,
         "X_val": dataset.X_val, "y_val": dataset.y_val},
        update_rule=train.optimizer,
        optim_config=optim_config,
        lr_decay=train.lr_decay,
        reg=cfg.model.reg,
        batch_size=train.batch_size,
        num_epochs=train.epochs,
        num_train_samples=train.num_train_samples,
        num_val_samples=train.num_val_samples,
        sampling=train.sampling,
        seed=[cfg.seed, SOLVER_STREAM],
        early_stopping_patience=train.early_stopping_patience,
        callbacks=callbacks,
    )


@contextmanager
def new_run(cfg: config.Config, dataset: Dataset) -> Iterator[Path]:
    """Create a new run folder holding the resolved config and the fitted preprocessing.

    If the block fails before training starts, the folder goes, with the
    folders made for it that are left empty (see
    :func:`~nettrainer.run_folders.new_run_folder`).

    Yields
    ------
    run_dir : Path
        For :func:`train_run`.
    """
    output = Path(cfg.output.dir).expanduser()
    with run_folders.new_run_folder(output, cfg.run_name) as run_dir:
        runs.write_text(run_dir / "config.yaml", config.dump(cfg, versions=versions()))
        runs.write_npz(run_dir / "preprocess.npz", dataset.preprocess_state)
        runs.write_json(run_dir / "dataset.json", dataset_info(dataset))
        yield run_dir


def train_run(
    cfg: config.Config,
    dataset: Dataset,
    run_dir: Path,
    *,
    callbacks: Sequence[Any] = (),
    resume: bool = False,
) -> Outcome:
    """Train in ``run_dir`` (a new folder from :func:`new_run`, or one to resume).

    Parameters
    ----------
    cfg : Config
    dataset : Dataset
    run_dir : Path
    callbacks : sequence
        Extra solver callbacks, e.g. progress display; one of them may call
        ``solver.request_stop()`` to interrupt cleanly.
    resume : bool
        Continue from ``run_dir/last.npz`` and its metrics.

    Returns
    -------
    Outcome
        Its summary is also written to ``summary.json``. A diverged run keeps
        the files of its last complete epoch (the last good checkpoint).
    """
    model = build_model(cfg, dataset)
    writer = RunFolderWriter(run_dir, [])
    solver = build_solver(cfg, model, dataset, callbacks=(writer, *callbacks))
    if resume:
        solver.load_state_dict(runs.load_state(run_dir / "last.npz"))
        writer.resume_rows(solver, runs.read_metrics(run_dir / "metrics.csv"))
    error = None
    try:
        solver.train()
        status = "completed" if solver.finished else "interrupted"
        writer.write(solver)
    except DivergenceError as diverged:
        status, error = "diverged", diverged
        writer.write_after_divergence(solver)
    summary = summarize(solver, dataset, writer.seconds, status)
    runs.write_json(run_dir / "summary.json", summary)
    return Outcome(run_dir, status, summary, error)


def summarize(solver: Solver, dataset: Dataset, seconds: float, status: str) -> dict[str, Any]:
    """Return the ``summary.json`` content; test accuracy uses the best params.

    ``seconds`` is the run's training time over all its sessions, so that
    ``samples_per_s`` is the whole run's rate, as its wall time is.
    """
    if solver.has_val:
        best_epoch = int(np.argmax(solver.val_acc_history)) if solver.val_acc_history else 0
    else:
        best_epoch = solver.epoch
    summary = {
        "status": status,
        "epochs_completed": solver.epoch,
        "stopped_early": solver.stopped_early and solver.epoch < solver.num_epochs,
        "iterations": solver.iteration,
        "best_epoch": best_epoch,
        "best_val_acc": solver.best_val_acc if solver.has_val else None,
        "final_train_acc": solver.train_acc_history[-1] if solver.train_acc_history else None,
        "test_acc": None,
        "wall_time_s": round(seconds, 3),
        "samples_per_s": round(solver.iteration * solver.samples_per_step / max(seconds, 1e-9), 1),
    }
    test = dataset.split("test")
    if test is not None and status == "completed":
        model = solver.model
        saved, model.params = model.params, solver.best_params
        summary["test_acc"] = float(np.mean(model.predict(test[0]) == test[1]))
        model.params = saved
    return summary
