"""NETTRAINER_MIRROR: checked before anything is created, one line naming it when it is no URL."""

import pytest
from click.testing import CliRunner

from nettrainer.cli import cli
from nettrainer.data.locations import SEARCH_PATHS
from nettrainer.data.mirror import bases_for, checked_mirror
from nettrainer.data.sources import SOURCES
from nettrainer.errors import FetchError

NOT_URLS = {
    "notaurl": "no https/http/ftp/file scheme",
    "http://[::1": "Invalid IPv6 URL",
    "http://example.org:http/": "Port could not be cast to integer",
    "https://": "no host",
    "http://example.org:0/": "port 0",
    " ": "no https/http/ftp/file scheme",
}


@pytest.mark.parametrize(("mirror", "problem"), NOT_URLS.items())
def test_fetch_with_a_mirror_that_is_no_url_is_one_line_and_creates_nothing(
    tmp_path, monkeypatch, mirror, problem
):
    monkeypatch.setenv("NETTRAINER_MIRROR", mirror)
    monkeypatch.setitem(SEARCH_PATHS, "fashion-mnist", (tmp_path / "none",))  # none installed
    args = ["data", "fetch", "fashion-mnist", "--dir", str(tmp_path / "d")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: NETTRAINER_MIRROR={mirror!r} is not a mirror URL ({problem}")
    assert line.endswith(
        "; set it to a base URL such as https://mirror.example.org/datasets (with NAME/ folders "
        "under it) or file:///srv/datasets, or unset it"
    )
    assert not (tmp_path / "d").exists()


@pytest.mark.parametrize(
    "mirror", ["https://mirror.example.org/datasets", "http://[::1]:8000/m/", "file:///srv/data"]
)
def test_urls_are_accepted_and_hold_a_folder_per_data_set(monkeypatch, mirror):
    assert checked_mirror(mirror) == mirror
    monkeypatch.setenv("NETTRAINER_MIRROR", mirror)
    assert bases_for("mnist") == (f"{mirror.rstrip('/')}/mnist/",)


def test_without_a_mirror_the_official_homes_are_used(monkeypatch):
    monkeypatch.delenv("NETTRAINER_MIRROR", raising=False)
    assert bases_for("mnist") == SOURCES["mnist"].mirrors
    monkeypatch.setenv("NETTRAINER_MIRROR", "")
    assert bases_for("mnist") == SOURCES["mnist"].mirrors


def test_the_error_is_a_fetch_error():
    with pytest.raises(FetchError, match=r"^NETTRAINER_MIRROR='notaurl' is not a mirror URL"):
        checked_mirror("notaurl")
