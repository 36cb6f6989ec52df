"""The real Fashion-MNIST from Debian's dataset-fashion-mnist, when installed (``real_data``)."""

from pathlib import Path

import numpy as np
import pytest
from data_fixtures import Preprocess, Spec

from nettrainer.data import info, load
from nettrainer.data.fetch import verify
from nettrainer.data.idx import FASHION_MNIST_CLASSES
from nettrainer.data.sources import SOURCES

FASHION = Path("/usr/share/datasets/fashion-mnist")

pytestmark = [
    pytest.mark.real_data,
    pytest.mark.skipif(
        not (FASHION / "train-images-idx3-ubyte.gz").is_file(),
        reason=f"Fashion-MNIST not installed in {FASHION} (apt-get install dataset-fashion-mnist)",
    ),
]


@pytest.mark.parametrize("remote", SOURCES["fashion-mnist"].files, ids=lambda r: r.filename)
def test_the_pinned_payload_checksums_match_the_installed_files(remote):
    assert verify(FASHION / remote.filename, remote) is None


def test_info_finds_it_and_counts_6000_and_1000_per_class(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no data/fashion-mnist here: the system copy is found
    report = info("fashion-mnist")
    assert report.location == str(FASHION)
    assert report.splits["train"].shape == (60000, 784)
    assert report.splits["test"].shape == (10000, 784)
    assert report.splits["train"].class_counts == (6000,) * 10
    assert report.splits["test"].class_counts == (1000,) * 10


def test_load_in_float32_scaled_with_the_cs231n_split(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spec = Spec(name="fashion-mnist", val_size=5000, preprocess=Preprocess(scale=1 / 255))
    data = load(spec, seed=0, dtype=np.float32)
    assert data.class_names == FASHION_MNIST_CLASSES and data.image_shape == (28, 28)
    assert data.X_train.shape == (55000, 784) and data.X_val.shape == (5000, 784)
    assert data.X_test.shape == (10000, 784) and data.X_test.dtype == np.float32
    assert data.X_train.min() == 0.0 and data.X_train.max() == 1.0
    assert np.bincount(np.concatenate([data.y_train, data.y_val])).tolist() == [6000] * 10
    assert np.bincount(data.y_test).tolist() == [1000] * 10
