"""The classes of a data set: counted from the labels or named, never from a stray label."""

import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from data_fixtures import Spec

from nettrainer.cli import cli
from nettrainer.data import info, load
from nettrainer.errors import DataError

DEFAULT_YAML = Path(__file__).resolve().parents[1] / "configs" / "default.yaml"
RENUMBER = (
    "renumber the labels 0, 1, 2, ... without gaps (numpy.unique(y, return_inverse=True) "
    "does it), or, in an npz file, store class_names naming every class"
)
UNSEEN = (
    "a net cannot learn a class it never trains on: add training examples of them, "
    "or drop those rows"
)


def save(path, y_train, **arrays):
    """An npz of random features for the labels ``y_train`` (and any other arrays)."""
    X = np.random.default_rng(0).standard_normal((len(y_train), 4))
    np.savez(path, X_train=X, y_train=np.asarray(y_train), **arrays)
    return str(path)


def load_error(spec: Spec) -> str:
    """The message of the DataError that loading ``spec`` raises."""
    with pytest.raises(DataError) as error:
        load(spec, seed=0, dtype=np.float64)
    return str(error.value)


def three_classes(n=200):
    return np.arange(n) % 3


def test_a_stray_label_is_refused_without_memory_in_proportion_to_it(tmp_path):
    """10**6 classes would take megabytes; a regression at 2**40 would exhaust memory."""
    stray = 10**6
    y = three_classes()
    y[17] = stray
    path = save(tmp_path / "d.npz", y)
    with pytest.raises(DataError):
        info(path)  # once untraced: the modules it imports on first use are not its memory
    tracemalloc.start()
    try:
        with pytest.raises(DataError) as error:
            info(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(error.value) == (
        f"{path}: {stray - 3} of the {stray + 1} classes that the largest label, {stray} "
        f"(y_train at row 17), implies have no example (class(es) 3, 4, 5, 6, 7, ...); {RENUMBER}"
    )
    assert peak < 1_000_000


def test_train_refuses_a_stray_label_in_one_line_and_writes_no_run(tmp_path):
    y = three_classes()
    y[17] = 10**6
    path = save(tmp_path / "d.npz", y)
    result = CliRunner().invoke(cli, [
        "train", str(DEFAULT_YAML), "--set", "data.name=npz", "--set", f"data.path={path}",
        "--set", "train.epochs=1", "--out", str(tmp_path / "runs"), "--quiet",
    ])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"error: {path}: 999997 of the 1000001 classes that the largest label, 1000000 "
        f"(y_train at row 17), implies have no example (class(es) 3, 4, 5, 6, 7, ...); {RENUMBER}"
    ]
    assert not (tmp_path / "runs").exists()


def test_a_gap_in_the_numbered_classes_is_refused(tmp_path):
    path = save(tmp_path / "d.npz", np.array([0, 1, 5])[three_classes(30)])
    assert load_error(Spec(name="npz", path=path)) == (
        f"{path}: 3 of the 6 classes that the largest label, 5 (y_train at row 2), implies "
        f"have no example (class(es) 2, 3, 4); {RENUMBER}"
    )


def test_named_classes_may_have_no_example(tmp_path):
    names = np.array(["cat", "dog", "eel", "fox"])
    path = save(tmp_path / "d.npz", np.array([0, 1, 3])[three_classes(30)], class_names=names)
    data = load(Spec(name="npz", path=path, val_size=0), seed=0, dtype=np.float64)
    assert data.class_names == ("cat", "dog", "eel", "fox")
    assert np.bincount(data.y_train, minlength=4).tolist() == [10, 10, 0, 10]


def test_two_classes_of_one_name_are_refused(tmp_path):
    names = np.array(["cat", "dog", "cat"])
    path = save(tmp_path / "d.npz", three_classes(30), class_names=names)
    assert load_error(Spec(name="npz", path=path)) == (
        f"{path}: class_names names classes 0 and 2 both 'cat'; give every class its own "
        "name (or merge their labels)"
    )


@pytest.mark.parametrize(("names", "said"), [
    (["cat", "dog", "cat "], "names classes 0 and 2 'cat' and 'cat '; give every class its own"),
    (["cat", " ", "dog"], "gives class 1 the blank name ' '; give every class a name"),
    (["", "dog", "cat"], "gives class 0 the blank name ''; give every class a name"),
])
def test_class_names_that_reports_could_not_tell_apart_are_refused(tmp_path, names, said):
    path = save(tmp_path / "d.npz", three_classes(30), class_names=np.array(names))
    assert load_error(Spec(name="npz", path=path)) == f"{path}: class_names {said}" + (
        " name (or merge their labels)" if "own" in said else "")


def test_test_labels_of_a_class_training_never_has_are_refused(tmp_path):
    X_test = np.zeros((5, 4))
    path = save(tmp_path / "d.npz", three_classes(30), X_test=X_test, y_test=np.full(5, 7))
    assert load_error(Spec(name="npz", path=path)) == (
        f"{path}: 5 of 5 y_test labels are of class(es) 7 that y_train never has "
        f"(first: 7 at row 0); {UNSEEN}"
    )


def test_the_same_holds_when_the_classes_are_named(tmp_path):
    names = np.array(list("abcd"))
    y_val = np.array([0, 1, 3, 3])
    path = save(tmp_path / "d.npz", three_classes(30), X_val=np.zeros((4, 4)), y_val=y_val,
                class_names=names)
    assert load_error(Spec(name="npz", path=path)) == (
        f"{path}: 2 of 4 y_val labels are of class(es) 3 that y_train never has "
        f"(first: 3 at row 2); {UNSEEN}"
    )


def test_csv_names_the_line_of_the_largest_label(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x,label\n0.5,0\n0.1,1\n0.7,9\n0.2,1\n")
    assert load_error(Spec(name="csv", path=str(path))).startswith(
        f"{path}: 7 of the 10 classes that the largest label, 9 (y_train at line 4), implies "
        "have no example (class(es) 2, 3, 4, 5, 6, ...)"
    )


@pytest.mark.parametrize(("settings", "fix"), [
    ({"max_train": 1}, r"raise data\.max_train \(now 1\)"),
    ({"val_size": 2}, r"lower data\.val_size \(now 2\)"),
])
def test_the_split_trained_on_needs_two_classes(tmp_path, settings, fix):
    path = save(tmp_path / "d.npz", [0, 1, 1])
    with pytest.raises(DataError, match=(
        rf"^{path}: the 1 example\(s\) left for training contain only 1 class \([01]\); "
        rf"a classifier needs at least two classes: {fix}$"
    )):
        load(Spec(name="npz", path=path, **settings), seed=0, dtype=np.float64)


def test_max_train_may_still_miss_classes_of_a_big_data_set(tmp_path):
    path = save(tmp_path / "d.npz", np.arange(100) % 10)
    data = load(Spec(name="npz", path=path, max_train=3, val_size=20), seed=0, dtype=np.float64)
    assert data.class_names == tuple(str(c) for c in range(10))
    assert 2 <= np.unique(data.y_train).size <= 3
