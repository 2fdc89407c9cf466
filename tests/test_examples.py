"""The course as a whole: the example course of the authoring guide is sound, and every bundled exercise is
proven by the content tests.

`dlquest course check` on the bundled course would grade every stub and reference solution a second time: the
content tests (test_content_*.py, test_discrimination.py) already grade each one, through `four_way_tests`.
Instead, the test below proves that none is left out. Every lesson's example runs in test_lessons.py.
"""

from pathlib import Path

import pytest

EXAMPLE_COURSE = Path(__file__).resolve().parents[1] / "docs" / "example-course"


def test_the_authoring_guide_example_course_is_sound(run_dlquest, tmp_path):
    result = run_dlquest("course", "check", "--course", str(EXAMPLE_COURSE), cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is sound: 1 exercise" in result.stdout


def test_every_bundled_exercise_is_graded_by_the_content_tests(request, course):
    """The stub and the solution of each exercise are graded by a generated `test_stub_fails` and
    `test_solution_passes` of some content module, which is what `course check` would prove of it."""
    generated = {(item.originalname, item.callspec.params["exercise_id"]) for item in request.session.items
                 if item.originalname in ("test_stub_fails", "test_solution_passes")}
    if not generated:
        pytest.skip("the content tests were not collected in this run")
    for kind in ("test_stub_fails", "test_solution_passes"):
        missing = sorted(set(course.exercises) - {exercise for name, exercise in generated if name == kind})
        assert not missing, f"no {kind} for {missing}: give each a Cases entry in its content module"
