"""Pictures of runs: loss and accuracy curves, weight grids, decision regions, confusion.

The only module that imports matplotlib. Figures are plain ``Figure`` objects on
the Agg canvas, never pyplot ones, so nothing is registered globally or shown,
and each is cleared when its function returns. The format follows the output
file's extension (:data:`PICTURE_FORMATS`); files are written with
:func:`nettrainer.runs.atomic_write`, so a failed draw leaves the previous file.

Dimensions: ``T`` iterations; ``E`` recorded epochs (epoch 0, before training,
first); ``N`` points; ``D`` input features; ``H`` hidden units; ``C`` classes.
"""

import math
import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from nettrainer.picture_paths import DEFAULT_SUFFIX, PICTURE_FORMATS, checked_output
from nettrainer.plot_data import (
    IGNORED_KEYS,
    MAX_PLOTTED_LOSS,
    MAX_TILES,
    DecisionRegions,
    differing_keys,
    loss_curve,
    run_label,
    smooth,
    weight_grid,
)
from nettrainer.runs import RunRecord, atomic_write

__all__ = [
    "DEFAULT_SUFFIX", "DPI", "IGNORED_KEYS", "LOG_SCALE_RATIO", "MAX_ANNOTATED_CLASSES",
    "MAX_PLOTTED_LOSS", "MAX_TILES", "MESH_POINTS", "PICTURE_FORMATS", "DecisionRegions",
    "differing_keys", "loss_curve", "plot_confusion", "plot_runs", "plot_weights", "run_label",
    "smooth", "weight_grid",
]

LOG_SCALE_RATIO = 10.0  # losses spanning a decade or more get a log axis
MESH_POINTS = 200  # decision-region mesh resolution along each axis
MAX_ANNOTATED_CLASSES = 20  # confusion counts are written in the cells up to this many classes
DPI = 120
FIGURE_WIDTH, PANEL_HEIGHT = 12.0, 4.5  # inches: the run figure, and each row of its panels
LEGEND_CHARS = 100  # characters per legend line across the run figure (about 130 fit at 10 pt)
LEGEND_HANDLE_CHARS = 9  # the width of a legend entry's line sample and spacing, in characters
LEGEND_LINE_HEIGHT = 0.25  # inches of figure height per legend line


def plot_runs(
    runs: Sequence[RunRecord],
    out: Path,
    *,
    first_layer: tuple[np.ndarray, tuple[int, ...]] | None = None,
    regions: DecisionRegions | None = None,
    params_source: str | None = None,
) -> Path:
    """Draw the loss and accuracy curves of one or several runs into one picture.

    Parameters
    ----------
    runs : sequence of RunRecord
        Overlaid, one colour each, labelled by :func:`run_label` with their
        :func:`differing_keys` (plus the run folder's name where labels tie).
    out : Path
        A ``.png``, ``.svg`` or ``.pdf`` file; ``.png`` is appended to a bare name.
    first_layer : (ndarray of shape (D, H), tuple of int), optional
        ``(W1, image_shape)``: adds the grid of :func:`weight_grid`.
    regions : DecisionRegions, optional
        Adds the decision regions of a classifier of 2-D data.
    params_source : str, optional
        Where the params of the weight grid and the decision regions come
        from, such as ``"best.npz"``; named in their titles.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    NettrainerError
        When ``out`` is refused by :func:`~nettrainer.picture_paths.checked_output`
        (a folder, not a picture format, or in a folder that does not exist).
    DataError
        When ``W1`` cannot be drawn as images of ``image_shape``.
    """
    if not runs:
        raise ValueError("plot_runs needs at least one run")
    out, picture_format = checked_output(out)
    extras: list[Callable[[Axes], None]] = []
    if first_layer is not None:
        extras.append(lambda ax: _draw_weights(ax, *first_layer, params_source))
    if regions is not None:
        extras.append(lambda ax: _draw_regions(ax, regions, params_source))
    labels, ncols, legend_lines = _legend_layout(_unique_labels(runs))
    height = PANEL_HEIGHT * (2 if extras else 1) + LEGEND_LINE_HEIGHT * legend_lines
    with _figure(FIGURE_WIDTH, height) as fig:
        grid = fig.add_gridspec(2 if extras else 1, 2)
        colours = [f"C{index % 10}" for index in range(len(runs))]
        _draw_losses(fig.add_subplot(grid[0, 0]), runs, colours)
        _draw_accuracies(fig.add_subplot(grid[0, 1]), runs, colours)
        fig.legend([Line2D([], [], color=colour, linewidth=2) for colour in colours], labels,
                   loc="outside upper center", ncols=ncols)
        for column, draw in enumerate(extras):
            draw(fig.add_subplot(grid[1, column] if len(extras) == 2 else grid[1, :]))
        return _save(fig, out, picture_format)


