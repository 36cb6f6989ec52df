"""Tests of the command line (nettrainer.cli) through CliRunner, and a real process where needed.

Configs are tiny spirals (20 points per class, 10 hidden units, a few epochs)
written as JSON, which is YAML, into ``tmp_path``.
"""

import contextlib
import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from click.testing import CliRunner
from data_fixtures import write_idx_dataset

from nettrainer import (
    __version__,
    config,
    evaluation,
    experiment,
    plots,
    run_folders,
    runs,
)
from nettrainer.cli import cli
from nettrainer.errors import CheckpointError
from nettrainer.progress import Progress
from nettrainer.run_lock import training_lock
from nettrainer.run_log import RunFolderWriter

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
STAMP_RE = re.compile(r"\d{8}-\d{6}(-\d+)?")
RUN_FILES = (
    "config.yaml", "metrics.csv", "history.json", "last.npz", "best.npz",
    "preprocess.npz", "dataset.json", "summary.json", "curves.png",
)
REPO = Path(__file__).resolve().parents[1]


def tiny_config(out: Path, epochs: int = 3, **sections) -> dict:
    """A spiral config that trains in well under a second.

    Other data (``data={"name": "npz", ...}``) drops the spiral's point count,
    which it would not read (a warning).
    """
    cfg = {
        "name": "tiny",
        "seed": 0,
        "data": {"name": "spiral", "points_per_class": 20},
        "model": {"hidden_size": 10},
        "train": {"epochs": epochs, "batch_size": 10, "num_train_samples": None},
        "output": {"dir": str(out)},
    }
    if sections.get("data", {}).get("name", "spiral") not in ("spiral", "blobs"):
        del cfg["data"]["points_per_class"]
    for section, values in sections.items():
        cfg[section] = {**cfg.get(section, {}), **values}
    return cfg


def write_config(path: Path, cfg: dict) -> Path:
    path.write_text(json.dumps(cfg))
    return path


def invoke(*args: str):
    return CliRunner().invoke(cli, [str(arg) for arg in args])


def run_dirs(out: Path, name: str = "tiny") -> list[Path]:
    folder = out / name
    return sorted(folder.iterdir()) if folder.is_dir() else []


def only_run(out: Path) -> Path:
    found = run_dirs(out)
    assert len(found) == 1, found
    return found[0]


def metrics_without_seconds(run_dir: Path) -> list[list[str]]:
    lines = (run_dir / "metrics.csv").read_text().splitlines()
    return [line.rsplit(",", 1)[0] for line in lines]


def summary(run_dir: Path) -> dict:
    return json.loads((run_dir / "summary.json").read_text())


def assert_one_line_error(result, *fragments: str, code: int = 2) -> str:
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def train(tmp_path: Path, cfg: dict, *args: str, name: str = "cfg.json"):
    return invoke("train", write_config(tmp_path / name, cfg), *args)


def write_blobs(path: Path) -> Path:
    """An npz data set: 3 Gaussian blobs in D=4, 60 training and 30 test examples."""
    rng = np.random.default_rng(0)
    centres = 3.0 * rng.standard_normal((3, 4))

    def split(n):
        y = np.arange(n) % 3
        return centres[y] + rng.standard_normal((n, 4)), y

    X_train, y_train = split(60)
    X_test, y_test = split(30)
    np.savez(path, X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test)
    return path


