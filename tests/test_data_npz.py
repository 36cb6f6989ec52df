"""npz data sets: stored splits, class names, object arrays refused, the checks on every set."""

import io
import zipfile
from dataclasses import replace

import numpy as np
import pytest
from data_fixtures import Spec

from nettrainer.data import load
from nettrainer.errors import DataError


def arrays(rng, n=40, d=6, num_classes=3):
    X = rng.standard_normal((n, d))
    y = np.arange(n) % num_classes
    return X, y


def save(path, **arrays):
    np.savez(path, **arrays)
    return Spec(name="npz", path=str(path))


def load_error(spec):
    """Return the message of the DataError loading ``spec`` raises."""
    with pytest.raises(DataError) as error:
        load(spec, seed=0, dtype=np.float64)
    return str(error.value)


def test_train_and_test_are_read_and_val_is_carved(tmp_path):
    X, y = arrays(np.random.default_rng(0))
    X_test, y_test = arrays(np.random.default_rng(1), n=9)
    spec = save(tmp_path / "d.npz", X_train=X, y_train=y, X_test=X_test, y_test=y_test)
    data = load(spec, seed=0, dtype=np.float64)
    assert data.X_train.shape == (36, 6) and data.X_val.shape == (4, 6)
    assert data.class_names == ("0", "1", "2")
    np.testing.assert_array_equal(data.X_test, X_test)
    rows = np.sort(np.concatenate([data.X_train[:, 0], data.X_val[:, 0]]))
    np.testing.assert_array_equal(rows, np.sort(X[:, 0]))


def test_stored_val_split_is_used_instead_of_carving(tmp_path):
    X, y = arrays(np.random.default_rng(0))
    X_val, y_val = arrays(np.random.default_rng(2), n=5)
    spec = save(tmp_path / "d.npz", X_train=X, y_train=y, X_val=X_val, y_val=y_val)
    data = load(spec, seed=0, dtype=np.float64)
    np.testing.assert_array_equal(data.X_train, X)
    np.testing.assert_array_equal(data.X_val, X_val)
    np.testing.assert_array_equal(data.y_val, y_val)


def test_test_path_holds_the_test_split(tmp_path):
    X, y = arrays(np.random.default_rng(0))
    X_test, y_test = arrays(np.random.default_rng(1), n=9)
    np.savez(tmp_path / "test.npz", X_test=X_test.reshape(9, 2, 3), y_test=y_test)
    spec = save(tmp_path / "d.npz", X_train=X, y_train=y)
    data = load(replace(spec, test_path=str(tmp_path / "test.npz")), seed=0, dtype=np.float64)
    np.testing.assert_array_equal(data.X_test, X_test)
    np.testing.assert_array_equal(data.y_test, y_test)
    assert load(spec, seed=0, dtype=np.float64).X_test is None


@pytest.mark.parametrize(("test_arrays", "message"), [
    ({"X_test": np.zeros((2, 6))},
     "{test}: missing array(s) y_test; a data.test_path npz holds X_test and y_test "
     "(numpy.savez(path, X_test=..., y_test=...))"),
    ({"X_train": np.zeros((2, 6)), "y_train": np.zeros(2, int)},
     "{test}: unknown array(s) X_train, y_train; a data.test_path npz holds only X_test, y_test"),
    (None, "{test}: no such file (data.test_path)"),
])
def test_a_bad_test_path_is_one_line(tmp_path, test_arrays, message):
    X, y = arrays(np.random.default_rng(0))
    test = tmp_path / "test.npz"
    if test_arrays is not None:
        np.savez(test, **test_arrays)
    spec = replace(save(tmp_path / "d.npz", X_train=X, y_train=y), test_path=str(test))
    assert load_error(spec) == message.format(test=test)


def test_a_test_only_file_as_data_path_says_it_is_for_data_test_path(tmp_path):
    X, y = arrays(np.random.default_rng(0))
    spec = save(tmp_path / "t.npz", X_test=X, y_test=y)
    assert load_error(spec) == (
        f"{spec.path}: holds only X_test, y_test, a test split: name it in data.test_path, "
        "and in data.path an npz holding X_train and y_train"
    )


