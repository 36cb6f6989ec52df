"""``load``: the seeded val split, the one conversion to the dtype, preprocessing, generators."""

import tracemalloc

import numpy as np
import pytest
from data_fixtures import Preprocess, Spec, idx_bytes

from nettrainer.data import DATASET_NAMES, load, missing_test_file
from nettrainer.data.idx import IMAGES_MAGIC, LABELS_MAGIC
from nettrainer.data.loader import READERS
from nettrainer.errors import DataError, RegistryError


def numbered(tmp_path, n=40, d=3, **extra):
    """An npz whose feature 0 is the row number, so splits can be traced back."""
    X = np.column_stack([np.arange(n), np.random.default_rng(0).standard_normal((n, d - 1))])
    np.savez(tmp_path / "d.npz", X_train=X, y_train=np.arange(n) % 2, **extra)
    return X, str(tmp_path / "d.npz")


def rows_of(X):
    return X[:, 0].astype(int)


def test_dataset_names_are_the_readers():
    assert DATASET_NAMES == ("spiral", "blobs", "fashion-mnist", "mnist", "cifar10", "npz", "csv")
    assert tuple(READERS) == DATASET_NAMES


def test_val_split_is_reproducible_from_the_seed_and_disjoint_from_train(tmp_path):
    _, path = numbered(tmp_path)
    a = load(Spec(name="npz", path=path, val_size=0.25), seed=7, dtype=np.float64)
    b = load(Spec(name="npz", path=path, val_size=0.25), seed=7, dtype=np.float64)
    c = load(Spec(name="npz", path=path, val_size=0.25), seed=8, dtype=np.float64)
    assert len(a.y_val) == 10 and len(a.y_train) == 30
    np.testing.assert_array_equal(rows_of(a.X_val), rows_of(b.X_val))
    assert set(rows_of(a.X_val)) != set(rows_of(c.X_val))
    assert set(rows_of(a.X_val)).isdisjoint(rows_of(a.X_train))
    assert sorted([*rows_of(a.X_val), *rows_of(a.X_train)]) == list(range(40))
    np.testing.assert_array_equal(a.y_train, rows_of(a.X_train) % 2)


def test_val_size_as_a_count_and_zero(tmp_path):
    _, path = numbered(tmp_path)
    seven = load(Spec(name="npz", path=path, val_size=7), seed=0, dtype=np.float64)
    assert seven.X_val.shape == (7, 3)
    none = load(Spec(name="npz", path=path, val_size=0), seed=0, dtype=np.float32)
    assert none.X_val.shape == (0, 3) and none.X_val.dtype == np.float32
    assert none.y_val.shape == (0,)
    np.testing.assert_array_equal(rows_of(none.X_train), np.arange(40))


@pytest.mark.parametrize(("val_size", "message"), [
    (40, r"data\.val_size = 40 takes 40 of the 40 training examples, leaving none"),
    (2.5, r"data\.val_size must be a fraction in \(0, 1\) or a whole count >= 0; got 2\.5"),
    (-1, r"got -1"),
])
def test_bad_val_size(tmp_path, val_size, message):
    _, path = numbered(tmp_path)
    with pytest.raises(DataError, match=message):
        load(Spec(name="npz", path=path, val_size=val_size), seed=0, dtype=np.float64)


def test_max_train_keeps_the_val_split_and_trims_train(tmp_path):
    _, path = numbered(tmp_path)
    full = load(Spec(name="npz", path=path, val_size=10), seed=3, dtype=np.float64)
    quick = load(Spec(name="npz", path=path, val_size=10, max_train=5), seed=3, dtype=np.float64)
    assert quick.X_train.shape == (5, 3)
    np.testing.assert_array_equal(quick.X_val, full.X_val)
    assert set(rows_of(quick.X_train)) <= set(rows_of(full.X_train))