def train_with_test_file(base: Path, epochs: int = 2) -> tuple[Path, Path]:
    """Train on 2-D npz data whose test split is a data.test_path file; return (run, that file)."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((90, 2)), np.arange(90) % 3
    np.savez(base / "d.npz", X_train=X[:60], y_train=y[:60])
    np.savez(base / "t.npz", X_test=X[60:], y_test=y[60:])
    data = {"name": "npz", "path": str(base / "d.npz"), "test_path": str(base / "t.npz")}
    result = train(base, tiny_config(base / "runs", epochs=epochs, data=data))
    assert result.exit_code == 0, result.output
    return only_run(base / "runs"), base / "t.npz"


@pytest.fixture(scope="module")
def spiral_run(tmp_path_factory) -> Path:
    """A finished tiny spiral run (no test split)."""
    base = tmp_path_factory.mktemp("spiral")
    result = train(base, tiny_config(base / "runs"))
    assert result.exit_code == 0, result.output
    return only_run(base / "runs")


@pytest.fixture(scope="module")
def npz_run(tmp_path_factory) -> Path:
    """A finished run on an npz data set with a 30-example test split, 3 classes, D=4."""
    base = tmp_path_factory.mktemp("npz")
    data_path = write_blobs(base / "blobs.npz")
    cfg = tiny_config(base / "runs", epochs=5, data={"name": "npz", "path": str(data_path)})
    result = train(base, cfg)
    assert result.exit_code == 0, result.output
    return only_run(base / "runs")


@pytest.fixture(scope="module")
def moved_test_run(tmp_path_factory) -> tuple[Path, Path]:
    """(a finished run on 2-D npz data, its data.test_path file), the file since moved away."""
    run_dir, test_file = train_with_test_file(tmp_path_factory.mktemp("moved"))
    test_file.rename(test_file.with_name("elsewhere.npz"))
    return run_dir, test_file


# --- train: the run folder ---------------------------------------------------------------


def test_train_writes_complete_run_folder(tmp_path):
    before = datetime.now().replace(microsecond=0)
    cfg_path = write_config(tmp_path / "cfg.json", tiny_config(tmp_path / "runs", epochs=4))
    result = invoke("train", cfg_path)
    assert result.exit_code == 0, result.output
    run_dir = only_run(tmp_path / "runs")
    assert config.load(run_dir / "config.yaml") == config.load(cfg_path)
    assert run_dir.parent == tmp_path / "runs" / "tiny"
    assert STAMP_RE.fullmatch(run_dir.name)
    assert datetime.strptime(run_dir.name[:15], "%Y%m%d-%H%M%S") >= before
    assert sorted(path.name for path in run_dir.iterdir()) == sorted(RUN_FILES)
    assert "\nversions:\n" in "\n" + (run_dir / "config.yaml").read_text()
    lines = (run_dir / "metrics.csv").read_text().splitlines()
    assert lines[0] == "epoch,iteration,learning_rate,train_loss,train_acc,val_acc,seconds"
    assert [int(line.split(",")[0]) for line in lines[1:]] == [0, 1, 2, 3, 4]
    history = json.loads((run_dir / "history.json").read_text())
    assert len(history["loss_history"]) == 4 * history["iterations_per_epoch"]
    assert set(runs.read_npz(run_dir / "best.npz")) == {"W1", "b1", "W2", "b2"}
    assert runs.load_state(run_dir / "last.npz")["params"]["W1"].shape == (2, 10)
    assert json.loads((run_dir / "dataset.json").read_text())["input_size"] == 2
    assert summary(run_dir)["status"] == "completed"
    assert summary(run_dir)["epochs_completed"] == 4
    assert (run_dir / "curves.png").read_bytes()[:8] == PNG_MAGIC
    assert str(run_dir) in result.stdout


def test_a_config_without_a_name_writes_its_runs_under_the_data_set_name(tmp_path):
    cfg = tiny_config(tmp_path / "runs", epochs=1)
    del cfg["name"]
    cfg_path = write_config(tmp_path / "cfg.json", cfg)
    printed = invoke("train", cfg_path, "--print-config", "--set", "data.name=blobs")
    assert printed.stdout.startswith("name: blobs\nseed: 0\n"), printed.output
    result = invoke("train", cfg_path, "--quiet")
    assert result.exit_code == 0, result.output
    run_dir = only_run_named(tmp_path / "runs", "spiral")
    assert config.load(run_dir / "config.yaml").name == "spiral"


def only_run_named(out: Path, name: str) -> Path:
    found = run_dirs(out, name)
    assert len(found) == 1 and sorted(path.name for path in out.iterdir()) == [name], found
    return found[0]


def test_print_config_prints_yaml_and_creates_no_run(tmp_path):
    cfg_path = write_config(tmp_path / "cfg.json", tiny_config(tmp_path / "runs"))
    result = invoke("train", cfg_path, "--print-config", "--set", "model.reg=0.25")
    assert result.exit_code == 0, result.output
    printed = tmp_path / "printed.yaml"
    printed.write_text(result.stdout)
    assert config.load(printed) == config.load(cfg_path, ["model.reg=0.25"])
    assert "model:\n" in result.stdout and "{" not in result.stdout  # block YAML, not the JSON
    assert not (tmp_path / "runs").exists()


def test_train_warns_of_a_key_it_will_not_read_before_training_and_not_on_resume(tmp_path):
    cfg = tiny_config(tmp_path / "runs", epochs=1, train={"optimizer": "adam", "momentum": 0.5})
    warning = ("warning: train.momentum is 0.5, but train.optimizer is adam; it is read only "
               "when train.optimizer is sgd_momentum\n")
    printed = train(tmp_path, cfg, "--print-config")
    assert printed.exit_code == 0 and printed.stderr == warning, printed.output
    (tmp_path / "printed.yaml").write_text(printed.stdout)  # stdout stays the YAML alone
    assert config.load(tmp_path / "printed.yaml") == config.load(tmp_path / "cfg.json")
    result = train(tmp_path, cfg, "--quiet")
    assert result.exit_code == 0 and result.stderr == warning, result.output
    resumed = invoke("train", "--resume", only_run(tmp_path / "runs"), "--set", "train.epochs=2")
    assert resumed.exit_code == 0 and resumed.stderr == "", resumed.output
    missing = {"name": "npz", "path": str(tmp_path / "missing.npz")}
    assert_one_line_error(train(tmp_path, {**cfg, "data": missing}), "missing.npz: no such file")


def test_a_run_that_fails_before_it_starts_shows_its_error_without_the_warnings(
    tmp_path, monkeypatch
):
    cfg = tiny_config(tmp_path / "runs", epochs=1, train={"momentum": 0.5})
    real_build_model, real_save_state = experiment.build_model, runs.save_state

    def too_large(*args):
        raise MemoryError("Unable to allocate 1.46 TiB for an array")

    monkeypatch.setattr(experiment, "build_model", too_large)  # hidden_size 1e11, say
    assert_one_line_error(train(tmp_path, cfg), "error: out of memory (Unable to allocate")
    monkeypatch.setattr(experiment, "build_model", real_build_model)

    def full_disk(path, state):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(runs, "save_state", full_disk)  # the first checkpoint, before step one
    assert_one_line_error(train(tmp_path, cfg), "last.npz: No space left on device")
    assert not (tmp_path / "runs").exists()
    monkeypatch.setattr(runs, "save_state", real_save_state)
    started = train(tmp_path, cfg, "--quiet")
    assert started.exit_code == 0 and started.stderr.startswith("warning: train.momentum"), started


def test_set_and_out_are_applied_and_saved(tmp_path):
    result = train(
        tmp_path, tiny_config(tmp_path / "runs"),
        "--set", "train.learning_rate=0.5", "--set", "model.reg=0.01", "--out", tmp_path / "other",
    )
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "runs").exists()
    saved = config.load(only_run(tmp_path / "other") / "config.yaml")
    assert saved.train.learning_rate == 0.5
    assert saved.model.reg == 0.01
    assert saved.output.dir == str(tmp_path / "other")


def test_plain_output_has_one_line_per_epoch_and_no_control_codes(tmp_path):
    result = train(tmp_path, tiny_config(tmp_path / "runs", epochs=5))
    assert result.exit_code == 0, result.output
    assert "\r" not in result.output
    assert "\x1b" not in result.output
    epoch_lines = [line for line in result.stdout.splitlines() if line.startswith("epoch ")]
    assert [line.split()[1] for line in epoch_lines] == [f"{e}/5" for e in range(1, 6)]


def test_quiet_prints_only_the_summary(tmp_path):
    result = train(tmp_path, tiny_config(tmp_path / "runs", epochs=5), "--quiet")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 3, lines
    assert lines[0].startswith("completed: 5 epochs")
    assert lines[2].startswith(f"run folder: {only_run(tmp_path / 'runs')}")
    assert result.stderr == ""


class FrozenClock(datetime):
    """A clock stopped at 2026-01-02 03:04:05, so that two runs start in the same second."""

    @classmethod
    def now(cls, tz=None):
        return cls(2026, 1, 2, 3, 4, 5)


@pytest.fixture(scope="module")
def twin_runs(tmp_path_factory) -> tuple[Path, Path]:
    """Two runs of the same config, started (by the frozen clock) in the same second."""
    base = tmp_path_factory.mktemp("twins")
    cfg = tiny_config(base / "runs", epochs=4)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(run_folders, "datetime", FrozenClock)
        assert train(base, cfg).exit_code == 0
        first = only_run(base / "runs")
        (base / "first-metrics.csv").write_text((first / "metrics.csv").read_text())
        assert train(base, cfg).exit_code == 0
    return tuple(run_dirs(base / "runs"))


def test_two_runs_in_the_same_second_never_overwrite(twin_runs):
    first, second = twin_runs
    assert (first.name, second.name) == ("20260102-030405", "20260102-030405-1")
    assert (first / "metrics.csv").read_text() == (
        first.parents[2] / "first-metrics.csv"
    ).read_text()
    assert sorted(path.name for path in second.iterdir()) == sorted(RUN_FILES)


def test_same_config_and_seed_give_identical_metrics(twin_runs, tmp_path):
    first, second = twin_runs
    assert metrics_without_seconds(first) == metrics_without_seconds(second)
    cfg_path = first.parents[2] / "cfg.json"
    other_seed = invoke("train", cfg_path, "--set", "seed=3", "--out", tmp_path)
    assert other_seed.exit_code == 0
    assert metrics_without_seconds(only_run(tmp_path)) != metrics_without_seconds(first)


# --- train --resume --------------------------------------------------------------------


@pytest.fixture(scope="module")
def resumed_pair(tmp_path_factory) -> tuple[Path, Path]:
    """(a 6-epoch run, a 2-epoch run resumed to 6 epochs) of the same config."""
    base = tmp_path_factory.mktemp("resume")
    full = train(base, tiny_config(base / "full", epochs=6), name="full.json")
    assert full.exit_code == 0, full.output
    part = train(base, tiny_config(base / "part", epochs=2), name="part.json")
    assert part.exit_code == 0, part.output
    resumed_dir = only_run(base / "part")
    before = runs.read_metrics(resumed_dir / "metrics.csv")
    resumed = invoke("train", "--resume", resumed_dir, "--set", "train.epochs=6")
    assert resumed.exit_code == 0, resumed.output
    assert run_dirs(base / "part") == [resumed_dir]  # continued in place
    # it continued rather than restarted: epochs 1-2 were not trained (nor timed) again
    epoch_lines = [line for line in resumed.stdout.splitlines() if line.startswith("epoch ")]
    assert [line.split()[1] for line in epoch_lines] == ["3/6", "4/6", "5/6", "6/6"]
    after = runs.read_metrics(resumed_dir / "metrics.csv")
    assert [row["seconds"] for row in after[:3]] == [row["seconds"] for row in before]
    return only_run(base / "full"), resumed_dir


def _rows_without_seconds(run_dir: Path) -> list[dict[str, float]]:
    rows = runs.read_metrics(run_dir / "metrics.csv")
    return [{k: (None if np.isnan(v) else v) for k, v in row.items() if k != "seconds"}
            for row in rows]


def test_resume_matches_an_uninterrupted_run(resumed_pair):
    full_dir, resumed_dir = resumed_pair
    for name in ("best.npz", "last.npz"):
        expected = runs.read_npz(full_dir / name)
        actual = runs.read_npz(resumed_dir / name)
        assert set(actual) == set(expected)
        for key in ("W1", "b1", "W2", "b2", "params/W1", "params/b1", "params/W2", "params/b2"):
            if key in expected:
                assert np.array_equal(actual[key], expected[key]), (name, key)
    assert _rows_without_seconds(resumed_dir) == _rows_without_seconds(full_dir)
    assert [row["epoch"] for row in _rows_without_seconds(resumed_dir)] == list(range(7))
    assert summary(resumed_dir)["status"] == "completed"
    assert summary(resumed_dir)["epochs_completed"] == 6
    history = json.loads((resumed_dir / "history.json").read_text())
    assert history == json.loads((full_dir / "history.json").read_text())


def test_a_resumed_run_reports_the_whole_runs_rate_over_its_whole_time(resumed_pair):
    _, resumed_dir = resumed_pair
    done = summary(resumed_dir)
    samples = done["iterations"] * 10  # tiny_config's batch size
    wall = done["wall_time_s"]  # rounded to the millisecond
    assert samples / (wall + 0.0006) <= done["samples_per_s"] <= samples / max(wall - 0.0006, 1e-6)


def test_resume_metrics_csv_text_matches_an_uninterrupted_run(resumed_pair):
    full_dir, resumed_dir = resumed_pair
    assert metrics_without_seconds(resumed_dir) == metrics_without_seconds(full_dir)


class HardKill(BaseException):
    """Ends a run as SIGKILL would: no clean-up, no handler, nothing written after it."""


def test_a_run_killed_in_its_first_epoch_resumes_to_an_uninterrupted_runs_end(
    resumed_pair, tmp_path, monkeypatch
):
    full_dir, _ = resumed_pair

    def kill(_writer, _solver):
        raise HardKill

    with monkeypatch.context() as patch, pytest.raises(HardKill):
        patch.setattr(RunFolderWriter, "on_epoch_end", kill)
        train(tmp_path, tiny_config(tmp_path / "runs", epochs=6))
    run_dir = only_run(tmp_path / "runs")
    assert [row["epoch"] for row in runs.read_metrics(run_dir / "metrics.csv")] == [0]
    assert not (run_dir / "summary.json").exists()
    assert invoke("evaluate", run_dir, "--split", "train").exit_code == 0
    assert invoke("plot", run_dir).exit_code == 0
    resumed = invoke("train", "--resume", run_dir, "--quiet")
    assert resumed.exit_code == 0, resumed.output
    assert _rows_without_seconds(run_dir) == _rows_without_seconds(full_dir)
    for name in ("best.npz", "last.npz"):
        expected, actual = runs.read_npz(full_dir / name), runs.read_npz(run_dir / name)
        assert all(np.array_equal(actual[key], expected[key]) for key in expected), name


def test_resume_without_the_test_file_trains_on_and_warns_before_and_after(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "part").mkdir()
    full_dir, _ = train_with_test_file(tmp_path / "full", epochs=3)
    run_dir, test_file = train_with_test_file(tmp_path / "part", epochs=2)
    test_file.rename(tmp_path / "elsewhere.npz")
    result = invoke("train", "--resume", run_dir, "--set", "train.epochs=3", "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"warning: {test_file}: no such file (data.test_path); training goes on without the "
        "test split, so summary.json will have no test accuracy",
        f"warning: no test accuracy: {test_file}: no such file (data.test_path); put the file "
        f"back, then `nettrainer evaluate {run_dir}` scores best.npz on it",
    ]
    assert result.stdout.splitlines()[1].endswith("; test accuracy n/a")
    assert summary(run_dir)["status"] == "completed" and summary(run_dir)["test_acc"] is None
    # training never used the test split: the run is the uninterrupted one, test file and all
    assert _rows_without_seconds(run_dir) == _rows_without_seconds(full_dir)
    for key, value in runs.read_npz(full_dir / "best.npz").items():
        assert np.array_equal(runs.read_npz(run_dir / "best.npz")[key], value), key
    (tmp_path / "elsewhere.npz").rename(test_file)
    matrix = _confusion(invoke("evaluate", run_dir).stdout)  # what test_acc would have been
    assert summary(full_dir)["test_acc"] == pytest.approx(np.trace(matrix) / matrix.sum())


def test_resume_with_both_data_files_gone_is_one_error_line_and_no_warning(tmp_path):
    run_dir, test_file = train_with_test_file(tmp_path)
    test_file.rename(tmp_path / "t-elsewhere.npz")
    (tmp_path / "d.npz").rename(tmp_path / "d-elsewhere.npz")
    result = invoke("train", "--resume", run_dir, "--set", "train.epochs=3")
    assert_one_line_error(result, "d.npz: no such file (data.path)")


def test_resume_to_more_epochs_records_them_in_config_yaml(spiral_run, tmp_path):
    """The resume command an interrupted run prints has no --set: config.yaml keeps the target."""
    run_dir = Path(shutil.copytree(spiral_run, tmp_path / "run"))
    result = invoke("train", "--resume", run_dir, "--set", "train.epochs=5", "--quiet")
    assert result.exit_code == 0, result.output
    assert config.load(run_dir / "config.yaml").train.epochs == 5
    assert config.differences(config.load(run_dir / "config.yaml"),
                              config.load(spiral_run / "config.yaml")) == ["train.epochs"]
    assert_one_line_error(invoke("train", "--resume", run_dir), "already completed 5 epochs")


def test_resume_counts_epochs_from_last_npz_not_from_a_stale_summary(spiral_run, tmp_path):
    """A hard kill leaves summary.json behind last.npz; resuming must not run zero steps."""
    run_dir = Path(shutil.copytree(spiral_run, tmp_path / "run"))
    stale = (run_dir / "summary.json").read_text()  # completed, 3 epochs
    assert invoke("train", "--resume", run_dir, "--set", "train.epochs=5").exit_code == 0
    (run_dir / "summary.json").write_text(stale)
    assert_one_line_error(invoke("train", "--resume", run_dir, "--set", "train.epochs=4"),
                          "already completed 5 epochs", "N > 5")
    interrupted = {**json.loads(stale), "status": "interrupted"}
    (run_dir / "summary.json").write_text(json.dumps(interrupted))
    assert_one_line_error(invoke("train", "--resume", run_dir, "--set", "train.epochs=2"),
                          "already completed 5 epochs")
    assert json.loads((run_dir / "summary.json").read_text()) == interrupted


def test_resume_of_a_run_another_process_trains_in_is_refused_and_changes_nothing(
    spiral_run, tmp_path
):
    run_dir = Path(shutil.copytree(spiral_run, tmp_path / "run"))
    before = {path.name: path.read_bytes() for path in run_dir.iterdir()}
    with training_lock(run_dir):  # as a process still training there holds it
        result = invoke("train", "--resume", run_dir, "--set", "train.epochs=5")
    assert_one_line_error(result, f"{run_dir}: another nettrainer process is training in this "
                          "run folder; let it finish (or stop it with Ctrl-C), then resume")
    assert {path.name: path.read_bytes() for path in run_dir.iterdir()} == before
    assert invoke("train", "--resume", run_dir, "--set", "train.epochs=5").exit_code == 0


def test_train_holds_the_run_folders_lock_while_it_trains(tmp_path, monkeypatch):
    train_run = experiment.train_run
    refused = []

    def train_run_while_checking_the_lock(cfg, dataset, run_dir, **kwargs):
        with pytest.raises(CheckpointError):
            with training_lock(run_dir):
                pass
        refused.append(run_dir)
        return train_run(cfg, dataset, run_dir, **kwargs)

    monkeypatch.setattr(experiment, "train_run", train_run_while_checking_the_lock)
    assert train(tmp_path, tiny_config(tmp_path / "runs")).exit_code == 0
    assert refused == [only_run(tmp_path / "runs")]
    with training_lock(refused[0]):  # released when train returned
        pass


def test_print_config_of_a_completed_run_prints_it(spiral_run):
    result = invoke("train", "--resume", spiral_run, "--print-config")
    assert result.exit_code == 0, result.output
    assert "epochs: 3\n" in result.stdout


def test_a_run_on_data_found_in_data_mnist_evaluates_and_resumes_from_another_folder(
    tmp_path, monkeypatch
):
    """data.path null: the folder found is recorded absolute in dataset.json and read from."""
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    write_idx_dataset(project / "data" / "mnist", np.random.default_rng(0), n_train=60, n_test=20)
    elsewhere.mkdir()
    monkeypatch.chdir(project)
    data = {"name": "mnist", "val_size": 20}
    assert train(tmp_path, tiny_config(project / "runs", data=data)).exit_code == 0
    run_dir = only_run(project / "runs")
    assert config.load(run_dir / "config.yaml").data.path is None
    assert runs.read_dataset_info(run_dir)["source"] == str(project / "data" / "mnist")
    monkeypatch.chdir(elsewhere)
    for args in (("evaluate", run_dir), ("plot", run_dir),
                 ("train", "--resume", run_dir, "--set", "train.epochs=4")):
        result = invoke(*args)
        assert result.exit_code == 0, (args, result.output)


def test_without_mnist_test_files_only_the_test_split_is_lost(tmp_path):
    """evaluate --split val and plot never read them; resume trains on, warning twice."""
    write_idx_dataset(tmp_path / "fm", np.random.default_rng(0), n_train=60, n_test=20)
    data = {"name": "fashion-mnist", "path": str(tmp_path / "fm"), "val_size": 20}
    assert train(tmp_path, tiny_config(tmp_path / "runs", data=data)).exit_code == 0
    run_dir = only_run(tmp_path / "runs")
    (tmp_path / "fm" / "t10k-images-idx3-ubyte.gz").unlink()
    for args in (("evaluate", run_dir, "--split", "val"), ("plot", run_dir)):
        result = invoke(*args)
        assert result.exit_code == 0 and result.stderr == "", (args, result.output)
    resumed = invoke("train", "--resume", run_dir, "--set", "train.epochs=4", "--quiet")
    assert resumed.exit_code == 0, resumed.output
    missing = f"{tmp_path / 'fm'}: missing t10k-images-idx3-ubyte[.gz]"
    warnings = resumed.stderr.splitlines()
    assert len(warnings) == 2 and all(line.startswith("warning: ") for line in warnings)
    assert missing in warnings[0] and warnings[0].endswith("training goes on without the test "
                                                           "split, so summary.json will have no "
                                                           "test accuracy")
    assert summary(run_dir)["status"] == "completed" and summary(run_dir)["test_acc"] is None
    assert_one_line_error(invoke("evaluate", run_dir), missing)


def test_another_input_size_is_named_so_when_the_run_saved_its_preprocessing(tmp_path):
    """The saved mean no longer fits: the message is the data set's change, not the mean's."""
    rng = np.random.default_rng(0)
    data_path = tmp_path / "d.npz"
    np.savez(data_path, X_train=rng.random((60, 2)), y_train=np.arange(60) % 3)
    data = {"name": "npz", "path": str(data_path),
            "preprocess": {"subtract_mean": True, "standardize": True}}
    assert train(tmp_path, tiny_config(tmp_path / "runs", data=data)).exit_code == 0
    run_dir = only_run(tmp_path / "runs")
    np.savez(data_path, X_train=rng.random((60, 3)), y_train=np.arange(60) % 3)
    expected = (f"error: {run_dir}: the data set is not the one this run trained on: input_size "
                f"is 3 in {data_path} now, 2 in its dataset.json; put the data back as it was, "
                "or train a new run on these files")
    for args in (("evaluate", run_dir, "--split", "val"), ("plot", run_dir),
                 ("train", "--resume", run_dir, "--set", "train.epochs=5")):
        assert assert_one_line_error(invoke(*args)) == expected, args


def test_resume_evaluate_and_plot_refuse_data_files_changed_since_the_run(tmp_path):
    rows = [f"{i % 7}.5,{i % 5}.25,{('cat', 'dog', 'emu')[i % 3]}" for i in range(60)]
    data_path = tmp_path / "animals.csv"
    data_path.write_text("\n".join(rows) + "\n")
    cfg = tiny_config(tmp_path / "runs", epochs=2, data={"name": "csv", "path": str(data_path)})
    assert train(tmp_path, cfg, "--quiet").exit_code == 0
    run_dir = only_run(tmp_path / "runs")
    before = {path.name: path.read_bytes() for path in run_dir.iterdir()}
    data_path.write_text("\n".join(row.replace(",dog", ",zebra") for row in rows) + "\n")
    for args in (["evaluate", run_dir, "--split", "val"], ["plot", run_dir],
                 ["train", "--resume", run_dir, "--set", "train.epochs=3"]):
        assert_one_line_error(
            invoke(*args), f"{run_dir}: the data set is not the one this run trained on: "
            f"class_names is ['cat', 'emu', 'zebra'] in {data_path} now, ['cat', 'dog', 'emu'] "
            "in its dataset.json; put the data back as it was")
    data_path.write_text("\n".join(rows + rows[:10]) + "\n")
    assert_one_line_error(invoke("train", "--resume", run_dir, "--set", "train.epochs=3"),
                          "num_train is 63 in", "54 in its dataset.json")
    assert {path.name: path.read_bytes() for path in run_dir.iterdir()} == before
    data_path.write_text("\n".join(rows) + "\n")
    assert invoke("train", "--resume", run_dir, "--set", "train.epochs=3").exit_code == 0


def test_a_changed_test_file_is_named_and_a_renamed_class_is_not_blamed_on_it(tmp_path):
    rows = [f"{i % 7}.5,{i % 5}.25,{('cat', 'dog', 'emu')[i % 3]}" for i in range(60)]
    data_path, test_path = tmp_path / "animals.csv", tmp_path / "animals-test.csv"
    data_path.write_text("\n".join(rows) + "\n")
    test_path.write_text("\n".join(rows[:9]) + "\n")
    data = {"name": "csv", "path": str(data_path), "test_path": str(test_path)}
    assert train(tmp_path, tiny_config(tmp_path / "runs", epochs=2, data=data)).exit_code == 0
    run_dir = only_run(tmp_path / "runs")
    test_path.write_text("\n".join(rows[:10]) + "\n")
    assert_one_line_error(invoke("evaluate", run_dir),
                          f"num_test is 10 in {test_path} now, 9 in its dataset.json")
    test_path.write_text("\n".join(rows[:9]) + "\n")
    data_path.write_text("\n".join(row.replace(",dog", ",zebra") for row in rows) + "\n")
    for args in (["evaluate", run_dir], ["train", "--resume", run_dir, "--set", "train.epochs=3"]):
        assert_one_line_error(invoke(*args), "the data set is not the one this run trained on: "
                              f"class_names is ['cat', 'emu', 'zebra'] in {data_path} now")


def test_resume_refuses_a_changed_key(spiral_run):
    before = (spiral_run / "metrics.csv").read_text()
    result = invoke("train", "--resume", spiral_run, "--set", "model.reg=0.5")
    line = assert_one_line_error(result, "model.reg", str(spiral_run))
    assert "train.epochs" in line  # says what may change
    assert (spiral_run / "metrics.csv").read_text() == before


def test_resume_refuses_out(spiral_run, tmp_path):
    result = invoke("train", "--resume", spiral_run, "--out", tmp_path)
    assert_one_line_error(
        result, f"--out: a resumed run stays in its own folder, {spiral_run}; leave --out out")


def test_resume_of_a_completed_run_says_how_to_train_longer(spiral_run):
    result = invoke("train", "--resume", spiral_run)
    assert_one_line_error(result, "already completed 3 epochs", "--set train.epochs=N with N > 3")


@pytest.mark.parametrize("status", [None, "finished"])
def test_a_summary_without_a_valid_status_is_refused_alike_by_resume_evaluate_and_plot(
        spiral_run, tmp_path, status):
    """A hand-edited summary.json is not taken for an unfinished run (resume re-finished it)."""
    run_dir = Path(shutil.copytree(spiral_run, tmp_path / "run"))
    changed = {key: value for key, value in summary(run_dir).items() if key != "status"}
    if status is not None:
        changed["status"] = status
    (run_dir / "summary.json").write_text(json.dumps(changed))
    before = {path.name: path.read_bytes() for path in run_dir.iterdir()}
    got = "no 'status' key" if status is None else f'"{status}"'
    expected = (
        f"error: {run_dir / 'summary.json'}: status must be one of completed, interrupted, "
        f"diverged, as nettrainer writes it; got {got}; the file was changed outside "
        "nettrainer: restore it, or delete it (plot and evaluate need none, and a --resume "
        "that trains on writes a new one)")
    for args in (["train", "--resume", run_dir], ["evaluate", run_dir, "--split", "val"],
                 ["plot", run_dir]):
        assert assert_one_line_error(invoke(*args)) == expected, args
    assert {path.name: path.read_bytes() for path in run_dir.iterdir()} == before
    (run_dir / "summary.json").unlink()  # the fix the message gives
    assert invoke("evaluate", run_dir, "--split", "val").exit_code == 0
    assert invoke("plot", run_dir).exit_code == 0
    assert_one_line_error(invoke("train", "--resume", run_dir), "already completed 3 epochs")
    assert invoke("train", "--resume", run_dir, "--quiet", "--set", "train.epochs=4").exit_code == 0
    assert summary(run_dir)["epochs_completed"] == 4 and summary(run_dir)["samples_per_s"] > 0


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (
            ["train", "cfg.yaml", "--learning-rate", "3"],
            ["No such option '--learning-rate'. Config keys are set with --set "
             "train.learning_rate=VALUE. See 'cli train --help'."],
        ),
        (["plot", ".", "--epochs", "3"], ["No such option '--epochs'. See 'cli plot --help'."]),
        (["trian"], ["No such command 'trian'", "Did you mean 'train'?", "cli --help"]),
        (["--bogus"], ["No such option '--bogus'", "cli --help"]),
        (["evaluate", ".", "--split", "tst"], ["'tst' is not one of", "evaluate --help"]),
        (["data", "fetch", "foo"], ["'foo' is not one of", "data fetch --help"]),
        (["plot"], ["Missing argument 'RUN_DIR...'", "plot --help"]),
        (["train", "cfg.yaml", "--set"], ["'--set' requires an argument.", "cli train --help"]),
        (["data", "fetch"], ["Choose from: fashion-mnist, mnist, cifar10. See"]),
    ],
)
def test_usage_mistakes_are_one_line_naming_the_help(args, fragments):
    """click's own parsing errors too: not its four-line usage block."""
    assert_one_line_error(invoke(*args), *fragments)