def plot_weights(W1: np.ndarray, image_shape: tuple[int, ...], out: Path) -> Path:
    """Draw the first-layer weights of shape (D, H) as the grid of :func:`weight_grid`.

    Returns
    -------
    Path
        The file written (``out``, with ``.png`` appended to a bare name).
    """
    out, picture_format = checked_output(out)
    with _figure(7.0, 7.5) as fig:
        _draw_weights(fig.add_subplot(), W1, image_shape)
        return _save(fig, out, picture_format)


def plot_confusion(
    matrix: np.ndarray, class_names: Sequence[str], out: Path, title: str = "Confusion matrix"
) -> Path:
    """Draw a confusion matrix: rows are true classes, columns predicted ones.

    Parameters
    ----------
    matrix : ndarray of shape (C, C)
        Counts, written in the cells up to :data:`MAX_ANNOTATED_CLASSES` classes.
    class_names : sequence of str
        The C names, on both axes.
    out : Path
    title : str
        What the matrix is of; the example count and accuracy follow it.

    Returns
    -------
    Path
        The file written.
    """
    out, picture_format = checked_output(out)
    matrix, C = np.asarray(matrix), len(class_names)
    if matrix.shape != (C, C):
        raise ValueError(f"plot_confusion: matrix must have shape ({C}, {C}); got {matrix.shape}")
    side = min(4.0 + 0.5 * C, 16.0)
    with _figure(side + 1.0, side) as fig:
        ax = fig.add_subplot()
        fig.colorbar(ax.imshow(matrix, cmap="Blues"), ax=ax, shrink=0.8, label="examples")
        ax.set_xticks(range(C), class_names, rotation=45, ha="right", rotation_mode="anchor")
        ax.set_yticks(range(C), class_names)
        total = matrix.sum()
        accuracy = f"{np.trace(matrix) / total:.1%}" if total else "n/a"
        ax.set(title=f"{title}: {_count(total)} examples, accuracy {accuracy}",
               xlabel="predicted class", ylabel="true class")
        for (row, col), count in np.ndenumerate(matrix if C <= MAX_ANNOTATED_CLASSES else []):
            ax.text(col, row, _count(count), ha="center", va="center", fontsize=8,
                    color="white" if count > matrix.max() / 2 else "black")
        return _save(fig, out, picture_format)


def _draw_losses(ax: Axes, runs: Sequence[RunRecord], colours: Sequence[str]) -> None:
    """Raw (faint) and smoothed losses per iteration; a log axis when they span a decade.

    Losses that :func:`loss_curve` leaves out are counted in the panel's legend.
    """
    curves = [loss_curve(run.history.get("loss_history", [])) for run in runs]
    for curve, colour in zip(curves, colours, strict=True):
        ax.plot(curve.iterations, curve.losses, color=colour, alpha=0.25, linewidth=0.8)
        ax.plot(curve.iterations, smooth(curve.losses), color=colour, linewidth=1.8,
                marker="o" if curve.losses.size == 1 else None)  # one point is no line
    notes = [Line2D([], [], color=colour, linewidth=2, label=curve.note)
             for curve, colour in zip(curves, colours, strict=True) if curve.note]
    if notes:
        ax.legend(handles=notes, loc="best", fontsize="small")
    every = np.concatenate([curve.losses for curve in curves])
    if not every.size:  # a run stopped after its epoch-0 evaluation, before any step
        ax.text(0.5, 0.5, "no training steps yet", transform=ax.transAxes,
                ha="center", va="center", color="0.4")
    elif every.min() > 0 and every.max() >= LOG_SCALE_RATIO * every.min():
        ax.set_yscale("log")
    per_epoch = {run.history.get("iterations_per_epoch") for run in runs}
    ipe = per_epoch.pop() if len(per_epoch) == 1 else None
    ax.set(title="Training loss (faint: per iteration, bold: smoothed)", ylabel="loss",
           xlabel=f"iteration ({ipe} per epoch)" if isinstance(ipe, int) else "iteration")


