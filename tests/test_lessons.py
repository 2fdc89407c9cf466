"""Rules every page and exercise of the bundled course keeps, whichever stage it belongs to.

Lesson and guide pages are terminal Markdown in both languages (a title, sections for the table of contents,
Unicode maths instead of LaTeX, no HTML, no images), every lesson's example runs offline, and every exercise has
at least three hints in each language and a lesson. The content test modules (test_content_*.py) add what is
particular to their unit: exact formulas on a page, an example's output, which lesson teaches which exercise.
"""

from __future__ import annotations

import re

import pytest

from dlquest.course import LANGUAGES, load_course

COURSE = load_course()
PAGES = [(kind, item.id, lang) for kind, items in (("lesson", COURSE.lessons), ("guide", COURSE.guides))
         for item in items.values() for lang in LANGUAGES]
CJK = re.compile(r"[\u4e00-\u9fff]")


def prose(text: str) -> str:
    """The page without fenced code, indented code and code spans: where Markdown rules apply to prose."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r"^(    |\t).*$", "", text, flags=re.M)
    return re.sub(r"(`+)[^`]*?\1", "", text)


@pytest.mark.parametrize("kind, item_id, lang", PAGES)
def test_every_page_is_terminal_markdown(course, kind, item_id, lang):
    item = (course.lessons if kind == "lesson" else course.guides)[item_id]
    text = course.path(item.pages[lang]).read_text(encoding="utf-8")
    assert text.startswith("# "), "a page starts with its title"
    assert len(re.findall(r"^## ", text, flags=re.M)) >= 3, "sections, for the table of contents"
    assert text.count("```") % 2 == 0, "code fences are closed"
    outside_code = prose(text)
    assert not re.search(r"\$[^$\n]+\$|\\(frac|sum|sqrt|mathbf|cdot|alpha)\b", outside_code), "no LaTeX"
    assert not re.search(r"</?(div|span|img|br|p|table|tr|td|sub|sup|b|i|a)\b[^>]*>", outside_code), "no HTML"
    assert "![" not in text, "no images"
    if lang == "zh":
        assert len(CJK.findall(text)) > 300, "the zh page is written in Chinese"


@pytest.mark.parametrize("lesson", [lesson for lesson in COURSE.lessons.values() if lesson.example],
                         ids=lambda lesson: lesson.id)
def test_every_lesson_example_runs_offline(course, run_lesson_example, lesson):
    assert run_lesson_example(course.path(lesson.example)) is None


@pytest.mark.parametrize("exercise_id", list(COURSE.exercises))
def test_every_exercise_has_three_hints_per_language_and_a_lesson(course, exercise_id):
    exercise = course.exercises[exercise_id]
    assert len(exercise.hints) >= 3
    assert all(hint.en.strip() and hint.zh.strip() for hint in exercise.hints), "each hint in both languages"
    # A near-answer hint may be code alone; the hints as a whole are written in Chinese.
    assert CJK.search(" ".join(hint.zh for hint in exercise.hints)), "the zh hints are in Chinese"
    assert exercise.lesson in course.lessons, "an exercise names the lesson that teaches it"
