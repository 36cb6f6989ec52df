"""`python -m nettrainer`: Ctrl-C while the command line is still importing."""

import subprocess
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



def test_commands_that_draw_nothing_do_not_import_matplotlib():
    # matplotlib takes about half a second to import; --help, gradcheck and data skip it.
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from nettrainer.cli import cli\n"
        "for args in (['--help'], ['gradcheck'], ['data', 'info', 'spiral']):\n"
        "    result = CliRunner().invoke(cli, args)\n"
        "    assert result.exit_code == 0, result.output\n"
        "print('matplotlib' in sys.modules)\n"
    )
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True).stdout
    assert loaded == "False\n"
