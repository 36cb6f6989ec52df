"""`python -m nettrainer`: Ctrl-C while the command line is still importing."""

import sys
import types

import pytest

from nettrainer.__main__ import main


def test_ctrl_c_during_the_imports_is_one_line_and_exit_130(monkeypatch, capsys):
    class Interrupted(types.ModuleType):
        def __getattr__(self, name):
            raise KeyboardInterrupt  # as if Ctrl-C arrived while nettrainer.cli was importing

    monkeypatch.setitem(sys.modules, "nettrainer.cli", Interrupted("nettrainer.cli"))
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 130
    assert capsys.readouterr().err == "interrupted\n"

