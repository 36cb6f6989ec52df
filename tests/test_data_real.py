"""The real Fashion-MNIST from Debian's dataset-fashion-mnist, when installed (``real_data``)."""

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest
from data_fixtures import Preprocess, Spec

from nettrainer.data import info, load
from nettrainer.data.fetch import verify
from nettrainer.data.idx import FASHION_MNIST_CLASSES
from nettrainer.data.sources import SOURCES
from nettrainer.errors import DataError

FASHION = Path("/usr/share/datasets/fashion-mnist")

pytestmark = [
    pytest.mark.real_data,
    pytest.mark.skipif(
        not (FASHION / "train-images-idx3-ubyte.gz").is_file(),
        reason=f"Fashion-MNIST not installed in {FASHION} (apt-get install dataset-fashion-mnist)",
    ),
]


# The decompressed files' SHA-256 and sizes, as published in issue 4.
PUBLISHED = {
    "train-images-idx3-ubyte.gz": (
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", 47040016),
    "train-labels-idx1-ubyte.gz": (
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", 60008),
    "t10k-images-idx3-ubyte.gz": (
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", 7840016),
    "t10k-labels-idx1-ubyte.gz": (
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", 10008),
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_the_installed_files_have_the_published_checksums(name):
    payload = gzip.decompress((FASHION / name).read_bytes())
    assert (hashlib.sha256(payload).hexdigest(), len(payload)) == PUBLISHED[name]


@pytest.mark.parametrize("remote", SOURCES["fashion-mnist"].files, ids=lambda r: r.filename)
def test_fetch_pins_the_published_checksums_and_verify_accepts_the_files(remote):
    assert (remote.algorithm, remote.digest) == ("sha256", PUBLISHED[remote.filename][0])
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


def test_info_on_a_copy_names_it_by_checksum_not_folder_name(tmp_path):
    """Reviewed: Fashion-MNIST files in a folder called raw were reported as digits."""
    folder = tmp_path / "raw"
    folder.mkdir()
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"):
        (folder / name).symlink_to(FASHION / name)
    with pytest.raises(DataError) as error:
        info(str(folder))
    assert str(error.value).endswith("run `nettrainer data fetch fashion-mnist` or set data.path "
                                     "to the folder holding them")
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        (folder / name).symlink_to(FASHION / name)
    report = info(str(folder))
    assert (report.name, report.class_names) == ("fashion-mnist", FASHION_MNIST_CLASSES)
