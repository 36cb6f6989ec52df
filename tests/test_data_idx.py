"""IDX files (MNIST, Fashion-MNIST): gzip and raw, corrupt variants, and where they are found."""

import gzip
import hashlib
from dataclasses import replace

import numpy as np
import pytest
from data_fixtures import Spec, idx_bytes, write_idx_dataset

from nettrainer.data import info, load
from nettrainer.data.idx import (
    FASHION_MNIST_CLASSES,
    IMAGES_MAGIC,
    LABELS_MAGIC,
    MNIST_CLASSES,
    read_idx,
)
from nettrainer.data.sources import SOURCES
from nettrainer.errors import DataError


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.mark.parametrize("gz", [True, False])
def test_read_idx_returns_the_images_and_labels_written(tmp_path, rng, gz):
    arrays = write_idx_dataset(tmp_path, rng, gz=gz)
    suffix = ".gz" if gz else ""
    images = read_idx(tmp_path / f"train-images-idx3-ubyte{suffix}", IMAGES_MAGIC)
    labels = read_idx(tmp_path / f"train-labels-idx1-ubyte{suffix}", LABELS_MAGIC)
    X, y = arrays["train"]
    assert images.shape == (60, 28, 28) and images.dtype == np.uint8
    np.testing.assert_array_equal(images.reshape(60, -1), X)
    np.testing.assert_array_equal(labels, y)


def test_gzip_is_detected_by_content_not_name(tmp_path, rng):
    labels = rng.integers(0, 10, size=7, dtype=np.uint8)
    path = tmp_path / "labels.raw"
    path.write_bytes(gzip.compress(idx_bytes(labels, LABELS_MAGIC)))
    np.testing.assert_array_equal(read_idx(path, LABELS_MAGIC), labels)


def test_load_fashion_mnist_from_path(tmp_path, rng):
    arrays = write_idx_dataset(tmp_path / "fm", rng, n_train=60, n_test=20)
    data = load(Spec(name="fashion-mnist", path=str(tmp_path / "fm"), val_size=10), seed=0,
                dtype=np.float64)
    assert data.class_names == FASHION_MNIST_CLASSES
    assert data.image_shape == (28, 28)
    assert data.X_train.shape == (50, 784) and data.X_val.shape == (10, 784)
    np.testing.assert_array_equal(data.X_test, arrays["test"][0])
    np.testing.assert_array_equal(data.y_test, arrays["test"][1])
    assert data.y_train.dtype == np.int64


def test_mnist_is_found_under_data_in_the_working_directory(tmp_path, rng, monkeypatch):
    write_idx_dataset(tmp_path / "data" / "mnist", rng, gz=False)
    monkeypatch.chdir(tmp_path)
    data = load(Spec(name="mnist", val_size=0), seed=0, dtype=np.float32)
    assert data.class_names == tuple("0123456789")
    assert data.X_train.shape == (60, 784)


def test_missing_data_set_names_the_places_looked_and_the_fix(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(
        DataError,
        match=r"mnist not found in data/mnist; run `nettrainer data fetch",
    ):
        load(Spec(name="mnist"), seed=0, dtype=np.float32)


def test_a_given_path_without_the_files_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match=r"fashion-mnist not found in .*empty; .*data\.path"):
        load(Spec(name="fashion-mnist", path=str(tmp_path / "empty")), seed=0, dtype=np.float32)


@pytest.mark.parametrize(
    ("name", "file", "fix"),
    [("cifar10", "cifar-10-python.tar.gz", "set data.path to the folder it makes (for "
                                           "CIFAR-10's: cifar-10-batches-py)"),
     ("cifar10", "cifar-10-binary.tar.gz", "set data.path to the folder it makes (for "
                                           "CIFAR-10's: cifar-10-batches-bin)"),
     ("mnist", "train-images-idx3-ubyte.gz", "set data.path to the folder holding it")],
)
def test_a_file_given_as_a_folder_data_sets_path_says_what_to_do_with_it(
    tmp_path, name, file, fix
):
    path = tmp_path / file
    path.write_bytes(b"\x1f\x8b")
    with pytest.raises(DataError) as error:
        load(Spec(name=name, path=str(path)), seed=0, dtype=np.float32)
    message = str(error.value)
    assert message.startswith(f"{path}: data.path for {name} must be a folder, not a file; ")
    assert fix in message
    assert "not found" not in message


