"""Started outside a workspace: offer to create one (showing where) instead of failing."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Header, Input, Static

from dlquest.tui.screens.base import DlquestScreen


class SetupScreen(DlquestScreen):
    BINDINGS = [Binding("escape", "app.quit", "key.quit")]

    def __init__(self, where: Path, suggestion: Path) -> None:
        super().__init__()
        self.where = where
        self.suggestion = suggestion

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="setup", classes="dialog"):
            yield Static(id="setup-text")
            yield Input(str(self.suggestion), id="setup-path")
            yield Static(id="setup-error")
            with Horizontal(classes="buttons"):
                yield Button(id="setup-create", variant="primary")
                yield Button(id="setup-quit")
        yield Footer()

    def on_mount(self) -> None:
        self.relabel()
        self.query_one(Input).focus()

    def relabel(self) -> None:
        self.sub_title = self.ui("setup.title")
        self.query_one("#setup").border_title = self.ui("setup.title")
        self.query_one("#setup-text", Static).update(Text(self.ui("setup.body", where=self.where)))
        self.query_one("#setup-create", Button).label = self.ui("key.create")
        self.query_one("#setup-quit", Button).label = self.ui("setup.quit")

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self._create()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "setup-create":
            self._create()
        else:
            self.app.exit()

    def _create(self) -> None:
        value = self.query_one(Input).value.strip()
        error = self.app.create_workspace(Path(value).expanduser() if value else self.suggestion)
        if error:
            self.query_one("#setup-error", Static).update(Text(self.ui("setup.failed", error=error), style="bold red"))
