"""Generated 2-D toy data: the spiral of the CS231n case study, and Gaussian blobs."""

import numpy as np


def make_spiral(
    points_per_class: int = 100,
    num_classes: int = 3,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Make the CS231n spiral: ``num_classes`` arms of ``points_per_class`` points.

    Arm ``j`` has radius ``linspace(0, 1, P)`` and angle
    ``linspace(4j, 4(j+1), P) + 0.2 * randn(P)``.

    Parameters
    ----------
    points_per_class : int
        Points per arm, P.
    num_classes : int
        Number of arms, C.
    rng : numpy.random.Generator, optional
        Source of the angle noise; the global numpy generator when None, as in
        the case study.

    Returns
    -------
    X : ndarray of shape (P * C, 2)
        Point coordinates, float64.
    y : ndarray of shape (P * C,)
        Arm index of each point, int64.
    """
    randn = np.random.randn if rng is None else (lambda *shape: rng.standard_normal(shape))
    X = np.zeros((points_per_class * num_classes, 2))  # (N, 2)
    y = np.zeros(points_per_class * num_classes, dtype=np.int64)  # (N,)
    for j in range(num_classes):
        rows = slice(points_per_class * j, points_per_class * (j + 1))
        radius = np.linspace(0.0, 1.0, points_per_class)
        theta = np.linspace(j * 4, (j + 1) * 4, points_per_class) + randn(points_per_class) * 0.2
        X[rows] = np.c_[radius * np.sin(theta), radius * np.cos(theta)]
        y[rows] = j
    return X, y


def make_blobs(
    points_per_class: int = 100,
    num_classes: int = 3,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Make ``num_classes`` isotropic Gaussian blobs (std 0.3) centred on the unit circle.

    Parameters
    ----------
    points_per_class : int
        Points per blob, P.
    num_classes : int
        Number of blobs, C.
    rng : numpy.random.Generator, optional
        Source of the noise; the global numpy generator when None.

    Returns
    -------
    X : ndarray of shape (P * C, 2)
        Point coordinates, float64.
    y : ndarray of shape (P * C,)
        Blob index of each point, int64.
    """
    randn = np.random.randn if rng is None else (lambda *shape: rng.standard_normal(shape))
    angles = 2 * np.pi * np.arange(num_classes) / num_classes  # (C,)
    centres = np.c_[np.cos(angles), np.sin(angles)]  # (C, 2)
    y = np.repeat(np.arange(num_classes, dtype=np.int64), points_per_class)  # (N,)
    X = centres[y] + 0.3 * randn(y.size, 2)  # (N, 2)
    return X, y