def test_plot_into_a_read_only_run_folder_names_out_before_drawing(spiral_run, monkeypatch,
                                                                   drawn):
    real_access = os.access
    monkeypatch.setattr(os, "access",
                        lambda path, mode: mode != os.W_OK and real_access(path, mode))
    monkeypatch.setattr(os, "statvfs", lambda path: SimpleNamespace(f_flag=os.ST_RDONLY))
    line = assert_one_line_error(invoke("plot", spiral_run))
    assert line == (f"error: {spiral_run / 'curves.png'}: Read-only file system; the file "
                    "system is read-only: write elsewhere (--out FILE)"), line
    assert drawn == []


def test_evaluate_with_plot_before_the_run_folder_says_to_swap_them(spiral_run):
    line = assert_one_line_error(invoke("evaluate", "--plot", spiral_run))
    assert line == (f"error: Missing argument 'RUN_DIR'. --plot took {spiral_run} as its "
                    f"FILE|FOLDER; put the run folder first: nettrainer evaluate {spiral_run} "
                    "--plot. See 'cli evaluate --help'."), line


def test_an_os_error_while_writing_is_one_line_naming_the_file(tmp_path, monkeypatch):
    def full_disk(path, text):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(runs, "write_text", full_disk)
    result = train(tmp_path, tiny_config(tmp_path / "runs"))
    line = assert_one_line_error(result, "config.yaml: No space left on device")
    assert "Errno" not in line
    assert not (tmp_path / "runs").exists()  # the new run's folder is gone with its files


