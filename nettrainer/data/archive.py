"""Safe extraction of a downloaded tar archive that holds one flat folder of regular files.

Only regular files directly inside the expected folder are written, by our own
code (never ``TarFile.extract``): absolute names, ``..``, links, devices and
anything outside the folder are refused, so an archive cannot write outside
the destination. Files go to ``<folder>.part`` first, renamed when complete.
"""

import os
import shutil
import tarfile
import zlib
from pathlib import Path

from nettrainer.errors import FetchError


def extract_folder(archive: Path, directory: Path, folder: str) -> list[Path]:
    """Extract ``folder/*`` from ``archive`` into ``directory / folder``, replacing it.

    Parameters
    ----------
    archive : Path
        A (compressed) tar archive.
    directory : Path
        Where ``folder`` is created.
    folder : str
        The one top-level folder the archive must hold.

    Returns
    -------
    list of Path
        The extracted files, sorted.

    Raises
    ------
    FetchError
        If a member is not a regular file directly inside ``folder`` (or the folder
        itself), the archive is corrupt, or the disk is full; nothing is left behind.
    """
    final = directory / folder
    staging = directory / f"{folder}.part"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir(parents=True)
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                name = _member_name(member, folder, archive)
                if name is not None:
                    _write_member(tar, member, staging / name)
        shutil.rmtree(final, ignore_errors=True)
        os.replace(staging, final)
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise FetchError(f"{archive}: corrupt archive ({exc}); fetch it again") from None
    except OSError as exc:
        raise FetchError(
            f"{staging}: cannot extract {archive.name} ({exc.strerror}); "
            "free some disk space or choose another --dir"
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sorted(final.iterdir())


def _member_name(member: tarfile.TarInfo, folder: str, archive: Path) -> str | None:
    parts = member.name.rstrip("/").split("/")
    if member.isdir() and parts == [folder]:
        return None
    safe = member.isreg() and len(parts) == 2 and parts[0] == folder
    if not safe or parts[1] in ("", ".", ".."):
        raise FetchError(
            f"{archive}: refusing to extract {member.name!r}: only regular files directly "
            f"inside {folder}/ are expected; the archive is not the genuine download"
        )
    return parts[1]


def _write_member(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    source = tar.extractfile(member)
    with source, open(target, "wb") as out:
        shutil.copyfileobj(source, out, length=1 << 20)
