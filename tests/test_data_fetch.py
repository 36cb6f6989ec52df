"""``fetch`` against a local HTTP server: verified files, failures that leave nothing behind."""

import errno
import gzip
import hashlib
import io
import tarfile

import numpy as np
import pytest
from data_fixtures import (
    Spec,
    closed_port,
    idx_bytes,
    local_server,
    no_proxy_env,
    write_cifar_binary,
    write_idx_dataset,
)

import nettrainer.data.fetch as fetch_module
from nettrainer.data import load
from nettrainer.data.fetch import download, fetch
from nettrainer.data.idx import LABELS_MAGIC
from nettrainer.data.sources import SOURCES, Remote, Source
from nettrainer.errors import FetchError, RegistryError

BODY = b"nettrainer test payload\n" * 1000


@pytest.fixture
def server(monkeypatch):
    no_proxy_env(monkeypatch)
    with local_server() as running:
        running.base = f"http://127.0.0.1:{running.server_port}/files/"
        yield running


def md5(data):
    return hashlib.md5(data).hexdigest()


def test_good_file_is_verified_and_put_in_place(server, tmp_path):
    server.routes["/files/a.bin"] = BODY
    calls = []
    path = download([server.base], Remote("a.bin", "md5", md5(BODY)), tmp_path,
                    progress=lambda done, total: calls.append((done, total)))
    assert path == tmp_path / "a.bin" and path.read_bytes() == BODY
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.bin"]
    assert calls[0] == (0, len(BODY)) and calls[-1] == (len(BODY), len(BODY))


def test_payload_checksum_accepts_any_recompression(server, tmp_path):
    payload = idx_bytes(np.arange(100, dtype=np.uint8) % 10, LABELS_MAGIC)
    remote = Remote("l.gz", "sha256", hashlib.sha256(payload).hexdigest(), of_payload=True)
    for level in (1, 9):
        server.routes["/files/l.gz"] = gzip.compress(payload, compresslevel=level, mtime=level)
        (tmp_path / str(level)).mkdir()
        path = download([server.base], remote, tmp_path / str(level))
        assert gzip.decompress(path.read_bytes()) == payload


def test_wrong_checksum_is_one_error_and_leaves_nothing(server, tmp_path):
    server.routes["/files/a.bin"] = BODY
    with pytest.raises(FetchError) as error:
        download([server.base], Remote("a.bin", "md5", "0" * 32), tmp_path)
    message = str(error.value)
    url = f"{server.base}a.bin"
    assert message.startswith(f"could not fetch a.bin ({url}: md5 of the file is {md5(BODY)}")
    assert "not the pinned 00000000000000000000000000000000" in message and "\n" not in message
    assert message.endswith("; the mirrors serve another file than the one pinned; set "
                            "NETTRAINER_MIRROR to a mirror of the original")
    assert list(tmp_path.iterdir()) == []


def test_a_mismatch_beside_a_network_failure_still_advises_checking_the_network(server, tmp_path):
    server.routes["/files/a.bin"] = BODY
    with pytest.raises(FetchError) as error:
        download([server.base, server.base + "missing/"], Remote("a.bin", "md5", "0" * 32),
                 tmp_path)
    assert "HTTP 404" in str(error.value)
    assert str(error.value).endswith("; check the network and proxy settings (HTTPS_PROXY), "
                                     "or set NETTRAINER_MIRROR to a mirror")


