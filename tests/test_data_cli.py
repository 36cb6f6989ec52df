"""The ``data`` command group through click's CliRunner: happy-path output, errors raised."""

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from data_fixtures import (
    Stalled,
    local_server,
    no_proxy_env,
    write_cifar_binary,
    write_idx_dataset,
)

from nettrainer.cli_data import DownloadProgress, data
from nettrainer.data.fetch import BLOCK
from nettrainer.data.locations import SEARCH_PATHS
from nettrainer.data.sources import SOURCES, Remote, Source
from nettrainer.errors import DataError, FetchError

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def mnist_server(tmp_path, monkeypatch):
    """A local mirror of a tiny MNIST, with SOURCES pinned to its checksums."""
    no_proxy_env(monkeypatch)
    write_idx_dataset(tmp_path / "served", np.random.default_rng(0))
    files = sorted((tmp_path / "served").iterdir())
    with local_server() as server:
        for path in files:
            server.routes[f"/mirror/mnist/{path.name}"] = path.read_bytes()
        digests = [hashlib.md5(path.read_bytes()).hexdigest() for path in files]
        remotes = tuple(Remote(p.name, "md5", d) for p, d in zip(files, digests, strict=True))
        monkeypatch.setitem(SOURCES, "mnist", Source("mnist", ("http://unused.invalid/",), remotes))
        monkeypatch.setenv("NETTRAINER_MIRROR", f"http://127.0.0.1:{server.server_port}/mirror")
        yield server


