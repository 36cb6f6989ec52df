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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
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

from nettrainer.errors import DataError, NettrainerError
from nettrainer.runs import RunRecord, atomic_write

PICTURE_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
DEFAULT_SUFFIX = ".png"  # appended to an output path without an extension
IGNORED_KEYS = ("name", "output", "versions")  # never worth a label; the name starts it anyway
MAX_TILES = 100  # first-layer units drawn at most (a 10 x 10 grid)
LOG_SCALE_RATIO = 10.0  # losses spanning a decade or more get a log axis
MESH_POINTS = 200  # decision-region mesh resolution along each axis
MAX_ANNOTATED_CLASSES = 20  # confusion counts are written in the cells up to this many classes
DPI = 120
_MISSING = object()


def differing_keys(configs: Sequence[dict[str, Any]]) -> list[str]:
    """Return the dotted config keys whose values differ between runs.

    Parameters
    ----------
    configs : sequence of dict
        Resolved configs as nested plain data, one per run.

    Returns
    -------
    keys : list of str
        Keys like ``train.learning_rate`` in order of first appearance; a key
        missing from some configs differs. ``name``, ``output`` and ``versions``
        are left out (:func:`run_label` starts with the name anyway).
    """
    flats = [_flat_config(config) for config in configs]
    keys = dict.fromkeys(key for flat in flats for key in flat)
    first = flats[0] if flats else {}
    return [
        key for key in keys
        if any(flat.get(key, _MISSING) != first.get(key, _MISSING) for flat in flats[1:])
    ]


def run_label(run: RunRecord, keys: Sequence[str]) -> str:
    """Label a run by its name and its values of ``keys``, as typed in ``--set``.

    For example ``spiral (train.learning_rate=0.5, model.hidden_size=50)``; just
    the name when ``keys`` is empty; ``key=unset`` where the config lacks a key.
    """
    if not keys:
        return run.name
    flat = _flat_config(run.config)
    values = ", ".join(f"{key}={_yaml_text(flat.get(key, _MISSING))}" for key in keys)
    return f"{run.name} ({values})"


