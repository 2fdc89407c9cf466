"""Concept checks in the app, driven with Pilot: offered at the end of their lesson and on the roadmap, one
question at a time with feedback after each answer, right and wrong answers, a language switch in the middle,
a summary, a retake, and the runs counted on the roadmap and the progress screen.

The course is the app tests' mini course (tests/tui_kit.py, unchanged: snapshots depend on it) with a concept
check added after its first lesson, by this module's own fixture."""

from __future__ import annotations

import asyncio
import textwrap

import pytest
from textual.widgets import DataTable, Input, OptionList, SelectionList

from dlquest.course import load_course
from dlquest.progress import Progress
from dlquest.tui.app import DlquestApp
from dlquest.tui.screens.lesson import LessonScreen
from dlquest.tui.screens.progress import ProgressScreen
from dlquest.tui.screens.quiz import QuizScreen
from dlquest.tui.screens.roadmap import RoadmapScreen
from dlquest.workspace import Workspace

from tui_kit import FakeClient, screen_text, wait_for

QUIZ_ITEM = '''
[[stages.units.items]]
kind = "quiz"
id = "basics-quiz"
title = { en = "Concept check: adding", zh = "概念检查：加法" }
lesson = "basics"
questions = "lessons/quizzes/basics.toml"
minutes = 5
'''

QUESTIONS = '''
[[questions]]
id = "sum"
form = "one"
section = { en = "In Python", zh = "在 Python 中" }
prompt = { en = "What does add(2, 3) return?", zh = "add(2, 3) 返回什么？" }
answer = "b"

[[questions.choices]]
key = "a"
text = { en = "23", zh = "23" }
feedback = { en = "That joins two strings; these are numbers.", zh = "那是拼接两个字符串；这里是数。" }

[[questions.choices]]
key = "b"
text = { en = "5", zh = "5" }
feedback = { en = "Yes: a + b with a = 2 and b = 3.", zh = "对：a = 2，b = 3，a + b = 5。" }

[[questions.choices]]
key = "c"
text = { en = "6", zh = "6" }
feedback = { en = "That is 2 * 3, a product, not a sum.", zh = "那是 2 * 3，是乘积，不是和。" }

[[questions]]
id = "many"
form = "many"
section = { en = "Why it matters", zh = "为什么重要" }
prompt = { en = "Which of these are sums of 2 and 3?", zh = "下面哪些是 2 与 3 的和？" }
answer = ["a", "c"]

[[questions.choices]]
key = "a"
text = { en = "2 + 3", zh = "2 + 3" }
feedback = { en = "A sum, written out.", zh = "写出来的和。" }

[[questions.choices]]
key = "b"
text = { en = "2 - 3", zh = "2 - 3" }
feedback = { en = "A difference.", zh = "这是差。" }

[[questions.choices]]
key = "c"
text = { en = "3 + 2", zh = "3 + 2" }
feedback = { en = "Order does not matter in a sum.", zh = "加法与顺序无关。" }

[[questions]]
id = "total"
form = "number"
section = { en = "In Python", zh = "在 Python 中" }
prompt = { en = "What is add(add(1, 2), 4)?", zh = "add(add(1, 2), 4) 等于多少？" }
answer = 7
tolerance = 0
right = { en = "add(1, 2) = 3, then 3 + 4 = 7.", zh = "add(1, 2) = 3，然后 3 + 4 = 7。" }
wrong = { en = "Work inside out: add(1, 2) = 3, then add(3, 4) = 7.", zh = "由内向外算：add(1, 2) = 3，再 add(3, 4) = 7。" }
'''


