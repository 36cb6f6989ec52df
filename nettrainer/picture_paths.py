"""Where a picture goes: the file a ``--out`` or ``--plot`` value names, checked before any work.

No matplotlib here, so the command line can refuse a bad path before it loads
data or evaluates anything; :mod:`nettrainer.plots` checks the file again with
:func:`checked_output` when it writes.
"""

import errno
import os
from pathlib import Path

from nettrainer.errors import NettrainerError

PICTURE_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
DEFAULT_SUFFIX = ".png"  # appended to an output path without an extension


def checked_output(out: str | Path) -> tuple[Path, str]:
    """Return the picture file to write (``.png`` appended to a bare name) and its format.

    Parameters
    ----------
    out : str or Path
        A file name ending in ``.png``, ``.svg`` or ``.pdf``, or without an extension.

    Returns
    -------
    path : Path
    picture_format : {"png", "svg", "pdf"}

    Raises
    ------
    NettrainerError
        When ``out`` is a folder, its extension is not a picture format, or its
        folder does not exist or is a file.
    OSError
        When :func:`os.access` says the folder may not be written (EROFS for a
        read-only file system, else EACCES), before any work; the write itself
        may still fail (a full disk).
    """
    out = Path(out)
    if out.is_dir() or not out.name:
        raise NettrainerError(
            f"{out}: is a folder, not a picture file; name a .png, .svg or .pdf file")
    out = out if out.suffix else out.with_name(out.name + DEFAULT_SUFFIX)
    picture_format = PICTURE_FORMATS.get(out.suffix.lower())
    if picture_format is None:
        raise NettrainerError(
            f"{out}: unsupported picture format '{out.suffix}'; use .png, .svg or .pdf")
    problem = _folder_problem(out.parent)
    if problem is not None:
        raise NettrainerError(f"{out}: {problem}")
    if not os.access(out.parent, os.W_OK):
        # The write's own error, raised early: the command line names the option to write elsewhere.
        read_only = hasattr(os, "statvfs") and os.statvfs(out.parent).f_flag & os.ST_RDONLY
        number = errno.EROFS if read_only else errno.EACCES
        raise OSError(number, os.strerror(number), str(out))
    return out, picture_format


def picture_path(text: str, option: str, default_name: str, base: Path | None = None) -> Path:
    """Resolve a command-line picture path: an existing folder gets ``default_name`` inside it.

    Parameters
    ----------
    text : str
        The value given, e.g. ``"curves.svg"``, ``"/tmp"`` or ``"figures/"``.
    option : str
        The option, for error messages (``"--out"``).
    default_name : str
        The file written into a folder, e.g. ``"confusion.png"``.
    base : Path, optional
        The folder a relative ``text`` is taken from (default: the current one).

    Returns
    -------
    Path
        The file to write, checked by :func:`checked_output`.

    Raises
    ------
    NettrainerError
        Naming ``option``, when ``text`` is empty, names a missing folder (a
        trailing ``/``) or a file :func:`checked_output` refuses.
    """
    if not text.strip():
        raise NettrainerError(
            f"{option} is empty; give a picture file such as {default_name}, "
            f"or a folder to write {default_name} into")
    path = Path(text) if base is None else Path(base) / text
    if path.is_dir():
        path = path / default_name
    elif text.endswith(("/", os.sep)):
        raise NettrainerError(f"{option}: {text}: {_folder_problem(path)}")
    try:
        return checked_output(path)[0]
    except NettrainerError as error:
        raise NettrainerError(f"{option}: {error}") from None


def _folder_problem(folder: Path) -> str | None:
    """Say why files cannot go into ``folder`` (missing, or a file on its way); None if they can."""
    if folder.is_dir():
        return None
    existing = next((place for place in (folder, *folder.parents) if place.exists()), folder)
    if not existing.is_dir():
        return f"{existing} is not a folder; pick a path in an existing folder"
    return f"folder {folder} does not exist; create it or pick another path"