def _draw_accuracies(ax: Axes, runs: Sequence[RunRecord], colours: Sequence[str]) -> None:
    """Train (dashed) and validation (solid) accuracy per epoch."""
    for run, colour in zip(runs, colours, strict=True):
        for key, style in (("train_acc_history", "--"), ("val_acc_history", "-")):
            accuracy = np.asarray(run.history.get(key, []), dtype=np.float64)  # (E,)
            ax.plot(np.arange(accuracy.size), accuracy, linestyle=style, color=colour,
                    marker="o" if accuracy.size <= 20 else None, markersize=3)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    styles = [("--", "train")]
    if any(run.history.get("val_acc_history") for run in runs):  # runs with val_size 0 have none
        styles.append(("-", "validation"))
    ax.legend(handles=[Line2D([], [], color="0.3", linestyle=style, label=label)
                       for style, label in styles], loc="lower right")
    ax.set(title="Accuracy per epoch", xlabel="epoch (0: before training)", ylabel="accuracy")


def _draw_weights(ax: Axes, W1: np.ndarray, image_shape: tuple[int, ...],
                  params_source: str | None = None) -> None:
    grid = weight_grid(W1, image_shape)
    ax.imshow(grid, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    hidden = np.shape(W1)[1]
    shown = f"first {MAX_TILES} of {hidden}" if hidden > MAX_TILES else f"all {hidden}"
    source = f" of {params_source}" if params_source else ""
    ax.set_title(f"First-layer weights W1{source} ({shown} hidden units)")
    ax.set_axis_off()


def _draw_regions(ax: Axes, regions: DecisionRegions, params_source: str | None) -> None:
    """Predicted class on a mesh over the data's extent, with the points on top."""
    X, y = np.asarray(regions.X, dtype=np.float64), np.asarray(regions.y)
    low, high = X.min(axis=0), X.max(axis=0)  # (2,)
    margin = 0.1 * np.where(high > low, high - low, 1.0)
    xx, yy = np.meshgrid(*(np.linspace(low[i] - margin[i], high[i] + margin[i], MESH_POINTS)
                           for i in range(2)))  # (M, M) each
    labels = np.asarray(regions.predict(np.column_stack([xx.ravel(), yy.ravel()])))  # (M * M,)
    if labels.shape != (xx.size,):
        raise ValueError(f"DecisionRegions.predict gave {labels.shape}; expected ({xx.size},)")
    C = int(max(labels.max(), y.max())) + 1
    cmap = ListedColormap(colormaps["tab10" if C <= 10 else "tab20"](np.arange(C) % 20))
    norm = BoundaryNorm(np.arange(C + 1) - 0.5, C)
    ax.contourf(xx, yy, labels.reshape(xx.shape), levels=np.arange(C + 1) - 0.5,
                cmap=cmap, norm=norm, alpha=0.35)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, norm=norm, s=10, edgecolors="k", linewidths=0.3)
    source = f" of {params_source}" if params_source else ""
    ax.set(title=f"Decision regions{source} (training points on top)",
           xlabel="x[0]", ylabel="x[1]")


def _unique_labels(runs: Sequence[RunRecord]) -> list[str]:
    """Run labels, with the run folder's name added when two would read the same."""
    keys = differing_keys([run.config for run in runs])
    labels = [run_label(run, keys) for run in runs]
    if len(set(labels)) < len(labels):
        labels = [f"{label} [{run.path.name}]" for label, run in zip(labels, runs, strict=True)]
    return labels

def _legend_layout(labels: Sequence[str]) -> tuple[list[str], int, int]:
    """Wrap labels to fit across the figure; return them, the columns and the lines they take.

    A label naming many differing keys is broken after its commas (a value too
    long for a line, such as a path, is cut), continuation lines indented; short
    labels share a line in columns.
    """
    wrapped = [textwrap.fill(label, LEGEND_CHARS - LEGEND_HANDLE_CHARS, subsequent_indent="    ",
                             break_on_hyphens=False) for label in labels]
    width = max(len(line) for label in wrapped for line in label.splitlines())
    ncols = max(1, min(len(labels), LEGEND_CHARS // (width + LEGEND_HANDLE_CHARS)))
    lines = math.ceil(len(labels) / ncols) * max(label.count("\n") + 1 for label in wrapped)
    return wrapped, ncols, lines


def _count(value: Any) -> str:
    return str(int(value)) if float(value).is_integer() else f"{float(value):.3g}"


@contextmanager
def _figure(width: float, height: float) -> Iterator[Figure]:
    """Yield a figure on the Agg canvas (no pyplot) and clear it when the block ends."""
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    try:
        yield fig
    finally:
        fig.clear()


def _save(fig: Figure, out: Path, picture_format: str) -> Path:
    atomic_write(out, lambda handle: fig.savefig(handle, format=picture_format), mode="wb")
    return out