def test_fetch_reports_each_step_and_where_the_files_are(tmp_path, mnist_server):
    result = CliRunner().invoke(data, ["fetch", "mnist", "--dir", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    port = mnist_server.server_port
    assert lines[0] == f"downloading http://127.0.0.1:{port}/mirror/mnist/t10k-images-idx3-ubyte.gz"
    assert lines[-1] == f"mnist: 4 file(s) in {tmp_path / 'd' / 'mnist'}"
    assert sum(line.startswith("verified md5 of ") for line in lines) == 4
    again = CliRunner().invoke(data, ["fetch", "mnist", "--dir", str(tmp_path / "d")])
    assert again.output.count("already there and verified") == 4


def test_fetch_failure_raises_fetch_error_for_the_main_cli(tmp_path, mnist_server):
    mnist_server.routes.clear()
    result = CliRunner().invoke(data, ["fetch", "mnist", "--dir", str(tmp_path / "d")])
    assert isinstance(result.exception, FetchError)
    assert "t10k-images-idx3-ubyte.gz: HTTP 404 Not Found" in str(result.exception)
    assert not (tmp_path / "d").exists()  # the folders the failed fetch made are gone


def test_a_failed_fetch_names_a_copy_that_needs_none(tmp_path, mnist_server, monkeypatch):
    """Such as Debian's Fashion-MNIST in /usr/share/datasets, which training finds by itself."""
    mnist_server.routes.clear()
    installed = tmp_path / "installed" / "mnist"
    write_idx_dataset(installed, np.random.default_rng(0), n_train=30, n_test=10)
    monkeypatch.setitem(SEARCH_PATHS, "mnist", (tmp_path / "none", installed))
    result = CliRunner().invoke(data, ["fetch", "mnist", "--dir", str(tmp_path / "d")])
    assert isinstance(result.exception, FetchError)
    assert str(result.exception).endswith(
        f"; but a copy is already in {installed}, where training and data info find it "
        "without a fetch")
    monkeypatch.setitem(SEARCH_PATHS, "mnist", (tmp_path / "none",))
    result = CliRunner().invoke(data, ["fetch", "mnist", "--dir", str(tmp_path / "d")])
    assert "a copy is already" not in str(result.exception)


@pytest.mark.parametrize(("signum", "code", "word"), [(signal.SIGTERM, 143, "terminated"),
                                                     (signal.SIGINT, 130, "interrupted")])
def test_a_signal_mid_download_leaves_no_part_file_and_exits_128_plus_its_number(
        tmp_path, monkeypatch, signum, code, word):
    """kill, timeout or a job scheduler (SIGTERM) cleans up like Ctrl-C (SIGINT)."""
    no_proxy_env(monkeypatch)
    first = SOURCES["mnist"].files[0].filename
    stall = Stalled(b"x" * BLOCK, 10 * BLOCK)  # one block reaches the .part, then nothing
    with local_server() as server:
        server.routes[f"/mirror/mnist/{first}"] = stall
        env = {**os.environ, "PYTHONPATH": str(REPO),
               "NETTRAINER_MIRROR": f"http://127.0.0.1:{server.server_port}/mirror"}
        process = subprocess.Popen(
            [sys.executable, "-m", "nettrainer", "data", "fetch", "mnist", "--dir", "d"],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            part = tmp_path / "d" / "mnist" / f"{first}.part"
            deadline = time.monotonic() + 30
            while not (part.exists() and part.stat().st_size == len(stall.head)):
                assert process.poll() is None and time.monotonic() < deadline, process.poll()
                time.sleep(0.02)
            process.send_signal(signum)
            out, err = process.communicate(timeout=30)
        finally:
            stall.release.set()
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert (process.returncode, err) == (code, f"{word}\n")
    assert out.startswith("downloading http://127.0.0.1:")
    assert list(tmp_path.iterdir()) == []  # no .part, and not the folders made for it


def test_fetch_refuses_unknown_names_through_click():
    result = CliRunner().invoke(data, ["fetch", "svhn"])
    assert result.exit_code == 2
    assert "'svhn' is not one of 'fashion-mnist', 'mnist', 'cifar10'" in result.output


def test_plain_progress_lines_off_a_terminal(capsys):
    progress = DownloadProgress(live=False)
    for done in (0, 10, 30, 50, 99, 100):
        progress(done, 100)
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["  30% of 0.1 kB", "  50% of 0.1 kB", "  99% of 0.1 kB", "  100% of 0.1 kB"]
    for done in (0, 26_421_880):  # Fashion-MNIST's training images
        progress(done, 26_421_880)
    assert capsys.readouterr().out == "  100% of 26.4 MB\n"


def test_info_on_an_npz_file(tmp_path):
    X = np.zeros((6, 2, 2), np.uint8)
    np.savez(tmp_path / "d.npz", X_train=X, y_train=np.array([0, 1, 1, 2, 2, 2]),
             class_names=np.array(["a", "b", "c"]))
    result = CliRunner().invoke(data, ["info", str(tmp_path / "d.npz")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"npz: npz data in {tmp_path / 'd.npz'}",
        "image shape: 2 x 2",
        "classes (3): a, b, c",
        "train: 6 x 4 uint8; per class: 1 2 3",
    ]


TEST_ONLY_LINE = (
    "a test split alone (X_test, y_test): use it as data.test_path, with data.path an npz "
    "holding X_train and y_train"
)


def test_info_quotes_the_class_names_when_one_holds_a_comma(tmp_path):
    path = tmp_path / "d.npz"
    y = np.arange(6) % 3
    np.savez(path, X_train=np.zeros((6, 2)), y_train=y, class_names=np.array(["a,b", "c", "d"]))
    result = CliRunner().invoke(data, ["info", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == "classes (3): 'a,b', 'c', 'd'"


def test_info_on_a_test_only_npz_file_describes_its_test_split(tmp_path):
    path = tmp_path / "t.npz"
    np.savez(path, X_test=np.zeros((4, 2, 3), np.uint8), y_test=np.array([0, 2, 2, 5]))
    expected = [
        f"npz: npz data in {path}",
        "image shape: 2 x 3",
        "labels (3): 0, 2, 5",
        "test: 4 x 6 uint8; per label: 1 2 1",
        TEST_ONLY_LINE,
    ]
    for args in ([str(path)], ["npz", "--path", str(path)]):
        result = CliRunner().invoke(data, ["info", *args])
        assert result.exit_code == 0, result.output
        assert result.output.splitlines() == expected


@pytest.mark.parametrize(("arrays", "message"), [
    ({"X_test": np.zeros((3, 2))},
     "{path}: missing array(s) y_test; a data.test_path npz holds X_test and y_test "
     "(numpy.savez(path, X_test=..., y_test=...))"),
    ({"X_test": np.zeros((3, 2)), "y_test": np.array([0, -1, 1])},
     "{path}: 1 of 3 y_test labels are negative (first: -1 at row 1); labels must be class "
     "indices 0, 1, 2, ..."),
    ({"X_test": np.array([[0.0], [np.inf]]), "y_test": np.array([0, 1])},
     "{path}: 1 of 2 X_test rows contain NaN or infinite values (first at row 1); fill or drop "
     "them before training"),
    ({"X_test": np.zeros((3, 2)), "y_test": np.array([0, 1])},
     "{path}: X_test has 3 rows but y_test has 2 labels; every example needs exactly one label"),
])
def test_info_on_a_test_only_npz_file_checks_it(tmp_path, arrays, message):
    path = tmp_path / "t.npz"
    np.savez(path, **arrays)
    result = CliRunner().invoke(data, ["info", str(path)])
    assert isinstance(result.exception, DataError)
    assert str(result.exception) == message.format(path=path)


def test_info_on_a_name_with_path(tmp_path):
    write_idx_dataset(tmp_path / "fm", np.random.default_rng(0), n_train=30, n_test=10, gz=False)
    result = CliRunner().invoke(data, ["info", "fashion-mnist", "--path", str(tmp_path / "fm")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"fashion-mnist: idx data in {tmp_path / 'fm'}"
    assert lines[2].startswith("classes (10): T-shirt/top, Trouser,")
    assert lines[3:] == ["train: 30 x 784 uint8; per class: 3 3 3 3 3 3 3 3 3 3",
                         "test: 10 x 784 uint8; per class: 1 1 1 1 1 1 1 1 1 1"]


def test_info_on_idx_files_of_no_known_data_set_names_the_classes_by_label(tmp_path):
    """Files that are neither MNIST nor Fashion-MNIST by checksum are plain idx."""
    write_idx_dataset(tmp_path / "own", np.random.default_rng(0), n_train=30, n_test=10)
    result = CliRunner().invoke(data, ["info", str(tmp_path / "own")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:3] == [
        f"idx: idx data in {tmp_path / 'own'}",
        "image shape: 28 x 28",
        "classes (10): 0, 1, 2, 3, 4, 5, 6, 7, 8, 9",
    ]


def test_info_on_cifar10_by_name_names_its_format(tmp_path):
    write_cifar_binary(tmp_path / "cifar", np.random.default_rng(0))
    result = CliRunner().invoke(data, ["info", "cifar10", "--path", str(tmp_path / "cifar")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        f"cifar10: cifar10 binary data in {tmp_path / 'cifar'}",
        "image shape: 3 x 32 x 32",
    ]


def test_info_refuses_path_beside_a_file_or_folder(tmp_path):
    result = CliRunner().invoke(data, ["info", str(tmp_path), "--path", str(tmp_path)])
    assert isinstance(result.exception, DataError)
    assert str(result.exception) == (
        f"--path is for data set names; {str(tmp_path)!r} is not one of spiral, blobs, "
        "fashion-mnist, mnist, cifar10, npz, csv (to describe a file, pass only the file)"
    )


def test_info_on_one_file_of_a_folder_data_set_says_what_to_pass(tmp_path):
    write_idx_dataset(tmp_path / "fm", np.random.default_rng(0), n_train=30, n_test=10)
    (tmp_path / "cifar-10-python.tar.gz").write_bytes(b"\x1f\x8b")
    one_file = tmp_path / "fm" / "train-images-idx3-ubyte.gz"
    archive = tmp_path / "cifar-10-python.tar.gz"
    expected = {
        one_file: f"{one_file}: one IDX file, not a data set; pass the folder holding it and "
                  "the data set's other files",
        archive: f"{archive}: an archive, not a data set; unpack the archive (tar xf {archive}) "
                 "and pass the folder it makes (for CIFAR-10's: cifar-10-batches-py)",
    }
    for path, message in expected.items():
        result = CliRunner().invoke(data, ["info", str(path)])
        assert isinstance(result.exception, DataError) and str(result.exception) == message


def test_info_on_an_idx_folder_without_training_files_names_them(tmp_path):
    write_idx_dataset(tmp_path, np.random.default_rng(0), n_train=30, n_test=10)
    for path in tmp_path.glob("train-*"):
        path.unlink()
    result = CliRunner().invoke(data, ["info", str(tmp_path)])
    assert str(result.exception) == (
        f"{tmp_path}: IDX files without train-images-idx3-ubyte[.gz]; an IDX folder holds the "
        "train-* and t10k-* images and labels")


def test_info_on_generated_data():
    result = CliRunner().invoke(data, ["info", "spiral"])
    assert result.output.splitlines() == [
        "spiral: generated data",
        "classes (3): 0, 1, 2",
        "train: 300 x 2 float64; per class: 100 100 100",
    ]


def test_info_errors_are_data_errors(tmp_path):
    result = CliRunner().invoke(data, ["info", str(tmp_path / "missing.npz")])
    assert isinstance(result.exception, DataError)
    assert str(result.exception).startswith(f"{tmp_path / 'missing.npz'}: no such file or folder")
    result = CliRunner().invoke(data, ["info", "npz"])
    assert str(result.exception).startswith("data.name = npz needs data.path")


def test_info_reads_a_csv_with_the_label_column_and_header_given(tmp_path):
    path = tmp_path / "lf.csv"
    path.write_text("species,a,b\nx,1,2\ny,3,4\nx,5,6\ny,1,1\n")
    result = CliRunner().invoke(data, ["info", str(path)])
    assert "column 1 is text in every row" in str(result.exception)
    for args in (["--label-column", "species"], ["--label-column", "0", "--header"]):
        result = CliRunner().invoke(data, ["info", str(path), *args])
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[1:] == [
            "header: species, a, b (labels: column 1 of 3, 'species')",
            "classes (2): x, y", "train: 4 x 2 float64; per class: 2 2"]
    result = CliRunner().invoke(data, ["info", str(path), "--label-column", "0", "--no-header"])
    assert "data.header is false, so line 1 is read as data" in str(result.exception)
    result = CliRunner().invoke(data, ["info", "spiral", "--label-column", "2"])
    assert str(result.exception) == (
        "--label-column and --header are for csv files; spiral data has neither")


def test_info_says_whether_a_csv_has_a_header_and_which_column_holds_the_labels(tmp_path):
    headed, bare, wide = tmp_path / "headed.csv", tmp_path / "bare.csv", tmp_path / "wide.csv"
    headed.write_text("a,label,b\n1,0,2\n3,1,4\n")
    bare.write_text("1,2,0\n3,4,1\n")
    rows = ["0," * 7 + "0", "1," * 7 + "1"]
    wide.write_text("\n".join([",".join(f"p{i}" for i in range(7)) + ",y", *rows]) + "\n")
    middle = "header: a, label, b (labels: column 2 of 3, 'label')"
    cases = [
        (headed, ["--label-column", "label"], middle),
        (headed, ["--label-column", "-2"], middle),
        (bare, [], "header: none (labels: column 3 of 3)"),
        (wide, [], "header: p0, p1, p2, ..., p6, y (labels: column 8 of 8, 'y')"),
    ]
    for path, args, expected in cases:
        result = CliRunner().invoke(data, ["info", str(path), *args])
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[1] == expected


def test_info_errors_name_the_options_that_set_the_config_keys_they_mention(tmp_path):
    bare = tmp_path / "bare.csv"
    bare.write_text("a,1,0\n3,4,1\n")
    cases = [
        (["--label-column", "5"], "(in data info, --label-column sets data.label_column)"),
        (["--no-header"], "(in data info, --header/--no-header sets data.header)"),
    ]
    for args, ending in cases:
        result = CliRunner().invoke(data, ["info", "csv", "--path", str(bare), *args])
        message = str(result.exception)
        assert message.endswith(ending), message
        assert message.count("(in data info") == 1
    mentions_its_option = str(CliRunner().invoke(data, ["info", "npz"]).exception)
    assert "(in data info" not in mentions_its_option  # it says --path already
    no_key = str(CliRunner().invoke(data, ["info", str(tmp_path / "missing.npz")]).exception)
    assert "(in data info" not in no_key


def test_help_shows_an_example():
    for command in ("fetch", "info"):
        result = CliRunner().invoke(data, [command, "--help"])
        assert f"Example: nettrainer data {command} fashion-mnist" in result.output


def test_info_expands_a_leading_tilde_as_a_config_does(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    np.savez(tmp_path / "d.npz", X_train=np.zeros((6, 2)), y_train=np.arange(6) % 3)
    for args in (["info", "~/d.npz"], ["info", "npz", "--path", "~/d.npz"]):
        result = CliRunner().invoke(data, args)
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[0] == f"npz: npz data in {tmp_path / 'd.npz'}"
