"""Picture paths from --out/--plot: folders get the default name, mistakes are one clear error."""

import errno
import os
from types import SimpleNamespace

import pytest

from nettrainer.errors import NettrainerError
from nettrainer.picture_paths import checked_output, picture_path


def test_an_existing_folder_gets_the_default_name_inside(tmp_path):
    assert picture_path(str(tmp_path), "--out", "curves.png") == tmp_path / "curves.png"
    assert picture_path(f"{tmp_path}/", "--out", "curves.png") == tmp_path / "curves.png"


def test_a_relative_path_is_taken_from_the_base_folder(tmp_path):
    (tmp_path / "figures").mkdir()
    assert picture_path("c.svg", "--plot", "confusion.png", base=tmp_path) == tmp_path / "c.svg"
    assert picture_path(".", "--plot", "confusion.png", base=tmp_path) == (
        tmp_path / "." / "confusion.png")
    assert picture_path("figures", "--plot", "confusion.png", base=tmp_path) == (
        tmp_path / "figures" / "confusion.png")
    assert picture_path("c", "--plot", "confusion.png", base=tmp_path) == tmp_path / "c.png"


def test_an_absolute_path_ignores_the_base_folder(tmp_path):
    out = tmp_path / "c.pdf"
    assert picture_path(str(out), "--plot", "confusion.png", base=tmp_path / "run") == out


@pytest.mark.parametrize("text", ["", " "])
def test_an_empty_path_is_refused_naming_the_option(tmp_path, text):
    with pytest.raises(NettrainerError) as error:
        picture_path(text, "--out", "curves.png")
    assert str(error.value) == (
        "--out is empty; give a picture file such as curves.png, "
        "or a folder to write curves.png into")


def test_a_path_through_a_file_says_it_is_not_a_folder(tmp_path):
    (tmp_path / "afile").write_text("")
    for text in (f"{tmp_path}/afile/x.png", f"{tmp_path}/afile/sub/x.png", f"{tmp_path}/afile/"):
        with pytest.raises(NettrainerError) as error:
            picture_path(text, "--plot", "confusion.png")
        assert str(error.value).startswith("--plot: "), error.value
        assert str(error.value).endswith(
            f"{tmp_path}/afile is not a folder; pick a path in an existing folder")


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(NettrainerError) as error:
        picture_path(f"{tmp_path}/new/", "--out", "curves.png")
    assert str(error.value) == (
        f"--out: {tmp_path}/new/: folder {tmp_path}/new does not exist; "
        "create it or pick another path")
    with pytest.raises(NettrainerError, match=r"^--out: .*: folder .*new does not exist"):
        picture_path(f"{tmp_path}/new/c.png", "--out", "curves.png")


def test_an_unsupported_extension_is_refused_naming_the_option(tmp_path):
    with pytest.raises(NettrainerError) as error:
        picture_path("c.jpg", "--plot", "confusion.png", base=tmp_path)
    assert str(error.value) == (
        f"--plot: {tmp_path}/c.jpg: unsupported picture format '.jpg'; use .png, .svg or .pdf")


def test_checked_output_refuses_a_folder(tmp_path):
    for out in ("", ".", tmp_path):
        with pytest.raises(NettrainerError, match="is a folder, not a picture file"):
            checked_output(out)


@pytest.mark.parametrize(("flags", "number"), [(os.ST_RDONLY, errno.EROFS), (0, errno.EACCES)])
def test_a_folder_that_may_not_be_written_is_refused_before_any_work(tmp_path, monkeypatch,
                                                                    flags, number):
    """As the OSError the write would raise; root writes anywhere, so os.access stands in."""
    real_access = os.access
    monkeypatch.setattr(os, "access",
                        lambda path, mode: mode != os.W_OK and real_access(path, mode))
    monkeypatch.setattr(os, "statvfs", lambda path: SimpleNamespace(f_flag=flags))
    with pytest.raises(OSError) as error:
        picture_path(str(tmp_path), "--plot", "confusion.png")
    assert (error.value.errno, error.value.filename) == (number, str(tmp_path / "confusion.png"))
