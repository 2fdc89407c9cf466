"""Small modal screens: a yes/no question, and the reference solution shown read-only."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, TextArea

from dlquest.tui.screens.base import DlquestModal, editor_theme


class ConfirmScreen(DlquestModal[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "key.yes"),
        Binding("n,escape", "answer(False)", "key.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label(Text(self.question), id="question")
            with Horizontal(classes="buttons"):
                yield Button(self.ui("key.yes"), id="yes", variant="primary")
                yield Button(self.ui("key.no"), id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class SolutionScreen(DlquestModal[None]):
    BINDINGS = [Binding("escape,q", "close", "key.close")]

    def __init__(self, title: str, source: str) -> None:
        super().__init__()
        self.title_text = title
        self.source = source

    def compose(self) -> ComposeResult:
        viewer = TextArea.code_editor(self.source, language="python", read_only=True, id="solution",
                                      theme=editor_theme(self.app.current_theme.dark))
        viewer.border_title = self.title_text
        yield viewer

    def action_close(self) -> None:
        self.dismiss(None)
