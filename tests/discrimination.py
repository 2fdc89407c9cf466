"""The kit of the content tests that prove each check discriminates (a helper module, not a test module).

The four-way pattern, for every exercise: the untouched stub fails, the reference solution passes, typical wrong
implementations fail on the test aimed at their mistake with a meaningful feedback code, and correct
implementations written differently from the reference pass. A content module declares it once per exercise as
data, `CASES = {exercise_id: Cases(wrong=..., correct=...)}` (variants as small edits of the solution, with
`variant(solution_source(...), ...)`, or whole alternative files), and takes the generated tests:

    (test_stub_fails, test_solution_passes, test_wrong_implementation_fails,
     test_other_correct_implementation_passes) = four_way_tests(CASES)

The `course` and `grade_source` fixtures come from tests/conftest.py (which marks these tests `grading`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dlquest.course import BUNDLED_COURSE, load_course
from dlquest.grader.records import FAILED, PASSED
from dlquest.i18n import MESSAGES


@dataclass(frozen=True)
class Wrong:
    """A wrong submission, and how it must fail: test name -> the feedback code that test must report.

    With ``only=True`` exactly those tests fail (the mistake is caught precisely, nothing else is blamed).
    """

    source: str
    fails: dict[str, str] = field(default_factory=dict)
    only: bool = False


def summary(record) -> str:
    """One line per test, for assertion messages."""
    return "\n".join(f"  {t.test}: {t.outcome} {[(f.code, f.values) for f in t.feedback]}" for t in record.tests)


def assert_passes(record):
    assert record.outcome == PASSED, f"expected a pass, got {record.outcome} ({record.problem}):\n{summary(record)}"
    assert record.tests and not record.failed_tests


def assert_fails_as_expected(record, wrong: Wrong):
    assert record.outcome == FAILED, f"expected a fail, got {record.outcome} ({record.problem}):\n{summary(record)}"
    failed = {t.test: t for t in record.failed_tests}
    assert failed, summary(record)
    # Every failure explains itself with a feedback code the learner can be shown in any language.
    for test in failed.values():
        assert test.feedback, f"{test.test} failed without feedback"
        for feedback in test.feedback:
            assert f"fb.{feedback.code}" in MESSAGES, f"{test.test}: unknown feedback code {feedback.code!r}"
    # The tests aimed at this mistake fail, for the right reason.
    for name, code in wrong.fails.items():
        assert name in failed, f"{name} should fail:\n{summary(record)}"
        codes = [f.code for f in failed[name].feedback]
        assert code in codes, f"{name} should report {code!r}, reports {codes}:\n{summary(record)}"
    if wrong.only:
        assert set(failed) == set(wrong.fails), f"only {sorted(wrong.fails)} should fail:\n{summary(record)}"


def variant(source: str, *edits: tuple[str, str]) -> str:
    """`source` with each (old, new) replaced; every `old` must occur exactly once."""
    for old, new in edits:
        assert source.count(old) == 1, f"{old!r} occurs {source.count(old)} times"
        source = source.replace(old, new)
    return source


def stub_fails(course, grade_source, exercise_id):
    """The untouched stub fails every test, each with `not_implemented`."""
    exercise = course.exercises[exercise_id]
    record = grade_source(exercise_id, course.path(exercise.stub).read_text())
    assert_fails_as_expected(record, Wrong("", fails={t.test: "not_implemented" for t in record.tests}))
    assert len(record.failed_tests) == len(record.tests)


def solution_passes(course, grade_source, exercise_id):
    exercise = course.exercises[exercise_id]
    assert_passes(grade_source(exercise_id, course.path(exercise.solution).read_text()))


def load_solution(course, exercise_id):
    """The reference solution as a module, to compare it with PyTorch (or pandas) directly."""
    import importlib.util

    path = course.path(course.exercises[exercise_id].solution)
    spec = importlib.util.spec_from_file_location(f"solution_{exercise_id}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Cases:
    """The four-way pattern of one exercise, as data: its typical mistakes and its other correct versions."""

    wrong: dict[str, Wrong]
    correct: dict[str, str] = field(default_factory=dict)


def solution_source(exercise_id: str) -> str:
    """The bundled reference solution's source, the base that wrong variants edit."""
    exercise = load_course().exercises[exercise_id]
    return Path(BUNDLED_COURSE, exercise.solution).read_text(encoding="utf-8")


def four_way_tests(cases: dict[str, Cases]) -> tuple[Callable, Callable, Callable, Callable]:
    """The four tests of the pattern, parametrized over `cases` (bind them to test_* names in the module)."""
    exercises = list(cases)
    wrong = [(exercise, name) for exercise, case in cases.items() for name in case.wrong]
    correct = [(exercise, name) for exercise, case in cases.items() for name in case.correct]

    @pytest.mark.parametrize("exercise_id", exercises)
    def test_stub_fails(course, grade_source, exercise_id):
        stub_fails(course, grade_source, exercise_id)

    @pytest.mark.parametrize("exercise_id", exercises)
    def test_solution_passes(course, grade_source, exercise_id):
        solution_passes(course, grade_source, exercise_id)

    @pytest.mark.parametrize("exercise_id, name", wrong)
    def test_wrong_implementation_fails(grade_source, exercise_id, name):
        case = cases[exercise_id].wrong[name]
        assert_fails_as_expected(grade_source(exercise_id, case.source), case)

    @pytest.mark.parametrize("exercise_id, name", correct)
    def test_other_correct_implementation_passes(grade_source, exercise_id, name):
        assert_passes(grade_source(exercise_id, cases[exercise_id].correct[name]))

    return test_stub_fails, test_solution_passes, test_wrong_implementation_fails, \
        test_other_correct_implementation_passes