@pytest.fixture
def quiz_course(mini_course):
    manifest = mini_course / "lessons" / "course.toml"
    text = manifest.read_text(encoding="utf-8")
    anchor = '[[stages.units.items]]\nkind = "exercise"\nid = "add"'
    manifest.write_text(text.replace(anchor, textwrap.dedent(QUIZ_ITEM).lstrip() + "\n" + anchor), encoding="utf-8")
    path = mini_course / "lessons" / "quizzes" / "basics.toml"
    path.parent.mkdir(parents=True)
    path.write_text(QUESTIONS, encoding="utf-8")
    return mini_course


@pytest.fixture
def quiz_workspace(tmp_path, quiz_course):
    workspace, _, _ = Workspace.create(tmp_path / "ws", load_course(quiz_course), quiz_course)
    workspace.set_setting("welcomed", True)
    return workspace


def run(scenario):
    asyncio.run(scenario())


def make_app(workspace, course, lang="en"):
    return DlquestApp(workspace.root, course, lang, grading_client=FakeClient())


async def open_quiz(pilot) -> QuizScreen:
    pilot.app.open_item("basics-quiz")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, QuizScreen), what="the concept check")
    await pilot.pause()
    return pilot.app.screen


def test_the_fixture_course_has_a_concept_check_after_its_lesson(quiz_course):
    course = load_course(quiz_course)
    assert [i.id for i in course.stages[0].units[0].items] == ["basics", "basics-quiz", "add"]


def test_a_concept_check_question_by_question_with_a_language_switch(quiz_workspace, quiz_course):
    async def scenario():
        app = make_app(quiz_workspace, quiz_course)
        async with app.run_test(size=(110, 40)) as pilot:
            await pilot.pause()
            screen = await open_quiz(pilot)
            text = screen_text(app)
            assert "Question 1 of 3 · from “In Python”" in text and "What does add(2, 3) return?" in text
            options = screen.query_one("#quiz-options", OptionList)
            assert options.option_count == 3
            await pilot.press("down", "down", "enter")  # c: wrong
            text = screen_text(app)
            assert "Not quite." in text and "That is 2 * 3, a product" in text and "The answer: b" in text
            assert "a + b with a = 2" in text  # the right choice's own why
            await pilot.press("f6")  # 中文, in the middle of the quiz: the same feedback, in Chinese
            await wait_for(pilot, lambda: "不太对" in screen_text(app), what="the feedback in Chinese")
            text = screen_text(app)
            assert "第 1/3 题" in text and "那是 2 * 3，是乘积" in text and "按 Enter 进入下一题" in text
            await pilot.press("enter")  # on to question 2, still in Chinese
            text = screen_text(app)
            assert "第 2/3 题 · 出自“为什么重要”" in text and "下面哪些是 2 与 3 的和？" in text
            assert screen.query_one("#quiz-selection", SelectionList).display
            await pilot.press("space", "down", "down", "space")  # a and c
            await pilot.press("f6")  # back to English before answering: the selection stays
            await wait_for(pilot, lambda: "Question 2 of 3" in screen_text(app), what="English again")
            assert sorted(screen.query_one("#quiz-selection", SelectionList).selected) == ["a", "c"]
            await pilot.press("enter")
            text = screen_text(app)
            assert "Right." in text and "Order does not matter" in text
            await pilot.press("enter")
            assert "Question 3 of 3" in screen_text(app)
            field = screen.query_one("#quiz-input", Input)
            assert field.has_focus
            await pilot.press("s", "e", "v", "e", "n", "enter")  # no number: asked again, nothing judged
            assert "'seven' is not a number" in screen_text(app) and "Question 3 of 3" in screen_text(app)
            field.value = ""
            await pilot.press("7", "enter")
            assert "add(1, 2) = 3, then 3 + 4 = 7." in screen_text(app)
            await pilot.press("enter")
            text = screen_text(app)
            assert "How you did" in text and "2 of 3 right (pass mark 3)." in text and "Not passed yet" in text
            assert "✘ In Python  you: c  The answer: b" in text and "✔ Why it matters  you: a,c" in text
            await pilot.press("ctrl+r")  # a retake, all right this time
            assert "Question 1 of 3" in screen_text(app)
            await pilot.press("down", "enter", "enter")
            await pilot.press("space", "down", "down", "space", "enter", "enter")
            await pilot.press("7", "enter", "enter")
            assert "3 of 3 right" in screen_text(app) and "Passed" in screen_text(app)
            await pilot.press("escape")
            assert isinstance(app.screen, RoadmapScreen)
        progress = Progress.open(quiz_workspace.progress_path)
        assert [(r.correct, r.passed) for r in progress.quiz_results("basics-quiz")] == [(2, False), (3, True)]
        assert progress.attempts() == []

    run(scenario)