def test_two_test_splits_are_refused(tmp_path):
    X, y = arrays(np.random.default_rng(0))
    np.savez(tmp_path / "test.npz", X_test=X, y_test=y)
    spec = save(tmp_path / "d.npz", X_train=X, y_train=y, X_test=X, y_test=y)
    assert load_error(replace(spec, test_path=str(tmp_path / "test.npz"))) == (
        f"{spec.path} holds X_test, and data.test_path names another test split "
        f"({tmp_path / 'test.npz'}); remove data.test_path, or X_test and y_test from the data file"
    )


@pytest.mark.parametrize(("name", "has"), [
    ("spiral", "is generated, without a"), ("mnist", "has its own"),
])
def test_test_path_is_refused_where_it_would_be_ignored(tmp_path, name, has):
    path = None if name == "spiral" else str(tmp_path)
    spec = Spec(name=name, path=path, test_path=str(tmp_path / "t.npz"))
    assert load_error(spec) == (
        f"data.test_path ({tmp_path / 't.npz'}) is read only for npz and csv data, and {name} "
        f"{has} test split; remove data.test_path"
    )


@pytest.mark.parametrize("name", ["spiral", "blobs"])
def test_a_path_is_refused_for_generated_data_which_would_ignore_it(tmp_path, name):
    """A csv config that forgot data.name: csv must not train on the spiral instead."""
    spec = Spec(name=name, path=str(tmp_path / "mine.csv"))
    assert load_error(spec) == (
        f"data.path ({tmp_path / 'mine.csv'}) is not read: {name} data is generated; set "
        "data.name to the file's format (csv or npz) to train on it, or remove data.path"
    )


def test_class_names_and_image_shape_are_kept(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(8, 2, 3, 3), dtype=np.uint8)
    y = np.arange(8) % 2
    spec = save(tmp_path / "d.npz", X_train=X, y_train=y, class_names=np.array(["cat", "dog"]))
    data = load(spec, seed=0, dtype=np.float32, preprocess_state={})
    assert data.class_names == ("cat", "dog")
    assert data.image_shape == (2, 3, 3)
    assert data.X_train.shape[1] == 18


def test_object_array_is_refused_naming_the_file_and_key(tmp_path):
    X, y = arrays(np.random.default_rng(0))
    names = np.array(["a", {"evil": 1}, "c"], dtype=object)
    spec = save(tmp_path / "d.npz", X_train=X, y_train=y, class_names=names)
    assert load_error(spec).startswith(f"{tmp_path / 'd.npz'}: class_names is an object array")


def test_unknown_key_is_named(tmp_path):
    X, y = arrays(np.random.default_rng(0))
    spec = save(tmp_path / "d.npz", X_train=X, y_train=y, x_test=X)
    with pytest.raises(
        DataError,
        match=r"unknown array\(s\) x_test; an npz data set holds only X_train",
    ):
        load(spec, seed=0, dtype=np.float64)


def test_split_without_labels_is_named(tmp_path):
    X, y = arrays(np.random.default_rng(0))
    spec = save(tmp_path / "d.npz", X_train=X, y_train=y, X_test=X)
    with pytest.raises(DataError, match=r"missing array\(s\) y_test"):
        load(spec, seed=0, dtype=np.float64)


def test_nan_features_are_reported_with_counts(tmp_path):
    X, y = arrays(np.random.default_rng(0))
    X[[3, 10], 2] = np.nan
    X[12, 0] = np.inf
    spec = save(tmp_path / "d.npz", X_train=X, y_train=y)
    assert load_error(spec).startswith(
        f"{tmp_path / 'd.npz'}: 3 of 40 X_train rows contain NaN or infinite values "
        "(first at row 3)"
    )


def test_labels_outside_the_class_names_are_reported(tmp_path):
    X, y = arrays(np.random.default_rng(0))
    spec = save(tmp_path / "d.npz", X_train=X, y_train=y, class_names=np.array(["a", "b"]))
    with pytest.raises(
        DataError,
        match=r"13 of 40 y_train labels are outside \[0, 2\) \(first: 2 at row 2\)",
    ):
        load(spec, seed=0, dtype=np.float64)


NEGATIVE_HINT = "labels must be class indices 0, 1, 2, ..."


