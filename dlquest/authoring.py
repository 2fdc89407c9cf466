"""`dlquest course check`: prove a course is sound.

The manifest has already validated when this runs (loading it does that). Then, for every exercise, the
check must load, the reference solution must pass it, and the untouched stub must fail it for the intended
reason: the stub loads cleanly (a learner starts from it) and its tests fail with a verdict, not with an
error of the check. A check that a stub passes judges nothing; a solution that fails means the check or the
solution is wrong. Optionally every lesson's example must run and exit 0.

Every fault is worded for the author: what is wrong, the exception, and the file, line and source line it
points at (the check's, the solution's or the stub's), never pytest's own frames.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeGuard

from dlquest.course import Course, Exercise
from dlquest.grader.records import ERROR, FAILED, PASSED, Feedback, GradeRecord, TestResult
from dlquest.render import feedback_text

EXAMPLE_TIMEOUT = 120


@dataclass(frozen=True)
class Problem:
    """One fault of a course, for its author: where (`item`), what (`text`, may span lines) and the same as
    data (`details`: kind, file, line, source, test, type, message, … as they apply) for `--json`."""

    item: str
    text: str
    details: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.item}: {self.text}"

    def to_dict(self) -> dict:
        return {"item": self.item, "text": self.text, **self.details}


def check_course(course: Course, *, run_examples: bool = False,
                 progress: Callable[[str], None] = lambda line: None) -> list[Problem]:
    from dlquest.quiz import check_quiz

    problems: list[Problem] = []
    for quiz in course.quizzes.values():  # judged in this process: no grading, milliseconds each
        details = {"kind": "quiz_invalid", "quiz": quiz.id, "file": str(quiz.questions)}
        found = [Problem(f"quiz {quiz.id!r}", text, dict(details)) for text in check_quiz(course, quiz)]
        problems += found
        progress(f"{'BAD' if found else 'ok '} concept check {quiz.id}")
    for exercise in course.exercises.values():
        found, summary = check_exercise(course, exercise)
        problems += found
        progress(f"{'BAD' if found else 'ok '} exercise {exercise.id}: {summary}")
    if run_examples:
        for lesson in course.lessons.values():
            if lesson.example is None:
                continue
            problem = run_example(course.path(lesson.example))
            progress(f"{'ok ' if problem is None else 'BAD'} example of lesson {lesson.id}")
            if problem:
                problems.append(Problem(f"lesson {lesson.id!r}", f"example {lesson.example} {problem}",
                                        {"kind": "example_fails", "lesson": lesson.id, "file": str(lesson.example)}))
    return problems


def check_exercise(course: Course, exercise: Exercise) -> tuple[list[Problem], str]:
    """The faults of one exercise, and a one-line summary of what its solution and stub did."""
    from dlquest.grader.grade import grade

    item = f"exercise {exercise.id!r}"
    problems: list[Problem] = []
    # An exercise that builds on earlier ones is judged with their solutions in place of the learner's files, for
    # the stub as for the solution: the stub must fail on its own tests, not because the used stubs fail.
    used = {used_id: course.path(course.exercise(used_id).solution) for used_id in exercise.uses}
    solution = grade(course, exercise, course.path(exercise.solution), used_files=used)
    if _is_check_fault(solution.problem):
        # The check does not load (or runs no test): the stub would meet the same error.
        problems.append(_check_fault(item, exercise, solution.problem, []))
        return problems, ("the check runs no test" if solution.problem.values.get("type") == "no tests"
                          else "the check does not load")
    problems += _test_faults(item, exercise, solution, "grading the reference solution")
    if solution.outcome != PASSED and not problems:
        failed = [t for t in solution.tests if t.outcome != PASSED]
        problems.append(Problem(item, f"the reference solution {exercise.solution} does not pass {exercise.check}:"
                                + _indent("\n".join(_failure_lines(failed, exercise.solution)[:20])),
                                {"kind": "solution_fails", "exercise": exercise.id, "file": str(exercise.solution),
                                 "tests": [t.test for t in failed], "failures": _failures(failed, exercise.solution)}))
    summary = f"solution {solution.outcome} ({_count(len(solution.tests), 'test')}, {solution.duration:.1f}s)"

    load_problem = stub_load_problem(course, exercise)
    if load_problem is not None:
        problems.append(load_problem)
        return problems, summary + ", stub does not load"
    stub = grade(course, exercise, course.path(exercise.stub), used_files=used)
    seen = {_fault_key(p) for p in problems}
    problems += [p for p in _test_faults(item, exercise, stub, "grading the stub") if _fault_key(p) not in seen]
    if stub.outcome == PASSED:
        problems.append(Problem(item, f"the stub {exercise.stub} passes its check {exercise.check}: a check that "
                                "the untouched stub passes judges nothing; it must fail",
                                {"kind": "stub_passes", "exercise": exercise.id, "file": str(exercise.stub)}))
    elif stub.outcome == ERROR and stub.problem is not None and not _is_check_fault(stub.problem):
        problems.append(Problem(item, f"the stub {exercise.stub} could not be graded: "
                                + feedback_text(stub.problem, "en"),
                                {"kind": "stub_not_graded", "exercise": exercise.id, "file": str(exercise.stub),
                                 **_plain(stub.problem.values)}))
    failing = sum(1 for t in stub.tests if t.outcome == FAILED)
    return problems, summary + f", stub {stub.outcome} ({failing} of {_count(len(stub.tests), 'test')} failed)"


def stub_load_problem(course: Course, exercise: Exercise) -> Problem | None:
    """A fault when the stub does not load as a learner's file would: it does not parse, or importing it raises
    (an import of a missing module, a name used before it is defined, …). None when it loads."""
    from dlquest.grader.sandbox import Limits, ProbeSession

    item = f"exercise {exercise.id!r}"
    path = course.path(exercise.stub)
    source = path.read_text(encoding="utf-8", errors="replace")
    try:
        compile(source, str(path), "exec", dont_inherit=True)
    except SyntaxError as err:
        details = {"kind": "stub_does_not_load", "exercise": exercise.id, "type": type(err).__name__,
                   "message": err.msg, "file": str(exercise.stub), "line": err.lineno or 0,
                   "source": (err.text or "").strip()}
        return Problem(item, f"the stub {exercise.stub} does not parse: {type(err).__name__}: {err.msg}; "
                       + _STARTS_FROM + _indent(_where(details)), details)
    with ProbeSession(path, limits=Limits(wall_time=exercise.timeout), module_name="learner") as session:
        result = session.call(loads)
    if result.ok or result.feedback is None:
        return None
    details = {"kind": "stub_does_not_load", "exercise": exercise.id, **_plain(result.feedback.values)}
    if "line" in details:
        details["file"] = str(exercise.stub)
    return Problem(item, f"the stub {exercise.stub} does not load: {author_reason(result.feedback)}; "
                   + _STARTS_FROM + _indent(_where(details)), details)


_STARTS_FROM = "a learner starts from this file, so it must load cleanly and fail only when its code is called"


def loads(module: object) -> None:
    """The probe that only loads the module (a session loads it before any probe runs)."""
    return None


def _failures(tests: list[TestResult], path: Path) -> list[dict]:
    """The failing tests' feedback as data for --json: each failure once, with the tests it happened in."""
    alike: dict[str, dict] = {}
    for test in tests:
        for feedback in test.feedback:
            values = _plain(feedback.values)
            if values.get("line") and feedback.code in _RAISED:
                values["file"] = str(path)
            entry = alike.setdefault(repr((feedback.code, sorted(values.items()))),
                                     {"code": feedback.code, **values, "tests": []})
            entry["tests"].append(test.test)
    return list(alike.values())


