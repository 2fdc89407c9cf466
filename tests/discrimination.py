"""Shared helpers for the content tests that prove each check discriminates.

For an exercise: the untouched stub fails, the reference solution passes, typical wrong implementations fail on
the test aimed at their mistake with a meaningful feedback code, and correct implementations written differently
from the reference pass. The `course` and `grade_source` fixtures come from tests/conftest.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
