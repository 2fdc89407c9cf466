"""`dlquest course check` and `dlquest check` on copies of the authoring guide's example course with one thing
broken: the check (a syntax error, an import error, a runtime error in a test, …), the stub or the solution.

Each fault must reach the author as the author needs it (the exception, and the file, line and source line it
points at) and the learner as a course bug to report, never as pytest's frames or a Python dict.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dlquest.authoring import check_course
from dlquest.course import load_course
from dlquest.grader.grade import grade
from dlquest.render import record_lines

pytestmark = pytest.mark.grading

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "example-course"
CHECK, STUB, SOLUTION = "checks/test_relu.py", "exercises/relu.py", "solutions/relu.py"
# What pytest's own report of a collection error shows, and what a raw record would: never in a message.
NOISE = ("_pytest", "rewrite.py", "importtestmodule", "pluggy", "{'", "Traceback")


def broken_copy(tmp_path: Path, path: str, old: str, new: str, count: int = 1) -> Path:
    """A copy of the example course with `old` replaced by `new` in `path` (`count` times; -1: everywhere)."""
    root = tmp_path / "course"
    shutil.copytree(EXAMPLE, root)
    text = (root / path).read_text()
    assert old in text, f"the example course changed: {old!r} is no longer in {path}"
    (root / path).write_text(text.replace(old, new, count))
    return root


def line_of(root: Path, path: str, source: str) -> int:
    lines = (root / path).read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.strip() == source)


def line_with(root: Path, path: str, marker: str) -> tuple[int, str]:
    """The number and the stripped text of the line of `path` that holds `marker`."""
    lines = (root / path).read_text().splitlines()
    return next((number, line.strip()) for number, line in enumerate(lines, 1) if marker in line)


# (file, text replaced, replacement, what the author reads, a mark of the source line it points at)
CHECK_BREAKS = [
    pytest.param(CHECK, "def forward(module, device, x):", "def forward(module, device, x)",
                 "the check checks/test_relu.py does not load: SyntaxError: expected ':'",
                 "def forward(module, device, x)", id="check-syntax-error"),
    pytest.param(CHECK, "from dlquest.grader.checklib import ", "from dlquest.grader.checklib import expect_sam, ",
                 "the check checks/test_relu.py does not load: ImportError: cannot import name 'expect_sam'",
                 "import expect_sam, ", id="check-import-error"),
    pytest.param(CHECK, "import torch\n", "import torch\nimport nump\n",
                 "does not load: ModuleNotFoundError: No module named 'nump'", "import nump",
                 id="check-missing-module"),
    pytest.param(CHECK, "\n\ndef forward(", "\n\nSCALE = undefined_name\n\n\ndef forward(",
                 "does not load: NameError: name 'undefined_name' is not defined", "SCALE = undefined_name",
                 id="check-module-level-error"),
    pytest.param(CHECK, "import torch\n", "import torch\nimport sys\n\nsys.exit(3)\n",
                 "does not load: SystemExit: 3", "sys.exit(3)", id="check-exits-while-loading"),
    pytest.param(CHECK, "    expect_same(learner, reference, forward,",
                 "    x = [x][1]\n    expect_same(learner, reference, forward,",
                 "fails in test test_values[cpu] (grading the reference solution): IndexError: list index out of "
                 "range", "x = [x][1]", id="check-runtime-error-in-a-test"),
    pytest.param(CHECK, "def test_does_not_call_torch_relu(learner,", "def test_does_not_call_torch_relu(lerner,",
                 "fails in test test_does_not_call_torch_relu while setting it up (grading the reference solution): "
                 "FixtureLookupError: no fixture named 'lerner'; did you mean 'learner'?",
                 "def test_does_not_call_torch_relu(lerner, reference):", id="check-misspelt-fixture"),
]


@pytest.mark.parametrize(("path", "old", "new", "says", "marker"), CHECK_BREAKS)
def test_an_error_in_the_check_is_shown_to_the_author_and_to_the_learner(tmp_path, path, old, new, says, marker):
    root = broken_copy(tmp_path, path, old, new)
    line, source = line_with(root, path, marker)
    course = load_course(root)
    problems = check_course(course)
    assert len(problems) == 1, "\n".join(map(str, problems))  # said once, not again for the stub
    problem = problems[0]
    text = str(problem)
    assert text.startswith("exercise 'relu': ") and says in text, text
    assert f"{path}, line {line}: {source}" in text, text
    assert not any(noise in text for noise in NOISE), text
    assert {k: problem.details[k] for k in ("kind", "exercise", "file", "line", "source")} == {
        "kind": "check_error", "exercise": "relu", "file": path, "line": line, "source": source}
    assert problem.details["type"] in says

    # The learner, checking the untouched stub against that check: a course bug to report, with its place.
    exercise = course.exercises["relu"]
    record = grade(course, exercise, root / STUB, devices=["cpu"])
    faults = [f for f in ([record.problem] if record.problem else []) + [f for t in record.tests for f in t.feedback]
              if f.code == "check_error"]
    assert faults and all(f.values["file"] == path and f.values["line"] == line and f.values["source"] == source
                          for f in faults), record.to_json()
    for lang, says_bug in (("en", "the course has a bug in its check for relu; tell your instructor"),
                           ("zh", "课程中 relu 的检查代码有错误；请告诉你的老师")):
        shown = "\n".join(record_lines(record, lang))
        assert says_bug in shown and f"{path}" in shown and source in shown, shown
        assert not any(noise in shown for noise in NOISE), shown
    assert not any(noise in record.to_json() for noise in ("_pytest", "rewrite.py", "importtestmodule"))


def test_a_check_that_defines_no_test_is_a_fault(tmp_path):
    root = broken_copy(tmp_path, CHECK, "def test_", "def check_", count=-1)
    course = load_course(root)
    problems = check_course(course)
    assert [str(p) for p in problems] == [
        "exercise 'relu': the check checks/test_relu.py runs no test: it defines no test (a function test_…)"
        "\n      in checks/test_relu.py"]
    record = grade(course, course.exercises["relu"], root / STUB, devices=["cpu"])
    assert record_lines(record, "en") == ["the course has a bug in its check for relu; tell your instructor (not a "
                                          "problem in your code). The check runs no test."]
    assert record_lines(record, "zh") == ["课程中 relu 的检查代码有错误；请告诉你的老师（不是你的代码的问题）。"
                                          "检查代码没有运行任何测试。"]


STUB_BREAKS = [
    pytest.param("def relu(x):", "def relu(x)", "the stub exercises/relu.py does not parse: SyntaxError: expected ':'",
                 "def relu(x)", id="stub-syntax-error"),
    pytest.param("import torch\n", "import torch\nimport nump\n",
                 "the stub exercises/relu.py does not load: ModuleNotFoundError: No module named 'nump'",
                 "import nump", id="stub-import-error"),
    pytest.param("import torch\n", "import torch\nEPS = eps\n",
                 "the stub exercises/relu.py does not load: NameError: name 'eps' is not defined", "EPS = eps",
                 id="stub-module-level-error"),
]


@pytest.mark.parametrize(("old", "new", "says", "source"), STUB_BREAKS)
def test_a_stub_that_does_not_load_is_a_course_fault_not_a_failing_stub(tmp_path, old, new, says, source):
    root = broken_copy(tmp_path, STUB, old, new)
    line = line_of(root, STUB, source)
    lines = []
    problems = check_course(load_course(root), progress=lines.append)
    assert len(problems) == 1
    text = str(problems[0])
    assert says in text and "a learner starts from this file" in text, text
    assert f"{STUB}, line {line}: {source}" in text, text
    assert problems[0].details["kind"] == "stub_does_not_load" and problems[0].details["line"] == line
    [summary] = [line for line in lines if line.startswith("BAD exercise relu: ")]
    assert summary.startswith("BAD exercise relu: solution passed (") and summary.endswith(", stub does not load")


def test_a_check_that_crashes_on_the_stub_instead_of_failing_it_is_a_fault(tmp_path):
    """A stub that returns None, and a check that reads `.shape` of what came back: an error of the check (it
    must fail a wrong answer with a verdict), found only when grading the stub."""
    root = broken_copy(tmp_path, STUB, '    raise NotImplementedError("relu")', "    return None")
    check = (root / CHECK).read_text() + (
        "\n\ndef test_shape(learner, reference):\n"
        "    got = learner.run(forward, \"cpu\", torch.ones(2, 3))\n"
        "    assert tuple(got.shape) == (2, 3)\n")
    (root / CHECK).write_text(check)
    problems = check_course(load_course(root))
    assert [p.details["kind"] for p in problems] == ["check_error"], "\n".join(map(str, problems))
    text = str(problems[0])
    assert ("the check checks/test_relu.py fails in test test_shape (grading the stub): AttributeError: 'NoneType' "
            "object has no attribute 'shape'") in text, text
    assert f"{CHECK}, line {line_of(root, CHECK, 'assert tuple(got.shape) == (2, 3)')}: " in text


def test_a_stub_that_passes_is_a_fault(tmp_path):
    root = broken_copy(tmp_path, STUB, '    raise NotImplementedError("relu")',
                       "    return torch.where(x > 0, x, torch.zeros_like(x))")
    problems = check_course(load_course(root))
    assert [p.details["kind"] for p in problems] == ["stub_passes"]
    assert "the stub exercises/relu.py passes its check checks/test_relu.py" in str(problems[0])


def test_a_failing_reference_solution_is_shown_at_its_own_line(tmp_path):
    root = broken_copy(tmp_path, SOLUTION, "    return torch.where", "    scale = 1 / 0\n    return torch.where")
    line = line_of(root, SOLUTION, "scale = 1 / 0")
    problems = check_course(load_course(root))
    assert len(problems) == 1
    text = str(problems[0])
    assert "the reference solution solutions/relu.py does not pass checks/test_relu.py" in text
    assert "ZeroDivisionError: division by zero" in text and f"{SOLUTION}, line {line}: scale = 1 / 0" in text
    assert text.count("ZeroDivisionError") == 1, text  # the same failure in every test: said once
    [failure] = problems[0].details["failures"]
    assert {k: failure[k] for k in ("type", "message", "file", "line", "source")} == {
        "type": "ZeroDivisionError", "message": "division by zero", "file": SOLUTION, "line": line,
        "source": "scale = 1 / 0"}
    assert failure["tests"] == problems[0].details["tests"]
    assert "your code" not in text and not any(noise in text for noise in NOISE), text


def test_a_probe_that_raises_on_its_own_is_not_blamed_on_the_solution(tmp_path):
    root = broken_copy(tmp_path, CHECK, "    return module.relu(to_device(device, x))",
                       "    return module.relu(to_device(device, x)) * undefined_scale")
    problems = check_course(load_course(root))
    assert len(problems) == 1
    text = str(problems[0])
    assert "NameError: name 'undefined_scale' is not defined" in text
    assert "raised outside solutions/relu.py: in the check's probe, or in a library it calls" in text, text


def test_when_the_reference_fails_a_probe_the_learner_is_told_it_is_the_course(tmp_path):
    """The learner's code completes the probe; the reference does not: a course bug, never a raw dict."""
    root = broken_copy(tmp_path, SOLUTION, "    return torch.where", "    scale = 1 / 0\n    return torch.where")
    course = load_course(root)
    record = grade(course, course.exercises["relu"], EXAMPLE / SOLUTION, devices=["cpu"])
    faults = [f for t in record.tests for f in t.feedback if f.code == "reference_failed"]
    assert faults and faults[0].values["type"] == "ZeroDivisionError" and faults[0].values["file"] == SOLUTION
    shown = "\n".join(record_lines(record, "en"))
    assert "the course has a bug in its reference solution for relu; tell your instructor" in shown
    assert "ZeroDivisionError: division by zero" in shown and not any(noise in shown for noise in NOISE), shown


