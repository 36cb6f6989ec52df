"""``nettrainer gradcheck``'s arguments: a step or seed that cannot give a verdict is exit 2."""

import pytest
from click.testing import CliRunner

from nettrainer.cli import cli
from nettrainer.cli_gradcheck import DEFAULT_STEP, step_note


def invoke(*args: str):
    return CliRunner().invoke(cli, ["gradcheck", *args])


def assert_usage_error(result, option: str) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert result.stdout == ""  # nothing was checked
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: Invalid value for '{option}': ")
    assert line.endswith(" gradcheck --help'.")
    return line


@pytest.mark.parametrize("step", ["0", "-1", "nan", "inf", "-inf", "1e-300", "9e-11", "0.2"])
def test_a_step_outside_1e_10_to_0_1_is_a_usage_error(step):
    line = assert_usage_error(invoke("--h", step), "--h")
    assert "must be a step from 1e-10 to 0.1 (below, float64 round-off" in line
    assert f"; got {float(step):g}. See '" in line


def test_a_negative_seed_is_a_usage_error():
    line = assert_usage_error(invoke("--seed", "-1"), "--seed")
    assert "-1 is not in the range x>=0" in line


def test_failures_at_a_step_other_than_the_default_come_with_a_note():
    result = invoke("--h", "0.1")
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[-2] == step_note(0.1)
    assert lines[-1].endswith("failed") and not lines[-1].startswith("0 failed")
    assert "not 0.1; correct gradients can fail at other steps" in step_note(0.1)


def test_no_note_at_the_default_step_or_when_every_check_passes():
    for args in ((), ("--h", "1e-6")):
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        assert "note:" not in result.stdout
    assert DEFAULT_STEP == 1e-5  # what the README and the thresholds assume
