"""The classes of a data set: how many there are, and which labels they accept.

A data set that names its classes (``class_names`` in an npz file; MNIST,
Fashion-MNIST, CIFAR-10 and the generated sets) has ``C = len(class_names)``
classes, and a class may have no example. One that does not (csv, npz without
``class_names``) has ``C = max label + 1`` classes, numbered ``"0"`` ..
``"C-1"``, and every one of them needs an example in the data set: a class
without one is a stray label (a typo of ``10**6`` would make a million classes)
or labels that need renumbering. Either way, every label of a stored
validation or test split must be a class of the training split, since a net
never learns a class it never trains on, and the training split, as stored and
as trained on (after ``data.val_size`` and ``data.max_train``), needs at least
two classes.

Classes are found with ``numpy.unique`` (a sort of the labels), so no check
allocates memory in proportion to a label's value.
"""

from collections.abc import Callable

import numpy as np

from nettrainer.errors import DataError

Position = Callable[[int], str]  # a row (0-based) -> where it is, e.g. "at line 5"
SHOWN = 5  # classes listed in a message before "..."
RENUMBER = (
    "renumber the labels 0, 1, 2, ... without gaps (numpy.unique(y, return_inverse=True) "
    "does it), or, in an npz file, store class_names naming every class"
)


def resolve_classes(
    labels: dict[str, tuple[np.ndarray, str, Position]], class_names: tuple[str, ...] | None
) -> tuple[str, ...]:
    """Check the labels of every split against the classes; return the class names.

    Parameters
    ----------
    labels : dict of str to (ndarray of shape (N,), str, callable)
        Per stored split (``"train"``, and ``"val"``, ``"test"`` when present): its
        labels (integers >= 0), the file they came from, and where a row is in it.
    class_names : tuple of str or None
        The names the data set gives its classes; None to number them.

    Returns
    -------
    tuple of str
        ``class_names``, or ``("0", ..., str(C - 1))`` with C the largest label plus one.

    Raises
    ------
    DataError
        If two classes share a name, a label is outside the named classes, a
        val or test label is not a class of the training split, a numbered
        class has no example, or the training split has fewer than two classes.
    """
    y_train, where, at = labels["train"]
    if class_names is not None:
        if len(class_names) < 2:
            raise DataError(
                f"{where}: {len(class_names)} class name(s); "
                "a classifier needs at least two classes"
            )
        _check_distinct(class_names, where)
        for name, (y, file, position) in labels.items():
            _check_range(y, name, file, position, len(class_names))
    trained = np.unique(y_train)  # (K,) sorted
    for name, (y, file, position) in labels.items():
        if name != "train":
            _check_seen(y, trained, name, file, position)
    if class_names is None:
        _check_no_gaps(y_train, trained, where, at)
        class_names = tuple(str(c) for c in range(int(trained[-1]) + 1 if trained.size else 0))
    check_two_classes(trained, f"{where}: the {y_train.size} training labels", "")
    return class_names


def _check_distinct(class_names: tuple[str, ...], where: str) -> None:
    """Refuse names that reports could not tell apart: blank, or equal but for spaces."""
    first_class: dict[str, int] = {}
    for index, name in enumerate(class_names):
        seen = name.strip()
        if not seen:
            raise DataError(
                f"{where}: class_names gives class {index} the blank name {name!r}; "
                "give every class a name"
            )
        if seen in first_class:
            other = class_names[first_class[seen]]
            both = f"both {name!r}" if other == name else f"{other!r} and {name!r}"
            raise DataError(
                f"{where}: class_names names classes {first_class[seen]} and {index} {both}; "
                "give every class its own name (or merge their labels)"
            )
        first_class[seen] = index


def check_two_classes(classes: np.ndarray, which: str, fix: str) -> None:
    """Raise unless ``classes``, the distinct labels of a split, holds two or more.

    Parameters
    ----------
    classes : ndarray of shape (K,)
        The distinct labels of the split.
    which : str
        Names the split, e.g. ``"data.csv: the 40 training labels"``.
    fix : str
        What to change, e.g. ``"; raise data.max_train"``.

    Raises
    ------
    DataError
        If ``classes`` has fewer than two entries.
    """
    if classes.size < 2:
        found = f"only 1 class ({classes[0]})" if classes.size else "no class"
        raise DataError(f"{which} contain {found}; a classifier needs at least two classes{fix}")


def _check_range(y: np.ndarray, name: str, where: str, at: Position, num_classes: int) -> None:
    bad = y >= num_classes  # (N,); negative labels were refused before
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{where}: {int(bad.sum())} of {y.size} y_{name} labels are outside [0, {num_classes}) "
            f"(first: {y[first]} {at(first)}); labels must be class indices 0..{num_classes - 1}"
        )


def _check_seen(y: np.ndarray, trained: np.ndarray, name: str, where: str, at: Position) -> None:
    unseen = ~np.isin(y, trained, kind="sort")  # (N,)
    if unseen.any():
        first = int(np.flatnonzero(unseen)[0])
        classes = np.unique(y[unseen])
        raise DataError(
            f"{where}: {int(unseen.sum())} of {y.size} y_{name} labels are of class(es) "
            f"{_listed(classes, classes.size)} that y_train never has (first: {y[first]} "
            f"{at(first)}); a net cannot learn a class it never trains on: add training "
            "examples of them, or drop those rows"
        )


def _check_no_gaps(y_train: np.ndarray, trained: np.ndarray, where: str, at: Position) -> None:
    num_classes = int(trained[-1]) + 1 if trained.size else 0
    missing = num_classes - trained.size
    if missing:
        # The first SHOWN missing classes are below trained.size + SHOWN: no bigger range is made.
        candidates = np.arange(min(num_classes, trained.size + SHOWN))
        absent = np.setdiff1d(candidates, trained, assume_unique=True)
        top = int(np.flatnonzero(y_train == trained[-1])[0])
        raise DataError(
            f"{where}: {missing} of the {num_classes} classes that the largest label, "
            f"{trained[-1]} (y_train {at(top)}), implies have no example (class(es) "
            f"{_listed(absent, missing)}); {RENUMBER}"
        )


def _listed(classes: np.ndarray, total: int) -> str:
    """Write the first :data:`SHOWN` of ``total`` classes, with ``...`` when there are more."""
    shown = ", ".join(str(c) for c in classes[:SHOWN])
    return shown + (", ..." if total > SHOWN else "")
