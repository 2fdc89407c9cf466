"""In a browser (App.is_web) the keys a browser keeps for itself are swapped for alternatives in the footer, and
every text that names such a key names the one bound there; in a terminal the keys stay. is_web is faked:
run_test() drives a headless terminal."""

from __future__ import annotations

import asyncio
import re
from unittest.mock import PropertyMock, patch

import pytest
from textual.widgets import Markdown, Static, TextArea

from dlquest.tui.app import DlquestApp
from dlquest.tui.keys import key_names
from dlquest.tui.screens.exercise import ExerciseScreen
from dlquest.tui.screens.welcome import WelcomeScreen
from dlquest.tui.strings import STRINGS

from tui_kit import SOLVED_ADD, FakeClient, wait_for


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


# --- the texts name the keys bound in this session ------------------------------------------------------
# A key a browser keeps for itself, written into a text instead of a {key_...} field.
KEPT_KEY_IN_TEXT = re.compile(r"(?<![\w+])(f5|ctrl\+[rnqwt])(?!\w)", re.IGNORECASE)


def test_no_text_names_a_browser_kept_key_itself():
    """Every text that names such a key names it through a {key_<action>} field, the same fields in both
    languages, each one a field ui() fills."""
    fields = set(key_names(web=False))
    for name, entry in STRINGS.items():
        used = {lang: set(re.findall(r"\{(key_\w+)\}", entry[lang])) for lang in ("en", "zh")}
        assert used["en"] == used["zh"], name
        assert used["en"] <= fields, name
        for lang in ("en", "zh"):
            assert KEPT_KEY_IN_TEXT.search(entry[lang]) is None, (name, lang, entry[lang])


def test_key_names_follow_the_bindings_table():
    assert key_names(web=False) == {"key_grade": "F5", "key_retake": "ctrl+r", "key_next": "ctrl+n",
                                    "key_quit": "ctrl+q"}
    assert key_names(web=True) == {"key_grade": "ctrl+g", "key_retake": "ctrl+g", "key_next": "ctrl+f",
                                   "key_quit": "F10"}
    assert ExerciseScreen.BINDINGS[1].key == "f5,ctrl+r" and ExerciseScreen.BINDINGS[1].action == "grade"


def _plain(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


def _pressable(shown: str) -> str:
    """A key as a text names it (F5, ctrl+g) as Pilot presses it."""
    return shown.lower()


# The key a text names, per language: grading before the first grade, next after a pass.
GRADE_KEY = {"en": r"or press (\S+) to grade", "zh": r"或按 (\S+) 开始评分"}
NEXT_KEY = {"en": r"Press (\S+) when you are ready", "zh": r"准备好了就按 (\S+)。"}
QUIT_KEY = {"en": r"\*\*(\S+)\*\* quits", "zh": r"\*\*(\S+)\*\* 退出"}


async def _keys_named_in_texts(workspace, course, lang: str) -> dict[str, object]:
    """Open the welcome page and the exercise, and press the keys their texts name: each must do what its text
    says (grade, go to the next exercise)."""
    client = FakeClient()
    app = DlquestApp(workspace.root, course, lang, grading_client=client)
    seen: dict[str, object] = {}
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        app.action_welcome()
        await wait_for(pilot, lambda: isinstance(app.screen, WelcomeScreen), what="the welcome page")
        await pilot.pause()
        seen["welcome"] = app.screen.query_one("#welcome-text", Markdown).source
        seen["retake"] = app.screen.ui("quiz.summary_keys")
        await pilot.press("escape")
        app.open_item("add")
        await wait_for(pilot, lambda: isinstance(app.screen, ExerciseScreen), what="the exercise screen")
        await pilot.pause()
        status = _plain(app, "#results-status")
        seen["grade"] = re.search(GRADE_KEY[lang], status).group(1)
        await pilot.press(_pressable(seen["grade"]))  # the stub: graded, and it fails
        await wait_for(pilot, lambda: client.calls == ["add"], what="a grading by the named key")
        app.screen.query_one("#editor", TextArea).load_text(SOLVED_ADD)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: re.search(NEXT_KEY[lang], _plain(app, "#results-status")) is not None,
                       what="the next exercise offered")
        seen["next"] = re.search(NEXT_KEY[lang], _plain(app, "#results-status")).group(1)
        await pilot.press(_pressable(seen["next"]))
        await wait_for(pilot, lambda: isinstance(app.screen, ExerciseScreen) and app.screen.exercise.id == "mul",
                       what="the next exercise opened by the named key")
        seen["quit"] = re.search(QUIT_KEY[lang], seen["welcome"]).group(1)
        await pilot.press(_pressable(seen["quit"]))
        await wait_for(pilot, lambda: not app.is_running, what="the app quit by the named key")
    return seen


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_in_a_browser_the_texts_name_the_browser_keys_and_those_keys_work(mini_workspace, mini_course, lang):
    with patch.object(DlquestApp, "is_web", new_callable=PropertyMock, return_value=True):
        seen = asyncio.run(_keys_named_in_texts(mini_workspace, mini_course, lang))
    assert (seen["grade"], seen["next"], seen["quit"]) == ("ctrl+g", "ctrl+f", "F10")
    assert seen["retake"].startswith("ctrl+g ")
    assert "F4" not in seen["welcome"] and "$EDITOR" not in seen["welcome"]  # no outside editor in a browser
    assert KEPT_KEY_IN_TEXT.search(seen["welcome"]) is None


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_in_a_terminal_the_texts_name_the_terminal_keys_and_those_keys_work(mini_workspace, mini_course, lang):
    seen = asyncio.run(_keys_named_in_texts(mini_workspace, mini_course, lang))
    assert (seen["grade"], seen["next"], seen["quit"]) == ("F5", "ctrl+n", "ctrl+q")
    assert seen["retake"].startswith("ctrl+r ")
    assert "**F4**" in seen["welcome"] and "$EDITOR" in seen["welcome"] and "**F5**" in seen["welcome"]
