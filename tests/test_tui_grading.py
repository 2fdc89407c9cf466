"""The app with the real grader: a warm worker process grades the learner's saves in the background.

The learner opens `perceptron`, grades the stub (it fails, with the grader's feedback), saves the reference
solution in the editor (it passes) and finds the roadmap updated. The app's own process never imports torch.
"""

from __future__ import annotations

import asyncio
import sys

import pytest
from textual.widgets import TextArea

from dlquest.progress import Progress
from dlquest.tui.app import DlquestApp
from dlquest.tui.screens.exercise import ExerciseScreen
from dlquest.tui.screens.roadmap import RoadmapScreen
from dlquest.workspace import Workspace

from tui_kit import screen_text, wait_for

# The app's journey with the real grader's worker process.
pytestmark = pytest.mark.grading



def test_grading_for_real_fail_then_pass_updates_the_roadmap(tmp_path, course):
    workspace, _, _ = Workspace.create(tmp_path / "ws", course)
    workspace.set_setting("welcomed", True)
    exercise = course.exercises["perceptron"]
    title = exercise.title.get("en")
    solution = course.path(exercise.solution).read_text(encoding="utf-8")
    torch_before = "torch" in sys.modules

    async def scenario():
        app = DlquestApp(workspace.root, None, "en")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            app.open_item("perceptron")
            await wait_for(pilot, lambda: isinstance(app.screen, ExerciseScreen), what="the exercise")
            await pilot.pause()
            screen = app.screen
            status = screen.query_one("#results-status")

            await pilot.press("f5")  # the untouched stub
            await wait_for(pilot, lambda: "tests failed" in str(status.content), timeout=120, what="a verdict")
            assert "not implemented yet" in str(screen.query_one("#results-tests").content)

            screen.query_one("#editor", TextArea).load_text(solution)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: "tests passed" in str(status.content), timeout=120, what="a pass")
            assert app.grading.torch_version  # the worker imported torch, in its own process

            await pilot.press("escape", "escape")
            assert isinstance(app.screen, RoadmapScreen)
            assert f"✔ {title}" in screen_text(app)
        assert app.grading._process is None  # closing the app stopped the worker

    asyncio.run(scenario())
    assert Progress.open(workspace.progress_path).statuses()["perceptron"] == "passed"
    assert [a.outcome for a in Progress.open(workspace.progress_path).attempts("perceptron")] == ["failed", "passed"]
    assert ("torch" in sys.modules) == torch_before  # the app did not import torch in this process