@pytest.mark.parametrize(
    ("labels", "counted"),
    [
        ([0, 1, 2] * 2 + [0, -1] + [1] * 32, "1 of 40 y_train labels are negative "
         "(first: -1 at row 7)"),
        ([0, 0, 0, -1], "1 of 4 y_train labels are negative (first: -1 at row 3)"),  # not "1 class"
        ([0, 1, 0, -1, 1, -1], "2 of 6 y_train labels are negative (first: -1 at row 3)"),
    ],
)
def test_negative_labels_are_named_before_the_classes_are_counted(tmp_path, labels, counted):
    """Before "1 class(es) found" or a range inferred from the largest label, either misleading."""
    X, _ = arrays(np.random.default_rng(0), n=len(labels))
    spec = save(tmp_path / "neg.npz", X_train=X, y_train=np.array(labels))
    assert load_error(spec) == f"{spec.path}: {counted}; {NEGATIVE_HINT}"


def test_negative_labels_of_a_stored_split_name_the_split(tmp_path):
    X, y = arrays(np.random.default_rng(0))
    X_test, y_test = arrays(np.random.default_rng(1), n=9)
    y_test[4] = -2
    spec = save(tmp_path / "d.npz", X_train=X, y_train=y, X_test=X_test, y_test=y_test)
    assert load_error(spec) == (
        f"{spec.path}: 1 of 9 y_test labels are negative (first: -2 at row 4); {NEGATIVE_HINT}"
    )


@pytest.mark.parametrize(("labels", "fix"), [
    (lambda y: y.astype(float), "save y_train.astype(int) (its values are whole numbers)"),
    (lambda y: y + 0.5, "y_train[0] is 0.5, no class index; save integer labels"),
    (lambda y: y.astype(str), "save y_train.astype(int) (its labels are numbers written as text)"),
    (lambda y: np.array(["cat", "dog"])[y % 2], "save class_names and indices: class_names, "
     "y_train = numpy.unique(y_train, return_inverse=True)"),
    (lambda y: y % 2 == 0, "save y_train as integers"),
])
def test_labels_that_are_no_integers_are_refused_with_the_fix_for_their_kind(tmp_path, labels,
                                                                             fix):
    X, y = arrays(np.random.default_rng(0))
    spec = save(tmp_path / "d.npz", X_train=X, y_train=labels(y))
    message = load_error(spec)
    assert message.startswith(f"{spec.path}: y_train has dtype "), message
    assert message.endswith(f"; labels must be integers in [0, C): {fix}"), message


@pytest.mark.parametrize("dtype", ["complex128", "<U4", "datetime64[s]"])
def test_features_that_are_not_real_numbers_are_refused(tmp_path, dtype):
    X, y = arrays(np.random.default_rng(0))
    X_test = X[:5].astype(dtype)
    spec = save(tmp_path / "d.npz", X_train=X, y_train=y, X_test=X_test, y_test=y[:5])
    assert load_error(spec) == (
        f"{spec.path}: X_test has dtype {X_test.dtype}; features must be real numbers (bool, "
        "integer or float): convert X_test to one of those and save it again"
    )


def test_bool_features_are_numbers(tmp_path):
    X, y = arrays(np.random.default_rng(0))
    spec = save(tmp_path / "d.npz", X_train=X > 0, y_train=y)
    data = load(spec, seed=0, dtype=np.float32, preprocess_state={})
    assert set(np.unique(data.X_train)) == {0.0, 1.0}


def test_row_counts_must_agree(tmp_path):
    X, y = arrays(np.random.default_rng(0))
    spec = save(tmp_path / "d.npz", X_train=X, y_train=y[:-1])
    with pytest.raises(DataError, match=r"X_train has 40 rows but y_train has 39 labels"):
        load(spec, seed=0, dtype=np.float64)


def test_feature_counts_must_agree_across_splits(tmp_path):
    X, y = arrays(np.random.default_rng(0))
    spec = save(tmp_path / "d.npz", X_train=X, y_train=y, X_test=X[:, :5], y_test=y)
    with pytest.raises(DataError, match=r"X_test has 5 features but X_train has 6"):
        load(spec, seed=0, dtype=np.float64)


def test_a_single_class_is_refused(tmp_path):
    X, _ = arrays(np.random.default_rng(0))
    spec = save(tmp_path / "d.npz", X_train=X, y_train=np.zeros(40, int),
                class_names=np.array(["a", "b"]))
    with pytest.raises(DataError, match=r"the 40 training labels contain only 1 class \(0\)"):
        load(spec, seed=0, dtype=np.float64)


