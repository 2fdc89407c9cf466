"""The manifest key `uses`: an exercise names earlier exercises whose files of the learner's own workspace the
grader loads beside it. These tests cover the manifest side (what a course may declare); the grading side is in
test_uses_grading.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_course import STRICT_MANIFEST, edit_manifest

from dlquest.course import ManifestError, load_course


@pytest.fixture
def course_root(tmp_path) -> Path:
    root = tmp_path / "uses"
    files = ["lessons/en/numpy-broadcasting.md", "lessons/zh/numpy-broadcasting.md", "lessons/en/convolution.md",
             "lessons/zh/convolution.md", "lessons/examples/numpy_broadcasting.py"]
    for name in ("perceptron", "conv2d", "pooling"):
        files += [f"exercises/{name}.py", f"solutions/{name}.py", f"checks/test_{name}.py"]
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("# a file of the test course\n", encoding="utf-8")
    (root / "lessons" / "course.toml").write_text(STRICT_MANIFEST, encoding="utf-8")
    return root


def faults(root: Path) -> list[str]:
    with pytest.raises(ManifestError) as err:
        load_course(root)
    return err.value.problems


def test_uses_an_earlier_exercise_loads_in_order(course_root):
    edit_manifest(course_root, 'requires = ["conv2d"]', 'requires = ["conv2d"]\nuses = ["conv2d"]')
    course = load_course(course_root)
    assert course.exercises["pooling"].uses == ("conv2d",)
    assert course.exercises["conv2d"].uses == ()


@pytest.mark.parametrize(
    "uses, expected",
    [
        ('uses = ["conv2dd"]', "exercise 'pooling': `uses` names 'conv2dd', which is no exercise of the course; "
                               "did you mean 'conv2d'?"),
        ('uses = ["pooling"]', "exercise 'pooling': `uses` names 'pooling', which comes after it"),
        ('uses = "conv2d"', "exercise 'pooling': `uses` must be a list of exercise ids"),
        ('usees = ["conv2d"]', "exercise 'pooling': unknown key 'usees'; did you mean 'uses'?"),
    ],
)
def test_a_bad_uses_is_a_manifest_fault_naming_the_fix(course_root, uses, expected):
    edit_manifest(course_root, 'requires = ["conv2d"]', f'requires = ["conv2d"]\n{uses}')
    problems = faults(course_root)
    assert any(expected in problem for problem in problems), problems


def test_uses_a_later_exercise_is_a_fault(course_root):
    edit_manifest(course_root, 'points = 20', 'points = 20\nuses = ["pooling"]')
    problems = faults(course_root)
    assert any("exercise 'conv2d': `uses` names 'pooling', which comes after it" in p for p in problems), problems
