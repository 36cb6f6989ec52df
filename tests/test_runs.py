"""Tests of nettrainer.runs: atomic writes, solver-state files, run folders and metric logs."""

import errno
import math
import os
from datetime import datetime

import numpy as np
import pytest

from nettrainer import run_folders, runs
from nettrainer.errors import CheckpointError
from nettrainer.run_checks import RUN_STATUSES

NOW = datetime(2026, 1, 2, 3, 4, 5)
STAMP = "20260102-030405"


def test_atomic_write_failure_keeps_previous_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "metrics.csv"
    target.write_text("previous\n")

    def half_then_fail(handle):
        handle.write("half of the new cont")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        runs.atomic_write(target, half_then_fail)
    assert target.read_text() == "previous\n"
    assert [path.name for path in tmp_path.iterdir()] == ["metrics.csv"]


def test_atomic_write_replaces_content_and_leaves_no_temp(tmp_path):
    target = tmp_path / "a.bin"
    target.write_bytes(b"old")
    runs.atomic_write(target, lambda handle: handle.write(b"new"), mode="wb")
    assert target.read_bytes() == b"new"
    assert [path.name for path in tmp_path.iterdir()] == ["a.bin"]


@pytest.fixture
def umask():
    """Set the process umask for one test, restoring the previous one afterwards."""
    previous = os.umask(0o022)
    yield os.umask
    os.umask(previous)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)],
                         ids=["umask-022", "umask-077", "umask-002"])
def test_atomic_writes_get_the_mode_a_plain_open_gives(tmp_path, umask, mask, mode):
    umask(mask)
    runs.write_text(tmp_path / "metrics.csv", "epoch\n")
    runs.write_npz(tmp_path / "best.npz", {"W1": np.zeros(2)})
    with open(tmp_path / "plain.txt", "w"):
        pass
    modes = {path.name: path.stat().st_mode & 0o777 for path in tmp_path.iterdir()}
    assert modes == {"metrics.csv": mode, "best.npz": mode, "plain.txt": mode}


def test_atomic_write_over_an_existing_file_takes_the_current_umask(tmp_path, umask):
    target = tmp_path / "metrics.csv"
    target.write_text("old\n")
    target.chmod(0o600)
    runs.write_text(target, "new\n")
    assert target.stat().st_mode & 0o777 == 0o644
    assert [path.name for path in tmp_path.iterdir()] == ["metrics.csv"]


def _assert_same_tree(actual, expected, where="state"):
    if isinstance(expected, dict):
        assert isinstance(actual, dict), where
        assert set(actual) == set(expected), where
        for key in expected:
            _assert_same_tree(actual[key], expected[key], f"{where}/{key}")
    elif isinstance(expected, np.ndarray):
        assert isinstance(actual, np.ndarray), where
        assert actual.dtype == expected.dtype, where
        assert np.array_equal(actual, expected), where
    else:
        assert type(actual) is type(expected), where
        assert actual == expected, where


def test_save_state_load_state_round_trip(tmp_path):
    rng = np.random.default_rng(7)
    state = {
        "params": {
            "W1": rng.standard_normal((2, 3)),
            "b1": np.zeros(3, dtype=np.float32),
        },
        "optim": {"W1": {"velocity": rng.standard_normal((2, 3)), "t": 4, "lr": 0.5}},
        "labels": np.arange(5, dtype=np.int64),
        "epoch": 12,
        "learning_rate": 0.012345678901234567,
        "patience": None,
        "update_rule": "sgd_momentum",
        "loss_history": [2.5, 1.25, 0.125],
        "rng": np.random.default_rng(123).bit_generator.state,
    }
    assert state["rng"]["state"]["state"] > 2**64  # a big Python int, beyond int64
    path = tmp_path / "last.npz"
    runs.save_state(path, state)
    _assert_same_tree(runs.load_state(path), state)
    restored = np.random.Generator(np.random.PCG64())
    restored.bit_generator.state = runs.load_state(path)["rng"]
    assert restored.random() == np.random.default_rng(123).random()


def test_save_state_keeps_empty_nested_dict(tmp_path):
    path = tmp_path / "last.npz"
    runs.save_state(path, {"optim_configs": {"W1": {}}, "epoch": 1})
    assert runs.load_state(path) == {"optim_configs": {"W1": {}}, "epoch": 1}


