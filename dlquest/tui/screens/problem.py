"""Shown instead of the roadmap when the course cannot be opened: what is wrong and where, never a traceback."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from dlquest.tui.screens.base import DlquestScreen

PROBLEM_EXIT = 2  # the CLI's exit status for a usage error (broken manifest, …)


class ProblemScreen(DlquestScreen):
    BINDINGS = [Binding("q,escape", "quit_app", "key.quit")]

    def __init__(self, headline: str, details: list[str]) -> None:
        super().__init__()
        self.headline = headline
        self.details = details

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="problem"):
            yield Static(id="problem-title")
            yield Static(id="problem-text")
        yield Footer()

    def on_mount(self) -> None:
        self.relabel()

    def relabel(self) -> None:
        self.query_one("#problem-title", Static).update(Text(self.ui("problem.title"), style="bold red"))
        text = Text(self.headline + "\n", style="bold")
        for line in self.details:
            text.append(f"  - {line}\n")
        text.append("\n" + self.ui("problem.quit"), style="dim")
        self.query_one("#problem-text", Static).update(text)

    def action_quit_app(self) -> None:
        self.app.exit(return_code=PROBLEM_EXIT)