def test_float32_load_is_exact_contiguous_and_never_holds_a_float64_copy(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(2000, 28, 28), dtype=np.uint8)
    labels = np.arange(2000, dtype=np.uint8) % 10
    for prefix, X, y in (("train", images, labels), ("t10k", images[:500], labels[:500])):
        (tmp_path / f"{prefix}-images-idx3-ubyte").write_bytes(idx_bytes(X, IMAGES_MAGIC))
        (tmp_path / f"{prefix}-labels-idx1-ubyte").write_bytes(idx_bytes(y, LABELS_MAGIC))
    spec = Spec(name="mnist", path=str(tmp_path), val_size=0,
                preprocess=Preprocess(scale=1 / 255, subtract_mean=True))
    load(spec, seed=0, dtype=np.float32)  # warm up: first calls import and cache things
    tracemalloc.start()
    try:
        data = load(spec, seed=0, dtype=np.float32)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert data.X_train.dtype == np.float32 and data.X_train.flags.c_contiguous
    scaled = images.reshape(2000, -1).astype(np.float32) * np.float32(1 / 255)
    np.testing.assert_allclose(data.X_train + data.preprocess_state["mean"].astype(np.float32),
                               scaled, rtol=0, atol=1e-6)
    raw_bytes, float32_bytes = 2500 * 784, 2500 * 784 * 4
    assert peak < raw_bytes + float32_bytes + 256_000  # headroom for block-sized temporaries
    assert peak < raw_bytes + 2500 * 784 * 8  # a float64 copy alone would not fit


def test_scale_alone_is_exact_in_float32(tmp_path):
    X = np.arange(24, dtype=np.uint8).reshape(12, 2) * 10
    np.savez(tmp_path / "d.npz", X_train=X, y_train=np.arange(12) % 2)
    spec = Spec(name="npz", path=str(tmp_path / "d.npz"), val_size=0,
                preprocess=Preprocess(scale=1 / 255))
    data = load(spec, seed=0, dtype=np.float32)
    np.testing.assert_array_equal(data.X_train, X.astype(np.float32) * np.float32(1 / 255))


def test_preprocessing_is_fitted_on_train_and_applied_to_val_and_test(tmp_path):
    rng = np.random.default_rng(0)
    X = 3.0 * rng.standard_normal((200, 4)) + 10.0
    X_test = rng.standard_normal((50, 4)) + 100.0
    y = np.arange(200) % 2
    np.savez(tmp_path / "d.npz", X_train=X, y_train=y, X_test=X_test, y_test=y[:50])
    spec = Spec(name="npz", path=str(tmp_path / "d.npz"), val_size=40,
                preprocess=Preprocess(standardize=True))
    data = load(spec, seed=1, dtype=np.float64)
    mean, std = data.preprocess_state["mean"], data.preprocess_state["std"]
    train_before = data.X_train * std + mean  # (160, 4): the training rows as stored
    val_before = data.X_val * std + mean  # (40, 4)
    np.testing.assert_allclose(mean, train_before.mean(axis=0), atol=1e-9)
    np.testing.assert_allclose(std, train_before.std(axis=0), atol=1e-9)
    assert not np.allclose(mean, X.mean(axis=0), atol=1e-6)  # val rows were not used
    assert {tuple(np.round(row, 6)) for row in val_before} <= {tuple(np.round(r, 6)) for r in X}
    np.testing.assert_allclose(data.X_test, (X_test - mean) / std, atol=1e-12)
    assert (data.X_test.mean(axis=0) > 20).all()  # test kept its offset: not refitted on test


def test_a_given_preprocess_state_is_applied_instead_of_refitting(tmp_path):
    X, path = numbered(tmp_path)
    state = {"scale": np.array(2.0), "mean": np.full(3, 5.0)}
    spec = Spec(name="npz", path=path, val_size=0, preprocess=Preprocess(standardize=True))
    data = load(spec, seed=0, dtype=np.float64, preprocess_state=state)
    np.testing.assert_array_equal(data.X_train, X * 2.0 - 5.0)
    assert set(data.preprocess_state) == {"scale", "mean"}


def test_a_state_for_other_data_is_refused(tmp_path):
    _, path = numbered(tmp_path)
    with pytest.raises(
        DataError,
        match=r"the saved preprocessing 'mean' has shape \(784,\), but this data needs \(3,\)",
    ):
        load(Spec(name="npz", path=path), seed=0, dtype=np.float64,
             preprocess_state={"mean": np.zeros(784)})


