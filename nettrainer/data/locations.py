"""Where a data set's files are: the folders searched for each named set, the files a config names.

A named data set (Fashion-MNIST, MNIST, CIFAR-10) is looked for in ``data.path``
when the config sets it, else in its :data:`SEARCH_PATHS`; a file format (npz,
csv) reads the files ``data.path`` and ``data.test_path`` name. Either way a
missing one is a :class:`~nettrainer.errors.DataError` that says where it was
looked for and how to get it.
"""

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from nettrainer.errors import DataError

if TYPE_CHECKING:
    from nettrainer.config import DataConfig

DATA_ROOT = Path("data")  # relative to the working directory, like configs/ and runs/
SEARCH_PATHS = {
    "fashion-mnist": (DATA_ROOT / "fashion-mnist", Path("/usr/share/datasets/fashion-mnist")),
    "mnist": (DATA_ROOT / "mnist",),
    "cifar10": (DATA_ROOT / "cifar-10-batches-bin", DATA_ROOT / "cifar-10-batches-py"),
}
GET_IT = {
    "fashion-mnist": "run `nettrainer data fetch fashion-mnist` "
    "(or `apt-get install dataset-fashion-mnist`)",
    "mnist": "run `nettrainer data fetch mnist`",
    "cifar10": "run `nettrainer data fetch cifar10`",
}


def locate(name: str, path: str | None, found: Callable[[Path], Path | None]) -> Path:
    """Find the folder of data set ``name``: ``path`` if given, else the first of its search paths.

    Parameters
    ----------
    name : str
        ``"fashion-mnist"``, ``"mnist"`` or ``"cifar10"``.
    path : str or None
        ``data.path``; when given, it is the only place looked at.
    found : callable
        Maps a candidate folder to the folder holding the files, or None.

    Returns
    -------
    Path
        The folder holding the data set's files, absolute.

    Raises
    ------
    DataError
        If the data set is in none of the places looked at.
    """
    candidates = (Path(path),) if path is not None else SEARCH_PATHS[name]
    if path is not None and Path(path).is_file():
        raise DataError(
            f"{path}: data.path for {name} must be a folder, not a file; "
            f"{unpack_hint(path, 'set data.path to')}"
        )
    for candidate in candidates:
        folder = found(candidate) if candidate.is_dir() else None
        if folder is not None:  # absolute: a run records where its data was, from any folder
            return folder.absolute()
    looked = ", ".join(str(candidate) for candidate in candidates)
    raise DataError(
        f"{name} not found in {looked}; {GET_IT[name]}, or set data.path to its folder"
    )


def is_archive(path: Path) -> bool:
    """Whether ``path`` names a tar archive, as CIFAR-10 is downloaded."""
    return path.name.lower().endswith((".tar.gz", ".tgz", ".tar"))


def unpack_hint(path: str | Path, give: str) -> str:
    """Say what to do with a downloaded file given where its folder belongs.

    ``give`` says how the folder is given: ``"set data.path to"``, or ``"pass"``
    for ``data info``.
    """
    if is_archive(Path(path)):
        made = "cifar-10-batches-bin" if "binary" in Path(path).name else "cifar-10-batches-py"
        return (f"unpack the archive (tar xf {path}) and {give} the folder it makes "
                f"(for CIFAR-10's: {made})")
    return f"{give} the folder holding it and the data set's other files"


def optional_test_path(spec: "DataConfig") -> Path | None:
    """Return ``data.test_path`` as an existing file's Path, or None when it is unset."""
    return None if spec.test_path is None else _existing_file(spec.test_path, "data.test_path")


def required_path(spec: "DataConfig") -> Path:
    """Return ``data.path`` as an existing file's Path; npz and csv data need one."""
    if spec.path is None:
        raise DataError(
            f"data.name = {spec.name} needs data.path, the .{spec.name} file (e.g. --set "
            f"data.path=data/train.{spec.name}; for `nettrainer data info {spec.name}`: --path)"
        )
    return _existing_file(spec.path, "data.path")


def missing_test_file(spec: "DataConfig") -> str | None:
    """Say why the file ``data.test_path`` names cannot be read, without reading it.

    Parameters
    ----------
    spec : nettrainer.config.DataConfig
        The ``data`` section.

    Returns
    -------
    str or None
        The message :func:`optional_test_path` would raise (the path, ``no such file`` or
        ``is a folder``, the key); None when ``data.test_path`` is unset or a file.
    """
    return None if spec.test_path is None else _file_problem(spec.test_path, "data.test_path")


def _existing_file(path_text: str, key: str) -> Path:
    """Return ``path_text`` as a Path, or raise saying where a missing file was looked for."""
    problem = _file_problem(path_text, key)
    if problem is not None:
        raise DataError(problem)
    return Path(path_text)


def _file_problem(path_text: str, key: str) -> str | None:
    path = Path(path_text)
    if path.is_file():
        return None
    problem = "is a folder, not a file" if path.is_dir() else "no such file"
    where = "" if path.is_absolute() else f"; relative paths start from {Path.cwd()}"
    return f"{path}: {problem} ({key}{where})"
