"""Reading finished runs back: accuracy reports, confusion matrices and curves.

Nothing here trains: the params come from a run's ``best.npz`` or ``last.npz``
and the data are preprocessed with the state saved in the run.
"""

import time
from pathlib import Path
from typing import Any

import numpy as np

from nettrainer import config, data, experiment, runs
from nettrainer.data.locations import SEARCH_PATHS
from nettrainer.deferred_interrupt import interrupts_deferred
from nettrainer.errors import CheckpointError, DataError
from nettrainer.model import TwoLayerNet
from nettrainer.solver_state import checked_params

BEST_PARAMS_SOURCE = "best.npz"  # the checkpoint a run's weight grid and decision regions show
CONFUSION_FILE = "confusion.png"  # evaluate --plot's picture, in the run folder or a given folder


def curves_file(run_count: int) -> str:
    """Return the default picture name: ``curves.png`` for one run, ``comparison.png`` for more."""
    return "curves.png" if run_count == 1 else "comparison.png"


def read_run_config(run_dir: Path) -> config.Config:
    """Read the resolved config saved in a run folder."""
    runs.check_run_dir(run_dir)
    return config.load(Path(run_dir) / "config.yaml")


def saved_preprocessing(run_dir: Path | None) -> dict[str, np.ndarray] | None:
    """Return the preprocessing state saved in a run folder, or None for a new run."""
    return None if run_dir is None else runs.read_npz(Path(run_dir) / "preprocess.npz")


def load_run_dataset(run_dir: Path, cfg: config.Config, *, with_test: bool) -> data.Dataset:
    """Load the data a run trained on, with its saved preprocessing, as ``dataset.json`` has it.

    Raises
    ------
    DataError
        When the files have changed since the run (rows added or removed, a
        class renamed): its split, its class numbers or its input size would
        no longer be the run's, and resuming or scoring would go on silently
        with other data.
    """
    state, cfg = saved_preprocessing(run_dir), _at_recorded_place(run_dir, cfg)
    try:
        dataset = experiment.load_dataset(cfg, state, with_test=with_test)
    except DataError:  # a saved preprocessing or test file refused because the data changed:
        _check_same_data(run_dir, cfg, experiment.load_dataset(cfg, with_test=False))  # say that
        raise
    _check_same_data(run_dir, cfg, dataset)
    return dataset


def _at_recorded_place(run_dir: Path, cfg: config.Config) -> config.Config:
    """Return ``cfg`` reading its data where the run found it, when the run searched for it.

    With ``data.path`` null, MNIST, Fashion-MNIST and CIFAR-10 are looked for
    in places relative to the folder a command runs in (``data/mnist/``); the
    run's ``dataset.json`` records the absolute folder found, so that evaluate,
    plot and ``--resume`` work from any folder. A relative record (runs before
    it was absolute) or a folder since removed leaves the search as it was.
    """
    if cfg.data.path is not None or cfg.data.name not in SEARCH_PATHS:
        return cfg
    source = Path(runs.read_dataset_info(run_dir).get("source", ""))
    if not (source.is_absolute() and source.is_dir()):
        return cfg
    return config.replace(cfg, "data.path", str(source), f"{run_dir}/dataset.json")


def _check_same_data(run_dir: Path, cfg: config.Config, dataset: data.Dataset) -> None:
    """Raise when ``dataset`` differs from what the run's ``dataset.json`` records."""
    recorded, now = runs.read_dataset_info(run_dir), experiment.dataset_info(dataset)
    keys = ["input_size", "class_names", "num_train", "num_val"]
    keys += ["num_test"] if dataset.split("test") is not None else []
    for key in (key for key in keys if key in recorded and recorded[key] != now[key]):
        where = cfg.data.test_path if key == "num_test" and cfg.data.test_path else now["source"]
        raise DataError(
            f"{run_dir}: the data set is not the one this run trained on: {key} is "
            f"{_shown(now[key])} in {where} now, {_shown(recorded[key])} in its "
            "dataset.json; put the data back as it was, or train a new run on these files"
        )


