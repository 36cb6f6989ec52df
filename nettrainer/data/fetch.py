"""``fetch(name, directory)``: download a data set, verify its pinned checksums, unpack it.

Each file streams to ``<name>.part``, is verified (see :mod:`nettrainer.data.sources`),
then renamed; on any failure the ``.part`` is deleted and the next mirror is
tried. The library never prints: progress goes to the ``progress`` and ``log``
callables. Proxies come from the standard environment variables (``HTTP_PROXY``,
``HTTPS_PROXY``, ``NO_PROXY``), as ``urllib`` reads them by default.
``NETTRAINER_MIRROR`` replaces the official homes (see :mod:`nettrainer.data.mirror`).
"""

import gzip
import hashlib
import http.client
import os
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

from nettrainer import __version__
from nettrainer.data.archive import extract_folder
from nettrainer.data.cifar import TEST_BATCH, TRAIN_BATCHES
from nettrainer.data.mirror import MIRROR_ENV, bases_for
from nettrainer.data.sources import FETCHABLE, SOURCES, Remote
from nettrainer.errors import FetchError, RegistryError

TIMEOUT_S = 60
BLOCK = 1 << 20
USER_AGENT = f"nettrainer/{__version__} (+urllib)"
Progress = Callable[[int, int | None], None]
WEB_PAGE_STARTS = (b"<!doctype html", b"<html", b"<?xml")


class _MirrorError(Exception):
    """Raised when one mirror does not deliver a verified file; the next one may."""


class _ChecksumMismatchError(_MirrorError):
    """Raised when a mirror delivered a whole file that is not the pinned one."""


def fetch(
    name: str,
    directory: str | Path,
    *,
    progress: Progress | None = None,
    urls: Sequence[str] | None = None,
    log: Callable[[str], None] | None = None,
) -> list[Path]:
    """Download data set ``name`` into ``directory`` and verify it; skip files already verified.

    Parameters
    ----------
    name : str
        ``"fashion-mnist"``, ``"mnist"`` or ``"cifar10"``.
    directory : str or Path
        The data root, e.g. ``data``; files go to ``directory/<name>/`` (CIFAR-10:
        ``directory/cifar-10-batches-bin/``), where :func:`~nettrainer.data.load` looks.
    progress : callable, optional
        Called as ``progress(bytes_done, bytes_total_or_None)`` while downloading,
        starting with ``bytes_done == 0`` for each file.
    urls : sequence of str, optional
        Base URLs to try in order instead of the official homes (and of ``NETTRAINER_MIRROR``).
    log : callable, optional
        Called with one line per step (downloading, verified, extracting).

    Returns
    -------
    list of Path
        The data set's files, verified.

    Raises
    ------
    RegistryError
        If ``name`` cannot be fetched.
    FetchError
        If ``NETTRAINER_MIRROR`` is not a URL (checked before any folder is
        created), every mirror fails (HTTP error, refused connection, checksum
        mismatch) or the disk is full; no folder it created is left empty, and
        no ``.part`` or partial file is left behind. An archive that verified
        but failed to extract stays, so a retry (after freeing space) does not
        download it again.
    """
    if name not in SOURCES:
        raise RegistryError(f"cannot fetch {name!r}; choose one of {', '.join(FETCHABLE)}")
    source = SOURCES[name]
    bases = urls if urls is not None else bases_for(name)
    target = Path(directory) / source.folder
    log = log or _quiet
    if source.archive_folder is not None and _complete(target / source.archive_folder):
        log(f"already there: {target / source.archive_folder}")
        return sorted((target / source.archive_folder).iterdir())
    created = _make_dir(target)
    try:
        paths = [download(bases, remote, target, progress, log) for remote in source.files]
    except BaseException:  # a failed download, Ctrl-C, or any surprise: leave no empty folder
        _remove_empty(created)
        raise
    if source.archive_folder is None:
        return paths
    log(f"extracting {paths[0]}")
    extracted = extract_folder(paths[0], target, source.archive_folder)
    paths[0].unlink()
    return extracted


def download(
    bases: Sequence[str],
    remote: Remote,
    directory: Path,
    progress: Progress | None = None,
    log: Callable[[str], None] | None = None,
) -> Path:
    """Download ``remote`` from the first base URL that delivers it verified.

    Parameters
    ----------
    bases : sequence of str
        Base URLs, tried in order; the file's URL is ``base + remote.filename``.
    remote : Remote
        The file and its pinned checksum.
    directory : Path
        Where the file goes; an existing file that verifies is kept as is.
    progress : callable, optional
        As for :func:`fetch`.
    log : callable, optional
        Receives one line per step.

    Returns
    -------
    Path
        ``directory / remote.filename``, verified.

    Raises
    ------
    FetchError
        If no base URL delivers the file with the pinned checksum, or writing fails.
    """
    log = log or _quiet
    final = directory / remote.filename
    if final.is_file() and verify(final, remote) is None:
        log(f"already there and verified: {final}")
        return final
    failures, mismatches = [], 0
    for base in bases:
        url = base.rstrip("/") + "/" + remote.filename
        log(f"downloading {url}")
        try:
            _download_verified(url, final, remote, progress)
        except _MirrorError as exc:
            failures.append(f"{url}: {exc}")
            mismatches += isinstance(exc, _ChecksumMismatchError)
            continue
        log(f"verified {remote.algorithm} of {final}")
        return final
    if mismatches == len(failures):  # the network worked: the files served are not the pinned ones
        advice = (f"the mirrors serve another file than the one pinned; set {MIRROR_ENV} to a "
                  "mirror of the original")
    else:
        advice = (f"check the network and proxy settings (HTTPS_PROXY), or set {MIRROR_ENV} "
                  "to a mirror")
    raise FetchError(f"could not fetch {remote.filename} ({'; '.join(failures)}); {advice}")