def test_missing_path_names_data_path(tmp_path):
    with pytest.raises(DataError, match=r"data\.name = npz needs data\.path"):
        load(Spec(name="npz"), seed=0, dtype=np.float64)


def test_missing_or_non_npz_file(tmp_path, monkeypatch):
    with pytest.raises(DataError, match=r"nope\.npz: no such file \(data\.path\)$"):
        load(Spec(name="npz", path=str(tmp_path / "nope.npz")), seed=0, dtype=np.float64)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataError) as info:
        load(Spec(name="npz", path="nope.npz"), seed=0, dtype=np.float64)
    expected = f"nope.npz: no such file (data.path; relative paths start from {tmp_path})"
    assert str(info.value) == expected
    with pytest.raises(DataError, match=r": is a folder, not a file \(data\.path\)$"):
        load(Spec(name="npz", path=str(tmp_path)), seed=0, dtype=np.float64)


NOT_NPZ = "not an npz file (a zip of .npy arrays)"
SAVEZ = "save the data set with numpy.savez(path, X_train=..., y_train=...)"


@pytest.mark.parametrize(("content", "looks"), [
    (b"x0,x1,label\n0.5,1.5,0\n", "a text file (for a csv file, set data.name: csv)"),
    (b"", "an empty file"),
    (b"\x80\x04\x95\x00\x00\x00\x00",
     r"not a zip archive (it starts with b'\x80\x04\x95\x00\x00\x00')"),
])
def test_a_file_that_is_not_a_zip_is_called_so(tmp_path, content, looks):
    path = tmp_path / "d.npz"
    path.write_bytes(content)
    assert load_error(Spec(name="npz", path=str(path))) == f"{path}: {NOT_NPZ}: {looks}; {SAVEZ}"


SAVEZ_TEST = (
    "data.test_path of npz data must be an npz too, holding X_test and y_test: save it with "
    "numpy.savez(path, X_test=..., y_test=...)"
)


@pytest.mark.parametrize(("content", "looks"), [
    (b"x0,x1,label\n0.5,1.5,0\n", "a text file"),  # no hint to set data.name: csv
    (b"\x93NUMPY\x01\x00", "a single .npy array, not named arrays"),
])
def test_a_test_path_that_is_not_an_npz_says_it_must_be_one(tmp_path, content, looks):
    X, y = arrays(np.random.default_rng(0))
    test = tmp_path / "test.csv"
    test.write_bytes(content)
    spec = replace(save(tmp_path / "d.npz", X_train=X, y_train=y), test_path=str(test))
    assert load_error(spec) == f"{test}: {NOT_NPZ}: {looks}; {SAVEZ_TEST}"


def test_a_broken_zip_is_one_line(tmp_path):
    path = tmp_path / "d.npz"
    path.write_bytes(b"PK\x03\x04 and then garbage")
    message = load_error(Spec(name="npz", path=str(path)))
    assert message.startswith(f"{path}: cannot read it as an npz file (")
    assert message.endswith("); save it again with numpy.savez")


def test_a_single_npy_array_is_called_so(tmp_path):
    path = tmp_path / "d.npz"
    with open(path, "wb") as file:
        np.save(file, np.zeros(3))
    assert load_error(Spec(name="npz", path=str(path))) == (
        f"{path}: {NOT_NPZ}: a single .npy array, not named arrays; {SAVEZ}"
    )


@pytest.mark.parametrize(("key", "fix"), [
    ("class_names", "a str array: numpy.array(names, dtype=str)"),
    ("y_train", "a numeric array"),
])
def test_an_object_array_is_refused_with_the_dtype_to_save_it_as(tmp_path, key, fix):
    X, y = arrays(np.random.default_rng(0))
    values = {"X_train": X, "y_train": y, "class_names": np.array(["a", "b", "c"])}
    values[key] = np.array(list(values[key]), dtype=object)
    spec = save(tmp_path / "d.npz", **values)
    assert load_error(spec) == (f"{spec.path}: {key} is an object array, which is never "
                                f"unpickled (allow_pickle=False); save it as {fix}")


