"""docs/backprop.md cannot drift: its examples run as doctests and its quoted code exists."""

import doctest
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "backprop.md"
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)


def blocks(info_prefix):
    return [(info, body) for info, body in FENCE.findall(DOC.read_text(encoding="utf-8"))
            if info.startswith(info_prefix)]


def test_every_example_runs_and_prints_what_the_doc_says():
    text = DOC.read_text(encoding="utf-8")
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    namespace, failures = {}, []  # one namespace: the blocks build on each other, in order
    for match in FENCE.finditer(text):
        if match.group(1).startswith("pycon"):
            line = text.count("\n", 0, match.start(2))  # failures report the doc's own lines
            test = doctest.DocTestParser().get_doctest(
                match.group(2), namespace, DOC.name, str(DOC), line)
            runner.run(test, out=failures.append, clear_globs=False)
            namespace = test.globs  # DocTest copied it: carry the names on to the next block
    assert not failures, "".join(failures)
    assert runner.tries >= 40  # the examples are really there


QUOTES = [(info.split()[1], body) for info, body in blocks("python ")]


def test_quotes_name_nettrainer_files():
    assert {path for path, _ in QUOTES} == {"nettrainer/layers.py", "nettrainer/model.py"}
    assert len(QUOTES) >= 8


@pytest.mark.parametrize(("path", "body"), QUOTES, ids=[f"{p}:{i}" for i, (p, _) in
                                                       enumerate(QUOTES)])
def test_each_quoted_line_is_in_the_named_file(path, body):
    lines = {line.strip() for line in (ROOT / path).read_text(encoding="utf-8").splitlines()}
    for line in body.splitlines():
        assert not line.strip() or line.strip() in lines, f"{path} has no line {line.strip()!r}"


def test_only_known_fences():
    """Every block is an example (pycon), a quote (python FILE) or plain text (no info)."""
    infos = {info.split()[0] for info, _ in FENCE.findall(DOC.read_text(encoding="utf-8")) if info}
    assert infos <= {"pycon", "python"}
    assert all(len(info.split()) == 2 for info, _ in blocks("python"))


def test_readme_links_the_doc():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/backprop.md)" in readme
