"""CIFAR-10 binary and python batches, and the restricted unpickler that runs no code."""

import os
import pickle
from functools import partial

import numpy as np
import pytest
from data_fixtures import CIFAR_NAMES, Spec, py2_pickle, write_cifar_binary, write_cifar_python

from nettrainer.data import load
from nettrainer.data.cifar import CIFAR10_CLASSES, read_cifar_dir
from nettrainer.data.safe_pickle import load_batch
from nettrainer.errors import DataError


class RunsACommand:
    """Unpickling this would run a shell command that creates a marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def expected(batches, test):
    X = np.concatenate([X for X, _ in batches])
    y = np.concatenate([y for _, y in batches])
    return X, y, test[0], test[1]


@pytest.mark.parametrize(
    "writer",
    [write_cifar_binary, write_cifar_python, partial(write_cifar_python, style="py3")],
    ids=["binary", "python-2-pickles", "python-3-pickles"],
)
def test_every_version_reads_the_images_labels_and_names_written(tmp_path, writer):
    batches, test = writer(tmp_path, np.random.default_rng(1))
    raw = read_cifar_dir(tmp_path)
    X, y, X_test, y_test = expected(batches, test)
    np.testing.assert_array_equal(raw.X_train, X)
    np.testing.assert_array_equal(raw.y_train, y)
    np.testing.assert_array_equal(raw.X_test, X_test)
    np.testing.assert_array_equal(raw.y_test, y_test)
    assert raw.class_names == CIFAR10_CLASSES
    assert raw.image_shape == (3, 32, 32)


def test_binary_and_python_versions_load_to_the_same_dataset(tmp_path):
    write_cifar_binary(tmp_path / "cifar-10-batches-bin", np.random.default_rng(2))
    write_cifar_python(tmp_path / "cifar-10-batches-py", np.random.default_rng(2))
    spec = Spec(name="cifar10", val_size=6)
    a = load(Spec(**{**spec.__dict__, "path": str(tmp_path / "cifar-10-batches-bin")}), seed=3,
             dtype=np.float32)
    b = load(Spec(**{**spec.__dict__, "path": str(tmp_path / "cifar-10-batches-py")}), seed=3,
             dtype=np.float32)
    assert a.X_train.shape == (54, 3072) and a.X_val.shape == (6, 3072)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_val, b.y_val)


def test_the_default_places_are_data_batches_bin_then_py(tmp_path, monkeypatch):
    write_cifar_python(tmp_path / "data" / "cifar-10-batches-py", np.random.default_rng(4))
    monkeypatch.chdir(tmp_path)
    data = load(Spec(name="cifar10", val_size=0), seed=0, dtype=np.float64)
    assert data.source == str(tmp_path / "data" / "cifar-10-batches-py")  # absolute, for runs
    assert data.X_test.shape == (10, 3072)


def test_a_parent_folder_holding_the_batches_folder_is_accepted(tmp_path):
    write_cifar_binary(tmp_path / "cifar-10-batches-bin", np.random.default_rng(5))
    data = load(Spec(name="cifar10", path=str(tmp_path), val_size=0), seed=0, dtype=np.float64)
    assert data.source == str(tmp_path / "cifar-10-batches-bin")


def test_binary_without_meta_uses_the_standard_names(tmp_path):
    write_cifar_binary(tmp_path, np.random.default_rng(6), meta=False)
    assert read_cifar_dir(tmp_path).class_names[0] == "airplane"


def test_a_pickle_that_would_run_a_command_raises_and_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    write_cifar_python(tmp_path, np.random.default_rng(7))
    with open(tmp_path / "data_batch_3", "wb") as file:
        pickle.dump({b"data": RunsACommand(marker), b"labels": [0]}, file, protocol=4)
    with pytest.raises(DataError) as error:
        load(Spec(name="cifar10", path=str(tmp_path)), seed=0, dtype=np.float32)
    assert not marker.exists()
    assert str(error.value).startswith(f"{tmp_path / 'data_batch_3'}: refusing to unpickle ")
    assert "system" in str(error.value)
    pickle.loads((tmp_path / "data_batch_3").read_bytes())  # the payload is real: pickle runs it
    assert marker.exists()


@pytest.mark.parametrize("payload", [print, getattr, np.load, pickle.loads])
def test_every_global_outside_the_allowlist_is_refused(tmp_path, payload):
    path = tmp_path / "batch"
    path.write_bytes(pickle.dumps({b"f": payload}, protocol=4))
    with pytest.raises(DataError, match=rf"refusing to unpickle .*{payload.__name__}"):
        load_batch(path)


def test_python_2_pickles_decode_like_pickle_load_with_bytes_encoding(tmp_path):
    path = tmp_path / "batch"
    batch = {b"data": np.arange(12, dtype=np.uint8).reshape(3, 4), b"labels": [1, 2, 3]}
    path.write_bytes(py2_pickle(batch))
    unpickled = load_batch(path)
    reference = pickle.loads(path.read_bytes(), encoding="bytes")
    assert unpickled.keys() == reference.keys() == batch.keys()
    np.testing.assert_array_equal(unpickled[b"data"], batch[b"data"])
    assert unpickled[b"labels"] == [1, 2, 3]


def test_python_3_protocol_2_pickles_need_codecs_and_are_refused(tmp_path):
    path = tmp_path / "batch"
    path.write_bytes(pickle.dumps({b"labels": [1]}, protocol=2))
    with pytest.raises(DataError, match=r"refusing to unpickle _codecs\.encode"):
        load_batch(path)


def test_truncated_python_batch_is_a_data_error(tmp_path):
    write_cifar_python(tmp_path, np.random.default_rng(8))
    path = tmp_path / "test_batch"
    path.write_bytes(path.read_bytes()[:500])
    with pytest.raises(DataError, match=rf"^{path}: not a readable CIFAR-10 python batch"):
        read_cifar_dir(tmp_path)


def test_python_batch_with_wrong_data_shape(tmp_path):
    write_cifar_python(tmp_path, np.random.default_rng(9))
    with open(tmp_path / "test_batch", "wb") as file:
        pickle.dump({b"data": np.zeros((4, 100), np.uint8), b"labels": [0] * 4}, file, protocol=4)
    with pytest.raises(DataError, match=r"expected b'data' as uint8 of shape \(N, 3072\)"):
        read_cifar_dir(tmp_path)


def test_truncated_binary_batch_names_the_file_and_size(tmp_path):
    write_cifar_binary(tmp_path, np.random.default_rng(10))
    path = tmp_path / "data_batch_2.bin"
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(DataError) as error:
        read_cifar_dir(tmp_path)
    assert str(error.value).startswith(f"{path}: {12 * 3073 - 1} bytes is not a whole number")


def test_missing_batch_is_named(tmp_path):
    write_cifar_binary(tmp_path, np.random.default_rng(11))
    (tmp_path / "data_batch_5.bin").unlink()
    (tmp_path / "data_batch_5").write_bytes(b"")
    with pytest.raises(DataError, match=r"missing CIFAR-10 batch\(es\) data_batch_5\.bin"):
        read_cifar_dir(tmp_path)


def test_label_byte_out_of_range_is_reported_with_counts(tmp_path):
    write_cifar_binary(tmp_path, np.random.default_rng(12))
    path = tmp_path / "test_batch.bin"
    records = bytearray(path.read_bytes())
    records[3 * 3073] = 10
    path.write_bytes(bytes(records))
    with pytest.raises(
        DataError,
        match=r"test_batch\.bin: 1 of 10 y_test labels are outside \[0, 10\) \(first: 10 at row 3",
    ):
        load(Spec(name="cifar10", path=str(tmp_path)), seed=0, dtype=np.float32)


def test_meta_with_wrong_number_of_names(tmp_path):
    write_cifar_binary(tmp_path, np.random.default_rng(13))
    (tmp_path / "batches.meta.txt").write_bytes(b"\n".join(CIFAR_NAMES[:9]))
    with pytest.raises(DataError, match=r"batches\.meta\.txt: 9 class names, expected 10"):
        read_cifar_dir(tmp_path)


@pytest.mark.parametrize("batch", [{b"labels": [0] * 4}, [1, 2, 3]], ids=["no-data", "a-list"])
def test_a_pickle_that_is_no_cifar_batch_is_named(tmp_path, batch):
    write_cifar_python(tmp_path, np.random.default_rng(14))
    with open(tmp_path / "data_batch_3", "wb") as file:
        pickle.dump(batch, file, protocol=4)
    with pytest.raises(DataError) as error:
        read_cifar_dir(tmp_path)
    assert str(error.value).startswith(
        f"{tmp_path / 'data_batch_3'}: no b'data' entry; this is not a CIFAR-10 batch; ")


def test_python_batches_without_meta_use_the_standard_names(tmp_path):
    write_cifar_python(tmp_path, np.random.default_rng(15))
    (tmp_path / "batches.meta").unlink()
    assert read_cifar_dir(tmp_path).class_names == CIFAR10_CLASSES


@pytest.mark.parametrize("writer", [write_cifar_binary, write_cifar_python])
def test_without_the_test_split_its_batch_is_not_read(tmp_path, writer):
    """evaluate --split val and resume read the training batches only."""
    writer(tmp_path, np.random.default_rng(16))
    test_batch = next(tmp_path.glob("test_batch*"))
    test_batch.unlink()
    data = read_cifar_dir(tmp_path, with_test=False)
    assert data.X_test is None and data.X_train.shape == (60, 3072)
    assert "test" not in data.files
    with pytest.raises(DataError, match=rf"missing CIFAR-10 batch\(es\) {test_batch.name};"):
        read_cifar_dir(tmp_path)