def test_missing_test_files_are_named(tmp_path, rng):
    write_idx_dataset(tmp_path, rng)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match=r"missing t10k-labels-idx1-ubyte\[\.gz\]"):
        load(Spec(name="mnist", path=str(tmp_path)), seed=0, dtype=np.float32)


@pytest.mark.parametrize("damage", ["delete", "truncate"])
def test_without_the_test_split_its_files_are_not_read(tmp_path, rng, damage):
    """evaluate --split val and resume read the training files only."""
    arrays = write_idx_dataset(tmp_path, rng)
    labels = tmp_path / "t10k-labels-idx1-ubyte.gz"
    if damage == "delete":
        (tmp_path / "t10k-images-idx3-ubyte.gz").unlink()
    labels.write_bytes(labels.read_bytes()[:20])
    spec = Spec(name="fashion-mnist", path=str(tmp_path), val_size=0)
    data = load(spec, seed=0, dtype=np.float32, with_test=False)
    assert data.X_test is None and data.y_test is None
    np.testing.assert_array_equal(np.sort(data.y_train), np.sort(arrays["train"][1]))
    with pytest.raises(DataError, match="t10k-"):
        load(spec, seed=0, dtype=np.float32)


@pytest.mark.parametrize("gz", [True, False])
def test_truncated_file_is_a_data_error_naming_it(tmp_path, rng, gz):
    images = rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    payload = idx_bytes(images, IMAGES_MAGIC)[:-100]
    path = tmp_path / "images"
    path.write_bytes(gzip.compress(payload) if gz else payload)
    with pytest.raises(DataError) as error:
        read_idx(path, IMAGES_MAGIC)
    message = str(error.value)
    assert message.startswith(f"{path}: truncated IDX file")
    assert "5 x 28 x 28 = 3920 bytes of images but 3820 follow" in message


def test_gzip_cut_short_is_a_data_error(tmp_path, rng):
    labels = rng.integers(0, 10, size=1000, dtype=np.uint8)
    path = tmp_path / "labels.gz"
    path.write_bytes(gzip.compress(idx_bytes(labels, LABELS_MAGIC))[:-30])
    with pytest.raises(DataError, match=rf"^{path}: corrupt gzip data"):
        read_idx(path, LABELS_MAGIC)


def test_trailing_bytes_are_corrupt(tmp_path):
    path = tmp_path / "labels"
    path.write_bytes(idx_bytes(np.zeros(4, np.uint8), LABELS_MAGIC) + b"\0\0")
    with pytest.raises(DataError, match=r"corrupt \(trailing bytes\) IDX file: its header "
                                        r"promises 4 bytes of labels but 6 follow;"):
        read_idx(path, LABELS_MAGIC)


def test_wrong_magic_names_what_was_found(tmp_path):
    path = tmp_path / "labels"
    path.write_bytes(idx_bytes(np.zeros((2, 3, 3), np.uint8), IMAGES_MAGIC))
    with pytest.raises(
        DataError,
        match=r"not an IDX labels file \(magic 0x00000803, expected magic 0x00000801\)",
    ):
        read_idx(path, LABELS_MAGIC)


def test_header_cut_short(tmp_path):
    path = tmp_path / "images"
    path.write_bytes(IMAGES_MAGIC.to_bytes(4, "big") + b"\0\0")
    with pytest.raises(DataError, match=r"its 16-byte header ends after 6 bytes"):
        read_idx(path, IMAGES_MAGIC)


def test_images_and_labels_must_agree_in_number(tmp_path, rng):
    write_idx_dataset(tmp_path, rng, n_train=60)
    labels = rng.integers(0, 10, size=59, dtype=np.uint8)
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(
        gzip.compress(idx_bytes(labels, LABELS_MAGIC))
    )
    with pytest.raises(
        DataError,
        match=r"60 images but .*train-labels-idx1-ubyte\.gz has 59 labels",
    ):
        load(Spec(name="mnist", path=str(tmp_path)), seed=0, dtype=np.float32)


