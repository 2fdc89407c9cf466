"""Boundaries of the app, checked in fresh processes: the app reaches its first screen without importing torch
(the grader's worker imports it, in its own process), and the app's plain-data modules import no Textual."""

from __future__ import annotations

import json

import pytest

FIRST_SCREEN = r'''
import asyncio, json, sys, tempfile
from pathlib import Path
from dlquest.course import load_course
from dlquest.workspace import Workspace
from dlquest.tui.app import DlquestApp
from dlquest.tui.screens.roadmap import RoadmapScreen

async def main():
    workspace, _, _ = Workspace.create(Path(tempfile.mkdtemp()) / "ws", load_course())
    workspace.set_setting("welcomed", True)
    app = DlquestApp(workspace.root, None, "en")
    async with app.run_test() as pilot:
        await pilot.pause()
        first = isinstance(app.screen, RoadmapScreen)
        torch_at_first_screen = "torch" in sys.modules
        for _ in range(600):  # the warm-up: the worker process starts and imports torch
            if app.grader_ready:
                break
            await pilot.pause(0.05)
        print(json.dumps({"first_screen": first, "torch_at_first_screen": torch_at_first_screen,
                          "grader_ready": app.grader_ready, "worker_torch": app.grading.torch_version,
                          "torch_after_warm_up": "torch" in sys.modules}))

asyncio.run(main())
'''


def test_the_first_screen_appears_without_torch_and_torch_stays_in_the_worker(run_python):
    done = run_python("-c", FIRST_SCREEN, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["first_screen"] and result["grader_ready"]
    assert result["torch_at_first_screen"] is False
    assert result["torch_after_warm_up"] is False
    assert result["worker_torch"]  # torch is there, in the worker


@pytest.mark.parametrize("module", ["dlquest.tui.strings", "dlquest.grader.worker"])
def test_plain_modules_of_the_app_import_neither_textual_nor_torch(run_python, module):
    code = f"import sys, {module}; print('\\n'.join(sys.modules))"
    modules = set(run_python("-c", code, check=True).stdout.split())
    assert "textual" not in modules and "rich" not in modules and "torch" not in modules


def test_the_app_module_imports_no_torch(run_python):
    code = "import sys, dlquest.tui.app; print('torch' in sys.modules)"
    assert run_python("-c", code, check=True).stdout.strip() == "False"