# --- the commands themselves: terminal and --json ---------------------------------------------------------
def test_course_check_and_check_show_a_syntax_error_in_the_terminal_and_in_json(tmp_path, run_dlquest):
    root = broken_copy(tmp_path, CHECK, "def forward(module, device, x):", "def forward(module, device, x)")
    line = line_of(root, CHECK, "def forward(module, device, x)")
    where = f"checks/test_relu.py, line {line}: def forward(module, device, x)"

    shown = run_dlquest("course", "check", "--course", str(root), cwd=tmp_path)
    assert shown.returncode == 1
    lines = shown.stdout.splitlines()
    assert "BAD exercise relu: the check does not load" in lines
    at = lines.index("  ✘ exercise 'relu': the check checks/test_relu.py does not load: SyntaxError: expected ':'")
    assert lines[at + 1:] == [f"      {where}", "Course An example course has 1 problem."]
    data = json.loads(run_dlquest("course", "check", "--course", str(root), "--json", cwd=tmp_path).stdout)
    assert data["sound"] is False and len(data["problems"]) == 1
    assert {k: data["problems"][0][k] for k in ("kind", "type", "message", "file", "line", "source")} == {
        "kind": "check_error", "type": "SyntaxError", "message": "expected ':'", "file": CHECK, "line": line,
        "source": "def forward(module, device, x)"}

    assert run_dlquest("init", "--course", str(root), "ws", cwd=tmp_path).returncode == 0
    checked = run_dlquest("check", "relu", cwd=tmp_path / "ws")
    assert checked.returncode == 1
    assert checked.stdout.splitlines()[1:3] == [
        "the course has a bug in its check for relu; tell your instructor (not a problem in your code). "
        "The check raised SyntaxError: expected ':'", f"  at {where}"]
    assert "hint" not in checked.stdout and not any(noise in checked.stdout + checked.stderr for noise in NOISE)
    record = json.loads(run_dlquest("check", "relu", "--json", cwd=tmp_path / "ws").stdout)
    assert record["outcome"] == "error" and record["problem"]["code"] == "check_error"
    assert record["problem"]["values"] | {"exercise": "relu"} == {
        "type": "SyntaxError", "message": "expected ':'", "file": CHECK, "line": line,
        "source": "def forward(module, device, x)", "phase": "load", "exercise": "relu"}


