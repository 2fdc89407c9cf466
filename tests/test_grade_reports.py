"""`dlquest grade` over a hostile class: every report parses, none runs the learner's text, feedback comes in the
language asked for, and an instructor reads "no file for exercise X in this submission" (never a grading-time
path or advice meant for a learner), with a warning for a submission that matches no exercise at all.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hostile_text import CONTROL, PERCEPTRON_RAISES, SHOWN, STUDENT
from markdown_it import MarkdownIt

from dlquest.course import BUNDLED_COURSE

# Every test here grades a class with the real command.
pytestmark = [pytest.mark.grading, pytest.mark.slow]

FILE = "exercises/perceptron.py"


@pytest.fixture
def hostile_class(tmp_path) -> Path:
    folder = tmp_path / "submissions"
    (folder / STUDENT / "exercises").mkdir(parents=True)
    (folder / STUDENT / FILE).write_text(PERCEPTRON_RAISES)
    (folder / "ana" / "exercises").mkdir(parents=True)
    (folder / "ana" / FILE).write_text((BUNDLED_COURSE / "solutions" / "perceptron.py").read_text())
    (folder / "ghost" / "homework").mkdir(parents=True)  # another course's work: nothing of this one
    (folder / "ghost" / "homework" / "answer.py").write_text("print('hello')\n")
    return folder


def read_reports(out: Path) -> dict[str, str]:
    texts = {str(path.relative_to(out)): path.read_text(encoding="utf-8")
             for path in out.rglob("*") if path.is_file() and path.name != "results.jsonl"}
    for name, text in texts.items():
        assert not [c for c in CONTROL if c in text], name
        assert "dlquest-grading" not in text and "dlquest reset" not in text, name
    ElementTree.fromstring(texts["junit.xml"].encode())
    def not_json(constant: str) -> None:
        pytest.fail(f"{constant} is not JSON")

    for name, text in texts.items():
        if name.endswith(".json"):
            json.loads(text, parse_constant=not_json)
        if name.endswith(".md"):
            assert not [t for t in MarkdownIt("commonmark").parse(text) if t.type.startswith("html")]
    return texts


def test_a_hostile_class_gets_reports_that_parse_in_the_language_asked_for(hostile_class, tmp_path, workspace,
                                                                           run_dlquest):
    out = tmp_path / "grades"
    args = ("grade", str(hostile_class), "--exercises", "perceptron", "--out", str(out), "--workers", "1")
    zh = run_dlquest(*args, "--lang", "zh", cwd=tmp_path, lang="en")
    assert zh.returncode == 0, zh.stderr
    assert not [c for c in CONTROL if c in zh.stdout + zh.stderr]
    texts = read_reports(out)
    feedback = texts[f"feedback/{STUDENT}.md"]
    title = next(t for t in MarkdownIt("commonmark").parse(feedback) if t.type == "inline")
    assert "".join(c.content for c in title.children) == f"{STUDENT} 的反馈"
    assert "你的代码抛出了 ValueError" in feedback and SHOWN in feedback and "总分" in feedback
    assert "本次提交中没有练习 perceptron 的文件（应为 exercises/perceptron.py）" in texts["feedback/ghost.md"]
    assert "警告" in texts["feedback/ghost.md"] and "警告" not in texts["feedback/ana.md"]
    assert "ghost" in zh.stderr and "警告" in zh.stderr  # the warning at the end of the run, too
    rows = list(csv.reader(texts["gradebook.csv"].splitlines()))
    assert [row[0] for row in rows[2:]] == ["'" + STUDENT, "ana", "ghost"]
    assert [row[-1] for row in rows[2:]] == ["0.0", "10.0", "0.0"]
    junit = ElementTree.fromstring(texts["junit.xml"].encode())
    assert SHOWN in junit.find(f"testsuite[@name='{STUDENT}.perceptron']/testcase/failure").text
    assert (junit.find("testsuite[@name='ghost.perceptron']/testcase/error").text
            == "no file for exercise perceptron in this submission (expected exercises/perceptron.py)")
    gradescope = json.loads(texts[f"gradescope/{STUDENT}/results.json"])
    assert "你的代码抛出了" in gradescope["tests"][0]["output"] and SHOWN in gradescope["tests"][0]["output"]

    # The same grades, again, in English: nothing to grade, every report rewritten in the language asked for.
    en = run_dlquest(*args, "--lang", "en", cwd=tmp_path, lang="zh")
    assert en.returncode == 0 and "0 to grade" in en.stderr, en.stderr
    texts = read_reports(out)
    assert "Feedback for" in texts["feedback/ana.md"] and "总分" not in texts["feedback/ana.md"]
    assert ("no file for exercise perceptron in this submission (expected exercises/perceptron.py)"
            in texts["feedback/ghost.md"])
    assert "warning: submission ghost holds a file for none of the 1 exercises graded" in en.stderr

    # No --lang: the locale decides, as for every other command...
    default = run_dlquest(*args, cwd=tmp_path, lang="zh")
    assert default.returncode == 0
    assert "ana 的反馈" in (out / "feedback" / "ana.md").read_text(encoding="utf-8")
    # ...or, run in the instructor's workspace, the language saved there.
    workspace.set_setting("lang", "en")
    saved = run_dlquest(*args, cwd=workspace.root, lang="zh")
    assert saved.returncode == 0, saved.stderr
    assert "Feedback for ana" in (out / "feedback" / "ana.md").read_text(encoding="utf-8")
