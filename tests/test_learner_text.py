"""Learner text is data, never control: every writer makes it safe for its medium (dlquest/safe_text.py).

A submission raises `ValueError("boom \\x00\\x1b[31mred\\x1b[0m \\x07\\x1b]0;title\\x07 end")`, prints escape
sequences and Markdown fences, and sits in a folder named `=HYPERLINK("x")`. Each writer gets that text and its
result is read back with a real parser: ElementTree for junit.xml, markdown-it for feedback/<student>.md, csv
for the gradebook, json for results.json and Gradescope's results.json; the terminal and the app show the
escape sequences as text (`\\x1b`) and never send one.

Before, the same text went raw into the terminal (recolouring it and setting its title), into the feedback
file, and into junit.xml, which ElementTree then refused ("not well-formed (invalid token)").
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hostile_text import CONTROL, HOSTILE, PERCEPTRON_RAISES, PRINTED, SHOWN, STUDENT, WORSE
from markdown_it import MarkdownIt

import dlquest
from dlquest import safe_text
from dlquest.grader import reports
from dlquest.grader.records import Feedback, GradeRecord, TestResult
from dlquest.render import record_lines


def hostile_record(exercise: str = "perceptron") -> GradeRecord:
    failing = TestResult("test_learns_separable_data", "failed",
                         [Feedback("exception", {"type": "ValueError", "message": WORSE, "file": "perceptron.py",
                                                 "line": 9, "source": "raise ValueError(HOSTILE)"})],
                         0.1, "cpu", PRINTED)
    mismatch = TestResult("test_follows_the_rule_sample_by_sample", "failed",
                          [Feedback("value_differs", {"what": "after fit", "expected": "1", "got": WORSE})],
                          0.1, "cpu", "")
    passing = TestResult("test_predict_gives_one_on_the_boundary", "passed", [], 0.1, "cpu", "")
    return GradeRecord(exercise=exercise, outcome="failed", tests=[failing, mismatch, passing],
                       started_at=time.time(), duration=0.3, devices=["cpu"], source_sha256="", check_sha256="",
                       grader_version=dlquest.__version__, torch_version=None)


def missing_record(exercise: str) -> GradeRecord:
    return GradeRecord(exercise=exercise, outcome="error", tests=[], started_at=time.time(), duration=0.0,
                       devices=[], source_sha256="", check_sha256="", grader_version=dlquest.__version__,
                       torch_version=None,
                       problem=Feedback("missing_file", {"file": f"/tmp/dlquest-grading/ghost-x1/exercises/{exercise}.py",
                                                         "exercise": exercise}))


def assert_no_control(text: str) -> None:
    found = [c for c in CONTROL if c in text]
    assert not found, found


# --- the helper ----------------------------------------------------------------------------------------
def test_visible_shows_every_control_character_as_an_escape():
    assert safe_text.visible(HOSTILE) == SHOWN
    shown = safe_text.visible(WORSE + "\n\tnext line")
    assert_no_control(shown)
    assert "\\x9b2J" in shown and "\\u202eevil" in shown and "\\ud800" in shown and "\\r FAKE" in shown
    assert shown.endswith("\n\tnext line")  # newlines and tabs are kept; on one line they are not
    assert safe_text.one_line("a\nb\tc") == "a\\nb\\tc"
    assert safe_text.visible(shown) == shown  # already safe text stays as it is
    shown.encode("utf-8")  # a lone surrogate cannot be encoded; its escape can


def test_xml_text_is_always_well_formed_xml():
    every_code_point = "".join(map(chr, range(0x0, 0x3000))) + "\ud800\udfff\ufffe\uffff\U0001f600"
    root = ElementTree.Element("r", attribute=safe_text.xml_text(every_code_point))
    root.text = safe_text.xml_text(every_code_point)
    parsed = ElementTree.fromstring(ElementTree.tostring(root, encoding="utf-8"))
    assert parsed.text == safe_text.xml_text(every_code_point)


@pytest.mark.parametrize("text", [PRINTED, "```", "````\n`````", "~~~\n~~~", "x\n```\ny", "`" * 40])
def test_a_markdown_block_holds_the_text_whatever_fences_it_contains(text):
    tokens = MarkdownIt("commonmark").parse(safe_text.markdown_block(text) + "\n\nafter")
    assert [t.type for t in tokens][:1] == ["fence"]
    assert tokens[0].content == safe_text.visible(text) + "\n"
    assert [t.content for t in tokens if t.type == "inline"] == ["after"]


def test_markdown_inline_is_shown_as_written():
    text = '=HYPERLINK("x") <script>alert(1)</script> *bold* [link](javascript:x) `code` # \\ & &amp;'
    html = MarkdownIt("commonmark").render("# " + safe_text.markdown_inline(text))
    tokens = MarkdownIt("commonmark").parse("# " + safe_text.markdown_inline(text))
    inline = next(t for t in tokens if t.type == "inline")
    assert [c.type for c in inline.children] == ["text"] * len(inline.children)
    assert "".join(c.content for c in inline.children) == text
    assert "<script>" not in html and "<em>" not in html and "<a " not in html and "<code>" not in html


@pytest.mark.parametrize("cell", [STUDENT, "+1+1", "-2+3", "@SUM(A1)", "  =1+1", "\uff1d1+1", "=1\n=2", "\t=1",
                                  "\r=1"])
def test_a_csv_cell_is_never_a_formula(cell):
    shown = safe_text.csv_cell(cell)
    assert isinstance(shown, str) and not shown.lstrip(" ").startswith(("=", "+", "-", "@", "\uff1d"))
    assert "\n" not in shown and "\t" not in shown and "\r" not in shown
    assert safe_text.csv_cell(2.5) == 2.5 and safe_text.csv_cell("ana") == "ana"


def test_json_text_is_strict_json_and_carries_the_text_unchanged():
    value = {"message": WORSE, "nan": float("nan"), "inf": float("-inf")}
    text = safe_text.json_text(value)
    assert_no_control(text)
    back = json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
    assert back == {"message": WORSE, "nan": "nan", "inf": "-inf"}
    loose = json.loads(safe_text.json_text(value, strict=False))
    assert loose["message"] == WORSE and loose["nan"] != loose["nan"]


# --- every writer ----------------------------------------------------------------------------------------
@pytest.fixture
def class_reports(tmp_path, course) -> Path:
    """The reports of a class of two: the hostile student, and one whose submission matches no exercise."""
    out = tmp_path / "grades"
    results = {STUDENT: [hostile_record()], "ghost": [missing_record("perceptron"), missing_record("conv2d")]}
    reports.write_all(out, course, results, ["perceptron", "conv2d"])
    return out


def test_no_report_holds_a_control_character_or_a_grading_path(class_reports):
    files = [path for path in class_reports.rglob("*") if path.is_file()]
    assert len(files) == 7
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert_no_control(text)
        assert "dlquest-grading" not in text and "dlquest reset" not in text, path


def test_junit_xml_parses_and_keeps_the_message(class_reports):
    suites = ElementTree.parse(class_reports / "junit.xml").getroot()
    names = [suite.get("name") for suite in suites.iter("testsuite")]
    assert names == [f"{STUDENT}.perceptron", "ghost.perceptron", "ghost.conv2d"]
    failure = suites.find("testsuite/testcase/failure")
    assert SHOWN in failure.get("message") and SHOWN in failure.text
    assert "</failure>]]> <script>x</script>" in failure.text  # markup in the text is text
    assert "\\x1b[2J" in suites.find("testsuite/testcase/system-out").text
    missing = suites.find("testsuite[@name='ghost.perceptron']/testcase/error")
    assert missing.text == "no file for exercise perceptron in this submission (expected exercises/perceptron.py)"


def test_the_feedback_file_parses_as_the_markdown_it_was_meant_to_be(class_reports):
    text = (class_reports / "feedback" / f"{STUDENT}.md").read_text(encoding="utf-8")
    tokens = MarkdownIt("commonmark").parse(text)
    assert [t.type for t in tokens if t.type.endswith("_open") or t.type == "fence"] == [
        "heading_open", "paragraph_open", "heading_open", "fence"]  # nothing printed opened anything
    assert not [t for t in tokens if t.type.startswith("html")]
    title = next(t for t in tokens if t.type == "inline")
    assert "".join(c.content for c in title.children) == f"Feedback for {STUDENT}"
    block = next(t for t in tokens if t.type == "fence").content
    assert SHOWN in block and "# not a heading" in block and "````` still in the block" in block
    assert block == safe_text.visible("\n".join(record_lines(hostile_record(), "en"))) + "\n"


def test_the_gradebook_has_no_formula(class_reports):
    rows = list(csv.reader((class_reports / "gradebook.csv").open(encoding="utf-8", newline="")))
    assert rows[0] == ["student", "perceptron", "conv2d", "total"]
    assert [row[0] for row in rows[2:]] == ["'" + STUDENT, "ghost"]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_results_json_carries_the_learner_text_as_json(class_reports):
    results = json.loads((class_reports / "results.json").read_text(encoding="utf-8"))
    assert results[STUDENT][0]["tests"][0]["feedback"][0]["values"]["message"] == WORSE
    assert results[STUDENT][0]["tests"][0]["output"] == PRINTED
    # A missing file is named as it is in a submission, never by the folder it was graded in.
    assert results["ghost"][0]["problem"]["values"]["file"] == "exercises/perceptron.py"
    gradescope = json.loads((class_reports / "gradescope" / STUDENT / "results.json").read_text(encoding="utf-8"))
    assert gradescope["output_format"] == gradescope["test_output_format"] == "text"
    assert SHOWN in gradescope["tests"][0]["output"] and gradescope["tests"][0]["output_format"] == "text"


def test_instructor_reports_name_a_missing_file_and_warn_of_a_submission_that_matches_nothing(class_reports,
                                                                                              course):
    ghost = (class_reports / "feedback" / "ghost.md").read_text(encoding="utf-8")
    assert "no file for exercise perceptron in this submission (expected exercises/perceptron.py)" in ghost
    assert "no file for exercise conv2d in this submission" in ghost
    assert "your file" not in ghost and "/tmp" not in ghost
    warning = next(t for t in MarkdownIt("commonmark").parse(ghost) if t.type == "inline" and "warning" in t.content)
    assert "holds a file for none of the 2 exercises graded" in "".join(c.content for c in warning.children)
    hostile = (class_reports / "feedback" / f"{STUDENT}.md").read_text(encoding="utf-8")
    assert "warning" not in hostile
    assert reports.unmatched({STUDENT: [hostile_record()], "ghost": [missing_record("conv2d")],
                              "half": [hostile_record(), missing_record("conv2d")]}) == ["ghost"]
    gradescope = json.loads((class_reports / "gradescope" / "ghost" / "results.json").read_text(encoding="utf-8"))
    assert gradescope["tests"][0]["output"].startswith("no file for exercise perceptron in this submission")


def test_report_files_named_by_a_student_id_carry_no_control_character(tmp_path, course):
    student = "\x1b]0;owned\x07eve\nbob"
    reports.write_all(tmp_path, course, {student: [hostile_record()]}, ["perceptron"])
    names = sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*") if path.is_file())
    assert names == ["feedback/\\x1b]0;owned\\x07eve\\nbob.md", "gradebook.csv",
                     "gradescope/\\x1b]0;owned\\x07eve\\nbob/results.json", "junit.xml", "results.json"]
    assert json.loads((tmp_path / "results.json").read_text(encoding="utf-8")).keys() == {student}


def test_feedback_follows_the_language_asked_for(tmp_path, course):
    results = {"ana": [hostile_record()], "ghost": [missing_record("perceptron")]}
    reports.write_all(tmp_path / "zh", course, results, ["perceptron"], "zh")
    reports.write_all(tmp_path / "en", course, results, ["perceptron"], "en")
    zh = (tmp_path / "zh" / "feedback" / "ana.md").read_text(encoding="utf-8")
    en = (tmp_path / "en" / "feedback" / "ana.md").read_text(encoding="utf-8")
    assert "ana 的反馈" in zh and "总分" in zh and "未通过" in zh and "你的代码抛出了 ValueError" in zh
    assert "Feedback for ana" in en and "Total:" in en and "your code raised ValueError" in en
    assert "your code" not in zh and "反馈" not in en
    assert "本次提交中没有练习 perceptron 的文件" in (tmp_path / "zh" / "feedback" / "ghost.md").read_text(encoding="utf-8")
    gradescope = json.loads((tmp_path / "zh" / "gradescope" / "ana" / "results.json").read_text(encoding="utf-8"))
    assert "你的代码抛出了" in gradescope["tests"][0]["output"] and "未通过" in gradescope["output"]
    # Read by programs, the gradebook and JUnit stay the same in every language.
    for name in ("gradebook.csv", "junit.xml"):
        assert (tmp_path / "zh" / name).read_bytes() == (tmp_path / "en" / name).read_bytes()


def test_the_record_as_json_is_safe_to_print_and_reads_back():
    record = hostile_record()
    text = record.to_json()
    assert_no_control(text)
    assert GradeRecord.from_dict(json.loads(text)).tests[0].feedback[0].values["message"] == WORSE


def test_the_results_panel_shows_escape_sequences_as_text():
    import asyncio

    from textual.app import App, ComposeResult
    from textual.widgets import Static

    from dlquest.tui.widgets.results import ResultsPanel

    class Host(App):
        def compose(self) -> ComposeResult:
            yield ResultsPanel()

    async def scenario() -> None:
        async with Host().run_test() as pilot:
            panel = pilot.app.query_one(ResultsPanel)
            for lang in ("en", "zh"):
                panel.show_status(f"the grader stopped: {WORSE}")
                status = str(panel.query_one("#results-status", Static).content)
                panel.show_record(hostile_record(), lang)
                tests = str(panel.query_one("#results-tests", Static).content)
                assert_no_control(status + tests)
                assert SHOWN in status and SHOWN in tests and "\\x1b[2J" in tests

    asyncio.run(scenario())


# --- the real thing: a submission that raises and prints such text ---------------------------------------
def test_dlquest_check_never_sends_the_learner_escape_sequences_to_the_terminal(workspace, run_dlquest):
    (workspace.root / "exercises" / "perceptron.py").write_text(PERCEPTRON_RAISES)
    result = run_dlquest("check", "perceptron", cwd=workspace.root)
    assert result.returncode == 1
    assert_no_control(result.stdout + result.stderr)
    assert SHOWN in result.stdout and "\\x1b[2J" in result.stdout
    as_json = run_dlquest("check", "perceptron", "--json", cwd=workspace.root)
    assert_no_control(as_json.stdout)
    message = json.loads(as_json.stdout, parse_constant=pytest.fail)["tests"][0]["feedback"][0]["values"]["message"]
    # JSON carries the learner's text exactly, but for the lone surrogate: not text, and no store can hold it.
    assert message == WORSE.replace("\ud800", "\ufffd")


def test_the_gradescope_autograder_gives_feedback_in_the_language_it_was_built_with(tmp_path, course):
    import shlex
    import zipfile

    from dlquest.cli import build_parser
    from dlquest.grader import gradescope

    gradescope.build(course, ["perceptron"], tmp_path / "ag.zip", "zh")
    with zipfile.ZipFile(tmp_path / "ag.zip") as bundle:
        script = bundle.read("run_autograder").decode()
    command = shlex.split(script.split("exec python3 -m dlquest", 1)[1].replace("\\\n", " "))
    args = build_parser().parse_args(command)
    assert args.handler.__name__ == "cmd_gradescope_run" and args.lang == "zh" and args.exercises == "perceptron"


def test_the_report_and_frame_messages_say_the_same_in_both_languages():
    from string import Formatter

    from dlquest.i18n import MESSAGES

    keys = [key for key in MESSAGES if key.startswith(("report.", "fb.frame_"))]
    assert len(keys) >= 15
    for key in keys:
        fields = [{name for _, name, _, _ in Formatter().parse(MESSAGES[key][lang]) if name} for lang in ("en", "zh")]
        assert fields[0] == fields[1], key


def test_an_exception_whose_str_raises_is_still_reported():
    from dlquest.safe_text import exception_text

    class Hostile(Exception):
        def __str__(self):
            raise RuntimeError("no message for you")

    assert exception_text(ValueError("boom")) == "boom"
    assert exception_text(Hostile()) == "<unprintable>"