WRITE_REFUSALS = [
    (errno.EPERM, "Operation not permitted", "fix its permissions, or write elsewhere"),
    (errno.EROFS, "Read-only file system", "the file system is read-only: write elsewhere"),
    (errno.ENOSPC, "No space left on device", "free some space, or write elsewhere"),
]


@pytest.mark.parametrize(("command", "elsewhere"),
                         [("plot", "--out FILE"), ("evaluate", "--plot FILE")])
@pytest.mark.parametrize(("number", "reason", "fix"), WRITE_REFUSALS)
def test_a_file_that_may_not_be_written_names_the_option_to_write_elsewhere(
    npz_run, monkeypatch, command, elsewhere, number, reason, fix
):
    def refused(*args, **kwargs):
        raise OSError(number, reason, str(npz_run / "picture.png"))

    monkeypatch.setattr(plots, "atomic_write", refused)
    args = ["--plot"] if command == "evaluate" else []
    lines = assert_one_line_error(invoke(command, npz_run, *args))
    assert lines == f"error: {npz_run / 'picture.png'}: {reason}; {fix} ({elsewhere})"


@pytest.mark.parametrize(("number", "reason", "fix"), [
    (errno.EPERM, "Operation not permitted", "resume a writable copy: cp -r {run} {run}-copy "
     "&& nettrainer train --resume {run}-copy"),
    (errno.EROFS, "Read-only file system", "resume a copy on a disk you may write (DIR): "
     "cp -r {run} DIR/ && nettrainer train --resume DIR/{name}"),
    (errno.ENOSPC, "No space left on device", "free some space, or resume a copy on a disk you "
     "may write (DIR): cp -r {run} DIR/ && nettrainer train --resume DIR/{name}"),
])
def test_a_run_folder_that_may_not_be_written_says_how_to_resume_it(npz_run, monkeypatch,
                                                                    number, reason, fix):
    """A copy beside the run only where it can be written: not on a read-only or full disk."""
    def refused(path, text):
        raise OSError(number, reason, str(path))

    monkeypatch.setattr(runs, "write_text", refused)
    line = assert_one_line_error(
        invoke("train", "--resume", npz_run, "--set", "train.epochs=9"))
    assert line == (
        f"error: {npz_run}: the run folder cannot be written ({reason}: "
        f"{npz_run / 'config.yaml'}); {fix.format(run=npz_run, name=npz_run.name)}"), line


def test_a_disk_that_fills_during_training_says_how_to_resume_the_kept_run(tmp_path, monkeypatch):
    save_state, calls = runs.save_state, []

    def fills_up(path, state):
        calls.append(path)
        if len(calls) > 2:  # epoch 0's and epoch 1's checkpoints are written
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        save_state(path, state)

    monkeypatch.setattr(runs, "save_state", fills_up)
    result = train(tmp_path, tiny_config(tmp_path / "runs", epochs=5))
    run_dir = only_run(tmp_path / "runs")
    assert assert_one_line_error(result) == (
        f"error: {run_dir / 'last.npz'}: No space left on device; the run folder keeps its last "
        f"saved epoch: free some space, then nettrainer train --resume {run_dir}")
    monkeypatch.setattr(runs, "save_state", save_state)
    assert invoke("train", "--resume", run_dir, "--quiet").exit_code == 0
    assert summary(run_dir)["epochs_completed"] == 5


def test_a_disk_that_fills_while_the_curves_are_drawn_says_to_plot_them(tmp_path, monkeypatch):
    """The run has ended: resuming it would be refused, plotting is the fix."""
    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "curves.png"))

    monkeypatch.setattr(plots, "atomic_write", no_space)
    result = train(tmp_path, tiny_config(tmp_path / "runs"))
    run_dir = only_run(tmp_path / "runs")
    assert assert_one_line_error(result) == (
        f"error: {tmp_path / 'curves.png'}: No space left on device; the run ended and its files "
        f"are saved: free some space, then nettrainer plot {run_dir} draws its curves")
    assert summary(run_dir)["status"] == "completed"


EPOCH_0_FILES = ("last.npz", "best.npz", "metrics.csv", "history.json")  # written before step 1


def failing_first_write_of(name: str, monkeypatch, failure: BaseException) -> None:
    """Make the first write of run file ``name`` raise ``failure`` instead."""
    atomic_write = runs.atomic_write

    def write(path, *args, **kwargs):
        if Path(path).name == name:
            raise failure
        atomic_write(path, *args, **kwargs)

    monkeypatch.setattr(runs, "atomic_write", write)


