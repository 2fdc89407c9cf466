"""A concept check: one question at a time, the feedback after each answer, and a summary at the end.

The screen only shows: dlquest.quiz parses and judges every answer (in this process; no learner code runs),
and the session stores the run. Its state (the run, the last judgement) outlives a change of language, so
switching language mid-quiz shows the same question, selection and feedback in the other language.
"""

from __future__ import annotations

import sqlite3

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from dlquest.course import Quiz
from dlquest.quiz import (
    AnswerError,
    Judgement,
    Question,
    QuizError,
    QuizRun,
    feedback_lines,
    pass_mark,
    summary_lines,
)
from dlquest.tui.keys import terminal_keys
from dlquest.tui.screens.base import DlquestScreen

NOTE_STYLE = {"picked": "", "answer": "green", "missed": "yellow", "other": "dim", "right": "green",
              "wrong": "", "mistake": "yellow"}  # by the role of a feedback line (dlquest.quiz.feedback_lines)


class QuizScreen(DlquestScreen):
    BINDINGS = [
        Binding("enter", "enter", "key.quiz_answer", priority=True),
        Binding("f6", "app.toggle_language", "key.language"),
        Binding(terminal_keys("retake"), "retake", "key.quiz_retake"),
        Binding("escape", "back", "key.back"),
    ]

    def __init__(self, quiz: Quiz) -> None:
        super().__init__()
        self.quiz = quiz
        self.run: QuizRun | None = None
        self.judgement: Judgement | None = None  # the feedback being shown, until Enter moves on
        self.problem: str | None = None  # a broken question file, as the course check would word it
        self.error: AnswerError | None = None  # what was wrong with the last answer typed
        self.summary = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="quiz-body"):
            yield Static(id="quiz-heading")
            yield Static(id="quiz-prompt")
            yield Static(id="quiz-code")
            yield OptionList(id="quiz-options")
            yield SelectionList[str](id="quiz-selection")
            yield Input(id="quiz-input")
            yield Static(id="quiz-error")
            yield Static(id="quiz-feedback")
            yield Static(id="quiz-summary")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.start()

    def start(self) -> None:
        """A fresh run: the first question (again, for a retake)."""
        try:
            self.run = self.session.start_quiz(self.quiz)
        except QuizError as err:
            self.run, self.problem = None, "\n".join(err.problems)
        self.judgement, self.error, self.summary = None, None, False
        self._rebuild_answer_widgets()
        self.relabel()

    # --- showing --------------------------------------------------------------------------------------
    @property
    def question(self) -> Question | None:
        """The question on screen: the one being answered, or the one whose feedback is shown."""
        if self.run is None or self.summary:
            return None
        if self.judgement is not None:
            return self.run.question(self.judgement.question)
        return self.run.current

    def relabel(self) -> None:
        lang = self.lang
        self.sub_title = self.quiz.title.get(lang)
        heading = self.query_one("#quiz-heading", Static)
        if self.run is None:
            heading.update(Text(self.ui("quiz.broken", problems=self.problem or ""), style="bold red"))
            self._show_only()
            return
        if self.summary:
            heading.update(Text(self.ui("quiz.summary_title"), style="bold"))
            self.query_one("#quiz-summary", Static).update(self._summary_text())
            self._show_only("quiz-summary")
            self.refresh_bindings()
            return
        question = self.question
        assert question is not None
        number = self.run.questions.index(question) + 1
        heading.update(Text(self.ui("quiz.heading", n=number, total=len(self.run.questions),
                                    section=question.section.get(lang)), style="bold"))
        self.query_one("#quiz-prompt", Static).update(Markdown(question.prompt.get(lang)))
        shown = ["quiz-heading", "quiz-prompt"]
        if question.form == "line":
            self.query_one("#quiz-code", Static).update(
                Syntax(question.code, "python", line_numbers=True, theme="ansi_dark", word_wrap=True))
            shown.append("quiz-code")
        if question.form in ("one", "line"):
            self._fill_options(question)
            shown.append("quiz-options")
        elif question.form == "many":
            self._fill_selection(question)
            shown.append("quiz-selection")
        else:
            field = self.query_one("#quiz-input", Input)
            field.placeholder = self.ui(f"quiz.placeholder_{question.form}")
            field.disabled = self.judgement is not None
            shown.append("quiz-input")
        if self.error is not None:
            self.query_one("#quiz-error", Static).update(
                Text(self.ui(self.error.code, **self.error.values), style="bold red"))
            shown.append("quiz-error")
        if self.judgement is not None:
            self.query_one("#quiz-feedback", Static).update(self._feedback(question, self.judgement))
            shown.append("quiz-feedback")
        self._show_only(*shown)
        self.refresh_bindings()

    def _show_only(self, *ids: str) -> None:
        for widget in self.query_one("#quiz-body").children:
            widget.display = widget.id in ids or widget.id == "quiz-heading"

    def _choice_label(self, question: Question, key: str, text: str) -> Text:
        return Text(f"{key:>2}  {text}" if question.form == "line" else f"{key})  {text}")

    def _fill_options(self, question: Question) -> None:
        options = self.query_one("#quiz-options", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options([Option(self._choice_label(question, c.key, c.text.get(self.lang)), id=c.key)
                             for c in question.choices])
        options.highlighted = highlighted if highlighted is not None else 0
        options.disabled = self.judgement is not None

    def _fill_selection(self, question: Question) -> None:
        selection = self.query_one("#quiz-selection", SelectionList)
        chosen = set(selection.selected)
        highlighted = selection.highlighted
        selection.clear_options()
        selection.add_options([(self._choice_label(question, c.key, c.text.get(self.lang)), c.key, c.key in chosen)
                               for c in question.choices])
        selection.highlighted = highlighted if highlighted is not None else 0
        selection.disabled = self.judgement is not None

    def _rebuild_answer_widgets(self) -> None:
        """Empty the answer widgets for the next question (a new question keeps nothing of the last)."""
        self.query_one("#quiz-options", OptionList).clear_options()
        self.query_one("#quiz-selection", SelectionList).clear_options()
        field = self.query_one("#quiz-input", Input)
        field.value = ""
        field.disabled = False
        self.query_one("#quiz-options", OptionList).highlighted = None
        self.query_one("#quiz-selection", SelectionList).highlighted = None
        question = self.run.current if self.run else None
        if question is not None:
            target = {"one": "#quiz-options", "line": "#quiz-options", "many": "#quiz-selection"}.get(
                question.form, "#quiz-input")
            self.call_after_refresh(self.query_one(target).focus)

    def _feedback(self, question: Question, judgement: Judgement) -> RenderableType:
        parts: list[RenderableType] = []
        for role, line in feedback_lines(question, judgement, self.lang):
            if not parts:  # the verdict
                parts.append(Text(line, style="bold green" if judgement.correct else "bold red"))
            else:  # course text: `code` in it is shown as code
                parts.append(Markdown(line, style=NOTE_STYLE.get(role, "")))
        last = self.run is not None and self.run.finished
        parts.append(Text(self.ui("quiz.enter_summary" if last else "quiz.enter_next"), style="dim"))
        return Group(*parts)

    def _summary_text(self) -> RenderableType:
        assert self.run is not None
        result = self.run.result()
        head = Text(self.ui("quiz.score", correct=result.correct, total=result.total, mark=pass_mark(result.total)),
                    style="bold")
        head.append("  " + self.ui("quiz.passed" if result.passed else "quiz.not_passed"),
                    style="bold green" if result.passed else "bold yellow")
        lines: list[RenderableType] = [head, Text("")]
        for correct, line in summary_lines(self.run, self.lang):
            lines.append(Text("✔ " if correct else "✘ ", style="green" if correct else "red") + Text(line))
        lines.append(Text(""))
        lines.append(Text(self.ui("quiz.summary_keys"), style="dim"))
        return Group(*lines)

    # --- answering ------------------------------------------------------------------------------------
    def _typed(self, question: Question) -> str:
        if question.form in ("one", "line"):
            options = self.query_one("#quiz-options", OptionList)
            if options.highlighted is None:
                return ""
            return options.get_option_at_index(options.highlighted).id or ""
        if question.form == "many":
            return ",".join(self.query_one("#quiz-selection", SelectionList).selected)
        return self.query_one("#quiz-input", Input).value

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retake":
            return self.summary
        return True

    def action_enter(self) -> None:
        if self.run is None:
            return
        if self.summary:
            self.dismiss()
            return
        if self.judgement is not None:  # feedback read: on to the next question, or the summary
            self.judgement = None
            if self.run.finished:
                self.summary = True
            else:
                self._rebuild_answer_widgets()
            self.relabel()
            return
        question = self.run.current
        if question is None:
            return
        try:
            self.judgement = self.run.answer(self._typed(question))
        except AnswerError as err:
            self.error = err
        else:
            self.error = None
            if self.run.finished:
                self._store()
        self.relabel()

    def _store(self) -> None:
        assert self.run is not None
        try:
            self.session.record_quiz(self.run.result())
        except (OSError, sqlite3.Error) as err:  # a locked or read-only store: the summary still shows
            self.notify(self.ui("quiz.store_failed", error=err), severity="error", timeout=10)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # a click on a choice picks it; Enter answers (the screen's binding)

    def action_retake(self) -> None:
        self.start()

    def action_back(self) -> None:
        self.dismiss()
