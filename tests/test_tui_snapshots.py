"""Snapshots of the main screens (roadmap, lesson, exercise, progress) at 80x24 and 120x40, dark and light.

Each screen is exported as SVG (Textual's own screenshot, what pytest-textual-snapshot stores) and compared
with the golden file in tests/snapshots/. The state is fixed (the mini course, attempts at fixed times in UTC,
no blinking cursor), so nothing volatile reaches the picture. After an intended change to the look:

    DLQUEST_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_tui_snapshots.py

and look at the new files (any browser shows SVG) before committing them. A mismatch leaves the picture it got
next to the test's temporary folder and names it in the failure.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest
from textual.widgets import TextArea

from dlquest.course import load_course
from dlquest.grader.records import FAILED, PASSED, Feedback, TestResult
from dlquest.progress import Progress
from dlquest.tui.app import DlquestApp
from dlquest.workspace import Workspace

from tui_kit import T0, FakeClient, make_course, record, screen_text, wait_for

SNAPSHOTS = Path(__file__).with_name("snapshots")
UPDATE = os.environ.get("DLQUEST_UPDATE_SNAPSHOTS") == "1"
# Each screen: how to reach it from the roadmap, and a text that shows it has finished rendering.
SCREENS = [
    ("roadmap", None, "Multiply two numbers  ◀ next"),
    ("lesson", "basics", "Everything adds up."),
    ("exercise", "mul", "Hint 1/1"),
    ("progress", "progress", "Attempts per day"),
]


@pytest.fixture
def utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def learner_state(root: Path, theme: str) -> tuple[Workspace, Path]:
    """The mini course with `add` failed once then passed, and `mul` failing with one hint seen."""
    course_dir = make_course(root / "course")
    workspace, _, _ = Workspace.create(root / "ws", load_course(course_dir), course_dir)
    workspace.set_setting("welcomed", True)
    workspace.set_setting("theme", theme)
    progress = Progress.open(workspace.progress_path)
    progress.record_attempt(record("add", FAILED, [TestResult(
        "test_add", FAILED, [Feedback("not_implemented", {"message": "add"})], 0.01, "cpu")], T0))
    progress.record_attempt(record("add", PASSED, [TestResult("test_add", PASSED, [], 0.02, "cpu")], T0 + 420))
    progress.record_attempt(record("mul", FAILED, [
        TestResult("test_mul[small]", FAILED,
                   [Feedback("value_differs", {"what": "mul(2, 3)", "expected": "6", "got": "5"})], 0.01, "cpu"),
        TestResult("test_mul[large]", PASSED, [], 0.01, "cpu"),
    ], T0 + 86_400))
    progress.reveal_hint("mul", 1)
    progress.close()
    return workspace, course_dir


async def settled_screenshot(pilot, attempts: int = 20) -> str:
    """The screen once it stops changing: two screenshots in a row alike (a loaded machine renders late)."""
    previous = None
    for _ in range(attempts):
        await pilot.pause(0.15)
        current = pilot.app.export_screenshot(title="dlquest")
        if current == previous:
            return current
        previous = current
    return previous


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_main_screens_match_their_snapshots(tmp_path, utc, theme, size):
    workspace, course_dir = learner_state(tmp_path, theme)
    got: dict[str, str] = {}

    async def scenario():
        app = DlquestApp(workspace.root, course_dir, "en", grading_client=FakeClient())
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            for name, target, ready in SCREENS:
                if target == "progress":
                    app.action_progress()
                elif target:
                    app.open_item(target)
                await wait_for(pilot, lambda ready=ready: ready in screen_text(app), what=f"the {name} screen")
                for editor in app.screen.query(TextArea):
                    editor.cursor_blink = False
                got[name] = await settled_screenshot(pilot)

    asyncio.run(scenario())
    mismatches = []
    short = "dark" if theme.endswith("dark") else "light"
    for name, svg in got.items():
        golden = SNAPSHOTS / f"{name}-{size[0]}x{size[1]}-{short}.svg"
        if UPDATE:
            golden.parent.mkdir(exist_ok=True)
            golden.write_text(svg, encoding="utf-8")
            continue
        if not golden.exists() or golden.read_text(encoding="utf-8") != svg:
            actual = tmp_path / golden.name
            actual.write_text(svg, encoding="utf-8")
            mismatches.append(f"{golden.name}: see {actual}")
    assert not mismatches, "screens differ from their snapshots:\n" + "\n".join(mismatches)