@pytest.mark.parametrize("name", EPOCH_0_FILES)
def test_a_full_disk_while_the_first_files_are_written_leaves_no_run_folder(
    tmp_path, monkeypatch, name
):
    full = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / name))
    failing_first_write_of(name, monkeypatch, full)
    result = train(tmp_path, tiny_config(tmp_path / "runs"))
    assert_one_line_error(result, f"{name}: No space left on device")
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("name", EPOCH_0_FILES)
def test_a_kill_while_the_first_files_are_written_leaves_a_folder_that_says_so(
    tmp_path, monkeypatch, name
):
    with monkeypatch.context() as patch, pytest.raises(HardKill):
        failing_first_write_of(name, patch, HardKill())
        patch.setattr(run_folders, "discarded_unless_started",  # SIGKILL: no time to clean up
                      lambda run_dir, made=None: contextlib.nullcontext(run_dir))
        train(tmp_path, tiny_config(tmp_path / "runs"))
    run_dir = only_run(tmp_path / "runs")
    for command in ("evaluate", "plot"):
        assert_one_line_error(invoke(command, run_dir), "was stopped before its first step")
    assert_one_line_error(invoke("train", "--resume", run_dir), "was stopped before its first step")


def test_out_of_memory_is_one_line_naming_the_keys_and_leaves_no_run_folder(
    tmp_path, monkeypatch
):
    def too_big(cfg, dataset):
        raise MemoryError("Unable to allocate 201. GiB for an array with shape (2, 100000000)")

    monkeypatch.setattr(experiment, "build_model", too_big)
    result = train(tmp_path, tiny_config(tmp_path / "runs"))
    assert_one_line_error(result, "out of memory (Unable to allocate 201. GiB", "model.hidden_size",
                          "train.batch_size")
    assert not (tmp_path / "runs").exists()


def test_ctrl_c_before_the_first_step_leaves_no_run_folder(tmp_path, monkeypatch):
    def interrupted(cfg, dataset):
        raise KeyboardInterrupt

    monkeypatch.setattr(experiment, "build_model", interrupted)
    result = train(tmp_path, tiny_config(tmp_path / "runs"))
    assert result.exit_code == 130
    assert result.stderr == "interrupted\n"
    assert not (tmp_path / "runs").exists()


def test_summary_counts_one_epoch_in_the_singular(tmp_path):
    result = train(tmp_path, tiny_config(tmp_path / "runs", epochs=1), "--quiet")
    assert result.exit_code == 0
    assert result.stdout.startswith("completed: 1 epoch, ")


def test_resume_of_a_folder_that_is_not_a_run(tmp_path):
    (tmp_path / "notarun").mkdir()
    result = invoke("train", "--resume", tmp_path / "notarun")
    assert_one_line_error(result, str(tmp_path / "notarun"), "not a nettrainer run folder")


# --- Ctrl-C and divergence ---------------------------------------------------------------


def _wait_for_rows(metrics: Path, rows: int, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "training ended before it was interrupted"
        if metrics.exists() and len(metrics.read_text().splitlines()) >= rows + 1:
            return
        time.sleep(0.05)
    pytest.fail(f"{metrics} did not get {rows} rows within {timeout} s")


@pytest.mark.parametrize(
    ("signum", "code", "notice"),
    [(signal.SIGINT, 130, "stopping after the current step (Ctrl-C again to abort)"),
     (signal.SIGTERM, 143, "terminated: stopping after the current step (SIGTERM again to abort)")],
)
def test_ctrl_c_or_sigterm_stops_cleanly_and_the_run_resumes(tmp_path, signum, code, notice):
    """SIGTERM is what kill, timeout and job schedulers send: it stops like Ctrl-C, exit 143."""
    out = tmp_path / "my runs"  # the printed resume command must survive the shell
    cfg_path = write_config(tmp_path / "cfg.json", tiny_config(out, epochs=100000))
    stdout_path, stderr_path = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "nettrainer", "train", str(cfg_path)],
            stdout=stdout, stderr=stderr, cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        try:
            deadline = time.monotonic() + 30
            while not run_dirs(out) and time.monotonic() < deadline:
                time.sleep(0.05)
            run_dir = only_run(out)
            _wait_for_rows(run_dir / "metrics.csv", 3, process, timeout=30)
            process.send_signal(signum)
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    err = stderr_path.read_text()
    assert process.returncode == code, err
    assert err.startswith(f"\n{notice}\n"), err
    assert f"resume with: nettrainer train --resume '{run_dir}'\n" in err
    assert "Traceback" not in err
    state = runs.load_state(run_dir / "last.npz")
    done = summary(run_dir)
    assert done["status"] == "interrupted"
    assert 2 <= done["epochs_completed"] < 100000
    assert state["params"]["W1"].shape == (2, 10)
    rows = runs.read_metrics(run_dir / "metrics.csv")
    assert rows[-1]["epoch"] == done["epochs_completed"]
    target = done["epochs_completed"] + 2
    resumed = invoke("train", "--resume", run_dir, "--set", f"train.epochs={target}")
    assert resumed.exit_code == 0, resumed.output
    assert summary(run_dir)["status"] == "completed"
    assert [row["epoch"] for row in runs.read_metrics(run_dir / "metrics.csv")] == list(
        range(target + 1)
    )


def test_sigterm_after_the_last_epoch_lets_the_run_folder_be_finished(tmp_path, monkeypatch):
    """A stop signal while the curves are drawn: the run has completed, so it is finished."""
    draw = evaluation.draw_curves

    def draw_after_a_sigterm(run_dir):
        os.kill(os.getpid(), signal.SIGTERM)
        draw(run_dir)

    monkeypatch.setattr(evaluation, "draw_curves", draw_after_a_sigterm)
    result = train(tmp_path, tiny_config(tmp_path / "runs"), "--quiet")
    assert result.exit_code == 0, result.output
    run_dir = only_run(tmp_path / "runs")
    assert (run_dir / "curves.png").read_bytes()[:8] == PNG_MAGIC
    assert result.stdout.startswith("completed: 3 epochs")
    assert summary(run_dir)["status"] == "completed"
    assert result.stderr == ("\nterminated: training is over, finishing the run folder "
                             "(SIGTERM again to abort)\n")


def test_divergence_exits_3_with_one_line_and_keeps_metrics(tmp_path):
    result = train(tmp_path, tiny_config(tmp_path / "runs"), "--set", "train.learning_rate=1e30")
    line = assert_one_line_error(result, "diverged", "learning rate", code=3)
    assert "train.learning_rate" in line and "model.reg" in line  # either can blow the loss up
    run_dir = only_run(tmp_path / "runs")
    assert (run_dir / "metrics.csv").read_text().startswith("epoch,iteration,")
    assert summary(run_dir)["status"] == "diverged"
    before = {path.name: path.read_bytes() for path in run_dir.iterdir()}
    assert_one_line_error(invoke("train", "--resume", run_dir, "--set", "train.epochs=5"),
                          "the run diverged, and resuming would repeat it exactly",
                          "a lower train.learning_rate")
    assert {path.name: path.read_bytes() for path in run_dir.iterdir()} == before


def test_resume_with_a_config_of_another_output_dir_stays_in_its_folder(spiral_run, tmp_path):
    run_dir = Path(shutil.copytree(spiral_run, tmp_path / "run"))
    cfg_path = write_config(tmp_path / "cfg.json", tiny_config(tmp_path / "elsewhere"))
    result = invoke("train", cfg_path, "--resume", run_dir, "--set", "train.epochs=4", "--quiet")
    assert result.exit_code == 0, result.output
    assert summary(run_dir)["epochs_completed"] == 4 and not (tmp_path / "elsewhere").exists()
    saved = config.load(spiral_run / "config.yaml")
    assert config.load(run_dir / "config.yaml").output == saved.output


@pytest.mark.parametrize(
    ("loss", "shown"), [(1.23456, "loss 1.2346 "), (1.4e63, "loss 1.4000e+63 ")]
)
def test_the_epoch_line_writes_a_diverging_loss_in_exponent_form(capsys, loss, shown):
    solver = SimpleNamespace(epoch=2, loss_history=[loss], train_acc_history=[0.5],
                             val_acc_history=[0.25], has_val=True)
    Progress(5).on_epoch_end(solver)
    line = capsys.readouterr().out
    assert line.startswith(f"epoch 2/5 {shown}train 50.00% val 25.00% ")


def test_the_epoch_line_of_a_run_without_validation_says_val_n_a(capsys):
    solver = SimpleNamespace(epoch=1, loss_history=[0.5], train_acc_history=[0.5],
                             val_acc_history=[0.0], has_val=False)
    Progress(5).on_epoch_end(solver)
    assert capsys.readouterr().out.startswith("epoch 1/5 loss 0.5000 train 50.00% val n/a ")


def test_a_divergence_saves_the_checkpoints_of_the_last_complete_epoch(tmp_path):
    """Even when that epoch's write was skipped: millisecond epochs are written once a second."""
    result = train(tmp_path, tiny_config(tmp_path / "runs", epochs=20),
                   "--set", "train.learning_rate=1e9")
    assert_one_line_error(result, "diverged", code=3)
    run_dir = only_run(tmp_path / "runs")
    done = summary(run_dir)
    assert done["epochs_completed"] >= 3 and done["best_epoch"] >= 1  # several epochs in a second
    state = runs.load_state(run_dir / "last.npz")
    assert state["epoch"] == done["epochs_completed"]
    assert state["best_val_acc"] == done["best_val_acc"]
    best = runs.read_npz(run_dir / "best.npz")
    for name, value in state["best_params"].items():
        np.testing.assert_array_equal(best[name], value)
    val = invoke("evaluate", run_dir, "--split", "val")
    assert f"{100 * done['best_val_acc']:.2f}%" in val.output.splitlines()[0]