def test_load_state_of_plain_npz_is_checkpoint_error(tmp_path):
    path = tmp_path / "best.npz"
    runs.write_npz(path, {"W1": np.ones(2)})
    with pytest.raises(CheckpointError, match="not a nettrainer solver state"):
        runs.load_state(path)


def test_read_npz_truncated_file_is_checkpoint_error(tmp_path):
    path = tmp_path / "last.npz"
    runs.write_npz(path, {"W1": np.arange(1000.0), "b1": np.arange(10.0)})
    assert np.array_equal(runs.read_npz(path)["W1"], np.arange(1000.0))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="damaged"):
        runs.read_npz(path)


@pytest.mark.parametrize("content", [b"garbage\n", b""])
def test_read_npz_of_a_file_that_is_no_zip_says_so_without_numpys_pickle_advice(tmp_path, content):
    path = tmp_path / "last.npz"
    path.write_bytes(content)
    with pytest.raises(CheckpointError) as error:
        runs.read_npz(path)
    assert str(error.value) == (f"{path}: not an npz file (a zip of .npy arrays); the file is "
                                "damaged or was replaced")


def test_read_npz_missing_file_is_checkpoint_error(tmp_path):
    with pytest.raises(CheckpointError, match="no such file"):
        runs.read_npz(tmp_path / "nothing.npz")


def test_new_run_dir_never_reuses_a_folder(tmp_path):
    made = [run_folders.new_run_dir(tmp_path, "spiral", now=NOW) for _ in range(3)]
    assert [path.name for path in made] == [STAMP, f"{STAMP}-1", f"{STAMP}-2"]
    assert all(path.parent == tmp_path / "spiral" and path.is_dir() for path in made)
    assert all(not any(path.iterdir()) for path in made)


def test_new_run_dir_skips_existing_folder_with_content(tmp_path):
    existing = tmp_path / "spiral" / STAMP
    existing.mkdir(parents=True)
    (existing / "config.yaml").write_text("name: spiral\n")
    fresh = run_folders.new_run_dir(tmp_path, "spiral", now=NOW)
    assert fresh != existing
    assert (existing / "config.yaml").read_text() == "name: spiral\n"


def test_check_run_dir_accepts_a_run_folder(tmp_path):
    (tmp_path / "config.yaml").write_text("name: spiral\n")
    (tmp_path / "history.json").write_text("{}")
    assert runs.check_run_dir(tmp_path) == tmp_path


def test_check_run_dir_missing_folder(tmp_path):
    with pytest.raises(CheckpointError, match="no such run folder"):
        runs.check_run_dir(tmp_path / "absent")


