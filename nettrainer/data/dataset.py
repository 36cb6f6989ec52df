"""The :class:`Dataset` every loader returns: splits, class names and provenance."""

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Dataset:
    """Train, validation and (optional) test splits, preprocessed and in the training dtype.

    Attributes
    ----------
    X_train : ndarray of shape (N_train, D)
    y_train : ndarray of shape (N_train,), int64 labels in [0, C)
    X_val : ndarray of shape (N_val, D)
    y_val : ndarray of shape (N_val,)
    X_test : ndarray of shape (N_test, D) or None
        The official test split, used only for the final test accuracy.
    y_test : ndarray of shape (N_test,) or None
    class_names : tuple of str
        One name per class, C of them.
    image_shape : tuple of int or None
        Shape of one example as an image, e.g. ``(28, 28)`` or ``(3, 32, 32)``;
        None for data that are not images.
    source : str
        Where the data came from (a path, or ``"generated"``), for messages.
    preprocess_state : dict of str to ndarray
        The fitted preprocessing (see :mod:`nettrainer.data.preprocess`), saved
        with a run so that ``evaluate`` applies exactly the same transform.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray | None
    y_test: np.ndarray | None
    class_names: tuple[str, ...]
    image_shape: tuple[int, ...] | None = None
    source: str = "generated"
    preprocess_state: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def num_classes(self) -> int:
        """Number of classes, C."""
        return len(self.class_names)

    @property
    def input_size(self) -> int:
        """Number of features per example, D."""
        return int(self.X_train.shape[1])

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray] | None:
        """Return ``(X, y)`` of the split called ``"train"``, ``"val"`` or ``"test"``, or None."""
        X, y = {
            "train": (self.X_train, self.y_train),
            "val": (self.X_val, self.y_val),
            "test": (self.X_test, self.y_test),
        }[name]
        return None if X is None else (X, y)
