"""Lesson examples run offline, as `dlquest run` runs them."""

import pytest

from dlquest.authoring import run_example


@pytest.mark.parametrize("lesson", ["perceptron-mlp", "convolution"])
def test_lesson_example_runs(course, lesson):
    assert run_example(course.path(course.lessons[lesson].example)) is None


def test_course_check_passes_on_the_bundled_course(course):
    from dlquest.authoring import check_course

    assert check_course(course) == []