def test_label_out_of_range_names_the_labels_file_and_counts(tmp_path, rng):
    write_idx_dataset(tmp_path, rng, n_train=60)
    labels = np.arange(60, dtype=np.uint8) % 10
    labels[[5, 7]] = 10
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(labels, LABELS_MAGIC))
    (tmp_path / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError) as error:
        load(Spec(name="mnist", path=str(tmp_path)), seed=0, dtype=np.float32)
    assert str(error.value).startswith(f"{tmp_path / 'train-labels-idx1-ubyte'}: 2 of 60 y_train")
    assert "outside [0, 10) (first: 10 at row 5)" in str(error.value)


def test_info_on_a_folder_does_not_go_by_its_name(tmp_path, rng):
    """Random IDX files match no pinned checksum: plain idx, classes numbered, whatever the name."""
    write_idx_dataset(tmp_path / "fashion", rng, n_train=30, n_test=10)
    report = info(str(tmp_path / "fashion"))
    assert (report.name, report.format) == ("idx", "idx")
    assert report.class_names == tuple(str(c) for c in range(10))


def test_info_names_mnist_by_the_pinned_checksum_of_its_labels(tmp_path, rng, monkeypatch):
    write_idx_dataset(tmp_path / "fashion", rng, n_train=30, n_test=10)
    labels = (tmp_path / "fashion" / "train-labels-idx1-ubyte.gz").read_bytes()
    pin_mnist_labels(monkeypatch, hashlib.md5(labels).hexdigest())
    report = info(str(tmp_path / "fashion"))
    assert (report.name, report.format) == ("mnist", "idx")
    assert report.class_names == MNIST_CLASSES


def test_loading_mnist_as_fashion_mnist_is_refused(tmp_path, rng, monkeypatch):
    write_idx_dataset(tmp_path, rng, n_train=30, n_test=10)
    labels = (tmp_path / "train-labels-idx1-ubyte.gz").read_bytes()
    pin_mnist_labels(monkeypatch, hashlib.md5(labels).hexdigest())
    with pytest.raises(DataError) as error:
        load(Spec(name="fashion-mnist", path=str(tmp_path)), seed=0, dtype=np.float32)
    assert str(error.value) == (
        f"{tmp_path}: holds mnist (its training labels have the checksum pinned for mnist), "
        "not fashion-mnist; set data.name to mnist"
    )


def test_an_unknown_folder_missing_files_suggests_no_fetch(tmp_path, rng):
    write_idx_dataset(tmp_path, rng, n_train=30, n_test=10)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError) as error:
        info(str(tmp_path))
    assert str(error.value) == (
        f"{tmp_path}: missing t10k-labels-idx1-ubyte[.gz]; put them in the folder with the others"
    )


def pin_mnist_labels(monkeypatch, md5):
    """Make ``md5`` the pinned checksum of MNIST's training labels."""
    files = tuple(
        replace(remote, digest=md5) if remote.filename == "train-labels-idx1-ubyte.gz" else remote
        for remote in SOURCES["mnist"].files
    )
    monkeypatch.setitem(SOURCES, "mnist", replace(SOURCES["mnist"], files=files))


def test_test_images_of_another_size_name_the_test_images_file(tmp_path, rng):
    write_idx_dataset(tmp_path, rng)
    write_idx_dataset(tmp_path / "small", rng, shape=(32, 32))  # its test images replace ours
    test_images = "t10k-images-idx3-ubyte.gz"
    (tmp_path / "small" / test_images).replace(tmp_path / test_images)
    with pytest.raises(DataError) as error:
        load(Spec(name="mnist", path=str(tmp_path)), seed=0, dtype=np.float32)
    assert str(error.value) == (
        f"{tmp_path / 't10k-images-idx3-ubyte.gz'}: images of 32 x 32 pixels, but "
        "train-images-idx3-ubyte.gz's are 28 x 28; both files must come from the same data set")