def _shown(value: Any) -> str:
    """Write a dataset.json value for a message: a long class list is cut short."""
    if isinstance(value, list) and len(value) > 6:
        return f"[{', '.join(map(repr, value[:5]))}, ... ({len(value)} classes)]"
    return repr(value)


def load_checkpoint_params(run_dir: Path, checkpoint: str) -> dict[str, np.ndarray]:
    """Read the params of ``best.npz`` or of the solver state in ``last.npz``."""
    summary = runs.read_summary(run_dir)
    if summary.get("epochs_completed") == 0 and not (Path(run_dir) / f"{checkpoint}.npz").exists():
        raise CheckpointError(
            f"{run_dir}: the run {summary.get('status', 'stopped')} before completing an epoch, "
            "so it saved no checkpoint; train again (after a divergence, with a lower "
            "train.learning_rate)"
        )
    if checkpoint == "best":
        return runs.read_npz(Path(run_dir) / "best.npz")
    state = runs.load_state(Path(run_dir) / "last.npz")
    if "params" not in state:
        raise CheckpointError(f"{run_dir}/last.npz holds no params: it was changed outside "
                              "nettrainer; score best.npz instead (--checkpoint best)")
    return state["params"]


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> np.ndarray:
    """Count predictions per (true, predicted) class pair.

    Parameters
    ----------
    y_true, y_pred : ndarray of shape (N,)
        Integer labels in [0, C).
    num_classes : int
        C.

    Returns
    -------
    matrix : ndarray of shape (C, C), int64
        ``matrix[i, j]``: examples of class i predicted as j.
    """
    flat = y_true.astype(np.int64) * num_classes + y_pred
    return np.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def evaluate_run(run_dir: Path, split: str, checkpoint: str) -> dict[str, Any]:
    """Evaluate a run's params on one split of its data.

    Parameters
    ----------
    run_dir : Path
    split : {"test", "val", "train"}
    checkpoint : {"best", "last"}

    Returns
    -------
    report : dict
        ``accuracy``, ``per_class_acc`` (C,), ``class_counts`` (C,),
        ``confusion`` (C, C), ``class_names``, ``num_examples``, ``split``,
        ``checkpoint``.

    Raises
    ------
    DataError
        If the data set has no such split, or ``split`` is ``"test"`` and the
        file ``data.test_path`` names is gone (val and train never read it).
    """
    cfg = read_run_config(run_dir)
    missing = data.missing_test_file(cfg.data) if split == "test" else None
    if missing is not None:
        raise DataError(
            f"{run_dir}: cannot evaluate the test split: {missing}; put the test file back "
            "there, or evaluate --split val or --split train, which do not read it"
        )
    dataset = load_run_dataset(run_dir, cfg, with_test=split == "test")
    part = dataset.split(split)
    if part is None or part[0].shape[0] == 0:
        present = [name for name in ("test", "val", "train") if _has_rows(dataset, name, run_dir)]
        raise DataError(
            f"{run_dir}: data set {cfg.data.name!r} has no {split} split; "
            f"use --split {' or '.join(present)}"
        )
    model = experiment.build_model(cfg, dataset)
    saved = load_checkpoint_params(run_dir, checkpoint)
    model.params = checked_params(saved, model.params, f"{Path(run_dir) / checkpoint}.npz")
    X, y = part
    matrix = confusion_matrix(y, model.predict(X), dataset.num_classes)
    counts = matrix.sum(axis=1)
    return {
        "run_dir": str(run_dir),
        "split": split,
        "checkpoint": checkpoint,
        "num_examples": int(y.shape[0]),
        "accuracy": float(np.trace(matrix) / max(y.shape[0], 1)),
        "class_names": dataset.class_names,
        "class_counts": counts,
        "per_class_acc": np.diag(matrix) / np.maximum(counts, 1),
        "confusion": matrix,
    }


def _has_rows(dataset: Any, name: str, run_dir: Path) -> bool:
    if name == "test" and dataset.X_test is None:  # not loaded: as many as the run recorded
        return bool(runs.read_dataset_info(run_dir).get("num_test"))
    part = dataset.split(name)
    return part is not None and part[0].shape[0] > 0


