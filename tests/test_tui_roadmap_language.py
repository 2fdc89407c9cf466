"""The roadmap after a language switch, and the time estimates the roadmap and the progress screen show.

The detail pane beside the roadmap used to keep the old language after `l` until the cursor moved: the tree
is rebuilt on the same line, so the Tree posts no NodeHighlighted and nothing redrew the pane.
"""

from __future__ import annotations

import asyncio

from dlquest.tui.app import DlquestApp
from dlquest.tui.screens.progress import ProgressScreen
from dlquest.tui.screens.roadmap import RoadmapScreen
from dlquest.tui.widgets.roadmap_tree import RoadmapTree

from tui_kit import FakeClient, screen_text, wait_for


def detail_text(app) -> str:
    return str(app.screen.query_one("#detail").content)


def to_first_stage(app) -> bool:
    """Put the cursor on stage 1 (again, if a rebuild still pending moved it back); True once it is there."""
    tree = app.screen.query_one(RoadmapTree)
    if tree.cursor_node is None or tree.cursor_node.data != ("stage", "one"):
        tree.move_cursor(tree.root.children[0])
        return False
    return True


def with_minutes(course_dir, minutes: dict[str, int]) -> None:
    """Give items of the mini course an estimate: `minutes = N` after each named item's id line."""
    manifest = course_dir / "lessons" / "course.toml"
    text = manifest.read_text(encoding="utf-8")
    for item_id, value in minutes.items():
        line = f'id = "{item_id}"\n'
        assert line in text, item_id
        text = text.replace(line, f"{line}minutes = {value}\n", 1)
    manifest.write_text(text, encoding="utf-8")


def test_the_detail_pane_follows_a_language_switch_without_moving_the_cursor(mini_workspace, mini_course):
    async def scenario():
        app = DlquestApp(mini_workspace.root, mini_course, "en", grading_client=FakeClient())
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, RoadmapScreen), what="the roadmap")
            await wait_for(pilot, lambda: "Adding two numbers" in detail_text(app), what="the English detail")
            line = app.screen.query_one(RoadmapTree).cursor_line
            await pilot.press("l")
            await wait_for(pilot, lambda: "两个数相加" in detail_text(app), what="the Chinese detail")
            assert "Adding two numbers" not in detail_text(app)
            assert app.screen.query_one(RoadmapTree).cursor_line == line  # the cursor did not move
            await pilot.press("l")
            await wait_for(pilot, lambda: "Adding two numbers" in detail_text(app), what="English again")
            # on a stage node too
            await wait_for(pilot, lambda: to_first_stage(app) and "Adding numbers." in detail_text(app),
                           what="the stage's detail")
            await pilot.press("l")
            await wait_for(pilot, lambda: "学会加法。" in detail_text(app), what="the stage's detail in Chinese")

    asyncio.run(scenario())


def test_the_roadmap_and_the_progress_screen_show_the_estimates(mini_workspace, mini_course):
    with_minutes(mini_course, {"basics": 20, "add": 45, "mul": 70})

    async def scenario():
        app = DlquestApp(mini_workspace.root, mini_course, "en", grading_client=FakeClient())
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, RoadmapScreen), what="the roadmap")
            await wait_for(pilot, lambda: "About 20 min." in detail_text(app), what="the lesson's estimate")
            text = screen_text(app)
            assert "Adding two numbers  20 min" in text and "Add two numbers  45 min" in text
            assert "≈ 1 h 5 min" in text and "≈ 1 h 10 min" in text  # stage 1: 20 + 45; stage 2: 70
            await wait_for(pilot, lambda: to_first_stage(app)
                           and "About 1 h 5 min in all, 1 h 5 min left." in detail_text(app),
                           what="the stage's time left")
            app.session.mark_read(app.session.course.lessons["basics"])
            app.action_progress()
            await wait_for(pilot, lambda: isinstance(app.screen, ProgressScreen), what="the progress screen")
            await wait_for(pilot, lambda: "45 min left of 1 h 5 min" in screen_text(app), what="time left")
            text = screen_text(app)
            assert "Stage 1 · Foundations: 1/2 done · 45 min left of 1 h 5 min" in text
            assert "Stage 2 · Getting started: 0/1 done · 1 h 10 min left of 1 h 10 min" in text
            assert "Stage 3" not in text  # no estimates in that stage: nothing to say
            app.set_language("zh")  # the progress screen has no key for it; the command palette does it
            await wait_for(pilot, lambda: "预计还剩 45 分钟（共 1 小时 5 分钟）" in screen_text(app),
                           what="time left in Chinese")

    asyncio.run(scenario())
