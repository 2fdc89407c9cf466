"""One learner core behind both faces (dlquest/session.py): `dlquest list`, `dlquest check` and the app agree on
what comes next, lessons read live in the progress store, and `dlquest task` prints the task in the learner's
language.

The workspaces here use the app tests' small course (tests/tui_kit.py): lesson `basics`, exercise `add`,
exercise `mul` (locked until `add` passes), lesson `broken`.
"""

from __future__ import annotations

import asyncio
import shutil

from dlquest.course import load_course
from dlquest.progress import Progress
from dlquest.session import LearnerSession
from dlquest.tui.app import DlquestApp
from dlquest.workspace import Workspace

from tui_kit import SOLVED_ADD, FakeClient, screen_text, wait_for

SOLVED_MUL = "def mul(a, b):\n    return a * b\n"


def next_marked_in_list(stdout: str) -> str:
    line = next(line for line in stdout.splitlines() if "← next" in line)
    return line.split()[1]


def next_marked_on_the_roadmap(workspace: Workspace, course) -> str:
    async def scenario() -> str:
        app = DlquestApp(workspace.root, course, "en", grading_client=FakeClient())
        async with app.run_test() as pilot:
            await wait_for(pilot, lambda: "◀ next" in screen_text(app), what="the roadmap")
            line = next(line for line in screen_text(app).splitlines() if "◀ next" in line)
        titles = {item.title.get("en"): item.id for item in load_course(course).items()}
        return next(item_id for title, item_id in titles.items() if title in line)

    return asyncio.run(scenario())


def test_the_cli_and_the_app_agree_on_what_comes_next(mini_workspace, mini_course, run_dlquest):
    ws = mini_workspace.root

    def after_a_pass(exercise: str) -> str | None:
        """What the app's exercise screen offers after a pass (it asks the core, as `dlquest check` does)."""
        session = LearnerSession.open(Workspace.find(ws))
        try:
            following = session.next_item(after=exercise)
            return following.id if following else None
        finally:
            session.close()

    # Nothing done: `mul` is locked (it needs `add`) and the lesson `basics` is unread. Both faces put the
    # lesson first (the list used to point at the first unlocked exercise and ignore lessons).
    listing = run_dlquest("list", cwd=ws)
    assert "locked: pass add first" in next(line for line in listing.stdout.splitlines() if " mul " in line)
    assert next_marked_in_list(listing.stdout) == next_marked_on_the_roadmap(mini_workspace, mini_course) == "basics"

    # A pass of `add` unlocks `mul`: `dlquest check` suggests it, as the app does after the same pass.
    (ws / "exercises" / "add.py").write_text(SOLVED_ADD)
    checked = run_dlquest("check", "add", cwd=ws)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Next: dlquest check mul" in checked.stdout and after_a_pass("add") == "mul"

    # After `mul`, the unread lesson `broken` comes next in both (the check used to name exercises only, and
    # with every exercise passed it said there was nothing left).
    (ws / "exercises" / "mul.py").write_text(SOLVED_MUL)
    checked = run_dlquest("check", "mul", cwd=ws)
    assert "Next: dlquest lesson broken" in checked.stdout and after_a_pass("mul") == "broken"
    # `basics` counts as done once its exercise passed; the list and the roadmap move on to `broken` too.
    listing = run_dlquest("list", cwd=ws)
    assert next_marked_in_list(listing.stdout) == next_marked_on_the_roadmap(mini_workspace, mini_course) == "broken"


def test_reading_a_lesson_in_the_terminal_counts_as_in_the_app(mini_workspace, run_dlquest):
    ws = mini_workspace.root
    assert run_dlquest("lesson", "basics", cwd=ws).returncode == 0
    assert Progress.open(mini_workspace.progress_path).lessons_read() == {"basics"}
    listing = run_dlquest("list", cwd=ws).stdout
    assert "[read]" in next(line for line in listing.splitlines() if " basics " in line)
    assert next_marked_in_list(listing) == "add"


def test_lessons_read_in_settings_move_into_the_progress_store(mini_workspace, mini_course):
    # A workspace from before the progress store kept lessons read (schema 3) listed them in settings.json.
    mini_workspace.set_setting("lessons_read", ["basics", "broken"])
    session = LearnerSession.open(mini_workspace, mini_course)
    try:
        assert session.lessons_read() == {"basics", "broken"}
        assert session.roadmap()["basics"].done
    finally:
        session.close()
    assert not mini_workspace.settings().get("lessons_read")
    assert Progress.open(mini_workspace.progress_path).lessons_read() == {"basics", "broken"}


def test_a_passed_exercise_is_never_shown_locked(mini_workspace, mini_course):
    session = LearnerSession.open(mini_workspace, mini_course)
    try:
        assert session.roadmap()["mul"].locked_by == ("add",)
        from dlquest.grader.records import PASSED, GradeRecord, TestResult

        session.record_attempt(GradeRecord("mul", PASSED, [TestResult("test_mul", PASSED, [], 0.0, "cpu")], 0.0,
                                           0.1, ["cpu"], "", "", "", None))
        assert session.roadmap()["mul"].locked_by == ()  # passed out of order: open, though `add` is not passed
    finally:
        session.close()


def test_task_prints_the_exercise_in_the_learners_language(mini_workspace, mini_course, run_dlquest):
    ws = mini_workspace.root
    en = run_dlquest("task", "add", cwd=ws)
    assert en.returncode == 0 and "Exercise `add`: return ``a + b``." in en.stdout
    assert "exercises/add.py" in en.stdout and "dlquest check add" in en.stdout
    # The course translates the task into Chinese with lessons/zh/tasks/<id>.md.
    tasks = mini_course / "lessons" / "zh" / "tasks"
    tasks.mkdir(parents=True, exist_ok=True)
    (tasks / "add.md").write_text("练习 `add`：返回两个数之和。\n", encoding="utf-8")
    zh = run_dlquest("task", "add", cwd=ws, lang="zh")
    assert "练习 `add`：返回两个数之和。" in zh.stdout and "你的文件" in zh.stdout
    wrong = run_dlquest("task", "ad", cwd=ws)
    assert wrong.returncode == 2 and "did you mean add?" in wrong.stderr
    shutil.rmtree(tasks)