def smooth(values: np.ndarray, window: int | None = None) -> np.ndarray:
    """Return a centred moving average of a curve, the same length as the input.

    Parameters
    ----------
    values : ndarray of shape (T,)
        Finite values such as per-iteration losses; not modified.
    window : int, optional
        Points averaged around each one (one more before than after when even;
        fewer near the ends). Default: the odd ``2 * (T // 50) + 1``.

    Returns
    -------
    smoothed : ndarray of shape (T,), float64
        Exactly ``values`` on a constant curve (offsets from the first value are averaged).
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"smooth expects a curve of shape (T,); got shape {values.shape}")
    window = 2 * (values.size // 50) + 1 if window is None else window
    if window < 1:
        raise ValueError(f"smooth: window must be an int >= 1; got {window}")
    if values.size == 0:
        return values.copy()
    sums = np.concatenate(([0.0], np.cumsum(values - values[0])))  # (T + 1,)
    start = np.arange(values.size) - window // 2  # (T,)
    stop = np.minimum(start + window, values.size)
    start = np.maximum(start, 0)
    return values[0] + (sums[stop] - sums[start]) / (stop - start)


@dataclass(frozen=True)
class DecisionRegions:
    """A classifier of 2-D points and the data to draw its regions over.

    Attributes
    ----------
    predict : callable
        Maps points of shape (M, 2), in the same space as ``X``, to labels (M,).
    X : ndarray of shape (N, 2)
        The points drawn, e.g. the training set as the model sees it.
    y : ndarray of shape (N,)
        Their labels in [0, C).
    """

    predict: Callable[[np.ndarray], np.ndarray]
    X: np.ndarray
    y: np.ndarray

    def __post_init__(self) -> None:
        N = len(self.X)
        if np.ndim(self.X) != 2 or np.shape(self.X)[1] != 2 or np.shape(self.y) != (N,) or N == 0:
            raise ValueError(
                f"DecisionRegions needs X (N, 2) and y (N,) with N > 0; "
                f"got {np.shape(self.X)} and {np.shape(self.y)}"
            )


def plot_runs(
    runs: Sequence[RunRecord],
    out: Path,
    *,
    first_layer: tuple[np.ndarray, tuple[int, ...]] | None = None,
    regions: DecisionRegions | None = None,
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

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    NettrainerError
        When the extension is not a picture format or the folder does not exist.
    DataError
        When ``W1`` cannot be drawn as images of ``image_shape``.
    """
    if not runs:
        raise ValueError("plot_runs needs at least one run")
    out, picture_format = _checked_output(out)
    extras: list[Callable[[Axes], None]] = []
    if first_layer is not None:
        extras.append(lambda ax: _draw_weights(ax, *first_layer))
    if regions is not None:
        extras.append(lambda ax: _draw_regions(ax, regions))
    with _figure(12.0, 4.5 * (2 if extras else 1) + 0.3 * len(runs)) as fig:
        grid = fig.add_gridspec(2 if extras else 1, 2)
        colours = [f"C{index % 10}" for index in range(len(runs))]
        _draw_losses(fig.add_subplot(grid[0, 0]), runs, colours)
        _draw_accuracies(fig.add_subplot(grid[0, 1]), runs, colours)
        labels = _unique_labels(runs)
        ncols = max(1, min(len(runs), 110 // max(map(len, labels))))
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
    out, picture_format = _checked_output(out)
    with _figure(7.0, 7.5) as fig:
        _draw_weights(fig.add_subplot(), W1, image_shape)
        return _save(fig, out, picture_format)


def plot_confusion(matrix: np.ndarray, class_names: Sequence[str], out: Path) -> Path:
    """Draw a confusion matrix: rows are true classes, columns predicted ones.

    Parameters
    ----------
    matrix : ndarray of shape (C, C)
        Counts, written in the cells up to :data:`MAX_ANNOTATED_CLASSES` classes.
    class_names : sequence of str
        The C names, on both axes.
    out : Path

    Returns
    -------
    Path
        The file written.
    """
    out, picture_format = _checked_output(out)
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
        ax.set(title=f"Confusion matrix: {_count(total)} examples, accuracy {accuracy}",
               xlabel="predicted class", ylabel="true class")
        for (row, col), count in np.ndenumerate(matrix if C <= MAX_ANNOTATED_CLASSES else []):
            ax.text(col, row, _count(count), ha="center", va="center", fontsize=8,
                    color="white" if count > matrix.max() / 2 else "black")
        return _save(fig, out, picture_format)


def weight_grid(W1: np.ndarray, image_shape: tuple[int, ...], max_tiles: int = MAX_TILES,
                padding: int = 1) -> np.ndarray:
    """Lay first-layer weights out as one image, like CS231n's ``visualize_grid``.

    Parameters
    ----------
    W1 : ndarray of shape (D, H)
        Column j, reshaped to ``image_shape``, is unit j's tile.
    image_shape : tuple of int
        ``(h, w)`` for grey images; ``(c, h, w)`` or ``(h, w, c)`` with c 1 or 3.
    max_tiles : int
        The first ``min(H, max_tiles)`` units are drawn, in a near-square grid.
    padding : int
        White pixels between tiles.

    Returns
    -------
    grid : ndarray of shape (rows * (h + padding) - padding, cols * (w + padding) - padding[, 3])
        Each tile scaled to [0, 1] on its own (a constant one is 0.5); RGB when c = 3.

    Raises
    ------
    DataError
        When ``image_shape`` does not hold D pixels or is not an image shape.
    """
    tiles = _weight_images(np.asarray(W1, dtype=np.float64), tuple(image_shape))[:max_tiles]
    axes = tuple(range(1, tiles.ndim))
    low = tiles.min(axis=axes, keepdims=True)
    span = tiles.max(axis=axes, keepdims=True) - low
    tiles = np.where(span > 0, (tiles - low) / np.where(span > 0, span, 1.0), 0.5)
    K, h, w = tiles.shape[:3]
    cols = math.ceil(math.sqrt(K))
    rows = math.ceil(K / cols)
    grid = np.ones((rows * (h + padding) - padding, cols * (w + padding) - padding,
                    *tiles.shape[3:]))
    for index, tile in enumerate(tiles):
        top, left = (index // cols) * (h + padding), (index % cols) * (w + padding)
        grid[top:top + h, left:left + w] = tile
    return grid


def _weight_images(W1: np.ndarray, image_shape: tuple[int, ...]) -> np.ndarray:
    """Reshape W1's columns to images: (H, h, w) grey or (H, h, w, 3) RGB."""
    pixels = math.prod(image_shape)
    if W1.ndim != 2 or W1.shape[0] != pixels:
        raise DataError(f"first-layer weights of shape {W1.shape} cannot be drawn as images of "
                        f"shape {image_shape}: W1 needs {pixels} rows, one per pixel")
    images = W1.T.reshape(W1.shape[1], *image_shape)  # (H, *image_shape)
    if len(image_shape) == 3 and image_shape[0] in (1, 3):
        images = images.transpose(0, 2, 3, 1)  # channels last
    elif len(image_shape) != 2 and (len(image_shape) != 3 or image_shape[-1] not in (1, 3)):
        raise DataError(f"cannot draw weights as images of shape {image_shape}; "
                        "expected (h, w), (c, h, w) or (h, w, c) with c = 1 or 3")
    return images[..., 0] if images.ndim == 4 and images.shape[-1] == 1 else images


def _draw_losses(ax: Axes, runs: Sequence[RunRecord], colours: Sequence[str]) -> None:
    """Raw (faint) and smoothed losses per iteration; a log axis when they span a decade."""
    finite = []
    for run, colour in zip(runs, colours, strict=True):
        loss = np.asarray(run.history.get("loss_history", []), dtype=np.float64)  # (T,)
        kept = np.flatnonzero(np.isfinite(loss))
        finite.append(loss[kept])
        ax.plot(kept + 1, loss[kept], color=colour, alpha=0.25, linewidth=0.8)
        ax.plot(kept + 1, smooth(loss[kept]), color=colour, linewidth=1.8)
    every = np.concatenate(finite)
    if every.size and every.min() > 0 and every.max() >= LOG_SCALE_RATIO * every.min():
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
    ax.legend(handles=[Line2D([], [], color="0.3", linestyle=style, label=label)
                       for style, label in (("--", "train"), ("-", "validation"))],
              loc="lower right")
    ax.set(title="Accuracy per epoch", xlabel="epoch (0: before training)", ylabel="accuracy")


def _draw_weights(ax: Axes, W1: np.ndarray, image_shape: tuple[int, ...]) -> None:
    grid = weight_grid(W1, image_shape)
    ax.imshow(grid, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    hidden = np.shape(W1)[1]
    shown = f"first {MAX_TILES} of {hidden}" if hidden > MAX_TILES else f"all {hidden}"
    ax.set_title(f"First-layer weights W1 ({shown} hidden units)")
    ax.set_axis_off()


def _draw_regions(ax: Axes, regions: DecisionRegions) -> None:
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
    ax.set(title="Decision regions (training points on top)", xlabel="x[0]", ylabel="x[1]")


def _unique_labels(runs: Sequence[RunRecord]) -> list[str]:
    """Run labels, with the run folder's name added when two would read the same."""
    keys = differing_keys([run.config for run in runs])
    labels = [run_label(run, keys) for run in runs]
    if len(set(labels)) < len(labels):
        labels = [f"{label} [{run.path.name}]" for label, run in zip(labels, runs, strict=True)]
    return labels


def _flat_config(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Map dotted keys to leaf values, without the :data:`IGNORED_KEYS` sections."""
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        if prefix or key not in IGNORED_KEYS:
            nested = isinstance(value, dict) and value
            flat.update(_flat_config(value, f"{prefix}{key}.") if nested else {prefix + key: value})
    return flat


def _yaml_text(value: Any) -> str:
    """Write a config value the way YAML reads it back."""
    if value is _MISSING:
        return "unset"
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    return str(value)


def _count(value: Any) -> str:
    return str(int(value)) if float(value).is_integer() else f"{float(value):.3g}"


def _checked_output(out: Path) -> tuple[Path, str]:
    """Return the output path (``.png`` appended to a bare name) and its picture format."""
    out = Path(out)
    out = out if out.suffix else out.with_name(out.name + DEFAULT_SUFFIX)
    picture_format = PICTURE_FORMATS.get(out.suffix.lower())
    if picture_format is None:
        raise NettrainerError(
            f"{out}: unsupported picture format '{out.suffix}'; use .png, .svg or .pdf")
    if not out.parent.is_dir():
        raise NettrainerError(
            f"{out}: folder {out.parent} does not exist; create it or pick another path")
    return out, picture_format


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