def test_divergence_in_the_first_epoch_keeps_logs_and_exits_3(tmp_path):
    cfg = tiny_config(tmp_path / "runs")
    cfg["train"]["batch_size"] = 5  # several steps in epoch 1, so it diverges before any epoch ends
    result = train(tmp_path, cfg, "--set", "train.learning_rate=1e300")
    assert_one_line_error(result, "diverged", code=3)
    run_dir = only_run(tmp_path / "runs")
    assert summary(run_dir)["epochs_completed"] == 0
    assert json.loads((run_dir / "history.json").read_text())["loss_history"]
    assert (run_dir / "metrics.csv").read_text().splitlines()[1].startswith("0,0,")
    state = runs.load_state(run_dir / "last.npz")  # written before the first step: epoch 0
    assert (state["epoch"], state["iteration"]) == (0, 0)
    initial = runs.read_npz(run_dir / "best.npz")
    for name, value in state["params"].items():
        np.testing.assert_array_equal(initial[name], value)
    val_acc = summary(run_dir)["best_val_acc"]
    for checkpoint in ("best", "last"):
        evaluated = invoke("evaluate", run_dir, "--split", "val", "--checkpoint", checkpoint)
        assert evaluated.exit_code == 0, evaluated.output
        assert f"{100 * val_acc:.2f}%" in evaluated.output.splitlines()[0]


def test_evaluate_of_an_older_run_that_diverged_without_a_checkpoint_says_so(tmp_path):
    """Before epoch 0 was saved, a run that diverged in its first epoch had no checkpoint."""
    cfg = tiny_config(tmp_path / "runs")
    cfg["train"]["batch_size"] = 5
    train(tmp_path, cfg, "--set", "train.learning_rate=1e300")
    run_dir = only_run(tmp_path / "runs")
    (run_dir / "last.npz").unlink()
    (run_dir / "best.npz").unlink()
    for checkpoint in ("best", "last"):
        evaluated = invoke("evaluate", run_dir, "--split", "val", "--checkpoint", checkpoint)
        assert_one_line_error(evaluated, "diverged before completing an epoch",
                              "saved no checkpoint", "lower train.learning_rate")


# --- train: user errors ------------------------------------------------------------------


def _no_run_left(tmp_path: Path) -> None:
    assert not (tmp_path / "runs").exists() or run_dirs(tmp_path / "runs") == []


def test_missing_config_file(tmp_path):
    result = invoke("train", tmp_path / "absent.yaml")
    assert_one_line_error(result, str(tmp_path / "absent.yaml"), "no such file")
    _no_run_left(tmp_path)


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(f"name: tiny\noutput:\n  dir: {tmp_path / 'runs'}\ntrain: [1, 2\n")
    result = invoke("train", path)
    assert_one_line_error(result, str(path), "invalid YAML", "line")
    _no_run_left(tmp_path)


def test_unknown_key_suggests_the_closest(tmp_path):
    result = train(tmp_path, tiny_config(tmp_path / "runs", train={"learning_rte": 0.5}))
    assert_one_line_error(result, "train.learning_rte", "did you mean train.learning_rate?")
    _no_run_left(tmp_path)


def test_unknown_key_in_set_suggests_the_closest(tmp_path):
    result = train(tmp_path, tiny_config(tmp_path / "runs"), "--set", "train.learning_rte=0.5")
    assert_one_line_error(result, "did you mean train.learning_rate?")
    _no_run_left(tmp_path)


def test_wrong_type(tmp_path):
    result = train(tmp_path, tiny_config(tmp_path / "runs"), "--set", "train.epochs=ten")
    assert_one_line_error(result, "train.epochs", "integer", "ten")
    _no_run_left(tmp_path)


def test_out_of_range_value(tmp_path):
    result = train(tmp_path, tiny_config(tmp_path / "runs", train={"learning_rate": -0.1}))
    assert_one_line_error(result, "train.learning_rate must be a number > 0", "-0.1")
    _no_run_left(tmp_path)


def test_unknown_optimizer_lists_choices(tmp_path):
    result = train(tmp_path, tiny_config(tmp_path / "runs"), "--set", "train.optimizer=adagrad")
    assert_one_line_error(
        result, "train.optimizer", "adagrad", "sgd", "sgd_momentum", "rmsprop", "adam"
    )
    _no_run_left(tmp_path)


def test_set_without_equals(tmp_path):
    result = train(tmp_path, tiny_config(tmp_path / "runs"), "--set", "train.epochs")
    assert_one_line_error(result, "--set train.epochs", "KEY=VALUE")
    _no_run_left(tmp_path)


def test_train_needs_config_or_resume(tmp_path):
    result = invoke("train")
    assert_one_line_error(result, "CONFIG")


def test_missing_data_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = tiny_config(tmp_path / "runs", data={"name": "npz", "path": "missing.npz"})
    result = train(tmp_path, cfg)
    assert_one_line_error(result, "missing.npz")
    _no_run_left(tmp_path)


@pytest.mark.parametrize(("fmt", "test_file", "fix"), [
    ("npz", "t.csv", "data.test_path of npz data must be an npz too, holding X_test and y_test"),
    ("csv", "t.npz", "data.test_path of csv data must be a csv file too, like data.path"),
])
def test_a_test_file_in_another_format_than_the_data_is_one_line(tmp_path, fmt, test_file, fix):
    X, y = np.random.default_rng(0).standard_normal((30, 2)), np.arange(30) % 3
    np.savez(tmp_path / "d.npz", X_train=X, y_train=y)
    np.savez(tmp_path / "t.npz", X_test=X, y_test=y)
    for name in ("d.csv", "t.csv"):
        np.savetxt(tmp_path / name, np.column_stack([X, y]), delimiter=",")
    data = {"name": fmt, "path": str(tmp_path / f"d.{fmt}"), "test_path": str(tmp_path / test_file)}
    line = assert_one_line_error(train(tmp_path, tiny_config(tmp_path / "runs", data=data)))
    assert line.startswith(f"error: {tmp_path / test_file}: ")
    assert fix in line and "set data.name" not in line
    _no_run_left(tmp_path)


@pytest.mark.parametrize(("test_lines", "fragments"), [
    (["b,a,label", "2,1,0"], ("data.test_path's header differs", "column 1", "same order")),
    (["a,b,label", "1,2,0", "3,4,"], ("the label at line 3 is empty", "training file's classes")),
])
def test_a_csv_test_file_that_does_not_fit_data_path_is_one_line(tmp_path, test_lines, fragments):
    rows = [f"{i % 7},{i % 5},{i % 3}" for i in range(30)]
    (tmp_path / "d.csv").write_text("\n".join(["a,b,label", *rows]) + "\n")
    (tmp_path / "t.csv").write_text("\n".join(test_lines) + "\n")
    data = {"name": "csv", "path": str(tmp_path / "d.csv"), "test_path": str(tmp_path / "t.csv")}
    result = train(tmp_path, tiny_config(tmp_path / "runs", data=data))
    assert_one_line_error(result, f"error: {tmp_path / 't.csv'}: ", *fragments)
    _no_run_left(tmp_path)


# --- gradcheck ---------------------------------------------------------------------------


def _table_rows(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.endswith(("PASS", "FAIL"))]


def test_gradcheck_passes(tmp_path):
    result = invoke("gradcheck")
    assert result.exit_code == 0, result.output
    rows = _table_rows(result.stdout)
    assert rows and all(row.endswith("PASS") for row in rows)
    assert any(row.startswith("relu_backward") for row in rows)
    assert result.stdout.splitlines()[-1] == f"{len(rows)} passed, 0 failed"


def _check_config(tmp_path: Path, cfg_path: Path) -> None:
    base = _table_rows(invoke("gradcheck").stdout)
    result = invoke("gradcheck", "--config", cfg_path)
    assert result.exit_code == 0, result.output
    rows = _table_rows(result.stdout)
    extra = [row for row in rows if row.startswith("tiny: ")]
    assert {row.split()[-4] for row in extra} == {"W1", "b1", "W2", "b2"}
    assert len(rows) == len(base) + len(extra)
    assert result.stdout.splitlines()[-1] == f"{len(rows)} passed, 0 failed"


def test_gradcheck_config_adds_configured_model_rows(tmp_path):
    data = {"name": "npz", "path": str(write_blobs(tmp_path / "blobs.npz"))}
    _check_config(tmp_path, write_config(tmp_path / "cfg.json", tiny_config(tmp_path, data=data)))


def test_gradcheck_config_on_spiral_passes(tmp_path):
    _check_config(tmp_path, write_config(tmp_path / "cfg.json", tiny_config(tmp_path)))


def test_gradcheck_config_does_not_read_the_test_file(tmp_path):
    data = {"name": "npz", "path": str(write_blobs(tmp_path / "blobs.npz")),
            "test_path": str(tmp_path / "gone.npz")}
    _check_config(tmp_path, write_config(tmp_path / "cfg.json", tiny_config(tmp_path, data=data)))


def test_gradcheck_failure_exits_1(monkeypatch):
    from nettrainer import layers

    correct = layers.relu_backward
    monkeypatch.setattr(layers, "relu_backward", lambda dout, cache: 2.0 * correct(dout, cache))
    result = invoke("gradcheck")
    assert result.exit_code == 1, result.output
    failed = [row for row in _table_rows(result.stdout) if row.endswith("FAIL")]
    assert any(row.startswith("relu_backward") for row in failed)
    passed = len(_table_rows(result.stdout)) - len(failed)
    assert result.stdout.splitlines()[-1] == f"{passed} passed, {len(failed)} failed"


# --- plot --------------------------------------------------------------------------------


def test_plot_one_run_writes_curves_png(spiral_run):
    (spiral_run / "curves.png").unlink()
    result = invoke("plot", spiral_run)
    assert result.exit_code == 0, result.output
    assert (spiral_run / "curves.png").read_bytes()[:8] == PNG_MAGIC
    assert str(spiral_run / "curves.png") in result.stdout


def test_plot_two_runs_to_svg(spiral_run, npz_run, tmp_path):
    out = tmp_path / "both.svg"
    result = invoke("plot", spiral_run, npz_run, "--out", out)
    assert result.exit_code == 0, result.output
    assert b"<svg" in out.read_bytes()[:1000]


