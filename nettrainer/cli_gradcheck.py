"""The ``nettrainer gradcheck`` command: the built-in checks, or a learner's own layer or loss.

Part of the command line: it prints the table that :mod:`nettrainer.gradcheck`
and :mod:`nettrainer.layercheck` return and exits 1 when a check fails. A step
``--h`` that cannot give a meaningful verdict is refused as a usage mistake
(exit 2) instead, so nobody is told that correct gradients are wrong.
"""

import sys
from pathlib import Path

import click

from nettrainer import config, experiment, reports, usercode
from nettrainer.console import echo
from nettrainer.exit_codes import EXIT_GRADCHECK_FAILED
from nettrainer.gradcheck import check_layers, check_model

DEFAULT_STEP = 1e-5  # the step the checks' thresholds are set for
MIN_STEP = 1e-10  # float64 round-off in a centred difference, ~1e-16 / h, tops every threshold
MAX_STEP = 1e-1  # as large as the unit-scale inputs: a secant, not a derivative
STEP_BOUNDS = (
    f"a step from {MIN_STEP:g} to {MAX_STEP:g} (below, float64 round-off of about "
    "1e-16/h swamps every threshold; above, the step is as large as the unit-scale "
    "inputs and measures no derivative)"
)


def _checked_step(_ctx: click.Context, _param: click.Parameter, value: float) -> float:
    """Accept a finite step in [MIN_STEP, MAX_STEP]; refuse the rest (nan too) as a usage error."""
    if not MIN_STEP <= value <= MAX_STEP:
        raise click.BadParameter(f"must be {STEP_BOUNDS}; got {value:g}")
    return value


@click.command()
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="Also check the configured model on a few samples of its data.")
@click.option("--layer", metavar="PATH_OR_MODULE:FORWARD:BACKWARD",
              help="Check your own forward/backward pair instead (a .py file or a module).")
@click.option("--loss", metavar="PATH_OR_MODULE:FUNCTION",
              help="Check your own loss(x, y) -> (loss, dx) instead.")
@click.option("--shape", "shapes", multiple=True, metavar="N,D[,...]",
              help="--layer: one input's shape, once per input; --loss: N,C (default 5,4).")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0),
              help="Seed of the random problems (an integer >= 0).")
@click.option("--h", "step", default=DEFAULT_STEP, show_default=True, callback=_checked_step,
              help=f"Finite-difference step, {MIN_STEP:g} to {MAX_STEP:g}; the thresholds are "
                   "set for the default, so other steps can fail correct gradients.")
def gradcheck(config_path: Path | None, layer: str | None, loss: str | None,
              shapes: tuple[str, ...], seed: int, step: float) -> None:
    """Compare analytic with numerical gradients in float64; exit 1 if any check fails.

    Example: nettrainer gradcheck --layer my_layers.py:affine_forward:affine_backward
    --shape 4,5 --shape 5,3 --shape 3
    """
    if layer or loss or shapes:
        results = usercode.check_user_code(layer, loss, shapes, seed=seed, h=step)
    else:
        results = check_layers(seed=seed, h=step) + check_model(seed=seed, h=step)
    if config_path is not None:
        results += experiment.check_configured_model(config.load(config_path), seed, step)
    echo(reports.results_table(results))
    if hints := reports.hints_text([r for r in results if hasattr(r, "hint")]):
        echo(hints)
    failed = sum(not result.passed for result in results)
    if failed and step != DEFAULT_STEP:
        echo(step_note(step))
    echo(f"{len(results) - failed} passed, {failed} failed")
    if failed:
        sys.exit(EXIT_GRADCHECK_FAILED)


def step_note(step: float) -> str:
    """Warn that failures at a step other than the default may be the step's, not the code's."""
    return (
        f"note: the thresholds are set for --h {DEFAULT_STEP:g}, not {step:g}; correct "
        "gradients can fail at other steps (round-off grows as h shrinks, truncation "
        "error and ReLU kinks as it grows): rerun without --h before trusting a FAIL"
    )
