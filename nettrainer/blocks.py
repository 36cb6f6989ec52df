"""Cache-sized blocks for the update rules' elementwise arithmetic.

An update such as ``v = momentum * v - lr * dw; w += v`` is several numpy
operations, each a pass over arrays the size of the parameter. Run on the
whole of a ``W1`` of 3072x500, every pass goes to memory; run block by block
(:func:`blocks`), the arrays of a block stay in a core's L2 cache between
operations, so the parameter is read and written once per update. Each element
sees the same operations in the same order either way, so the results are the
same bits. :func:`scratch` and :func:`work` give the rules block-sized
temporaries; :func:`decayed_gradient` adds a weight decay to a block's gradient.
"""

from collections.abc import Iterator

import numpy as np

BLOCK_ELEMENTS = 1 << 16  # elements per block: a few 256-512 KiB pieces, in a core's L2 cache


def blocks(*arrays: np.ndarray) -> Iterator[tuple[np.ndarray, ...]]:
    """Yield aligned flat views of at most :data:`BLOCK_ELEMENTS` elements of same-shaped arrays.

    Arrays that are not all C-contiguous come back whole, as one block.
    """
    if not all(a.flags.c_contiguous for a in arrays):
        yield arrays
        return
    flat = [a.reshape(-1) for a in arrays]
    for start in range(0, flat[0].size, BLOCK_ELEMENTS):
        yield tuple(f[start : start + BLOCK_ELEMENTS] for f in flat)


def scratch(count: int, w: np.ndarray, dw: np.ndarray, *others: np.ndarray) -> list[np.ndarray]:
    """Return ``count`` flat work arrays, each as large as a block of :func:`blocks`.

    Their dtype is that of ``w - dw``, the dtype of the whole-array formulas' temporaries.
    """
    blocked = all(a.flags.c_contiguous for a in (w, dw, *others))
    size = min(w.size, BLOCK_ELEMENTS) if blocked else w.size
    return [np.empty(size, dtype=np.result_type(w, dw)) for _ in range(count)]


def work(buffer: np.ndarray, like: np.ndarray) -> np.ndarray:
    """View the start of a scratch ``buffer`` in the shape of the block ``like``."""
    return buffer[: like.size].reshape(like.shape)


def decayed_gradient(
    w: np.ndarray, dw: np.ndarray, weight_decay: float, buffer: np.ndarray
) -> np.ndarray:
    """Return ``dw + weight_decay * w`` for one block, in ``buffer``; ``dw`` itself when 0."""
    if weight_decay == 0:
        return dw
    grad = work(buffer, dw)
    np.multiply(w, weight_decay, out=grad)
    grad += dw
    return grad