def test_http_404_is_a_fetch_error(server, tmp_path):
    with pytest.raises(FetchError, match=r"a\.bin: HTTP 404 Not Found\); check the network"):
        download([server.base], Remote("a.bin", "md5", md5(BODY)), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_refused_connection_is_a_fetch_error(tmp_path, monkeypatch):
    no_proxy_env(monkeypatch)
    base = f"http://127.0.0.1:{closed_port()}/"
    with pytest.raises(FetchError, match=r"a\.bin: connection refused\)"):
        download([base], Remote("a.bin", "md5", md5(BODY)), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_fetch_removes_the_folders_it_created(tmp_path, monkeypatch):
    no_proxy_env(monkeypatch)
    base = f"http://127.0.0.1:{closed_port()}/"
    root = tmp_path / "data"
    with pytest.raises(FetchError, match="connection refused"):
        fetch("mnist", root, urls=[base])
    assert list(tmp_path.iterdir()) == []  # neither data/ nor data/mnist/ is left behind


def test_an_interrupted_fetch_removes_the_folders_it_created(tmp_path, monkeypatch):
    def interrupted(*_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(fetch_module, "download", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fetch("mnist", tmp_path / "data", urls=["http://unused.invalid/"])
    assert list(tmp_path.iterdir()) == []


def test_connection_closed_early_leaves_nothing(server, tmp_path):
    server.routes["/files/a.bin"] = (BODY[:100], len(BODY))
    with pytest.raises(FetchError, match=r"could not fetch a\.bin \(.*IncompleteRead|closed after"):
        download([server.base], Remote("a.bin", "md5", md5(BODY)), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_falls_back_to_the_next_mirror(server, tmp_path):
    server.routes["/mirror/a.bin"] = BODY
    mirror = server.base.replace("/files/", "/mirror/")
    download([server.base, mirror], Remote("a.bin", "md5", md5(BODY)), tmp_path)
    assert server.requests == ["/files/a.bin", "/mirror/a.bin"]
    assert (tmp_path / "a.bin").read_bytes() == BODY


def test_a_verified_file_is_not_downloaded_again_but_a_corrupt_one_is(server, tmp_path):
    server.routes["/files/a.bin"] = BODY
    remote = Remote("a.bin", "md5", md5(BODY))
    (tmp_path / "a.bin").write_bytes(BODY)
    download([server.base], remote, tmp_path)
    assert server.requests == []
    (tmp_path / "a.bin").write_bytes(b"corrupt")
    download([server.base], remote, tmp_path)
    assert server.requests == ["/files/a.bin"] and (tmp_path / "a.bin").read_bytes() == BODY


def test_full_disk_is_one_error_and_leaves_nothing(server, tmp_path, monkeypatch):
    server.routes["/files/a.bin"] = BODY

    class FullDisk(io.FileIO):
        def write(self, block):
            super().write(block[:10])
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fetch_module, "open", lambda path, mode: FullDisk(path, "w"), raising=False)
    with pytest.raises(FetchError) as error:
        download([server.base], Remote("a.bin", "md5", md5(BODY)), tmp_path)
    assert str(error.value) == (
        f"{tmp_path / 'a.bin.part'}: cannot write the download (No space left on device); "
        "free some disk space or choose another --dir"
    )
    assert list(tmp_path.iterdir()) == []


def test_proxy_from_the_environment_is_used(server, tmp_path, monkeypatch):
    server.routes["/files/a.bin"] = BODY
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{server.server_port}")
    download(["http://nettrainer-test.invalid/files/"], Remote("a.bin", "md5", md5(BODY)), tmp_path)
    assert server.requests == ["http://nettrainer-test.invalid/files/a.bin"]


def test_fetch_mnist_from_the_mirror_variable_then_load_it(server, tmp_path, monkeypatch):
    write_idx_dataset(tmp_path / "served", np.random.default_rng(0))
    files = sorted((tmp_path / "served").iterdir())
    for path in files:
        server.routes[f"/m/mnist/{path.name}"] = path.read_bytes()
    remotes = tuple(Remote(p.name, "md5", md5(p.read_bytes())) for p in files)
    monkeypatch.setitem(SOURCES, "mnist", Source("mnist", ("http://unused.invalid/",), remotes))
    monkeypatch.setenv("NETTRAINER_MIRROR", f"http://127.0.0.1:{server.server_port}/m")
    paths = fetch("mnist", tmp_path / "data")
    assert [p.name for p in paths] == [p.name for p in files]
    assert len(server.requests) == 4
    data = load(Spec(name="mnist", path=str(tmp_path / "data" / "mnist"), val_size=0), seed=0,
                dtype=np.float32)
    assert data.X_train.shape == (60, 784)


def cifar_tarball(tmp_path, extra=None):
    write_cifar_binary(tmp_path / "src" / "cifar-10-batches-bin", np.random.default_rng(0))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(tmp_path / "src" / "cifar-10-batches-bin", arcname="cifar-10-batches-bin")
        if extra is not None:
            extra(tar)
    return buffer.getvalue()


def serve_cifar(server, monkeypatch, tarball):
    server.routes["/files/cifar-10-binary.tar.gz"] = tarball
    remote = Remote("cifar-10-binary.tar.gz", "md5", md5(tarball))
    source = Source("", (server.base,), (remote,), "cifar-10-batches-bin")
    monkeypatch.setitem(SOURCES, "cifar10", source)


def test_fetch_cifar10_extracts_the_batches_and_removes_the_archive(server, tmp_path, monkeypatch):
    serve_cifar(server, monkeypatch, cifar_tarball(tmp_path))
    lines = []
    paths = fetch("cifar10", tmp_path / "data", log=lines.append)
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["cifar-10-batches-bin"]
    assert {p.name for p in paths} >= {"data_batch_1.bin", "test_batch.bin", "batches.meta.txt"}
    assert lines[-1] == f"extracting {tmp_path / 'data' / 'cifar-10-binary.tar.gz'}"
    data = load(Spec(name="cifar10", path=str(tmp_path / "data"), val_size=0), seed=0,
                dtype=np.float32)
    assert data.X_train.shape == (60, 3072)
    fetch("cifar10", tmp_path / "data")
    assert len(server.requests) == 1  # already there: nothing downloaded again


def test_archive_member_outside_the_folder_is_refused(server, tmp_path, monkeypatch):
    def escape(tar):
        member = tarfile.TarInfo("cifar-10-batches-bin/../../evil.txt")
        member.size = 4
        tar.addfile(member, io.BytesIO(b"evil"))

    serve_cifar(server, monkeypatch, cifar_tarball(tmp_path, escape))
    target = tmp_path / "deep" / "data"
    with pytest.raises(
        FetchError,
        match=r"refusing to extract 'cifar-10-batches-bin/\.\./\.\./evil\.txt'",
    ):
        fetch("cifar10", target)
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "deep" / "evil.txt").exists()
    assert sorted(p.name for p in target.iterdir()) == ["cifar-10-binary.tar.gz"]


def test_archive_symlink_is_refused(server, tmp_path, monkeypatch):
    def link(tar):
        member = tarfile.TarInfo("cifar-10-batches-bin/passwd")
        member.type, member.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(member)

    serve_cifar(server, monkeypatch, cifar_tarball(tmp_path, link))
    with pytest.raises(FetchError, match=r"refusing to extract 'cifar-10-batches-bin/passwd'"):
        fetch("cifar10", tmp_path / "data")
    assert not (tmp_path / "data" / "cifar-10-batches-bin").exists()


def test_unknown_name():
    with pytest.raises(
        RegistryError,
        match=r"cannot fetch 'svhn'; choose one of fashion-mnist, mnist, cifar10",
    ):
        fetch("svhn", "data")


@pytest.mark.parametrize("page", [
    b"<html><body>Please log in</body></html>\n",
    b"\n<!DOCTYPE html>\n<html><head><title>Proxy error</title></head></html>\n",
    b'<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>',
])
def test_a_web_page_served_instead_of_the_file_points_to_the_network(server, tmp_path, page):
    """A proxy's or captive portal's page, served with 200 OK, is no checksum mismatch."""
    server.routes["/files/l.gz"] = page
    remote = Remote("l.gz", "sha256", "0" * 64, of_payload=True)
    with pytest.raises(FetchError) as error:
        download([server.base], remote, tmp_path)
    assert str(error.value) == (
        f"could not fetch l.gz ({server.base}l.gz: a web page came instead of the file (a "
        "proxy's or login page?)); check the network and proxy settings (HTTPS_PROXY), or set "
        "NETTRAINER_MIRROR to a mirror"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_is_no_gzip_data_is_named_so(server, tmp_path):
    server.routes["/files/l.gz"] = BODY
    remote = Remote("l.gz", "sha256", "0" * 64, of_payload=True)
    with pytest.raises(FetchError) as error:
        download([server.base], remote, tmp_path)
    message = str(error.value)
    assert f"{server.base}l.gz: not valid gzip data (Not a gzipped file (b'ne'))" in message
    assert list(tmp_path.iterdir()) == []


def test_a_verified_archive_that_will_not_unpack_is_one_error_and_leaves_no_folder(
    server, tmp_path, monkeypatch
):
    """A checksum pinned to a broken archive (a bad mirror list entry) still fails cleanly."""
    tarball = cifar_tarball(tmp_path)
    serve_cifar(server, monkeypatch, tarball[: len(tarball) // 2])
    archive = tmp_path / "data" / "cifar-10-binary.tar.gz"
    with pytest.raises(FetchError) as error:
        fetch("cifar10", tmp_path / "data")
    message = str(error.value)
    assert message.startswith(f"{archive}: corrupt archive (") and "\n" not in message
    assert message.endswith("); fetch it again")
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["cifar-10-binary.tar.gz"]