def test_plot_draws_decision_regions_without_the_moved_test_file(moved_test_run, tmp_path):
    run_dir, _ = moved_test_run
    result = invoke("plot", run_dir, "--out", tmp_path / "c.png")  # 2-D data: loads the data set
    assert result.exit_code == 0, result.output
    assert (tmp_path / "c.png").read_bytes()[:8] == PNG_MAGIC


def test_plot_folder_that_is_not_a_run(tmp_path):
    result = invoke("plot", tmp_path)
    assert_one_line_error(result, str(tmp_path), "not a nettrainer run folder")


def test_plot_unsupported_extension(spiral_run, tmp_path):
    result = invoke("plot", spiral_run, "--out", tmp_path / "curves.txt")
    assert_one_line_error(result, ".txt")
    assert not (tmp_path / "curves.txt").exists()


def test_plot_out_an_empty_path_is_one_line(spiral_run):
    assert_one_line_error(invoke("plot", spiral_run, "--out", ""), "--out is empty")


def test_plot_out_a_folder_writes_the_default_name_inside(spiral_run, npz_run, tmp_path):
    assert invoke("plot", spiral_run, "--out", tmp_path).exit_code == 0
    assert invoke("plot", spiral_run, npz_run, "--out", f"{tmp_path}/").exit_code == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == ["comparison.png", "curves.png"]
    assert not tmp_path.with_name(tmp_path.name + ".png").exists()


# --- evaluate ----------------------------------------------------------------------------


def _confusion(output: str) -> np.ndarray:
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("confusion matrix")) + 3
    return np.array([[int(cell) for cell in line.split()[-3:]] for line in lines[start:start + 3]])


@pytest.mark.parametrize(
    ("args", "split", "size", "checkpoint"),
    [((), "test", 30, "best"), (("--split", "val"), "val", 6, "best"),
     (("--checkpoint", "last"), "test", 30, "last")],
)
def test_evaluate_report(npz_run, args, split, size, checkpoint):
    result = invoke("evaluate", npz_run, *args)
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    match = re.fullmatch(rf"{split} accuracy \({checkpoint} params\): ([\d.]+)% of {size} examples",
                         first)
    assert match, first
    matrix = _confusion(result.stdout)
    assert matrix.shape == (3, 3)
    assert matrix.sum() == size
    assert float(match.group(1)) == pytest.approx(100 * np.trace(matrix) / size, abs=0.01)
    assert "class" in result.stdout and "accuracy" in result.stdout


def test_a_run_on_a_relative_data_path_evaluates_and_resumes_from_another_folder(
    tmp_path, monkeypatch
):
    (tmp_path / "project").mkdir()
    (tmp_path / "elsewhere").mkdir()
    write_blobs(tmp_path / "project" / "blobs.npz")
    monkeypatch.chdir(tmp_path / "project")
    cfg = tiny_config(tmp_path / "runs", epochs=2, data={"name": "npz", "path": "blobs.npz"})
    assert train(tmp_path, cfg).exit_code == 0
    run_dir = only_run(tmp_path / "runs")
    assert config.load(run_dir / "config.yaml").data.path == str(tmp_path / "project/blobs.npz")
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert invoke("evaluate", run_dir, "--split", "val").exit_code == 0
    resumed = invoke("train", "--resume", run_dir, "--set", "train.epochs=3")
    assert resumed.exit_code == 0, resumed.output


def test_evaluate_test_accuracy_matches_summary(npz_run):
    result = invoke("evaluate", npz_run)
    matrix = _confusion(result.stdout)
    assert summary(npz_run)["test_acc"] == pytest.approx(np.trace(matrix) / matrix.sum())


def test_evaluate_plot_writes_confusion_png(npz_run):
    result = invoke("evaluate", npz_run, "--plot")
    assert result.exit_code == 0, result.output
    assert (npz_run / "confusion.png").read_bytes()[:8] == PNG_MAGIC


def test_the_confusion_pictures_title_names_the_split_and_params(npz_run, tmp_path, monkeypatch):
    titles = []
    monkeypatch.setattr(plots, "plot_confusion",
                        lambda matrix, names, out, title: titles.append(title) or out)
    result = invoke("evaluate", npz_run, "--split", "val", "--checkpoint", "last",
                    "--plot", tmp_path / "c.png")
    assert result.exit_code == 0, result.output
    assert titles == ["Confusion matrix, val split (last params)"]


def test_evaluate_plot_into_a_folder_writes_confusion_png_there(npz_run, tmp_path):
    result = invoke("evaluate", npz_run, "--plot", tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "confusion.png").read_bytes()[:8] == PNG_MAGIC
    assert not tmp_path.with_name(tmp_path.name + ".png").exists()


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("", "--plot is empty"), ("c.jpg", "unsupported picture format '.jpg'"),
     ("sub/c.png", "sub does not exist"), ("metrics.csv/c.png", "metrics.csv is not a folder")],
)
def test_evaluate_checks_plot_before_evaluating(npz_run, value, fragment):
    result = invoke("evaluate", npz_run, "--plot", value)
    assert_one_line_error(result, "--plot", fragment)
    assert result.stdout == ""  # refused before any evaluation was printed


@pytest.mark.parametrize(("split", "size"), [("val", 6), ("train", 54)])
def test_evaluate_val_and_train_do_not_read_the_test_file(moved_test_run, split, size):
    run_dir, _ = moved_test_run
    result = invoke("evaluate", run_dir, "--split", split)
    assert result.exit_code == 0, result.output
    assert re.fullmatch(rf"{split} accuracy \(best params\): [\d.]+% of {size} examples",
                        result.stdout.splitlines()[0])


def test_evaluate_test_with_the_test_file_gone_is_one_line(moved_test_run):
    run_dir, test_file = moved_test_run
    line = assert_one_line_error(invoke("evaluate", run_dir))
    assert line == (
        f"error: {run_dir}: cannot evaluate the test split: {test_file}: no such file "
        "(data.test_path); put the test file back there, or evaluate --split val or "
        "--split train, which do not read it"
    )


def test_evaluate_of_an_empty_val_split_still_offers_the_test_split(tmp_path):
    data = {"name": "npz", "path": str(write_blobs(tmp_path / "blobs.npz")), "val_size": 0}
    assert train(tmp_path, tiny_config(tmp_path / "runs", epochs=1, data=data)).exit_code == 0
    result = invoke("evaluate", only_run(tmp_path / "runs"), "--split", "val")
    assert_one_line_error(result, "has no val split; use --split test or train")


def test_evaluate_without_test_split(spiral_run):
    result = invoke("evaluate", spiral_run)
    assert_one_line_error(result, "no test split", "--split val")


# --- help, version, python -m ------------------------------------------------------------


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert __version__ in result.stdout


@pytest.mark.parametrize(
    "command",
    [(), ("train",), ("gradcheck",), ("plot",), ("evaluate",), ("data",),
     ("data", "fetch"), ("data", "info")],
)
def test_help_has_an_example(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout


def test_train_help_shows_config_optional_for_resume():
    result = invoke("train", "--help")
    assert "train [OPTIONS] [CONFIG]\n" in result.stdout
    assert "--out DIR" in result.stdout and "--resume" in result.stdout


def test_python_dash_m_help():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "nettrainer", "--help"],
        capture_output=True, text=True, timeout=60, env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout
    assert "train" in result.stdout and "evaluate" in result.stdout


def test_a_run_without_validation_says_best_is_the_last_epoch_and_writes_no_val_figures(
        tmp_path):
    result = train(tmp_path, tiny_config(tmp_path / "runs", data={"val_size": 0}))
    assert result.exit_code == 0, result.output
    assert "no validation split, so best.npz holds the last epoch's params;" in result.output
    assert "best val accuracy" not in result.output
    run_dir = only_run(tmp_path / "runs")
    done = summary(run_dir)
    assert (done["best_epoch"], done["best_val_acc"]) == (3, None)
    rows = (run_dir / "metrics.csv").read_text().splitlines()[1:]
    assert [row.split(",")[5] for row in rows] == ["", "", "", ""]
    assert json.loads((run_dir / "history.json").read_text())["val_acc_history"] == []
    last = np.load(run_dir / "last.npz")
    best = np.load(run_dir / "best.npz")
    assert all(np.array_equal(best[name], last[f"params/{name}"]) for name in best.files)


def test_early_stopping_without_validation_examples_is_refused_before_any_run_folder(tmp_path):
    cfg = tiny_config(tmp_path / "runs", data={"val_size": 0},
                      train={"early_stopping_patience": 2})
    result = train(tmp_path, cfg)
    assert_one_line_error(result, "train.early_stopping_patience watches validation accuracy",
                          "data.val_size = 0 leaves no validation examples")
    assert run_dirs(tmp_path / "runs") == []