def plot_report(report: dict[str, Any], out: Path) -> Path:
    """Draw an evaluation's confusion matrix to ``out``, titled with its split and params."""
    title = f"Confusion matrix, {report['split']} split ({report['checkpoint']} params)"
    return _plots().plot_confusion(report["confusion"], report["class_names"], out, title)


def _plots() -> Any:
    """Return :mod:`nettrainer.plots`, imported on first use.

    Importing matplotlib takes about half a second; commands that draw nothing
    (``--help``, ``gradcheck``, ``data``, ``evaluate`` without a picture) skip it.
    A Ctrl-C during the import is delivered after it (see
    :mod:`~nettrainer.deferred_interrupt`).
    """
    with interrupts_deferred():
        from nettrainer import plots

    return plots


def draw_curves(*run_dirs: Path, out: Path | None = None) -> Path:
    """Draw the curves of one or several runs, with weights or decision regions for one.

    Parameters
    ----------
    *run_dirs : Path
        Run folders, overlaid in one figure.
    out : Path, optional
        Picture file; default ``RUN_DIR/curves.png`` for one run and
        ``comparison.png`` for several.

    Returns
    -------
    Path
        The picture written.
    """
    _check_each_once(run_dirs)
    records = [
        runs.read_run(path, config.to_dict(read_run_config(path))) for path in run_dirs
    ]
    if out is None:
        folder = Path(run_dirs[0]) if len(run_dirs) == 1 else Path()
        out = folder / curves_file(len(run_dirs))
    first_layer = regions = None
    if len(run_dirs) == 1:
        first_layer, regions = _single_run_pictures(Path(run_dirs[0]))
    return _plots().plot_runs(records, out, first_layer=first_layer, regions=regions,
                           params_source=BEST_PARAMS_SOURCE)


def _check_each_once(run_dirs: tuple[Path, ...]) -> None:
    """Refuse a run folder given twice: its second curves would hide the first."""
    seen: dict[Path, Path] = {}
    for path in map(Path, run_dirs):
        first = seen.setdefault(path.resolve(), path)
        if first is not path:
            also = "" if first == path else f" (first as {first})"
            raise CheckpointError(f"{path}: given twice{also}; name each run folder once")


class PeriodicCurves:
    """Solver callback that redraws a run's ``curves.png`` every ``every_s`` seconds at most.

    Parameters
    ----------
    run_dir : Path
    every_s : float
    """

    def __init__(self, run_dir: Path, every_s: float):
        self.run_dir, self.every_s = Path(run_dir), every_s
        self.last = time.perf_counter()

    def on_epoch_end(self, _solver: object) -> None:
        """Redraw the curves if ``every_s`` seconds have passed since the last drawing."""
        if time.perf_counter() - self.last >= self.every_s:
            draw_curves(self.run_dir)
            self.last = time.perf_counter()


def _single_run_pictures(run_dir: Path) -> tuple[Any, Any]:
    """First-layer weights for image data, decision regions for 2-D data, else nothing."""
    info = runs.read_dataset_info(run_dir)
    best_path = run_dir / BEST_PARAMS_SOURCE
    if not best_path.exists():
        return None, None
    cfg = read_run_config(run_dir)
    params = runs.read_npz(best_path)
    if info.get("image_shape"):
        sizes = info.get("input_size"), cfg.model.hidden_size, len(info.get("class_names", ()))
        shaped = TwoLayerNet(*sizes, rng=np.random.default_rng()).params  # the names and shapes
        params = checked_params(params, shaped, str(best_path))
        return (params["W1"], tuple(info["image_shape"])), None
    if info.get("input_size") == 2:
        dataset = load_run_dataset(run_dir, cfg, with_test=False)
        model = experiment.build_model(cfg, dataset)
        model.params = checked_params(params, model.params, str(best_path))
        return None, _plots().DecisionRegions(model.predict, dataset.X_train, dataset.y_train)
    return None, None
