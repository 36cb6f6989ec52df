"""The text reports: an evaluation's per-class table."""

import numpy as np

from nettrainer.reports import evaluation_text


def test_a_class_without_examples_has_no_accuracy_rather_than_zero():
    counts = np.array([2, 0, 1])
    matrix = np.array([[2, 0, 0], [0, 0, 0], [1, 0, 0]])
    text = evaluation_text({
        "split": "val", "checkpoint": "best", "accuracy": 2 / 3, "num_examples": 3,
        "class_names": ("cat", "dog", "emu"), "class_counts": counts,
        "per_class_acc": np.diag(matrix) / np.maximum(counts, 1), "confusion": matrix,
    })
    rows = {line.split()[0]: line.split()[1:] for line in text.splitlines()[4:7]}
    assert rows == {"cat": ["2", "100.00%"], "dog": ["0", "n/a"], "emu": ["1", "0.00%"]}
