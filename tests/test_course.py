"""The manifest loader: the bundled course is valid and complete; broken manifests name file, entry and fault."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dlquest.course import BUNDLED_COURSE, LANGUAGES, ManifestError, UnknownItem, load_course


def test_bundled_course_loads_with_both_exercises(course):
    assert {"perceptron", "conv2d"} <= set(course.exercises)
    assert {"perceptron-mlp", "convolution"} <= set(course.lessons)
    assert [s.id for s in course.stages] == ["foundations", "getting-started", "intermediate", "specialisation"]


def test_every_bundled_exercise_has_three_hints_per_language(course):
    for exercise in course.exercises.values():
        assert len(exercise.hints) >= 3, exercise.id
        for hint in exercise.hints:
            for lang in LANGUAGES:
                assert hint.get(lang).strip(), (exercise.id, lang)


def test_every_bundled_lesson_has_both_languages_and_an_example(course):
    for lesson in course.lessons.values():
        for lang in LANGUAGES:
            assert course.path(lesson.pages[lang]).read_text(encoding="utf-8").strip()
        assert lesson.example is not None and course.path(lesson.example).is_file()


def test_unknown_exercise_suggests_the_closest_name(course):
    with pytest.raises(UnknownItem) as err:
        course.exercise("conv2")
    assert err.value.suggestions[0] == "conv2d"


@pytest.fixture
def course_copy(tmp_path):
    root = tmp_path / "course"
    for part in ("lessons", "exercises", "solutions", "checks", "data"):
        shutil.copytree(BUNDLED_COURSE / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def edit_manifest(root: Path, old: str, new: str) -> None:
    manifest = root / "lessons" / "course.toml"
    text = manifest.read_text(encoding="utf-8")
    assert old in text
    manifest.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_copy_of_the_course_loads_from_its_folder(course_copy):
    assert load_course(course_copy).root == course_copy.resolve()


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ('solution = "solutions/conv2d.py"', 'solution = "solutions/conv3d.py"',
         ["exercise 'conv2d'", "solutions/conv3d.py, which does not exist"]),
        ('id = "conv2d"', 'id = "perceptron"', ["exercise 'perceptron'", "duplicate id"]),
        ('requires = ["perceptron"]', 'requires = ["perceptorn"]',
         ["exercise 'conv2d'", "unknown prerequisite 'perceptorn'", "did you mean 'perceptron'"]),
        ('kind = "exercise"\nid = "perceptron"', 'kind = "exercize"\nid = "perceptron"',
         ["'perceptron'", 'kind = "lesson" or kind = "exercise"']),
        ('title = { en = "conv2d from scratch", zh = "从零实现 conv2d" }', 'title = { en = "conv2d from scratch" }',
         ["exercise 'conv2d'", "`title` has no text for zh"]),
        ('check = "checks/test_conv2d.py"\npoints = 20', 'check = "checks/test_conv2d.py"\npoints = -3',
         ["exercise 'conv2d'", "points = -3 must be a number >= 0"]),
        ('stub = "exercises/conv2d.py"', 'stub = "../../etc/passwd"', ["exercise 'conv2d'", "relative path inside"]),
        ("[course]", "[course\n", ["not valid TOML", "line"]),
    ],
)
def test_broken_manifest_names_file_entry_and_fault(course_copy, old, new, expected):
    edit_manifest(course_copy, old, new)
    with pytest.raises(ManifestError) as err:
        load_course(course_copy)
    message = str(err.value)
    assert str(course_copy / "lessons" / "course.toml") in message
    for fragment in expected:
        assert fragment in message


def test_every_fault_is_reported_at_once(course_copy):
    edit_manifest(course_copy, 'solution = "solutions/conv2d.py"', 'solution = "solutions/nope.py"')
    edit_manifest(course_copy, 'check = "checks/test_perceptron.py"', 'check = "checks/nope.py"')
    with pytest.raises(ManifestError) as err:
        load_course(course_copy)
    assert len(err.value.problems) == 2


def test_missing_course_folder_or_manifest(tmp_path):
    with pytest.raises(ManifestError, match="does not exist"):
        load_course(tmp_path / "nowhere")
    with pytest.raises(ManifestError, match="no manifest"):
        load_course(tmp_path)


GUIDES = '''
[[guides]]
id = "study-path"
title = { en = "The study path", zh = "学习路线" }
pages = { en = "lessons/en/path.md", zh = "lessons/zh/path.md" }
'''


def test_guides_load_in_order_with_their_pages(course_copy):
    for lang, text in (("en", "# The path\n"), ("zh", "# 路线\n")):
        (course_copy / "lessons" / lang / "path.md").write_text(text, encoding="utf-8")
    manifest = course_copy / "lessons" / "course.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + GUIDES, encoding="utf-8")
    course = load_course(course_copy)
    guide = course.guide("study-path")
    assert list(course.guides)[-1] == "study-path"
    assert guide.kind == "guide" and guide.example is None
    assert course.path(guide.pages["zh"]).read_text(encoding="utf-8") == "# 路线\n"
    with pytest.raises(UnknownItem) as err:
        course.guide("study-pth")
    assert err.value.suggestions == ["study-path"]


def test_a_broken_guide_is_reported_like_any_entry(course_copy):
    manifest = course_copy / "lessons" / "course.toml"
    broken = GUIDES.replace('id = "study-path"', 'id = "conv2d"').replace(', zh = "学习路线"', "")
    manifest.write_text(manifest.read_text(encoding="utf-8") + broken, encoding="utf-8")
    with pytest.raises(ManifestError) as err:
        load_course(course_copy)
    message = str(err.value)
    assert "guide 'conv2d': duplicate id" in message


def test_every_bundled_guide_is_terminal_markdown_in_both_languages(course):
    import re

    assert {"learning-path", "learning-resources", "practice-platforms", "open-source-projects", "faq",
            "career-paths"} <= set(course.guides)
    for guide in course.guides.values():
        for lang in LANGUAGES:
            text = course.path(guide.pages[lang]).read_text(encoding="utf-8")
            assert text.startswith("# ") and "\n## " in text, (guide.id, lang)
            assert not re.search(r"\$[^$\n]+\$|\\frac|<[a-z]+[ >/]|!\[", text), (guide.id, lang)
    assert all(guide.minutes for guide in course.guides.values())


def test_every_bundled_exercise_states_its_task_in_both_languages(course):
    """English: the stub's docstring. Chinese: lessons/zh/tasks/<id>.md, naming the same exercise."""
    import ast

    for exercise in course.exercises.values():
        doc = ast.get_docstring(ast.parse(course.path(exercise.stub).read_text(encoding="utf-8")))
        assert doc and f"`{exercise.id}`" in doc, exercise.id
        page = course.task_page(exercise, "zh")
        assert page is not None, f"{exercise.id}: no lessons/zh/tasks/{exercise.id}.md"
        text = page.read_text(encoding="utf-8")
        assert text.startswith(f"练习 `{exercise.id}`") and f"dlquest check {exercise.id}" in text, exercise.id
    assert course.task_page(next(iter(course.exercises.values())), "en") is None  # English is the docstring
