"""A closed stdout (``nettrainer ... | head``) never stops, damages or garbles a command.

The pipe tests run real processes whose stdout is a pipe with no reader from
the start, so every write to it fails, as after ``head`` has its lines.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nettrainer.cli import cli

REPO = Path(__file__).resolve().parents[1]
TINY = {
    "name": "tiny", "seed": 0, "data": {"name": "spiral", "points_per_class": 20},
    "model": {"hidden_size": 10}, "train": {"epochs": 5, "batch_size": 10},
}


def run_with_closed_stdout(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run ``python -m nettrainer ARGS`` with stdout a pipe whose reader has gone."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return subprocess.run(
            [sys.executable, "-m", "nettrainer", *args], stdout=writer, stderr=subprocess.PIPE,
            text=True, timeout=120, cwd=cwd, env={**os.environ, "PYTHONPATH": str(REPO)},
        )
    finally:
        os.close(writer)


def test_training_into_a_closed_pipe_finishes_the_run(tmp_path):
    (tmp_path / "cfg.json").write_text(json.dumps({**TINY, "output": {"dir": "runs"}}))
    result = run_with_closed_stdout("train", "cfg.json", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    (run_dir,) = (tmp_path / "runs" / "tiny").iterdir()
    assert json.loads((run_dir / "summary.json").read_text())["status"] == "completed"
    assert (run_dir / "curves.png").is_file()


def test_evaluate_into_a_closed_pipe_is_quiet_and_still_draws(tmp_path):
    (tmp_path / "cfg.json").write_text(json.dumps({**TINY, "output": {"dir": str(tmp_path)}}))
    assert CliRunner().invoke(cli, ["train", str(tmp_path / "cfg.json"), "--quiet"]).exit_code == 0
    (run_dir,) = (tmp_path / "tiny").iterdir()
    result = run_with_closed_stdout("evaluate", str(run_dir), "--split", "val", "--plot",
                                    cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert (run_dir / "confusion.png").is_file()


@pytest.mark.parametrize("args", [("--help",), ("train", "--help")])
def test_help_into_a_closed_pipe_is_quiet(tmp_path, args):
    result = run_with_closed_stdout(*args, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