def _failure_lines(tests: list[TestResult], path: Path) -> list[str]:
    """Each failing test of the reference solution and why, in the author's terms ("your code raised" is the
    learner's wording), with the solution's own line where it raised."""
    lines: list[str] = []
    alike: dict[tuple, list[str]] = {}  # the same failure in several tests is shown once
    for test in tests:
        alike.setdefault(tuple((f.code, repr(sorted(f.values.items()))) for f in test.feedback), []).append(test.test)
    shown = {test.test: test for test in tests}
    for names in alike.values():
        lines.append(", ".join(names) + ":")
        for feedback in shown[names[0]].feedback:
            if feedback.code in _RAISED:
                lines.append(f"  {author_reason(feedback)}")
                if feedback.values.get("line"):
                    lines.append(f"    {_where({**feedback.values, 'file': str(path)})}")
                elif feedback.code in ("exception", "not_implemented"):
                    lines.append(f"    raised outside {path}: in the check's probe, or in a library it calls")
            else:
                lines.extend("  " + line for line in feedback_text(feedback, "en").splitlines())
    return lines


_RAISED = ("exception", "not_implemented", "system_exit", "syntax_error", "timeout", "memory", "exited", "killed",
           "forbidden")


def author_reason(feedback: Feedback) -> str:
    """What a module's failure in the sandbox was, in the author's terms (the learner's texts say "your code")."""
    values = feedback.values
    if "type" in values and feedback.code in ("exception", "not_implemented", "system_exit"):
        return f"{values['type']}: {values.get('message', '')}".rstrip(": ")
    return {
        "syntax_error": f"SyntaxError: {values.get('message', '')}",
        "timeout": f"it did not finish within {values.get('seconds', '?')} s",
        "memory": "it ran out of memory",
        "exited": f"it ended the process (exit status {values.get('status', '?')})",
        "killed": f"its process was killed by signal {values.get('signal', '?')} ({values.get('name', '')})",
        "forbidden": f"it called {values.get('op', '?')}, which the check forbids",
    }.get(feedback.code, feedback.code)