def test_check_run_dir_file_is_not_a_run(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("name: spiral\n")
    with pytest.raises(CheckpointError) as error:
        runs.check_run_dir(path)
    assert str(error.value) == (
        f"{path}: a file, not a run folder; pass the folder 'nettrainer train' made, e.g. "
        "runs/spiral/20260101-120000"
    )


def test_check_run_dir_of_a_run_killed_before_its_first_step_says_so(tmp_path):
    for name in ("config.yaml", "dataset.json", "preprocess.npz"):
        (tmp_path / name).write_text("")
    with pytest.raises(CheckpointError) as error:
        runs.check_run_dir(tmp_path)
    assert str(error.value) == (
        f"{tmp_path}: this run was stopped before its first step (missing history.json), so "
        "nothing was trained; delete the folder and train again"
    )


def test_check_run_dir_names_missing_markers(tmp_path):
    (tmp_path / "config.yaml").write_text("name: spiral\n")
    missing = r"not a nettrainer run folder \(missing history.json\)"
    with pytest.raises(CheckpointError, match=missing):
        runs.check_run_dir(tmp_path)


def test_metrics_csv_read_metrics_round_trip(tmp_path):
    rows = [
        {"epoch": 0, "iteration": 0, "learning_rate": "1", "train_loss": "",
         "train_acc": "0.333333", "val_acc": "0.25", "seconds": 0.0},
        {"epoch": 1, "iteration": 9, "learning_rate": "0.95", "train_loss": "1.098612",
         "train_acc": "0.5", "val_acc": "0.5", "seconds": 0.123},
    ]
    text = runs.metrics_csv(rows)
    assert text.splitlines()[0] == ",".join(runs.METRIC_COLUMNS)
    path = tmp_path / "metrics.csv"
    path.write_text(text)
    read = runs.read_metrics(path)
    assert len(read) == 2
    assert math.isnan(read[0]["train_loss"])
    assert {k: v for k, v in read[0].items() if k != "train_loss"} == {
        "epoch": 0.0, "iteration": 0.0, "learning_rate": 1.0, "train_acc": 0.333333,
        "val_acc": 0.25, "seconds": 0.0,
    }
    assert read[1] == {
        "epoch": 1.0, "iteration": 9.0, "learning_rate": 0.95, "train_loss": 1.098612,
        "train_acc": 0.5, "val_acc": 0.5, "seconds": 0.123,
    }


@pytest.mark.parametrize(("loss", "text"), [
    (1.0986122886681098, "1.098612"),
    (999999.5, "999999.500000"),
    (1409878073973601978951648420624757769330049012647453052058468352.0, "1.409878e+63"),
    (1e6, "1.000000e+06"),
    (3.87e303, "3.870000e+303"),
    (float("inf"), "inf"),
    (float("nan"), "nan"),
])
def test_loss_text_is_six_decimals_below_a_million_else_exponent_form(loss, text):
    assert runs.loss_text(loss) == text


def test_huge_losses_round_trip_through_metrics_csv(tmp_path):
    losses = [1.5, 1.409878e63, float("inf"), float("nan")]
    rows = [dict.fromkeys(runs.METRIC_COLUMNS, 0) | {"train_loss": runs.loss_text(loss)}
            for loss in losses]
    path = tmp_path / "metrics.csv"
    runs.write_text(path, runs.metrics_csv(rows))
    cells = [line.split(",")[3] for line in path.read_text().splitlines()[1:]]
    assert cells == ["1.500000", "1.409878e+63", "inf", "nan"]
    read = [row["train_loss"] for row in runs.read_metrics(path)]
    assert read[:3] == losses[:3]
    assert math.isnan(read[3])


def test_a_failed_atomic_write_names_the_target_not_the_temporary_file(tmp_path):
    target = tmp_path / "missing-folder" / "metrics.csv"
    with pytest.raises(FileNotFoundError) as info:
        runs.write_text(target, "x")
    assert info.value.filename == str(target)


def test_a_write_that_fails_midway_names_the_target_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "curves.png"

    def full_disk(handle):
        handle.write(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError) as info:
        runs.atomic_write(target, full_disk, mode="wb")
    assert (info.value.errno, info.value.filename) == (errno.ENOSPC, str(target))
    assert list(tmp_path.iterdir()) == []


def make_run_folder(path):
    (path / "config.yaml").write_text("name: spiral\n")
    (path / "history.json").write_text(
        '{"loss_history": [1.0, 0.5], "train_acc_history": [0.3, 0.6], '
        '"val_acc_history": [0.3, 0.5], "iterations_per_epoch": 2}')
    return path


SUMMARY_FIX = (
    "the file was changed outside nettrainer: restore it, or delete it (plot and evaluate need "
    "none, and a --resume that trains on writes a new one)"
)


@pytest.mark.parametrize(("text", "got"), [("[]", "list"), ("null", "null"), ("3", "int")])
def test_run_json_files_that_hold_no_object_are_one_line_errors(tmp_path, text, got):
    make_run_folder(tmp_path)
    (tmp_path / "summary.json").write_text(text)
    with pytest.raises(CheckpointError) as info:
        runs.read_summary(tmp_path)
    assert str(info.value) == (
        f"{tmp_path / 'summary.json'}: expected a JSON object as nettrainer writes it; got "
        f"{got}; {SUMMARY_FIX}")
    (tmp_path / "summary.json").unlink()
    (tmp_path / "history.json").write_text(text)
    with pytest.raises(CheckpointError) as info:
        runs.read_run(tmp_path, {"name": "spiral"})
    assert str(info.value).endswith(
        f"history.json: expected a JSON object as nettrainer writes it; got {got}; the file was "
        "changed outside nettrainer: restore it")


def test_a_summary_that_is_not_json_says_how_to_recover(tmp_path):
    make_run_folder(tmp_path)
    (tmp_path / "summary.json").write_text('{"status": "comp')
    with pytest.raises(CheckpointError) as info:
        runs.read_summary(tmp_path)
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'summary.json'}: not valid JSON (")
    assert message.endswith(SUMMARY_FIX) and "\n" not in message


def test_a_summary_without_status_is_one_line_naming_the_file_key_and_fix(tmp_path):
    make_run_folder(tmp_path)
    (tmp_path / "summary.json").write_text('{"epochs_completed": 3, "best_epoch": 2}')
    with pytest.raises(CheckpointError) as info:
        runs.read_summary(tmp_path)
    assert str(info.value) == (
        f"{tmp_path / 'summary.json'}: status must be one of completed, interrupted, diverged, "
        f"as nettrainer writes it; got no 'status' key; {SUMMARY_FIX}")


@pytest.mark.parametrize(
    ("summary", "got"),
    [
        ('{"status": "done", "epochs_completed": 3}', 'status must be one of completed, '
                                                       'interrupted, diverged, as nettrainer '
                                                       'writes it; got "done";'),
        ('{"status": null, "epochs_completed": 3}', "status must be one of completed, "
                                                     "interrupted, diverged, as nettrainer "
                                                     "writes it; got null;"),
        ('{"status": ["completed"], "epochs_completed": 3}', 'got ["completed"];'),
        ("{}", "got no 'status' key;"),
        ('{"status": "completed"}', "epochs_completed must be an integer >= 0, as nettrainer "
                                    "writes it; got no 'epochs_completed' key;"),
        ('{"status": "completed", "epochs_completed": "3"}', 'epochs_completed must be an '
                                                              'integer >= 0, as nettrainer '
                                                              'writes it; got "3";'),
        ('{"status": "interrupted", "epochs_completed": -1}', "got -1;"),
        ('{"status": "diverged", "epochs_completed": 2.0}', "got 2.0;"),
        ('{"status": "completed", "epochs_completed": true}', "got true;"),
        ('{"status": "completed", "epochs_completed": 3, "stopped_early": "yes"}',
         'stopped_early must be true or false, as nettrainer writes it; got "yes";'),
    ],
)
def test_a_summary_status_or_epoch_count_nettrainer_never_writes_is_refused(
        tmp_path, summary, got):
    make_run_folder(tmp_path)
    (tmp_path / "summary.json").write_text(summary)
    with pytest.raises(CheckpointError) as info:
        runs.read_summary(tmp_path)
    assert str(info.value).startswith(f"{tmp_path / 'summary.json'}: ")
    assert got in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(CheckpointError, match="the file was changed outside nettrainer"):
        runs.read_run(tmp_path, {"name": "spiral"})  # what plot reads


@pytest.mark.parametrize("status", RUN_STATUSES)
def test_a_summary_as_nettrainer_writes_it_is_read_back(tmp_path, status):
    make_run_folder(tmp_path)
    (tmp_path / "summary.json").write_text(f'{{"status": "{status}", "epochs_completed": 0}}')
    assert runs.read_summary(tmp_path) == {"status": status, "epochs_completed": 0}


@pytest.mark.parametrize(
    ("history", "key"),
    [
        ('{"loss_history": "x"}', "loss_history must be a list of numbers"),
        ('{"val_acc_history": [0.5, "high"]}', "val_acc_history must be a list of numbers"),
        ('{"train_acc_history": [true]}', "train_acc_history must be a list of numbers"),
        ('{"iterations_per_epoch": 0}', "iterations_per_epoch must be an integer >= 1"),
        ('{"iterations_per_epoch": 2.5}', "iterations_per_epoch must be an integer >= 1"),
    ],
)
def test_history_values_of_the_wrong_kind_are_one_line_errors(tmp_path, history, key):
    make_run_folder(tmp_path)
    (tmp_path / "history.json").write_text(history)
    with pytest.raises(CheckpointError) as info:
        runs.read_run(tmp_path, {"name": "spiral"})
    assert str(info.value).startswith(f"{tmp_path / 'history.json'}: {key}")


def test_a_history_as_nettrainer_writes_it_is_read_back(tmp_path):
    record = runs.read_run(make_run_folder(tmp_path), {"name": "spiral"})
    assert record.history["loss_history"] == [1.0, 0.5]
    assert record.history["iterations_per_epoch"] == 2
    assert record.summary == {}
