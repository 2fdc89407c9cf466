"""`dlquest course check`: prove a course is sound.

The manifest has already validated when this runs (loading it does that). Then, for every exercise, the
reference solution must pass its check and the untouched stub must fail it: a check that a stub passes
judges nothing, and a solution that fails means the check or the solution is wrong. Optionally every
lesson's example must run and exit 0.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from dlquest.course import Course
from dlquest.grader.records import FAILED, PASSED
from dlquest.render import record_lines

EXAMPLE_TIMEOUT = 120


def check_course(course: Course, *, run_examples: bool = False,
                 progress: Callable[[str], None] = lambda line: None) -> list[str]:
    from dlquest.grader.grade import grade

    problems: list[str] = []
    for exercise in course.exercises.values():
        solution = grade(course, exercise, course.path(exercise.solution))
        if solution.outcome != PASSED:
            details = "\n      ".join(record_lines(solution, "en")[:20])
            problems.append(f"exercise {exercise.id!r}: the reference solution {exercise.solution} does not pass "
                            f"{exercise.check}:\n      {details}")
        stub = grade(course, exercise, course.path(exercise.stub))
        if stub.outcome != FAILED:
            problems.append(f"exercise {exercise.id!r}: the stub {exercise.stub} should fail its check, but its "
                            f"outcome is {stub.outcome!r}" + (f" ({stub.problem.code} {stub.problem.values})"
                                                              if stub.problem else ""))
        progress(f"{'ok ' if solution.outcome == PASSED and stub.outcome == FAILED else 'BAD'} exercise "
                 f"{exercise.id}: solution {solution.outcome} ({len(solution.tests)} tests, "
                 f"{solution.duration:.1f}s), stub {stub.outcome}")
    if run_examples:
        for lesson in course.lessons.values():
            if lesson.example is None:
                continue
            problem = run_example(course.path(lesson.example))
            progress(f"{'ok ' if problem is None else 'BAD'} example of lesson {lesson.id}")
            if problem:
                problems.append(f"lesson {lesson.id!r}: example {lesson.example} {problem}")
    return problems


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
