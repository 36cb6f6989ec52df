"""Helpers for the data tests: small data sets in the genuine on-disk formats, a stand-in
for the config's DataConfig, and a local HTTP server for ``fetch``."""

import gzip
import pickle
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from nettrainer.data.idx import IMAGES_MAGIC, LABELS_MAGIC

CIFAR_NAMES = b"airplane automobile bird cat deer dog frog horse ship truck".split()


@dataclass(frozen=True)
class Preprocess:
    scale: float | None = None
    subtract_mean: bool = False
    standardize: bool = False
    std_epsilon: float = 0.0


@dataclass(frozen=True)
class Spec:
    """Duck type of nettrainer.config.DataConfig, with its defaults."""

    name: str = "spiral"
    path: str | None = None
    val_size: float | int = 0.1
    test_path: str | None = None
    label_column: int | str = -1
    header: bool | None = None
    points_per_class: int = 100
    num_classes: int = 3
    max_train: int | None = None
    preprocess: Preprocess = field(default_factory=Preprocess)


def images_and_labels(rng, n, pixels, num_classes=10):
    """Random uint8 images (n, pixels) and labels covering every class."""
    X = rng.integers(0, 256, size=(n, pixels), dtype=np.uint8)
    y = rng.permutation(np.arange(n) % num_classes).astype(np.uint8)
    return X, y


def idx_bytes(array, magic):
    dims = b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return magic.to_bytes(4, "big") + dims + np.ascontiguousarray(array, np.uint8).tobytes()


def write_idx_dataset(folder: Path, rng, n_train=60, n_test=20, gz=True, shape=(28, 28)):
    """Write the four MNIST-family files; return {"train": (X, y), "test": (X, y)}."""
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for split, prefix, n in (("train", "train", n_train), ("test", "t10k", n_test)):
        X, y = images_and_labels(rng, n, int(np.prod(shape)))
        for stem, array, magic in (
            (f"{prefix}-images-idx3-ubyte", X.reshape(n, *shape), IMAGES_MAGIC),
            (f"{prefix}-labels-idx1-ubyte", y, LABELS_MAGIC),
        ):
            payload = idx_bytes(array, magic)
            path = folder / (stem + ".gz" if gz else stem)
            path.write_bytes(gzip.compress(payload) if gz else payload)
        arrays[split] = (X, y)
    return arrays


def cifar_batches(rng, per_batch=12, n_test=10):
    """Five training batches and a test batch of (X (n, 3072) uint8, y (n,) uint8)."""
    batches = [images_and_labels(rng, per_batch, 3072) for _ in range(5)]
    return batches, images_and_labels(rng, n_test, 3072)


def write_cifar_binary(folder: Path, rng, per_batch=12, n_test=10, meta=True):
    folder.mkdir(parents=True, exist_ok=True)
    batches, test = cifar_batches(rng, per_batch, n_test)
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
    for name, (X, y) in zip(names, [*batches, test], strict=True):
        (folder / name).write_bytes(np.column_stack([y, X]).astype(np.uint8).tobytes())
    if meta:
        (folder / "batches.meta.txt").write_bytes(b"\n".join(CIFAR_NAMES) + b"\n\n")
    return batches, test


def write_cifar_python(folder: Path, rng, per_batch=12, n_test=10, style="py2"):
    """Pickle dicts with bytes keys, a uint8 array and a list of labels, like the originals.

    ``style="py2"`` writes what Python 2's cPickle wrote for the real batches
    (protocol 2, byte strings, ``numpy.core.multiarray``); ``"py3"`` is what
    ``pickle.dump(..., protocol=4)`` writes today.
    """
    folder.mkdir(parents=True, exist_ok=True)
    batches, test = cifar_batches(rng, per_batch, n_test)
    dump = py2_pickle if style == "py2" else lambda obj: pickle.dumps(obj, protocol=4)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for name, (X, y) in zip(names, [*batches, test], strict=True):
        batch = {
            b"batch_label": name.encode(),
            b"labels": [int(v) for v in y],
            b"data": X,
            b"filenames": [f"img{i}.png".encode() for i in range(len(y))],
        }
        (folder / name).write_bytes(dump(batch))
    meta = {b"label_names": CIFAR_NAMES, b"num_cases_per_batch": per_batch, b"num_vis": 3072}
    (folder / "batches.meta").write_bytes(dump(meta))
    return batches, test


def py2_pickle(obj) -> bytes:
    """Pickle dicts, lists, tuples, bytes, ints, None, bools and arrays as Python 2 did."""
    out = bytearray(b"\x80\x02")  # PROTO 2
    _emit(obj, out)
    return bytes(out + b".")  # STOP


def _emit(obj, out):
    if obj is None or isinstance(obj, bool):
        out += {None: b"N", True: b"\x88", False: b"\x89"}[obj]
    elif isinstance(obj, bytes):  # BINSTRING: a Python 2 str
        out += b"T" + len(obj).to_bytes(4, "little") + obj
    elif isinstance(obj, int):  # BININT
        out += b"J" + obj.to_bytes(4, "little", signed=True)
    elif isinstance(obj, np.ndarray):
        _emit_array(obj, out)
    else:
        start, end = {list: (b"](", b"e"), tuple: (b"(", b"t"), dict: (b"}(", b"u")}[type(obj)]
        out += start
        for item in obj.items() if isinstance(obj, dict) else obj:
            for part in item if isinstance(obj, dict) else (item,):
                _emit(part, out)
        out += end


def _emit_array(array, out):
    """numpy 1's ndarray.__reduce__: _reconstruct(ndarray, (0,), 'b'), then BUILD with its state."""
    out += b"cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\n"
    _emit((0,), out)
    _emit(b"b", out)
    out += b"\x87R("  # TUPLE3, REDUCE, MARK of the state tuple
    _emit(1, out)
    _emit(tuple(array.shape), out)
    out += b"cnumpy\ndtype\n"
    _emit((array.dtype.str[1:].encode(), False, True), out)
    out += b"R"
    _emit((3, array.dtype.str[:1].encode(), None, None, None, -1, -1, 0), out)
    out += b"b"  # BUILD the dtype
    _emit(False, out)
    _emit(np.ascontiguousarray(array).tobytes(), out)
    out += b"tb"  # TUPLE, BUILD the array


@dataclass
class Stalled:
    """A route that sends ``head`` of a ``length``-byte body, then stalls until ``release``."""

    head: bytes
    length: int
    release: threading.Event = field(default_factory=threading.Event)


class _Handler(BaseHTTPRequestHandler):
    """Serves ``server.routes`` (URL path -> bytes, (bytes, declared length) or a
    :class:`Stalled`); logs requests."""

    def do_GET(self):
        self.server.requests.append(self.path)
        route = self.server.routes.get(urlsplit(self.path).path)
        if route is None:
            self.send_error(404)
            return
        if isinstance(route, Stalled):
            body, length = route.head, route.length
        else:
            body, length = route if isinstance(route, tuple) else (route, len(route))
        self.send_response(200)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(body)
        if isinstance(route, Stalled):
            self.wfile.flush()
            route.release.wait(timeout=60)

    def log_message(self, *args):
        """Keep the test output clean."""


@contextmanager
def local_server():
    """An HTTP server on 127.0.0.1 in a thread; set ``.routes``, read ``.requests``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.routes, server.requests = {}, []
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port():
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def no_proxy_env(monkeypatch):
    """Remove proxy and mirror settings so requests go straight to 127.0.0.1."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "NETTRAINER_MIRROR"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
