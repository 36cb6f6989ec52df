"""Where ``nettrainer data fetch`` downloads each data set from, and the checksums it pins.

| data set | file(s) | checksum of | algorithm |
| --- | --- | --- | --- |
| fashion-mnist | 4 ``*.gz`` | the decompressed payload | SHA-256 |
| mnist | 4 ``*.gz`` | the file as downloaded | MD5 (the values torchvision pins) |
| cifar10 | ``cifar-10-binary.tar.gz`` | the file as downloaded | MD5 (from the CIFAR page) |

Fashion-MNIST is checked on its decompressed payload because redistributions
(e.g. Debian's ``dataset-fashion-mnist``) recompress the ``.gz`` files. The MD5s
pinned for MNIST and CIFAR-10 are the long-published ones; they guard against
truncation and corruption, not against a deliberate collision.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Remote:
    """One file to download and how to verify it.

    Attributes
    ----------
    filename : str
        Name under the base URL and on disk.
    algorithm : str
        A :mod:`hashlib` name, ``"sha256"`` or ``"md5"``.
    digest : str
        The expected hex digest.
    of_payload : bool
        Whether ``digest`` is of the gunzipped payload rather than of the file.
    """

    filename: str
    algorithm: str
    digest: str
    of_payload: bool = False


@dataclass(frozen=True)
class Source:
    """A fetchable data set.

    Attributes
    ----------
    folder : str
        Sub-folder of the fetch directory the files go to (``""``: the directory
        itself, for archives that bring their own folder).
    mirrors : tuple of str
        Base URLs tried in order: the official home first, then fallbacks.
    files : tuple of Remote
        The files to download.
    archive_folder : str or None
        For a tar archive: the one folder it holds, extracted next to it.
    """

    folder: str
    mirrors: tuple[str, ...]
    files: tuple[Remote, ...]
    archive_folder: str | None = None


SOURCES = {
    "fashion-mnist": Source(
        folder="fashion-mnist",
        mirrors=(
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
            "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
        ),
        files=(
            Remote(
                "train-images-idx3-ubyte.gz",
                "sha256",
                "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
                of_payload=True,
            ),
            Remote(
                "train-labels-idx1-ubyte.gz",
                "sha256",
                "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
                of_payload=True,
            ),
            Remote(
                "t10k-images-idx3-ubyte.gz",
                "sha256",
                "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
                of_payload=True,
            ),
            Remote(
                "t10k-labels-idx1-ubyte.gz",
                "sha256",
                "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
                of_payload=True,
            ),
        ),
    ),
    "mnist": Source(
        folder="mnist",
        mirrors=(
            "http://yann.lecun.com/exdb/mnist/",
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
        ),
        files=(
            Remote("train-images-idx3-ubyte.gz", "md5", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
            Remote("train-labels-idx1-ubyte.gz", "md5", "d53e105ee54ea40749a09fcbcd1e9432"),
            Remote("t10k-images-idx3-ubyte.gz", "md5", "9fb629c4189551a2d022fa330f9573f3"),
            Remote("t10k-labels-idx1-ubyte.gz", "md5", "ec29112dd5afa0611ce80d1b7f02629c"),
        ),
    ),
    "cifar10": Source(
        folder="",
        mirrors=("https://www.cs.toronto.edu/~kriz/",),
        files=(Remote("cifar-10-binary.tar.gz", "md5", "c32a1d4ab5d03f1284b67883e8d87530"),),
        archive_folder="cifar-10-batches-bin",
    ),
}
FETCHABLE: tuple[str, ...] = tuple(SOURCES)