def verify(path: Path, remote: Remote) -> str | None:
    """Return None if ``path`` has ``remote``'s checksum, else what is wrong, in words."""
    digest = hashlib.new(remote.algorithm, usedforsecurity=False)
    try:
        with gzip.open(path) if remote.of_payload else open(path, "rb") as file:
            while block := file.read(BLOCK):
                digest.update(block)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        return f"not valid gzip data ({exc})"
    except OSError as exc:
        return f"cannot read it back ({exc.strerror})"
    if digest.hexdigest() != remote.digest:
        what = "decompressed data" if remote.of_payload else "file"
        return (
            f"{remote.algorithm} of the {what} is {digest.hexdigest()}, "
            f"not the pinned {remote.digest}"
        )
    return None


def _quiet(line: str) -> None:
    """Discard a log line (the library never prints)."""


def _complete(folder: Path) -> bool:
    batches = (*TRAIN_BATCHES, TEST_BATCH)
    return all((folder / f"{batch}.bin").is_file() for batch in batches)


def _make_dir(target: Path) -> list[Path]:
    """Create ``target`` and its missing parents; return those created, deepest first."""
    created = [folder for folder in (target, *target.parents) if not folder.exists()]
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FetchError(
            f"{target}: cannot create the folder ({exc.strerror}); choose another --dir"
        ) from None
    return created


def _remove_empty(folders: Sequence[Path]) -> None:
    """Remove the folders a failed fetch created, deepest first, where they are still empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


def _download_verified(url: str, final: Path, remote: Remote, progress: Progress | None) -> None:
    part = final.with_name(final.name + ".part")
    try:
        _stream(url, part, progress)
        if _is_web_page(part):  # a proxy's or a login page served with 200 OK: the network's fault
            raise _MirrorError("a web page came instead of the file (a proxy's or login page?)")
        problem = verify(part, remote)
        if problem is not None:
            raise _ChecksumMismatchError(problem)
        os.replace(part, final)
    finally:
        part.unlink(missing_ok=True)


def _is_web_page(path: Path) -> bool:
    """Whether the file starts as an HTML or XML document does (no pinned file does)."""
    with open(path, "rb") as file:
        start = file.read(64).lstrip().lower()
    return start.startswith(WEB_PAGE_STARTS)


def _stream(url: str, part: Path, progress: Progress | None) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with _open_part(part) as out:
        try:
            # a fresh opener reads the proxy variables now (urlopen caches its first one)
            with urllib.request.build_opener().open(request, timeout=TIMEOUT_S) as response:
                _copy(response, out, _length(response), progress)
        except urllib.error.HTTPError as exc:
            raise _MirrorError(f"HTTP {exc.code} {exc.reason}") from None
        except urllib.error.URLError as exc:
            raise _MirrorError(_reason(exc.reason)) from None
        except (http.client.HTTPException, OSError, ValueError) as exc:  # reset, timeout, TLS
            raise _MirrorError(_reason(exc)) from None


def _copy(
    response: http.client.HTTPResponse, out: BinaryIO, total: int | None, progress: Progress | None
) -> None:
    done = 0
    if progress is not None:
        progress(0, total)
    while block := response.read(BLOCK):
        _write(out, block)
        done += len(block)
        if progress is not None:
            progress(done, total)
    if total is not None and done != total:
        raise _MirrorError(f"the connection closed after {done} of {total} bytes")


def _write(out: BinaryIO, block: bytes) -> None:
    try:
        out.write(block)
        out.flush()
    except OSError as exc:
        raise FetchError(
            f"{out.name}: cannot write the download ({exc.strerror}); "
            "free some disk space or choose another --dir"
        ) from None


def _open_part(part: Path) -> BinaryIO:
    try:
        return open(part, "wb")
    except OSError as exc:
        raise FetchError(
            f"{part}: cannot create the file ({exc.strerror}); choose another --dir"
        ) from None


def _length(response: http.client.HTTPResponse) -> int | None:
    length = response.headers.get("Content-Length")
    return int(length) if length and length.isdigit() else None


def _reason(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, TimeoutError):
        return f"no answer within {TIMEOUT_S} s"
    return str(getattr(reason, "strerror", None) or reason)