# --- faults of the check and of the reference, found in a grading's records ---------------------------------
def _is_check_fault(feedback: Feedback | None) -> TypeGuard[Feedback]:
    return feedback is not None and feedback.code == "check_error"


def _test_faults(item: str, exercise: Exercise, record: GradeRecord, during: str) -> list[Problem]:
    """One problem per distinct error of the check (or failure of the reference) in `record`'s tests, naming
    every test it happened in."""
    grouped: dict[tuple, tuple[Feedback, list[str]]] = {}
    for test in record.tests:
        for feedback in test.feedback:
            if feedback.code in ("check_error", "reference_failed"):
                key = (feedback.code, *(str(feedback.values.get(k)) for k in ("type", "message", "file", "line")))
                grouped.setdefault(key, (feedback, []))[1].append(test.test)
    problems = []
    for feedback, tests in grouped.values():
        if feedback.code == "check_error":
            problems.append(_check_fault(item, exercise, feedback, tests, during))
        else:
            problems.append(_reference_fault(item, exercise, feedback, tests))
    return problems


def _check_fault(item: str, exercise: Exercise, feedback: Feedback, tests: list[str], during: str = "") -> Problem:
    values = _plain(feedback.values)
    details = {"kind": "check_error", "exercise": exercise.id, **values, "tests": tests}
    error = f"{values.get('type', 'error')}: {values.get('message', '')}"
    if not tests:  # it broke while loading: no test ran
        if values.get("type") == "no tests":
            text = f"the check {exercise.check} runs no test: {values.get('message', '')}"
        else:
            text = f"the check {exercise.check} does not load: {error}"
    else:
        phase = {"setup": " while setting it up", "teardown": " while tearing it down"}.get(
            str(values.get("phase")), "")
        text = f"the check {exercise.check} fails in {_names(tests)}{phase}{f' ({during})' if during else ''}: {error}"
    return Problem(item, text + _indent(_where(values)), details)


def _reference_fault(item: str, exercise: Exercise, feedback: Feedback, tests: list[str]) -> Problem:
    values = _plain(feedback.values)
    reason = author_reason(Feedback(str(values.get("reason", "")), values))
    details = {"kind": "solution_fails", "exercise": exercise.id, **values, "tests": tests}
    return Problem(item, f"the reference solution {exercise.solution} fails {_names(tests)}: {reason}"
                   + _indent(_where(values)), details)


def _fault_key(problem: Problem) -> tuple:
    d = problem.details
    return d.get("kind"), *(str(d.get(k)) for k in ("type", "message", "file", "line"))


def _where(values: dict) -> str:
    if not values.get("line"):
        return f"in {values['file']}" if values.get("file") else ""
    source = values.get("source") or ""
    return f"{values.get('file', '?')}, line {values['line']}" + (f": {source}" if source else "")


def _names(tests: list[str]) -> str:
    shown = ", ".join(tests[:4]) + (f" and {len(tests) - 4} more" if len(tests) > 4 else "")
    return ("test " if len(tests) == 1 else "tests ") + shown


def _plain(values: dict) -> dict:
    return {key: value for key, value in values.items() if isinstance(value, (str, int, float, bool))}


def _indent(text: str) -> str:
    return "".join("\n      " + line for line in text.splitlines())


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def run_example(script: Path) -> str | None:
    """Run an example as a learner would; None when it exits 0, else what went wrong."""
    with tempfile.TemporaryDirectory() as folder:
        try:
            done = subprocess.run([sys.executable, str(script)], cwd=folder, capture_output=True, text=True,
                                  timeout=EXAMPLE_TIMEOUT)
        except subprocess.TimeoutExpired:
            return f"did not finish within {EXAMPLE_TIMEOUT} s"
    if done.returncode != 0:
        return f"exited with status {done.returncode}: {done.stderr.strip()[-500:]}"
    return None