def test_check_names_the_test_and_the_line_of_a_runtime_error_in_the_check(tmp_path, run_dlquest):
    root = broken_copy(tmp_path, CHECK, "    expect_same(learner, reference, forward,",
                       "    x = [x][1]\n    expect_same(learner, reference, forward,")
    line = line_of(root, CHECK, "x = [x][1]")
    assert run_dlquest("init", "--course", str(root), "ws", cwd=tmp_path).returncode == 0
    checked = run_dlquest("check", "relu", "--device", "cpu", cwd=tmp_path / "ws", lang="zh")
    lines = checked.stdout.splitlines()
    at = next(i for i, text in enumerate(lines) if text.startswith("错误") and "test_values[cpu]" in text)
    assert lines[at + 1].strip() == ("课程中 relu 的检查代码有错误；请告诉你的老师（不是你的代码的问题）。"
                                     "检查代码抛出了 IndexError：list index out of range")
    assert lines[at + 2].strip() == f"位置：{CHECK} 第 {line} 行：x = [x][1]"
    record = json.loads(run_dlquest("check", "relu", "--json", "--device", "cpu", cwd=tmp_path / "ws").stdout)
    values = next(t for t in record["tests"] if t["test"] == "test_values[cpu]")["feedback"][0]["values"]
    assert (values["type"], values["test"], values["file"], values["line"], values["source"]) == (
        "IndexError", "test_values[cpu]", CHECK, line, "x = [x][1]")
