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
    assert text.splitlines()[4:7] == [
        "0 cat  2      100.00%",
        "1 dog  0      n/a",
        "2 emu  1      0.00%",
    ]


def test_classes_are_named_by_index_so_the_matrix_columns_read_against_the_rows():
    matrix = np.array([[1, 1], [0, 2]])
    report = {
        "split": "test", "checkpoint": "best", "accuracy": 0.75, "num_examples": 4,
        "class_counts": matrix.sum(axis=1), "per_class_acc": np.array([0.5, 1.0]),
        "confusion": matrix,
    }
    named = evaluation_text({**report, "class_names": ("Trouser", "Bag")}).splitlines()
    assert named[-4:] == [
        "true \\ pred  0  1",
        "-----------  -  -",
        "0 Trouser    1  1",
        "1 Bag        0  2",
    ]
    numbered = evaluation_text({**report, "class_names": ("0", "1")}).splitlines()
    assert [line.split()[0] for line in numbered[-2:]] == ["0", "1"]  # not "0 0"