@pytest.mark.parametrize("fmt", ["npz", "csv"])
def test_without_the_test_split_the_test_file_is_never_read(tmp_path, fmt):
    X, y = np.random.default_rng(0).standard_normal((40, 3)), np.arange(40) % 2
    if fmt == "npz":
        np.savez(tmp_path / "d.npz", X_train=X, y_train=y)
    else:
        np.savetxt(tmp_path / "d.csv", np.column_stack([X, y]), delimiter=",")
    gone = tmp_path / f"moved.{fmt}"
    spec = Spec(name=fmt, path=str(tmp_path / f"d.{fmt}"), test_path=str(gone),
                preprocess=Preprocess(standardize=True))
    with pytest.raises(DataError, match=r"moved\.\w+: no such file \(data\.test_path\)$"):
        load(spec, seed=3, dtype=np.float64)
    data = load(spec, seed=3, dtype=np.float64, with_test=False)
    assert data.X_test is None and data.y_test is None
    same = load(Spec(name=fmt, path=spec.path, preprocess=spec.preprocess), seed=3,
                dtype=np.float64)  # the split, classes and preprocessing owe nothing to test
    np.testing.assert_array_equal(data.X_train, same.X_train)
    np.testing.assert_array_equal(data.X_val, same.X_val)
    assert data.class_names == same.class_names
    np.testing.assert_array_equal(data.preprocess_state["std"], same.preprocess_state["std"])


def test_without_the_test_split_a_stored_one_is_left_out_too(tmp_path):
    _, path = numbered(tmp_path, X_test=np.zeros((5, 3)), y_test=np.arange(5) % 2)
    assert load(Spec(name="npz", path=path), seed=0, dtype=np.float64).X_test.shape == (5, 3)
    data = load(Spec(name="npz", path=path), seed=0, dtype=np.float64, with_test=False)
    assert data.X_test is None and data.y_test is None


def test_missing_test_file_says_why_without_reading(tmp_path, monkeypatch):
    _, path = numbered(tmp_path)
    assert missing_test_file(Spec(name="npz", path=path)) is None
    assert missing_test_file(Spec(name="npz", path=path, test_path=path)) is None
    gone = tmp_path / "gone.npz"
    assert missing_test_file(Spec(name="npz", test_path=str(gone))) == (
        f"{gone}: no such file (data.test_path)"
    )
    assert missing_test_file(Spec(name="npz", test_path=str(tmp_path))) == (
        f"{tmp_path}: is a folder, not a file (data.test_path)"
    )
    monkeypatch.chdir(tmp_path)
    assert missing_test_file(Spec(name="csv", test_path="t.csv")) == (
        f"t.csv: no such file (data.test_path; relative paths start from {tmp_path})"
    )


@pytest.mark.parametrize("name", ["spiral", "blobs"])
def test_generated_data_is_seeded_and_has_no_test_split(name):
    spec = Spec(name=name, points_per_class=50, num_classes=4)
    a = load(spec, seed=5, dtype=np.float64)
    b = load(spec, seed=5, dtype=np.float64)
    c = load(spec, seed=6, dtype=np.float64)
    assert a.X_train.shape == (180, 2) and a.X_val.shape == (20, 2)
    assert a.X_test is None and a.y_test is None and a.image_shape is None
    assert a.class_names == ("0", "1", "2", "3")
    np.testing.assert_array_equal(a.X_train, b.X_train)
    assert not np.array_equal(a.X_train, c.X_train)
    assert np.bincount(np.concatenate([a.y_train, a.y_val])).tolist() == [50] * 4


def test_unknown_name_lists_the_choices():
    with pytest.raises(
        RegistryError,
        match=r"unknown data set 'mnsit' in data\.name; choose one of spiral",
    ):
        load(Spec(name="mnsit"), seed=0, dtype=np.float64)


def test_only_float_dtypes():
    with pytest.raises(DataError, match=r"float32 or float64, not int32"):
        load(Spec(), seed=0, dtype=np.int32)
