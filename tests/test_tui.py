"""The app, driven headless with Textual's Pilot: every screen and the learner's main journeys.

Grading here goes through a fake client (instant, deterministic); test_tui_grading.py runs the real grader.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
from pathlib import Path

import pytest
from textual.widgets import DataTable, MarkdownViewer, RichLog, TextArea

from dlquest.course import load_course
from dlquest.grader.worker import WorkerFailed
from dlquest.progress import Progress
from dlquest.tui.app import DlquestApp
from dlquest.tui.screens.dialogs import ConfirmScreen, SolutionScreen
from dlquest.tui.screens.exercise import ExerciseScreen
from dlquest.tui.screens.lesson import LessonScreen
from dlquest.tui.screens.problem import ProblemScreen
from dlquest.tui.screens.progress import ProgressScreen
from dlquest.tui.screens.roadmap import RoadmapScreen
from dlquest.tui.screens.setup import SetupScreen
from dlquest.tui.screens.welcome import WelcomeScreen
from dlquest.workspace import Workspace

from tui_kit import SOLVED_ADD, FakeClient, screen_text, wait_for


def run(scenario):
    asyncio.run(scenario())


def make_app(workspace: Workspace, course: Path, client=None, lang: str | None = "en", **kwargs) -> DlquestApp:
    return DlquestApp(workspace.root, course, lang, grading_client=client or FakeClient(), **kwargs)


async def open_exercise(pilot, exercise: str = "add") -> ExerciseScreen:
    pilot.app.open_item(exercise)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ExerciseScreen), what="the exercise screen")
    await pilot.pause()
    return pilot.app.screen


def status_text(screen) -> str:
    return str(screen.query_one("#results-status").content)


def verdict_text(screen) -> str:
    return str(screen.query_one("#results-tests").content)


def hint_text(screen) -> str:
    return str(screen.query_one("#results-hint").content)


def test_the_mini_course_loads(mini_course):
    course = load_course(mini_course)
    assert [s.id for s in course.stages] == ["one", "two", "three", "four"]
    assert list(course.exercises) == ["add", "mul"]


# --- start-up ---------------------------------------------------------------------------------------
def test_a_first_time_learner_lands_on_the_welcome_then_the_roadmap(tmp_path, mini_course):
    workspace, _, _ = Workspace.create(tmp_path / "ws", load_course(mini_course),
                                       mini_course)
    client = FakeClient()

    async def scenario():
        app = make_app(workspace, mini_course, client)
        async with app.run_test() as pilot:
            await pilot.pause()
            assert isinstance(app.screen, WelcomeScreen)
            assert "ctrl+s" in screen_text(app) and "F2" in screen_text(app)
            await pilot.press("enter")
            assert isinstance(app.screen, RoadmapScreen)
            await wait_for(pilot, client.started.is_set, what="the grader warm-up")
        assert workspace.settings()["welcomed"] is True
        app = make_app(workspace, mini_course)
        async with app.run_test() as pilot:
            await pilot.pause()
            assert isinstance(app.screen, RoadmapScreen)  # no welcome the second time

    run(scenario)


def test_outside_a_workspace_the_app_offers_to_create_one(tmp_path, mini_course):
    empty = tmp_path / "empty"
    empty.mkdir()

    async def scenario():
        app = DlquestApp(None, mini_course, "en", start=empty, grading_client=FakeClient())
        async with app.run_test() as pilot:
            await pilot.pause()
            assert isinstance(app.screen, SetupScreen)
            text = screen_text(app)
            assert "Create a workspace" in text and "empty" in text  # it says where
            await pilot.press("enter")  # the suggested folder: the empty current one
            await wait_for(pilot, lambda: isinstance(app.screen, (WelcomeScreen, RoadmapScreen)), what="roadmap")
        assert (empty / ".dlquest").is_dir() and (empty / "exercises" / "add.py").is_file()

    run(scenario)


def test_a_folder_with_files_gets_a_workspace_in_a_subfolder_and_errors_stay_in_the_app(tmp_path, mini_course):
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")

    async def scenario():
        app = DlquestApp(None, mini_course, "en", start=busy, grading_client=FakeClient())
        async with app.run_test() as pilot:
            await pilot.pause()
            field = app.screen.query_one("#setup-path")
            assert field.value == str(busy / "dlquest-workspace")
            field.value = str(blocker / "ws")
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, SetupScreen)
            assert "Could not create the workspace" in screen_text(app)

    run(scenario)


def test_a_broken_course_shows_its_problems_and_quits_with_status_2(tmp_path, mini_workspace, mini_course):
    (mini_course / "exercises" / "mul.py").unlink()

    async def scenario():
        app = make_app(mini_workspace, mini_course)
        async with app.run_test() as pilot:
            await pilot.pause()
            assert isinstance(app.screen, ProblemScreen)
            assert "exercises/mul.py" in screen_text(app)
            await pilot.press("q")
        assert app.return_code == 2

    run(scenario)


# --- roadmap ----------------------------------------------------------------------------------------
def test_the_roadmap_shows_stages_progress_statuses_the_next_item_and_locks(mini_workspace, mini_course):
    async def scenario():
        app = make_app(mini_workspace, mini_course)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            text = screen_text(app)
            for stage in ("Stage 1 · Foundations", "Stage 2 · Getting started", "Stage 3 · Intermediate",
                          "Stage 4 · Specialisation"):
                assert stage in text
            assert "0/2 done" in text and "no items yet" in text and "coming soon" in text
            assert "Adding two numbers  ◀ next" in text
            assert "locked: pass add first" in text
            # the cursor starts on the next item, and the detail panel describes it
            assert "Enter opens it." in text and "Lesson · basics" in text
            await pilot.press("down", "down", "down", "down")  # add, stage 2, its unit, mul
            await pilot.pause()
            text = screen_text(app)
            assert "Exercise · mul" in text and "Enter opens it anyway" in text

    run(scenario)


def test_opening_a_locked_exercise_asks_first(mini_workspace, mini_course):
    async def scenario():
        app = make_app(mini_workspace, mini_course)
        async with app.run_test() as pilot:
            await pilot.pause()
            app.open_item("mul")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen) and "pass add first" in screen_text(app)
            await pilot.press("n")
            assert isinstance(app.screen, RoadmapScreen)
            app.open_item("mul")
            await pilot.pause()
            await pilot.press("y")
            await wait_for(pilot, lambda: isinstance(app.screen, ExerciseScreen), what="the exercise")

    run(scenario)


# --- lessons ----------------------------------------------------------------------------------------
def test_a_lesson_renders_with_contents_and_its_example_streams_output(mini_workspace, mini_course):
    async def scenario():
        app = make_app(mini_workspace, mini_course)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press("enter")  # the next item: the lesson
            await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen), what="the lesson")
            await pilot.pause(0.2)
            text = screen_text(app)
            assert "In Python" in text and "Why it matters" in text  # page and table of contents
            assert "return a + b" in text
            assert app.screen.query_one(MarkdownViewer).show_table_of_contents
            await pilot.press("r")
            log = app.screen.query_one(RichLog)
            await wait_for(pilot, lambda: "finished" in screen_text(app), what="the example to finish")
            shown = "\n".join(line.text for line in log.lines)
            assert "2 + 3 = 5" in shown and "language: en" in shown and "green plot line" in shown
            assert "\x1b" not in shown  # colour codes are rendered, not printed
            await pilot.press("escape")
            assert isinstance(app.screen, RoadmapScreen)
            assert "◆ Adding two numbers" in screen_text(app)  # read now; the next item moved on
            assert "Add two numbers  ◀ next" in screen_text(app)
        assert Progress.open(mini_workspace.progress_path).lessons_read() == {"basics"}

    run(scenario)


def test_a_failing_example_shows_a_message_in_the_app(mini_workspace, mini_course):
    async def scenario():
        app = make_app(mini_workspace, mini_course)
        async with app.run_test() as pilot:
            await pilot.pause()
            app.open_item("broken")
            await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen), what="the lesson")
            await pilot.press("r")
            await wait_for(pilot, lambda: "exit status 3" in screen_text(app), what="the failure message")
            assert "about to fail" in "\n".join(line.text for line in app.screen.query_one(RichLog).lines)
            assert app.is_running

    run(scenario)


def test_a_page_deleted_while_the_app_runs_shows_a_message(mini_workspace, mini_course):
    async def scenario():
        app = make_app(mini_workspace, mini_course)
        async with app.run_test() as pilot:
            await pilot.pause()
            (mini_course / "lessons" / "en" / "broken.md").unlink()
            app.open_item("broken")
            await wait_for(pilot, lambda: "Cannot read the lesson page" in screen_text(app), what="a message")

    run(scenario)


def test_a_long_example_can_be_stopped(mini_workspace, mini_course):
    (mini_course / "lessons" / "examples" / "basics.py").write_text(
        "import time\nprint('working', flush=True)\ntime.sleep(60)\n")

    async def scenario():
        app = make_app(mini_workspace, mini_course)
        async with app.run_test() as pilot:
            await pilot.pause()
            app.open_item("basics")
            await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen), what="the lesson")
            await pilot.press("r")
            await wait_for(pilot, lambda: "working" in "\n".join(
                line.text for line in app.screen.query_one(RichLog).lines), what="output")
            await pilot.press("s")
            await wait_for(pilot, lambda: "stopped" in screen_text(app), what="the stop")

    run(scenario)


@pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None,
                    reason="matplotlib is not installed (the bundled lessons plot with plotext)")
def test_a_matplotlib_figure_appears_as_a_text_plot_not_a_window(mini_workspace, mini_course):
    (mini_course / "lessons" / "examples" / "basics.py").write_text(
        "import matplotlib.pyplot as plt\nplt.plot([0, 1, 2, 3], [0, 1, 4, 9])\nplt.title('squares')\n"
        "plt.show()\nprint('after the figure')\n")

    async def scenario():
        app = make_app(mini_workspace, mini_course)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            app.open_item("basics")
            await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen), what="the lesson")
            await pilot.press("r")
            await wait_for(pilot, lambda: "finished" in screen_text(app), timeout=60, what="the example")
            shown = "\n".join(line.text for line in app.screen.query_one(RichLog).lines)
            assert "squares" in shown and "┤" in shown and "after the figure" in shown

    run(scenario)


# --- exercises ----------------------------------------------------------------------------------------
def test_journey_fail_read_feedback_take_a_hint_fix_pass_and_see_the_roadmap_update(mini_workspace, mini_course):
    client = FakeClient()

    async def scenario():
        app = make_app(mini_workspace, mini_course, client)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = await open_exercise(pilot)
            editor = screen.query_one("#editor", TextArea)
            assert 'raise NotImplementedError("add")' in editor.text
            assert "Not graded yet" in status_text(screen)
            assert "Exercise `add`" in screen_text(app)  # the task beside the file

            await pilot.press("ctrl+s")  # save -> graded at once
            await wait_for(pilot, lambda: "1 of 1 tests failed" in status_text(screen), what="a failing verdict")
            assert "FAIL" in verdict_text(screen) and "not implemented yet: add" in verdict_text(screen)
            assert "F2 shows the next hint (2 left)" in hint_text(screen)

            await pilot.press("f2")
            assert "Hint 1/2: Use the + operator." in hint_text(screen)
            await pilot.press("ctrl+s")  # another failing save: the hint stays, none is spent
            await wait_for(pilot, lambda: len(client.calls) == 2, what="the second grading")
            await pilot.pause()
            assert "Hint 1/2: Use the + operator." in hint_text(screen)
            assert Progress.open(mini_workspace.progress_path).hints_seen("add") == 1

            editor.load_text(SOLVED_ADD)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: "The test passed" in status_text(screen), what="a pass")
            assert "Next up: Multiply two numbers. Press ctrl+n" in status_text(screen)
            assert (mini_workspace.root / "exercises" / "add.py").read_text() == SOLVED_ADD
            assert isinstance(app.screen, ExerciseScreen)  # the learner moves on when they choose

            await pilot.press("escape", "escape")  # out of the editor, then back
            assert isinstance(app.screen, RoadmapScreen)
            text = screen_text(app)
            assert "✔ Add two numbers" in text and "2/2 done" in text  # its lesson counts as done too
            assert "locked" not in text  # passing add unlocked mul
            assert "Multiply two numbers  ◀ next" in text
        statuses = Progress.open(mini_workspace.progress_path).statuses()
        assert statuses == {"add": "passed"}

    run(scenario)


def test_after_a_pass_ctrl_n_opens_what_comes_next(mini_workspace, mini_course):
    (mini_workspace.root / "exercises" / "add.py").write_text(SOLVED_ADD)

    async def scenario():
        app = make_app(mini_workspace, mini_course)
        async with app.run_test() as pilot:
            await pilot.pause()
            screen = await open_exercise(pilot)
            await pilot.press("f5")
            await wait_for(pilot, lambda: "passed" in status_text(screen), what="a pass")
            await pilot.press("ctrl+n")
            await wait_for(pilot, lambda: isinstance(app.screen, ExerciseScreen) and app.screen.exercise.id == "mul",
                           what="the next exercise")

    run(scenario)


def test_a_save_from_an_outside_editor_is_graded(mini_workspace, mini_course):
    client = FakeClient()

    async def scenario():
        app = make_app(mini_workspace, mini_course, client)
        async with app.run_test() as pilot:
            await pilot.pause()
            screen = await open_exercise(pilot)
            (mini_workspace.root / "exercises" / "add.py").write_text(SOLVED_ADD)
            await wait_for(pilot, lambda: "passed" in status_text(screen), what="the watcher to grade")
            assert screen.query_one("#editor", TextArea).text == SOLVED_ADD  # reloaded
            assert client.calls == ["add"]

    run(scenario)


def test_a_deleted_file_shows_a_message_and_reset_brings_the_stub_back(mini_workspace, mini_course):
    async def scenario():
        app = make_app(mini_workspace, mini_course)
        async with app.run_test() as pilot:
            await pilot.pause()
            screen = await open_exercise(pilot)
            learner = mini_workspace.root / "exercises" / "add.py"
            learner.unlink()
            await wait_for(pilot, lambda: "does not exist" in status_text(screen), what="the missing-file message")
            await pilot.press("f9")
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("y")
            await pilot.pause()
            assert learner.is_file() and "Restored the stub" in status_text(screen)

    run(scenario)


def test_an_exercise_whose_file_is_gone_opens_with_a_message(mini_workspace, mini_course):
    async def scenario():
        app = make_app(mini_workspace, mini_course)
        async with app.run_test() as pilot:
            await pilot.pause()
            (mini_workspace.root / "exercises" / "add.py").unlink()  # (opening the app puts missing stubs back)
            screen = await open_exercise(pilot)
            assert "does not exist. F9 puts the stub back." in status_text(screen)
            await pilot.press("f5")  # nothing to grade: the message stays, no grading starts
            assert "does not exist" in status_text(screen) and not screen._grading

    run(scenario)


def test_reset_keeps_the_learners_version_as_a_backup(mini_workspace, mini_course):
    async def scenario():
        app = make_app(mini_workspace, mini_course)
        async with app.run_test() as pilot:
            await pilot.pause()
            screen = await open_exercise(pilot)
            screen.query_one("#editor", TextArea).load_text("# my attempt\n")
            await pilot.press("f9", "y")
            await pilot.pause()
            assert "backup" in status_text(screen)
            assert "NotImplementedError" in screen.query_one("#editor", TextArea).text
        backups = mini_workspace.backups(load_course(mini_course).exercises["add"])
        assert [b.path.read_text() for b in backups] == ["# my attempt\n"]

    run(scenario)


def test_a_running_grading_can_be_cancelled_and_the_screen_stays_responsive(mini_workspace, mini_course):
    client = FakeClient(hold=True)

    async def scenario():
        app = make_app(mini_workspace, mini_course, client)
        async with app.run_test() as pilot:
            await pilot.pause()
            screen = await open_exercise(pilot)
            await pilot.press("f5")
            await wait_for(pilot, lambda: client.calls == ["add"], what="grading to start")
            assert "Grading" in status_text(screen)
            await pilot.press("f2")  # the screen answers while grading
            assert "Hint 1/2" in hint_text(screen)
            await pilot.press("f8")
            await wait_for(pilot, lambda: "cancelled" in status_text(screen), what="the cancel")
            assert Progress.open(mini_workspace.progress_path).attempts("add") == []
            client.hold = False
            await pilot.press("f5")
            await wait_for(pilot, lambda: "failed" in status_text(screen), what="a new grading")

    run(scenario)


def test_a_grader_crash_shows_a_message_and_the_app_keeps_running(mini_workspace, mini_course):
    async def scenario():
        app = make_app(mini_workspace, mini_course, FakeClient(fail_with=WorkerFailed("the worker broke")))
        async with app.run_test() as pilot:
            await pilot.pause()
            screen = await open_exercise(pilot)
            await pilot.press("f5")
            await wait_for(pilot, lambda: "The grader failed" in status_text(screen), what="the message")
            assert "the worker broke" in status_text(screen)
            assert app.is_running and isinstance(app.screen, ExerciseScreen)

    run(scenario)


def test_the_solution_opens_after_a_pass_or_a_confirmation(mini_workspace, mini_course):
    async def scenario():
        app = make_app(mini_workspace, mini_course)
        async with app.run_test() as pilot:
            await pilot.pause()
            screen = await open_exercise(pilot)
            await pilot.press("f3")
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("n")
            assert app.screen is screen
            await pilot.press("f3", "y")
            await pilot.pause()
            assert isinstance(app.screen, SolutionScreen)
            assert "return a + b" in app.screen.query_one(TextArea).text
            await pilot.press("escape")
            assert app.screen is screen
            assert Progress.open(mini_workspace.progress_path).solution_seen("add")

            screen.query_one("#editor", TextArea).load_text(SOLVED_ADD)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: "passed" in status_text(screen), what="a pass")
            await pilot.press("f3")  # no question after a pass
            assert isinstance(app.screen, SolutionScreen)

    run(scenario)


def test_the_external_editor_key_says_when_the_terminal_cannot_be_handed_over(mini_workspace, mini_course,
                                                                              monkeypatch):
    monkeypatch.setenv("EDITOR", "true")

    async def scenario():
        app = make_app(mini_workspace, mini_course)
        async with app.run_test(notifications=True) as pilot:
            await pilot.pause()
            await open_exercise(pilot)
            await pilot.press("f4")  # App.suspend() is not supported under run_test()
            await pilot.pause()
            assert any("external editor cannot take over" in n.message for n in app._notifications)

    run(scenario)


def test_leaving_an_exercise_saves_unsaved_edits(mini_workspace, mini_course):
    async def scenario():
        app = make_app(mini_workspace, mini_course)
        async with app.run_test() as pilot:
            await pilot.pause()
            screen = await open_exercise(pilot)
            screen.query_one("#editor", TextArea).load_text("# unsaved\n")
            await pilot.press("escape", "escape")
            assert isinstance(app.screen, RoadmapScreen)
        assert (mini_workspace.root / "exercises" / "add.py").read_text() == "# unsaved\n"

    run(scenario)


# --- progress -----------------------------------------------------------------------------------------
def test_the_progress_screen_shows_attempts_pass_dates_time_and_a_plot(mini_workspace, mini_course):
    async def scenario():
        app = make_app(mini_workspace, mini_course)
        async with app.run_test(size=(100, 34)) as pilot:
            await pilot.pause()
            screen = await open_exercise(pilot)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: "failed" in status_text(screen), what="a failure")
            screen.query_one("#editor", TextArea).load_text(SOLVED_ADD)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: "passed" in status_text(screen), what="a pass")
            await pilot.press("escape", "escape", "p")
            await wait_for(pilot, lambda: isinstance(app.screen, ProgressScreen), what="the progress screen")
            await pilot.pause(0.2)
            table = app.screen.query_one(DataTable)
            add_row = [str(cell) for cell in table.get_row("add")]
            assert add_row[0] == "Add two numbers" and add_row[2] == "2" and add_row[3] != "–"
            assert add_row[4] == "1m"  # the two gradings were a minute apart
            text = screen_text(app)
            assert "1 of 2 exercises passed · 2 attempts" in text
            assert "Attempts per day" in text and "┤" in text  # the plot's axis
            await pilot.press("enter")  # a row opens its exercise
            await wait_for(pilot, lambda: isinstance(app.screen, ExerciseScreen), what="the exercise")

    run(scenario)


# --- language, theme, palette -------------------------------------------------------------------------
def test_switching_language_changes_every_text_and_is_remembered(mini_workspace, mini_course):
    async def scenario():
        app = make_app(mini_workspace, mini_course, lang=None)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert "Stage 1 · Foundations" in screen_text(app) and "Progress" in screen_text(app)
            await pilot.press("l")
            await pilot.pause()
            text = screen_text(app)
            assert "第一阶段 · 基础" in text and "下一步" in text and "进度" in text and "学习路线" in text
            screen = await open_exercise(pilot)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: "未通过" in status_text(screen), what="a verdict in Chinese")
            assert "尚未实现：add" in verdict_text(screen)  # the grader's feedback, rendered in zh
            app.set_language("en")
            await pilot.pause()
            assert "1 of 1 tests failed" in status_text(screen) and "Save" in screen_text(app)
            app.set_language("zh")
        assert json.loads((mini_workspace.state / "settings.json").read_text())["lang"] == "zh"
        app = make_app(mini_workspace, mini_course, lang=None)
        async with app.run_test() as pilot:
            await pilot.pause()
            assert "第一阶段" in screen_text(app)

    run(scenario)


def test_the_theme_switches_between_dark_and_light_and_is_remembered(mini_workspace, mini_course):
    async def scenario():
        app = make_app(mini_workspace, mini_course)
        async with app.run_test() as pilot:
            await pilot.pause()
            assert app.current_theme.dark
            await pilot.press("t")
            assert not app.current_theme.dark
            screen = await open_exercise(pilot)
            assert screen.query_one("#editor", TextArea).theme == "github_light"
        assert mini_workspace.settings()["theme"] == "textual-light"
        app = make_app(mini_workspace, mini_course)
        async with app.run_test() as pilot:
            await pilot.pause()
            assert app.theme == "textual-light"

    run(scenario)


def test_the_command_palette_finds_items_by_name_and_switches_language(mini_workspace, mini_course):
    async def scenario():
        app = make_app(mini_workspace, mini_course)
        async with app.run_test() as pilot:
            await pilot.pause()
            await pilot.press("ctrl+p")
            await pilot.press(*"Add two")
            await wait_for(pilot, lambda: "Exercise: Add two numbers" in screen_text(app), what="the hit")
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ExerciseScreen), what="the exercise")
            await pilot.press("ctrl+p")
            await pilot.press(*"中文")
            await wait_for(pilot, lambda: "Language: 中文" in screen_text(app), what="the language command")
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.lang == "zh", what="the switch")
            await pilot.press("ctrl+p")
            await pilot.press(*"浅色")
            await wait_for(pilot, lambda: "主题：浅色" in screen_text(app), what="the theme command")
            await pilot.press("enter")
            await wait_for(pilot, lambda: not app.current_theme.dark, what="the light theme")

    run(scenario)


def test_the_mouse_opens_items_and_presses_buttons(mini_workspace, mini_course):
    async def scenario():
        app = make_app(mini_workspace, mini_course)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            tree = app.screen.query_one("#roadmap")
            line = next(n for n in range(tree.last_line + 1) if tree.get_node_at_line(n).data == ("item", "add"))
            await pilot.click("#roadmap", offset=(12, line))
            await wait_for(pilot, lambda: isinstance(app.screen, ExerciseScreen), what="the exercise")
            await pilot.press("f3")
            await pilot.click("#no")
            assert isinstance(app.screen, ExerciseScreen)

    run(scenario)


@pytest.mark.parametrize("size, lang", [((80, 24), "en"), ((120, 40), "en"), ((80, 24), "zh")])
def test_every_screen_fits_the_terminal(mini_workspace, mini_course, size, lang):
    """No screen scrolls sideways or loses its footer at 80x24 and up, in either language."""
    from rich.cells import cell_len

    from dlquest.tui.strings import ui

    back, following, progress = ui("key.back", lang), ui("key.next", lang), ui("key.progress", lang)

    def footer() -> str:
        return (screen_text(app).splitlines() or [""])[-1]

    async def scenario():
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            for item in ("basics", "add", None):
                if item:
                    app.open_item(item)
                else:
                    app.action_progress()
                await wait_for(pilot, lambda: back in footer(), what="the footer")
                lines = screen_text(app).splitlines()
                assert len(lines) == size[1]
                assert max(cell_len(line) for line in lines) <= size[0]
            app.open_item("add")  # the exercise's longest footer: after a pass, with ctrl+n for what is next
            await wait_for(pilot, lambda: isinstance(app.screen, ExerciseScreen), what="the exercise")
            await pilot.pause()
            app.screen.query_one("#editor", TextArea).load_text(SOLVED_ADD)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: following in footer(), what="a pass")
            assert back in footer()
            app.back_to_roadmap()
            await wait_for(pilot, lambda: progress in footer(), what="the roadmap's footer")

    app = make_app(mini_workspace, mini_course, lang=lang)
    run(scenario)


def test_the_app_never_quits_on_an_unexpected_grading_error(mini_workspace, mini_course):
    async def scenario():
        app = make_app(mini_workspace, mini_course, FakeClient(fail_with=ValueError("boom")))
        async with app.run_test() as pilot:
            await pilot.pause()
            screen = await open_exercise(pilot)
            await pilot.press("f5")
            await wait_for(pilot, lambda: "ValueError: boom" in status_text(screen), what="the message")
            assert app.is_running

    run(scenario)


def test_closing_the_app_closes_the_grading_worker(mini_workspace, mini_course):
    client = FakeClient()

    async def scenario():
        app = make_app(mini_workspace, mini_course, client)
        async with app.run_test() as pilot:
            await pilot.pause()
            await pilot.press("ctrl+q")
        assert client.closed

    run(scenario)


def test_no_grader_means_a_message_not_a_crash(mini_workspace, mini_course):
    class NoStart(FakeClient):
        def start(self):
            raise WorkerFailed("the grading worker did not start")

    async def scenario():
        app = make_app(mini_workspace, mini_course, NoStart())
        async with app.run_test(notifications=True) as pilot:
            await wait_for(pilot, lambda: any("could not start" in n.message for n in app._notifications),
                           what="the notice")
            assert app.is_running

    run(scenario)


def test_the_environment_language_is_used_without_a_setting(mini_workspace, mini_course, monkeypatch):
    monkeypatch.setenv("DLQUEST_LANG", "zh_CN.UTF-8")

    async def scenario():
        app = make_app(mini_workspace, mini_course, lang=None)
        async with app.run_test() as pilot:
            await pilot.pause()
            assert app.lang == "zh" and "学习路线" in screen_text(app)
        assert mini_workspace.settings().get("lang") is None  # detected, not chosen: nothing saved

    run(scenario)


def test_bindings_have_text_in_both_languages():
    from dlquest.tui.screens.base import DlquestModal, DlquestScreen
    from dlquest.tui.strings import STRINGS

    classes = [RoadmapScreen, LessonScreen, ExerciseScreen, ProgressScreen, SetupScreen, ProblemScreen,
               ConfirmScreen, SolutionScreen, WelcomeScreen, DlquestApp]
    for cls in classes:
        for binding in cls.BINDINGS:
            assert binding.description in STRINGS, (cls.__name__, binding)
    for key, entry in STRINGS.items():
        assert entry.get("en") and entry.get("zh"), key
    assert issubclass(WelcomeScreen, DlquestModal) and issubclass(RoadmapScreen, DlquestScreen)


def test_quitting_saves_unsaved_edits_too(mini_workspace, mini_course):
    async def scenario():
        app = make_app(mini_workspace, mini_course)
        async with app.run_test() as pilot:
            await pilot.pause()
            screen = await open_exercise(pilot)
            screen.query_one("#editor", TextArea).load_text("# unsaved at quit\n")
            await pilot.press("ctrl+q")
        assert (mini_workspace.root / "exercises" / "add.py").read_text() == "# unsaved at quit\n"

    run(scenario)


# --- guides -----------------------------------------------------------------------------------------
def test_the_guides_open_from_the_roadmap_in_either_language(tmp_path):
    from dlquest.course import BUNDLED_COURSE
    from dlquest.tui.widgets.roadmap_tree import RoadmapTree

    course = load_course()
    workspace, _, _ = Workspace.create(tmp_path / "ws", course)
    workspace.set_setting("welcomed", True)

    async def scenario():
        app = make_app(workspace, BUNDLED_COURSE)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            tree = app.screen.query_one(RoadmapTree)
            guides = next(node for node in tree.root.children if node.data == ("guides", ""))
            assert "Guides" in str(guides.label) and len(guides.children) == len(course.guides)
            guides.expand()
            await pilot.pause()
            faq = next(node for node in guides.children if node.data == ("guide", "faq"))
            tree.move_cursor(faq)
            await wait_for(pilot, lambda: "Guide · faq" in screen_text(app), what="the detail pane")
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen), what="the guide")
            await wait_for(pilot, lambda: "How do I avoid overfitting?" in screen_text(app), what="the page")
            app.set_language("zh")  # the page follows the language in place
            await wait_for(pilot, lambda: "如何避免过拟合？" in screen_text(app), what="the Chinese page")
            await pilot.press("escape")
            assert isinstance(app.screen, RoadmapScreen)
        assert "faq" not in Progress.open(workspace.progress_path).lessons_read()  # guides count toward no stage

    run(scenario)


def test_the_task_shows_in_the_learners_language_when_the_course_translates_it(mini_workspace, mini_course):
    tasks = mini_course / "lessons" / "zh" / "tasks"
    tasks.mkdir(parents=True)
    (tasks / "add.md").write_text("练习 `add`：返回两个数之和（<sos> 这样的词元照原样显示）。\n", encoding="utf-8")

    async def scenario():
        app = make_app(mini_workspace, mini_course, lang="zh")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await open_exercise(pilot)
            await wait_for(pilot, lambda: "返回两个数之和" in screen_text(app), what="the Chinese task")
            assert "<sos>" in screen_text(app)  # a word in angle brackets is text, not an HTML tag
            app.set_language("en")  # no English page: the stub's docstring, as before
            await wait_for(pilot, lambda: "返回两个数之和" not in screen_text(app), what="the English task")

    run(scenario)
