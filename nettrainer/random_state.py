"""Where the solver's randomness comes from, with a state that survives a checkpoint.

Two sources share one small interface: the global numpy generator (what
CS231n's code draws from, so ``np.random.seed`` reproduces a notebook) and a
seeded :class:`numpy.random.Generator`. Their states are plain nested dicts of
ints and strings, so a run folder stores them as JSON.
"""

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np


class RandomSource(Protocol):
    """The draws the solver makes, and its state as plain data."""

    def permutation(self, n: int) -> np.ndarray:
        """Return a random permutation of ``range(n)``, shape (n,)."""

    def choice(self, n: int, size: int) -> np.ndarray:
        """Return ``size`` indices drawn from ``range(n)`` with replacement."""

    def get_state(self) -> dict[str, Any]:
        """Return the state as JSON-serialisable data."""

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore a state returned by :meth:`get_state`."""


class GlobalNumpyRandom:
    """The global numpy generator, drawn from exactly as CS231n's solver does."""

    def permutation(self, n: int) -> np.ndarray:
        """Return ``np.random.permutation(n)``."""
        return np.random.permutation(n)

    def choice(self, n: int, size: int) -> np.ndarray:
        """Return ``np.random.choice(n, size)``."""
        return np.random.choice(n, size)

    def get_state(self) -> dict[str, Any]:
        """Return the Mersenne Twister state with its key as a list of ints."""
        state = np.random.get_state(legacy=False)
        inner = state["state"]
        return {**state, "state": {"key": inner["key"].tolist(), "pos": int(inner["pos"])}}

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore a state from :meth:`get_state`."""
        inner = state["state"]
        key = np.asarray(inner["key"], dtype=np.uint32)
        np.random.set_state({**state, "state": {"key": key, "pos": int(inner["pos"])}})


class GeneratorRandom:
    """A seeded :class:`numpy.random.Generator` owned by one solver."""

    def __init__(self, seed: int | Sequence[int]):
        self.generator = np.random.default_rng(seed)

    def permutation(self, n: int) -> np.ndarray:
        """Return a random permutation of ``range(n)``."""
        return self.generator.permutation(n)

    def choice(self, n: int, size: int) -> np.ndarray:
        """Return ``size`` uniform indices in ``range(n)``, with replacement."""
        return self.generator.integers(0, n, size=size)

    def get_state(self) -> dict[str, Any]:
        """Return the bit generator's state (Python ints of any size)."""
        return self.generator.bit_generator.state

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore a state from :meth:`get_state`."""
        self.generator.bit_generator.state = state


def make_random_source(seed: int | Sequence[int] | None) -> RandomSource:
    """Return a seeded generator, or the global numpy generator when ``seed`` is None."""
    return GlobalNumpyRandom() if seed is None else GeneratorRandom(seed)
