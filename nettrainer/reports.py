"""Plain-text tables and summaries that the command line prints."""

from collections.abc import Sequence
from typing import Any

from nettrainer.gradcheck import CheckResult


def results_table(results: Sequence[CheckResult]) -> str:
    """Format gradient-check results: check, parameter, relative error, threshold, PASS/FAIL."""
    header = ("check", "parameter", "rel error", "threshold", "result")
    rows = [
        (r.name, r.parameter, f"{r.rel_error:.2e}", f"{r.threshold:.0e}",
         "PASS" if r.passed else "FAIL")
        for r in results
    ]
    return _table(header, rows)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
             for row in (header, *rows)]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2%}"


def run_summary(run_dir: object, status: str, summary: dict[str, Any]) -> str:
    """One paragraph about a finished (or stopped) run, ending with where its files are."""
    if summary["best_val_acc"] is None:  # no validation split
        best = "no validation split, so best.npz holds the last epoch's params"
    else:
        best = (f"best val accuracy {_percent(summary['best_val_acc'])} "
                f"at epoch {summary['best_epoch']}")
    if summary.get("stopped_early"):
        status += " early (validation accuracy stopped improving)"
    lines = [
        f"{status}: {_count(summary['epochs_completed'], 'epoch')}, "
        f"{_count(summary['iterations'], 'iteration')} "
        f"in {summary['wall_time_s']:.1f} s ({summary['samples_per_s']:,.0f} samples/s)",
        f"{best}; final train accuracy {_percent(summary['final_train_acc'])}; "
        f"test accuracy {_percent(summary['test_acc'])}",
        f"run folder: {run_dir}  (curves: {run_dir}/curves.png)",
    ]
    return "\n".join(lines)


def evaluation_text(report: dict[str, Any]) -> str:
    """Accuracy, per-class accuracy and the confusion matrix of an evaluation.

    A class is named by its index and name (``3 Dress``), so that the confusion
    matrix's columns, which are indices, can be read against its rows.
    """
    columns = [str(i) for i in range(len(report["class_names"]))]
    names = [index if name == index else f"{index} {name}"
             for index, name in zip(columns, report["class_names"], strict=True)]
    per_class = [
        (name, str(int(count)), _percent(acc if count else None))  # no example: no accuracy
        for name, count, acc in zip(names, report["class_counts"], report["per_class_acc"],
                                    strict=True)
    ]
    confusion = [(name, *(str(int(v)) for v in row))
                 for name, row in zip(names, report["confusion"], strict=True)]
    return "\n".join([
        f"{report['split']} accuracy ({report['checkpoint']} params): "
        f"{_percent(report['accuracy'])} of {report['num_examples']} examples",
        "",
        _table(("class", "count", "accuracy"), per_class),
        "",
        "confusion matrix (rows: true class, columns: predicted class index)",
        _table(("true \\ pred", *columns), confusion),
    ])


def hints_text(checks: Sequence[Any]) -> str:
    """Return one line per failed check: the worst entry and the hint, if any."""
    lines = []
    for check in checks:
        if check.passed:
            continue
        line = f"{check.name} {check.parameter}: "
        if check.worst_index is not None:
            line += (f"worst entry {check.worst_index}: analytic {check.analytic:.6g}, "
                     f"numeric {check.numeric:.6g}; ")
        lines.append(line + (f"hint: {check.hint}" if check.hint else "no known pattern"))
    return "\n".join(lines)
