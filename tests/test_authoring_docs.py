"""docs/authoring.md says what is true: every snippet it calls complete runs (as a file of the example course, or
as a whole check of its exercise), every name a check imports from checklib is documented, and what it and
`dlquest --help` say about submissions is where the files really go.
"""

from __future__ import annotations

import json
import re
import shutil
import tarfile
from pathlib import Path

import pytest
from doc_snippets import complete_snippets, fenced_python

from dlquest import cli
from dlquest.grader import checklib
from dlquest.i18n import counted

DOCS = Path(__file__).resolve().parents[1] / "docs"
GUIDE = DOCS / "authoring.md"
EXAMPLE = DOCS / "example-course"
SNIPPETS = complete_snippets(GUIDE)
FILES = [s for s in SNIPPETS if s.kind == "file"]
CHECKS = [s for s in SNIPPETS if s.kind == "check"]


def test_the_guide_marks_its_complete_snippets():
    shown = {s.target for s in FILES}
    assert {"example-course/lessons/course.toml", "example-course/lessons/examples/relu.py",
            "example-course/exercises/relu.py", "example-course/solutions/relu.py",
            "example-course/checks/test_relu.py"} <= shown
    assert len(CHECKS) >= 2  # the first check snippet and the gradient probe
    assert "import torch" in fenced_python(GUIDE)[0]


@pytest.mark.parametrize("snippet", FILES, ids=lambda s: s.name)
def test_a_complete_file_snippet_is_that_file_of_the_example_course(snippet):
    assert snippet.text == (DOCS / snippet.target).read_text(encoding="utf-8"), (
        f"docs/authoring.md line {snippet.line} differs from docs/{snippet.target}: `python tests/doc_snippets.py` "
        "copies the example course's files into the guide")


def test_the_guide_builds_a_sound_course_with_a_running_example(tmp_path, run_dlquest):
    """Every complete file of the guide, written over a copy of the example course: sound, examples run."""
    root = tmp_path / "course"
    shutil.copytree(EXAMPLE, root)
    for snippet in FILES:
        (root / snippet.target.removeprefix("example-course/")).write_text(snippet.text, encoding="utf-8")
    manifest = (root / "lessons" / "course.toml").read_text()
    assert 'example = "lessons/examples/relu.py"' in manifest  # the example is wired in the manifest
    result = run_dlquest("course", "check", "--course", str(root), "--run-examples", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok  example of lesson relu-lesson" in result.stdout
    assert result.stdout.splitlines()[-1] == "Course An example course is sound: 1 exercise, 1 lesson."


@pytest.mark.parametrize("snippet", CHECKS, ids=lambda s: s.name)
def test_a_complete_check_snippet_is_a_sound_check_of_its_exercise(snippet, tmp_path, run_dlquest):
    root = tmp_path / "course"
    shutil.copytree(EXAMPLE, root)
    manifest = (root / "lessons" / "course.toml").read_text()
    check = re.search(rf'id = "{snippet.target}"[^\[]*?check = "([^"]+)"', manifest, flags=re.S)
    assert check, f"line {snippet.line}: the example course has no exercise {snippet.target!r}"
    (root / check.group(1)).write_text(snippet.text, encoding="utf-8")
    result = run_dlquest("course", "check", "--course", str(root), "--json", cwd=tmp_path)
    verdict = json.loads(result.stdout)
    assert verdict["sound"], f"docs/authoring.md line {snippet.line}: {verdict['problems']}"


def _documented(name: str, guide: str) -> bool:
    """Named in the guide's prose (a list item, a table row, a sentence: `name` or `name(…)`), not only used in
    a snippet."""
    prose = re.sub(r"^```.*?^```", "", guide, flags=re.S | re.M)
    return re.search(rf"`{re.escape(name)}[(`\[]", prose) is not None


def test_every_checklib_name_a_check_imports_is_documented():
    imported = set(checklib.__all__)
    sources = fenced_python(GUIDE) + [path.read_text() for path in (EXAMPLE / "checks").glob("*.py")]
    sources += [path.read_text() for path in (Path(cli.__file__).parent / "checks").glob("*.py")]
    for source in sources:
        for names in re.findall(r"from dlquest\.grader\.checklib import \(?([^)\n]+)", source):
            imported |= {name.strip() for name in names.split(",") if name.strip()}
    guide = GUIDE.read_text(encoding="utf-8")
    missing = sorted(name for name in imported if not _documented(name, guide))
    assert not missing, f"checklib names a check uses but docs/authoring.md does not list: {missing}"


def test_submit_puts_the_archive_where_its_help_says(tmp_path, monkeypatch, capsys):
    help_text = " ".join(cli.build_parser()._subparsers._group_actions[0].choices["submit"].format_help().split())
    assert "default: NAME.tar.gz in the folder you run it from, NAME being the workspace folder's name" in help_text
    assert cli.main(["init", "--course", str(EXAMPLE), str(tmp_path / "my-ws")]) == 0
    assert "with 1 exercise file." in capsys.readouterr().out
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert cli.main(["submit", "--workspace", str(tmp_path / "my-ws")]) == 0
    archive = tmp_path / "elsewhere" / "my-ws.tar.gz"
    assert f"Packed 1 exercise file into {archive}" in capsys.readouterr().out
    with tarfile.open(archive) as bundle:
        assert bundle.getnames() == ["exercises/relu.py"]  # the layout docs/authoring.md describes


@pytest.mark.parametrize(("count", "lang", "expected"), [
    (1, "en", "1 lesson"), (2, "en", "2 lessons"), (0, "en", "0 lessons"), (1, "zh", "1 节课程"), (2, "zh", "2 节课程")])
def test_counted_nouns_agree_with_their_number(count, lang, expected):
    assert counted(count, "lesson", lang) == expected
