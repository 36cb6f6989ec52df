"""The numbers behind the pictures: run labels, smoothed curves, weight grids, region data.

Numpy only; drawing them is :mod:`nettrainer.plots`'s job (which re-exports
these names). Dimensions: ``T`` iterations; ``N`` points; ``D`` input features;
``H`` hidden units.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nettrainer.errors import DataError
from nettrainer.runs import RunRecord

IGNORED_KEYS = ("name", "output", "versions")  # never worth a label; the name starts it anyway
MAX_TILES = 100  # first-layer units drawn at most (a 10 x 10 grid)
MAX_PLOTTED_LOSS = 1e30  # a diverging run's larger losses are left off: axes cannot tick them
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

    Parameters
    ----------
    run : RunRecord
        The run; its name and resolved config are read.
    keys : sequence of str
        Dotted config keys, such as those of :func:`differing_keys`.

    Returns
    -------
    str
        The label.
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
class LossCurve:
    """The per-iteration losses of a run that a plot can draw, and how many it cannot.

    Attributes
    ----------
    iterations : ndarray of shape (K,)
        1-based iteration numbers of the drawable losses, K <= T.
    losses : ndarray of shape (K,)
        Their finite values, below :data:`MAX_PLOTTED_LOSS` in magnitude.
    total : int
        T, every loss of the run.
    """

    iterations: np.ndarray
    losses: np.ndarray
    total: int

    @property
    def note(self) -> str | None:
        """Say how many losses are not drawn, e.g. ``37 of 41 losses above 1e+30 not drawn``.

        None when every loss is drawn.
        """
        left_out = self.total - self.losses.size
        if not left_out:
            return None
        return f"{left_out} of {self.total} losses above {MAX_PLOTTED_LOSS:g} not drawn"


def loss_curve(loss_history: Sequence[float]) -> LossCurve:
    """Keep the losses a plot can draw: finite and below :data:`MAX_PLOTTED_LOSS`.

    Parameters
    ----------
    loss_history : sequence of float
        T per-iteration losses; a diverging run's grow huge (non-finite ones
        never reach a run's history, and are left out as if above the cap).

    Returns
    -------
    LossCurve
    """
    loss = np.asarray(loss_history, dtype=np.float64)  # (T,)
    kept = np.flatnonzero(np.isfinite(loss) & (np.abs(loss) < MAX_PLOTTED_LOSS))  # (K,)
    return LossCurve(kept + 1, loss[kept], loss.size)


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

