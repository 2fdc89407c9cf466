"""The results panel: the grader's record for an exercise, rendered in the learner's language.

It renders records with dlquest.render (the same text the CLI prints) and computes nothing: the verdict, the
tests and the feedback all come from the record; the hint and the "next" offer come from the screen.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from dlquest.grader.records import GradeRecord
from dlquest.render import OUTCOME_STYLE, feedback_text, protections_off, test_lines
from dlquest.safe_text import visible
from dlquest.tui.strings import ui


@dataclass(frozen=True)
class HintLine:
    """The last hint the learner has seen (n of total), and its text; n == 0 when none has been seen."""

    n: int
    total: int
    text: str


class ResultsPanel(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Static(id="results-status")
        yield Static(id="results-tests")
        yield Static(id="results-hint")

    # --- what the screen calls ------------------------------------------------------------------------
    def show_status(self, message: str, style: str = "") -> None:
        """A line above the tests: grading, cancelled, a missing file. The last record stays below it. (It may
        quote an error, a file name: shown with control characters made visible, like the tests.)"""
        self.query_one("#results-status", Static).update(Text(visible(message), style=style))

    def show_record(self, record: GradeRecord, lang: str, *, next_title: str | None = None,
                    last_item: bool = False) -> None:
        status = Text()
        total, failed = len(record.tests), len(record.failed_tests)
        if record.passed:
            status.append(ui("exercise.passed_one" if total == 1 else "exercise.passed", lang, total=total),
                          style="bold green")
            if next_title:
                status.append("\n" + ui("exercise.passed_next", lang, web=self.app.is_web, title=next_title),
                              style="bold")
            elif last_item:
                status.append("\n" + ui("exercise.passed_last", lang))
        elif total:
            status.append(ui("exercise.failed", lang, failed=failed, total=total), style="bold red")
        else:
            status.append(ui("exercise.error", lang), style="bold magenta")
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(record.started_at))
        status.append(f"\n{ui('exercise.graded_at', lang, when=when)} · {record.duration:.1f}s", style="dim")
        off = protections_off(record, lang)
        if off:
            status.append("\n" + ui("exercise.protections_off", lang, names=", ".join(off)), style="dim")
        self.query_one("#results-status", Static).update(status)
        self.query_one("#results-tests", Static).update(self._tests(record, lang))
        self.scroll_home(animate=False)

    def clear_record(self) -> None:
        self.query_one("#results-tests", Static).update("")

    def show_hint(self, hint: HintLine, lang: str) -> None:
        text = Text()
        if hint.n:
            text.append(ui("exercise.hint", lang, n=hint.n, total=hint.total, text=hint.text), style="yellow")
            text.append("\n")
        if hint.n < hint.total:
            text.append(ui("exercise.more_hints", lang, left=hint.total - hint.n), style="dim")
        else:
            text.append(ui("exercise.no_more_hints", lang), style="dim")
        self.query_one("#results-hint", Static).update(text)

    # --- rendering -------------------------------------------------------------------------------------
    @staticmethod
    def _tests(record: GradeRecord, lang: str) -> Text:
        """record_lines (dlquest.render), with each test's head line in its outcome's colour. Learner text in
        them (messages, printed output) is shown with its control characters made visible (dlquest.safe_text):
        an escape sequence would otherwise reach the terminal through the app."""
        text = Text()
        if record.problem is not None:
            text.append(visible(feedback_text(record.problem, lang)) + "\n", style="magenta")
        previous = None
        for result in record.tests:
            head, *rest = test_lines(result, lang, previous)
            text.append(visible(head) + "\n", style=OUTCOME_STYLE.get(result.outcome, ""))
            for line in rest:
                text.append(visible(line) + "\n")
            previous = result
        text.rstrip()
        return text