def test_a_damaged_array_inside_a_sound_zip_is_named(tmp_path):
    X, y = arrays(np.random.default_rng(0))
    spec = save(tmp_path / "d.npz", X_train=X, y_train=y)
    content = bytearray((tmp_path / "d.npz").read_bytes())
    content[content.index(X.tobytes()[:16]) + 100] ^= 0xFF  # a flipped byte in X_train's data
    (tmp_path / "d.npz").write_bytes(bytes(content))
    assert load_error(spec) == (f"{spec.path}: array X_train is truncated or corrupt (Bad CRC-32 "
                                "for file 'X_train.npy'); save it again")


@pytest.mark.parametrize("names", [np.array([1, 2, 3]), np.array([["a", "b", "c"]])])
def test_class_names_must_be_one_str_per_class(tmp_path, names):
    X, y = arrays(np.random.default_rng(0))
    spec = save(tmp_path / "d.npz", X_train=X, y_train=y, class_names=names)
    assert load_error(spec) == (f"{spec.path}: class_names has dtype {names.dtype} and shape "
                                f"{names.shape}; save it as a 1-D str array, one name per class")


def test_examples_without_features_are_refused(tmp_path):
    spec = save(tmp_path / "d.npz", X_train=np.zeros((40, 0)), y_train=np.arange(40) % 3)
    assert load_error(spec) == (f"{spec.path}: X_train has no feature columns; each example "
                                "needs features")


def test_a_damaged_compressed_array_is_named(tmp_path):
    X, y = arrays(np.random.default_rng(0), n=200, d=20)
    path = tmp_path / "d.npz"
    np.savez_compressed(path, X_train=X, y_train=y)
    content = bytearray(path.read_bytes())
    content[100:120] = bytes(20)  # inside X_train's deflated data
    path.write_bytes(bytes(content))
    message = load_error(Spec(name="npz", path=str(path)))
    assert message.startswith(f"{path}: array X_train is truncated or corrupt (Error -3 while "
                              "decompressing data"), message
    assert message.endswith("; save it again")


def test_a_member_that_is_no_npy_array_is_named(tmp_path):
    path = tmp_path / "d.npz"
    labels = io.BytesIO()
    np.save(labels, np.arange(10) % 2)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("X_train.npy", b"garbage")
        archive.writestr("y_train.npy", labels.getvalue())
    assert load_error(Spec(name="npz", path=str(path))) == (
        f"{path}: X_train is no .npy array; save it again with numpy.savez")


@pytest.mark.parametrize(("split", "fix"), [
    ("train", "store its examples"),
    ("val", "store its examples, or remove X_val and y_val (data.val_size then carves a "
            "validation split from train)"),
    ("test", "store its examples, or leave the test split out (X_test and y_test, or the "
             "data.test_path file)"),
])
def test_a_stored_split_without_rows_is_refused(tmp_path, split, fix):
    """An empty test split would score as NaN, an empty val split leave no best epoch."""
    X, y = arrays(np.random.default_rng(0))
    values = {"X_train": X, "y_train": y, f"X_{split}": np.zeros((0, 6)),
              f"y_{split}": np.zeros(0, dtype=np.int64)}
    spec = save(tmp_path / "d.npz", **values)
    assert load_error(spec) == f"{spec.path}: X_{split} has no rows; {fix}"


def test_a_test_file_without_rows_is_refused(tmp_path):
    X, y = arrays(np.random.default_rng(0))
    np.savez(tmp_path / "t.npz", X_test=np.zeros((0, 6)), y_test=np.zeros(0, dtype=np.int64))
    spec = replace(save(tmp_path / "d.npz", X_train=X, y_train=y),
                   test_path=str(tmp_path / "t.npz"))
    assert load_error(spec) == (f"{tmp_path / 't.npz'}: X_test has no rows; store its examples, "
                                "or leave the test split out (X_test and y_test, or the "
                                "data.test_path file)")


def test_a_scalar_instead_of_features_is_named_before_its_rows_are_counted(tmp_path):
    spec = save(tmp_path / "d.npz", X_train=np.float64(3), y_train=np.arange(3))
    assert load_error(spec) == (f"{spec.path}: X_train has shape () and y_train (3,); expected "
                                "(N, D) features and (N,) labels")