def test_offered_at_the_end_of_its_lesson_and_counted_on_the_roadmap_and_progress(quiz_workspace, quiz_course):
    async def scenario():
        app = make_app(quiz_workspace, quiz_course)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            roadmap = app.screen
            assert "Concept check: adding" in screen_text(app)
            assert app.session.stage_progress(app.session.course.stages[0]) == (0, 3)
            app.open_item("basics")
            await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen), what="the lesson")
            await wait_for(pilot, lambda: "Press k to start" in screen_text(app) or "press k" in
                           screen_text(app).lower(), what="the offer at the end of the lesson")
            await pilot.press("k")
            await wait_for(pilot, lambda: isinstance(app.screen, QuizScreen), what="the concept check")
            await pilot.pause()
            await pilot.press("down", "enter", "enter", "space", "down", "down", "space", "enter", "enter")
            await pilot.press("7", "enter", "enter")
            assert "3 of 3 right" in screen_text(app)
            await pilot.press("enter")  # back
            await wait_for(pilot, lambda: app.screen is roadmap, what="the roadmap")
            views = app.session.roadmap()
            assert views["basics-quiz"].done and views["basics-quiz"].status == "passed"
            assert app.session.stage_progress(app.session.course.stages[0]) == (2, 3)  # the lesson read, the quiz
            assert app.session.next_item().id == "add"
            roadmap._describe(("item", "basics-quiz"))  # what the detail pane shows for a highlighted quiz
            detail = str(roadmap.query_one("#detail").content)
            assert "Concept check · basics-quiz" in detail and "Status: passed" in detail
            assert "Taken: 1 · best: 3 right" in detail and "Lesson: Adding two numbers" in detail
            await pilot.press("p")
            await wait_for(pilot, lambda: isinstance(app.screen, ProgressScreen), what="the progress screen")
            text = screen_text(app)
            assert "Concept check: adding" in text and "best 3/3" in text
            assert "1 of 1 concept checks passed" in text
            table = app.screen.query_one(DataTable)
            assert table.get_row("basics-quiz")[2] == "1"

    run(scenario)


def test_a_concept_check_is_next_once_its_lesson_is_read(quiz_workspace, quiz_course):
    async def scenario():
        app = make_app(quiz_workspace, quiz_course)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            app.session.mark_read(app.session.course.lessons["basics"])
            assert app.session.next_item().id == "basics-quiz"
            await pilot.press("n")
            await wait_for(pilot, lambda: isinstance(app.screen, QuizScreen), what="the concept check as next")

    run(scenario)


def test_a_broken_question_file_is_shown_as_the_course_check_words_it(quiz_workspace, quiz_course):
    path = quiz_course / "lessons" / "quizzes" / "basics.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('answer = "b"', 'answer = "q"'), encoding="utf-8")

    async def scenario():
        app = make_app(quiz_workspace, quiz_course)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await open_quiz(pilot)
            text = screen_text(app)
            assert "cannot be opened" in text and "answer 'q' is none of its choices" in text
            await pilot.press("enter")  # nothing to answer, nothing stored, no crash
            await pilot.press("escape")
            assert isinstance(app.screen, RoadmapScreen)
        assert Progress.open(quiz_workspace.progress_path).quiz_results() == []

    run(scenario)
