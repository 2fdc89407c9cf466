"""In a browser (App.is_web) the keys a browser keeps for itself are swapped for alternatives in the footer;
in a terminal the keys stay. is_web is faked: run_test() drives a headless terminal."""

from __future__ import annotations

import asyncio
from unittest.mock import PropertyMock, patch

from dlquest.tui.app import DlquestApp
from dlquest.tui.screens.exercise import ExerciseScreen

from tui_kit import FakeClient, wait_for


def _footer_keys(app) -> dict[str, set[str]]:
    """The footer's offer: action -> its keys, for the bindings shown and enabled."""
    shown: dict[str, set[str]] = {}
    for key, (_, binding, enabled, _) in app.active_bindings.items():
        if binding.show and enabled:
            shown.setdefault(binding.action, set()).add(key)
    return shown


async def _exercise_footer(workspace, course) -> tuple[dict[str, set[str]], set[str]]:
    app = DlquestApp(workspace.root, course, "en", grading_client=FakeClient())
    async with app.run_test() as pilot:
        await pilot.pause()
        app.open_item("add")
        await wait_for(pilot, lambda: isinstance(app.screen, ExerciseScreen), what="the exercise screen")
        await pilot.pause()
        bound = set(app.screen._bindings.key_to_bindings) | set(app._bindings.key_to_bindings)
        return _footer_keys(app), bound


def test_in_a_browser_the_footer_offers_keys_the_browser_lets_through(mini_workspace, mini_course):
    with patch.object(DlquestApp, "is_web", new_callable=PropertyMock, return_value=True):
        shown, bound = asyncio.run(_exercise_footer(mini_workspace, mini_course))
    assert shown.get("grade") == {"ctrl+g"}
    assert "external_editor" not in shown  # F4: the editor on the screen is the editor
    assert not {"f5", "ctrl+r", "ctrl+n", "ctrl+q"} & bound
    assert {"ctrl+g", "ctrl+f", "f10"} <= bound


def test_in_a_terminal_the_keys_stay(mini_workspace, mini_course):
    shown, bound = asyncio.run(_exercise_footer(mini_workspace, mini_course))
    assert "f5" in shown["grade"] and "f4" in shown["external_editor"]
    assert {"f5", "ctrl+r", "ctrl+n", "ctrl+q"} <= bound and "ctrl+g" not in bound