def test_a_run_ended_by_early_stopping_says_so_and_is_not_resumed(tmp_path):
    cfg = tiny_config(tmp_path / "runs", epochs=200, train={"early_stopping_patience": 1})
    result = train(tmp_path, cfg, "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("completed early (validation accuracy stopped improving): ")
    run_dir = only_run(tmp_path / "runs")
    done = summary(run_dir)
    assert done["stopped_early"] is True and done["epochs_completed"] < 200
    before = (run_dir / "summary.json").read_bytes()
    for extra in ((), ("--set", "train.epochs=400")):
        result = invoke("train", "--resume", run_dir, *extra)
        assert_one_line_error(
            result, f"early stopping ended the run at epoch {done['epochs_completed']}",
            "train.early_stopping_patience = 1", "start a new run",
        )
        assert (run_dir / "summary.json").read_bytes() == before
    del done["stopped_early"]  # a summary written before the key existed: the epochs tell
    (run_dir / "summary.json").write_text(json.dumps(done))
    assert_one_line_error(invoke("train", "--resume", run_dir), "early stopping ended the run")


def test_a_run_that_ran_every_epoch_did_not_stop_early(spiral_run, tmp_path):
    assert summary(spiral_run)["stopped_early"] is False
    probe = train(tmp_path, tiny_config(tmp_path / "probe", epochs=200,
                                        train={"early_stopping_patience": 1}), "--quiet")
    assert probe.exit_code == 0, probe.output
    last = summary(only_run_named(tmp_path / "probe", "tiny"))["epochs_completed"]
    # the same run with that many epochs: its patience runs out on its last epoch
    result = train(tmp_path, tiny_config(tmp_path / "runs", epochs=last,
                                         train={"early_stopping_patience": 1}), "--quiet")
    assert result.stdout.startswith(f"completed: {last} epochs")
    run_dir = only_run(tmp_path / "runs")
    assert summary(run_dir)["stopped_early"] is False
    assert_one_line_error(
        invoke("train", "--resume", run_dir, "--set", f"train.epochs={last + 5}"),
        f"early stopping ended the run at epoch {last}")


def test_an_empty_out_is_refused_like_an_empty_output_dir(tmp_path):
    result = train(tmp_path, tiny_config(tmp_path / "runs"), "--out", "")
    assert_one_line_error(result, "--out: output.dir must be a non-empty path; got ''")
    assert run_dirs(tmp_path / "runs") == []


def test_a_leading_tilde_in_paths_is_the_home_folder(tmp_path, monkeypatch):
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    write_blobs(home / "d.npz")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    cfg = tiny_config(Path("~/from-config"), data={"name": "npz", "path": "~/d.npz"})
    assert train(tmp_path, cfg, "--quiet").exit_code == 0
    assert train(tmp_path, cfg, "--quiet", "--out", "~/from-option").exit_code == 0
    assert len(run_dirs(home / "from-config")) == len(run_dirs(home / "from-option")) == 1
    assert list(work.iterdir()) == []  # no folder named '~'
    saved = config.load(only_run(home / "from-config") / "config.yaml")
    assert (saved.data.path, saved.output.dir) == (str(home / "d.npz"), "~/from-config")


@pytest.mark.parametrize(("text", "said"), [
    ("garbage\n", "no row with the time of epoch 0, and last.npz has done 3 epoch(s)"),
    (None, "no row with the time of epoch 0, and last.npz has done 3 epoch(s)"),
    ("epoch,seconds\n0,0\n1,x\n", "cannot be read (line 3: could not convert string to float: "
     "'x')"),
    ("epoch,seconds\n0,0\n1\n", "cannot be read (line 3 has fewer cells than the header)"),
    ("epoch,seconds\n0,0,7\n", "cannot be read (line 2 has more cells than the header)"),
    ("epoch,seconds\n0,0\n1,0.1\n3,0.3\n", "no row with the time of epoch 2"),
])
def test_a_resume_refuses_a_changed_metrics_csv_whose_times_it_would_lose(tmp_path, text, said):
    assert train(tmp_path, tiny_config(tmp_path / "runs")).exit_code == 0
    run_dir = only_run(tmp_path / "runs")
    metrics = run_dir / "metrics.csv"
    metrics.unlink() if text is None else metrics.write_text(text)
    before = {path.name: path.read_bytes() for path in run_dir.iterdir()}
    line = assert_one_line_error(invoke("train", "--resume", run_dir, "--set", "train.epochs=5"))
    assert line.startswith(f"error: {metrics}: {said}"), line
    assert line.endswith("the file was changed outside nettrainer: restore it")
    assert {path.name: path.read_bytes() for path in run_dir.iterdir()} == before


def test_a_run_stopped_before_its_first_step_keeps_the_folders_that_were_there(
    tmp_path, monkeypatch
):
    def too_big(cfg, dataset):
        raise MemoryError("Unable to allocate 201. GiB")

    monkeypatch.setattr(experiment, "build_model", too_big)
    (tmp_path / "mine").mkdir()
    (tmp_path / "busy" / "tiny" / "20260101-120000").mkdir(parents=True)
    for out in ("mine", "busy", "new/deeper"):
        assert_one_line_error(train(tmp_path, tiny_config(tmp_path / out)), "out of memory")
    assert sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*")) == [
        "busy", "busy/tiny", "busy/tiny/20260101-120000", "cfg.json", "mine"]


@pytest.mark.parametrize("file", ["out", "out/tiny"])
def test_a_file_in_the_way_of_the_run_folder_is_named(tmp_path, file):
    (tmp_path / file).parent.mkdir(exist_ok=True)
    (tmp_path / file).write_text("")
    line = assert_one_line_error(train(tmp_path, tiny_config(tmp_path / "out")))
    assert re.fullmatch(
        f"error: {re.escape(str(tmp_path / file))}: a file where the run folder "
        f"{re.escape(str(tmp_path / 'out' / 'tiny'))}/{STAMP_RE.pattern} needs a folder; move "
        "it, or choose another --out or output.dir", line), line


def test_a_folder_given_as_config_says_so_and_how_to_resume_a_run_folder(tmp_path):
    assert train(tmp_path, tiny_config(tmp_path / "runs")).exit_code == 0
    run_dir = only_run(tmp_path / "runs")
    line = assert_one_line_error(invoke("train", tmp_path / "runs"))
    assert line == (f"error: {tmp_path / 'runs'}: a folder, not a config file; pass a YAML file "
                    "such as configs/spiral.yaml")
    line = assert_one_line_error(invoke("train", run_dir))
    assert line.endswith(f"(to continue the run in it: nettrainer train --resume {run_dir})")


def test_plot_refuses_a_run_folder_given_twice(npz_run, tmp_path, monkeypatch):
    monkeypatch.chdir(npz_run.parent)
    line = assert_one_line_error(invoke("plot", npz_run, npz_run.name, "--out", tmp_path / "c.png"))
    assert line == (f"error: {npz_run.name}: given twice (first as {npz_run}); name each run "
                    "folder once")
    assert not (tmp_path / "c.png").exists()


def test_the_curves_of_an_image_run_show_its_first_layer_weights_checked(tmp_path, drawn):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "images.npz", X_train=rng.random((60, 4, 5)), y_train=np.arange(60) % 3)
    data = {"name": "npz", "path": str(tmp_path / "images.npz")}
    assert train(tmp_path, tiny_config(tmp_path / "runs", data=data)).exit_code == 0
    run_dir = only_run(tmp_path / "runs")
    assert "First-layer weights W1 of best.npz (all 10 hidden units)" in drawn[-1]["titles"]
    params = runs.read_npz(run_dir / "best.npz")
    np.savez(run_dir / "best.npz", **{**params, "W1": params["W1"][:, :8]})
    line = assert_one_line_error(invoke("plot", run_dir))
    assert line == (f"error: {run_dir / 'best.npz'}: W1 has shape (20, 8), the model needs "
                    "(20, 10); was the checkpoint made with another model.hidden_size or data "
                    "set?"), line


@pytest.mark.parametrize("kept", ["summary.json", "metrics.csv"])
def test_a_trained_run_without_history_json_says_restore_it_not_delete_it(spiral_run, tmp_path,
                                                                          kept):
    """Either file shows the run trained: a killed run has no summary.json, only metrics."""
    run_dir = Path(shutil.copytree(spiral_run, tmp_path / "run"))
    (run_dir / "history.json").unlink()
    (run_dir / ({"summary.json", "metrics.csv"} - {kept}).pop()).unlink()
    expected = (f"error: {run_dir}: history.json missing, though the run trained (its "
                "summary.json or metrics.csv says so): removed outside nettrainer; restore it "
                "from a copy")
    for args in (("evaluate", run_dir), ("plot", run_dir),
                 ("train", "--resume", run_dir, "--set", "train.epochs=6")):
        assert assert_one_line_error(invoke(*args)) == expected, args
    assert (run_dir / "last.npz").is_file()


def test_a_last_npz_without_params_is_one_line_pointing_to_best(spiral_run, tmp_path):
    run_dir = Path(shutil.copytree(spiral_run, tmp_path / "run"))
    state = runs.read_npz(run_dir / "last.npz")
    kept = {key: value for key, value in state.items() if not key.startswith("params/")}
    np.savez(run_dir / "last.npz", **kept)
    result = invoke("evaluate", run_dir, "--split", "val", "--checkpoint", "last")
    line = assert_one_line_error(result)
    assert line == (f"error: {run_dir}/last.npz holds no params: it was changed outside "
                    "nettrainer; score best.npz instead (--checkpoint best)"), line
    assert invoke("evaluate", run_dir, "--split", "val").exit_code == 0


def test_a_changed_class_list_is_shown_cut_short(tmp_path):
    rng = np.random.default_rng(0)
    names = np.array([f"class{i}" for i in range(8)])
    data_path = tmp_path / "d.npz"
    np.savez(data_path, X_train=rng.random((80, 3)), y_train=np.arange(80) % 8, class_names=names)
    data = {"name": "npz", "path": str(data_path)}
    assert train(tmp_path, tiny_config(tmp_path / "runs", epochs=1, data=data)).exit_code == 0
    run_dir = only_run(tmp_path / "runs")
    renamed = names.copy()
    renamed[7] = "other"
    np.savez(data_path, X_train=rng.random((80, 3)), y_train=np.arange(80) % 8, class_names=renamed)
    line = assert_one_line_error(invoke("evaluate", run_dir, "--split", "val"))
    cut = "['class0', 'class1', 'class2', 'class3', 'class4', ... (8 classes)]"
    assert f"class_names is {cut} in {data_path} now, {cut} in its dataset.json" in line, line


def test_a_best_npz_with_other_arrays_is_one_line_naming_it(spiral_run, tmp_path):
    run_dir = tmp_path / "run"
    shutil.copytree(spiral_run, run_dir)
    np.savez(run_dir / "best.npz", foo=np.ones(3))
    for args in (("evaluate", run_dir, "--split", "val"), ("plot", run_dir)):
        line = assert_one_line_error(invoke(*args))
        assert line == (f"error: {run_dir / 'best.npz'}: params ['foo'] do not match the "
                        "model's ['W1', 'W2', 'b1', 'b2']; the file was changed outside "
                        "nettrainer: restore it"), line
