"""The benchmark scripts' command lines: a user mistake is one line and exit 2, before measuring.

The measurements themselves are not tested (benchmarks are not tests); the
smoke run of ``fashion.py`` uses a tiny npz data set so it takes a second.
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_script(name: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "benchmarks" / name), *args],
                          capture_output=True, text=True, cwd=cwd, timeout=120)


def tiny_npz_config(tmp_path: Path) -> Path:
    """A config on 120 + 60 separable points in 4 dimensions, with a test split."""
    rng = np.random.default_rng(0)
    centres = 3 * rng.standard_normal((3, 4))

    def points(count):
        y = rng.integers(0, 3, count)
        return (centres[y] + rng.standard_normal((count, 4))).astype(np.float32), y

    (X_train, y_train), (X_test, y_test) = points(120), points(60)
    np.savez(tmp_path / "tiny.npz", X_train=X_train, y_train=y_train,
             X_test=X_test, y_test=y_test)
    path = tmp_path / "tiny.yaml"
    path.write_text(
        f"name: tiny\ndata: {{name: npz, path: {tmp_path / 'tiny.npz'}, val_size: 20}}\n"
        "model: {hidden_size: 8, dtype: float32}\n"
        "train: {learning_rate: 0.1, batch_size: 20, epochs: 3}\n")
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--reps", "0"], "argument --reps: must be an integer >= 1; got '0'"),
        (["--num-train", "10"],
         "argument --num-train: must be an integer >= 200 (one batch of 200); got '10'"),
        (["--num-train", "many"],
         "argument --num-train: must be an integer >= 200 (one batch of 200); got 'many'"),
    ],
)
def test_throughput_refuses_bad_numbers_in_one_line(tmp_path, args, message):
    result = run_script("throughput.py", "--quick", "--no-rss", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == f"error: {message}; see 'throughput.py --help'\n"
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sklearn-epochs", "0"],
         "error: argument --sklearn-epochs: must be an integer >= 1; got '0'; "
         "see 'fashion.py --help'"),
        (["--set", "train.learning_rte=0.1"],
         "error: --set train.learning_rte=0.1: unknown key train.learning_rte; "
         "did you mean train.learning_rate?"),
        (["--config", "nope.yaml"],
         "error: nope.yaml: no such file; check the path (configs/ holds the example configs)"),
        (["--png", "x.gif"], "error: --png x.gif: the picture is a PNG; name a .png file"),
    ],
)
def test_fashion_refuses_bad_arguments_and_configs_in_one_line(tmp_path, args, message):
    result = run_script("fashion.py", "--quick", *args, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, message + "\n")


def test_fashion_needs_a_test_split_and_says_so_before_training(tmp_path):
    spiral = REPO / "configs" / "spiral.yaml"
    result = run_script("fashion.py", "--quick", "--config", str(spiral),
                        "--png", str(tmp_path / "out.png"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        f"error: {spiral}: data set 'spiral' has no test split, and this benchmark scores "
        "test accuracy; use a config whose data has one (fashion-mnist, mnist, cifar10, "
        "or npz/csv with test data)\n")
    assert list(tmp_path.iterdir()) == []


def test_fashion_checks_the_png_folder_before_training_and_creates_nothing(tmp_path):
    config = tiny_npz_config(tmp_path)
    (tmp_path / "a-file").write_text("")
    result = run_script("fashion.py", "--config", str(config),
                        "--png", str(tmp_path / "a-file" / "sub" / "x.png"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        f"error: --png {tmp_path / 'a-file' / 'sub' / 'x.png'}: cannot write in "
        f"{tmp_path / 'a-file'} (Not a directory); choose another --png\n")
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "tiny.npz", "tiny.yaml"]


def test_fashion_smoke_run_prints_its_table_and_writes_the_picture_in_new_folders(tmp_path):
    png = tmp_path / "new" / "folder" / "curve.png"
    result = run_script("fashion.py", "--config", str(tiny_npz_config(tmp_path)),
                        "--sklearn-epochs", "2", "--png", str(png), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("implementation"))
    assert lines[header].split() == ["implementation", "train", "s", "test", "acc", "note"]
    assert lines[header + 1].startswith("nettrainer H=8 sgd float32")
    assert "best val" in lines[header + 1]
    if importlib.util.find_spec("sklearn"):
        assert lines[header + 2].startswith("sklearn MLP (512,) adam")
        assert lines[header + 2].endswith("2 epochs")
    else:
        assert lines[0] == "scikit-learn not installed: nettrainer only (pip install scikit-learn)"
    assert png.read_bytes().startswith(PNG_MAGIC)
    assert [p.name for p in png.parent.iterdir()] == ["curve.png"]  # no temporary left


def test_fashion_quick_and_full_runs_draw_to_different_default_pictures(monkeypatch):
    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    import fashion

    monkeypatch.setattr(sys, "argv", ["fashion.py", "--quick"])
    quick = fashion.parse_args()
    monkeypatch.setattr(sys, "argv", ["fashion.py"])
    full = fashion.parse_args()
    assert (quick.png.name, quick.sklearn_epochs) == ("fashion-quick.png", 2)
    assert (full.png.name, full.sklearn_epochs) == ("fashion.png", 40)
    assert quick.png.parent == full.png.parent == REPO / "runs" / "benchmarks"
