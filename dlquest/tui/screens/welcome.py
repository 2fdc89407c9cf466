"""The first screen a new learner sees (and F1 shows again): what dlquest is and which keys do what."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Button, Markdown

from dlquest.tui.screens.base import DlquestModal


class WelcomeScreen(DlquestModal[None]):
    BINDINGS = [Binding("escape,enter", "close", "key.close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="welcome", classes="dialog"):
            with VerticalScroll(id="welcome-scroll"):
                yield Markdown(id="welcome-text")
            yield Button(id="welcome-start", variant="primary")

    def on_mount(self) -> None:
        self.relabel()
        self.query_one(Button).focus()

    def relabel(self) -> None:
        self.query_one("#welcome").border_title = self.ui("welcome.title")
        editor = "" if self.app.is_web else self.ui("welcome.editor")  # a browser has no $EDITOR to offer
        self.query_one("#welcome-text", Markdown).update(self.ui("welcome.body", editor=editor))
        self.query_one(Button).label = self.ui("welcome.start")

    def on_button_pressed(self, _event: Button.Pressed) -> None:
        self.action_close()

    def action_close(self) -> None:
        if self.app.session is not None:
            self.session.mark_welcomed()
        self.dismiss(None)
