"""Where downloads come from: a data set's official homes, or ``NETTRAINER_MIRROR``.

``NETTRAINER_MIRROR`` replaces the official homes with one base URL, under
which each data set lives in a folder of its name (``$NETTRAINER_MIRROR/mnist/...``).
It is checked before anything is created or downloaded, so a typo is one clear
error rather than a failure deep inside ``urllib``.
"""

import os
import urllib.parse
from collections.abc import Sequence

from nettrainer.data.sources import SOURCES
from nettrainer.errors import FetchError

MIRROR_ENV = "NETTRAINER_MIRROR"
MIRROR_SCHEMES = ("https", "http", "ftp", "file")  # what urllib downloads from


def bases_for(name: str) -> Sequence[str]:
    """Return the base URLs to fetch data set ``name`` from, in order.

    Raises
    ------
    FetchError
        When ``NETTRAINER_MIRROR`` is set but is not a mirror URL (see :func:`checked_mirror`).
    """
    mirror = os.environ.get(MIRROR_ENV)
    return (f"{checked_mirror(mirror).rstrip('/')}/{name}/",) if mirror else SOURCES[name].mirrors


def checked_mirror(mirror: str) -> str:
    """Return ``mirror`` if it is a base URL that downloads can come from.

    Raises
    ------
    FetchError
        Naming :data:`MIRROR_ENV`, when ``mirror`` does not parse as a URL, or
        has no scheme of :data:`MIRROR_SCHEMES` or no host (``file:`` needs none).
    """
    problem = _url_problem(mirror)
    if problem is not None:
        raise FetchError(
            f"{MIRROR_ENV}={mirror!r} is not a mirror URL ({problem}); set it to a base URL "
            "such as https://mirror.example.org/datasets (with NAME/ folders under it) "
            "or file:///srv/datasets, or unset it"
        )
    return mirror


def _url_problem(url: str) -> str | None:
    """Say what keeps urllib from downloading under ``url``; None if nothing does."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port  # parsed on access: a port that is not a number raises
    except ValueError as exc:  # also an unclosed [IPv6] host
        return str(exc)
    if parts.scheme not in MIRROR_SCHEMES:
        return f"no {'/'.join(MIRROR_SCHEMES)} scheme"
    if parts.scheme != "file" and not parts.hostname:
        return "no host"
    return "port 0" if port == 0 else None
