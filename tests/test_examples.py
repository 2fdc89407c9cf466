"""Lesson examples run offline, as `dlquest run` runs them."""

import pytest

from dlquest.authoring import run_example


@pytest.mark.parametrize("lesson", ["perceptron-mlp", "convolution"])
def test_lesson_example_runs(course, lesson):
    assert run_example(course.path(course.lessons[lesson].example)) is None


def test_course_check_passes_on_the_bundled_course(course):
    from dlquest.authoring import check_course

    assert check_course(course) == []


def test_the_authoring_guide_example_course_is_sound():
    import subprocess
    import sys
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "docs" / "example-course"
    result = subprocess.run([sys.executable, "-m", "dlquest", "course", "check", "--course", str(example)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is sound: 1 exercises" in result.stdout
