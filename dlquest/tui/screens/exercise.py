"""An exercise: the task beside the learner's file, graded on every save, with the results below the task.

Grading runs in a thread worker through the app's warm GradingClient (a separate process that holds
torch), so the screen never freezes and a grading can be cancelled. Saves are noticed by polling the file's
modification time, which works on every file system and for every outside editor.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import subprocess
from pathlib import Path

from textual import work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Markdown, TextArea

from dlquest.course import Exercise
from dlquest.grader.worker import GradingCancelled
from dlquest.tui.keys import terminal_keys
from dlquest.tui.messages import GradingFinished, GradingStopped
from dlquest.tui.screens.base import DlquestScreen, editor_theme, text_markdown_parser
from dlquest.tui.widgets.results import HintLine, ResultsPanel
from dlquest.workspace import atomic_write

# How often the learner's file is checked for a save from an outside editor: one stat() call, so often enough
# that detecting a save adds little to save-to-verdict (25 ms on average).
POLL_SECONDS = 0.05


class ExerciseScreen(DlquestScreen):
    BINDINGS = [
        Binding("ctrl+s", "save", "key.save"),
        Binding(terminal_keys("grade"), "grade", "key.grade"),
        Binding("f8", "cancel_grading", "key.cancel"),
        Binding("f2", "hint", "key.hint"),
        Binding("f3", "solution", "key.solution"),
        Binding("f4,ctrl+o", "external_editor", "key.editor"),
        Binding(terminal_keys("next"), "next", "key.next"),
        Binding("f9", "reset", "key.reset", show=False),
        Binding("ctrl+l", "lesson", "key.lesson", show=False),
        Binding("escape", "back", "key.back"),
    ]

    def __init__(self, exercise: Exercise) -> None:
        super().__init__()
        self.exercise = exercise
        self.file: Path = Path()
        self._disk_text: str | None = None  # the file's text as last loaded or saved by the screen
        self._seen: tuple[int, int, int] | None = None  # (mtime_ns, size, inode) of the file, last seen
        self._grading = False
        self._pending = False  # the file changed during a grading: grade again when it ends
        self._cancelling = False
        self._next_id: str | None = None  # offered after a pass

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="exercise-body"):
            with Vertical(id="exercise-side"):
                with VerticalScroll(id="task"):
                    yield Markdown(id="task-text", parser_factory=text_markdown_parser)
                yield ResultsPanel(id="results")
            yield TextArea.code_editor("", language="python", id="editor",
                                       theme=editor_theme(self.app.current_theme.dark))
        yield Footer(compact=True)  # the most keys of any screen: compact keeps them on 80 columns

    def on_mount(self) -> None:
        self.editor = self.query_one("#editor", TextArea)
        self.file = self.session.learner_file(self.exercise)
        self.relabel()
        if self.session.last_record(self.exercise) is None:
            self.query_one(ResultsPanel).show_status(self.ui("exercise.not_graded"), "dim")
        self._load_file(initial=True)  # after the last record: a missing file's message stays on top
        self.set_interval(POLL_SECONDS, self._poll)
        self.watch(self.app, "theme", self._theme_changed, init=False)
        self.editor.focus()

    def relabel(self) -> None:
        self.sub_title = f"{self.exercise.title.get(self.lang)} ({self.exercise.id})"
        self.query_one("#task").border_title = self.ui("exercise.task_title")
        self.query_one("#results").border_title = self.ui("exercise.results_title")
        self.query_one("#task-text", Markdown).update(self._task_markdown())
        self._show_hint()
        self._title_editor()
        record = self.session.last_record(self.exercise)
        if record is not None and not self._grading:
            self._show_record(record)
        if self.file != Path() and self._file_state() is None:
            self.query_one(ResultsPanel).show_status(
                self.ui("exercise.file_missing", file=self.shown_path), "bold red")

    def _task_markdown(self) -> str:
        task = self.session.task(self.exercise).replace("``", "`")
        return f"**{self.exercise.title.get(self.lang)}**\n\n{task}"

    def _theme_changed(self) -> None:
        self.editor.theme = editor_theme(self.app.current_theme.dark)

    # --- the learner's file --------------------------------------------------------------------------
    @property
    def shown_path(self) -> str:
        try:
            return str(self.file.relative_to(self.session.workspace.root))
        except ValueError:
            return str(self.file)

    def _file_state(self) -> tuple[int, int, int] | None:
        try:
            stat = self.file.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size, stat.st_ino

    def _load_file(self, initial: bool = False) -> bool:
        """Put the file's text in the editor; False (and a message) when it is missing or unreadable."""
        self._seen = self._file_state()
        results = self.query_one(ResultsPanel)
        try:
            text = self.file.read_text(encoding="utf-8")
        except FileNotFoundError:
            results.show_status(self.ui("exercise.file_missing", file=self.shown_path), "bold red")
            return False
        except (OSError, UnicodeDecodeError) as err:
            results.show_status(self.ui("exercise.file_unreadable", file=self.shown_path, error=err), "bold red")
            return False
        cursor = self.editor.cursor_location
        self.editor.load_text(text)
        if not initial:
            self.editor.cursor_location = cursor
        self._disk_text = text
        self._title_editor()
        return True

    @property
    def dirty(self) -> bool:
        return self._disk_text is not None and self.editor.text != self._disk_text

    def _title_editor(self) -> None:
        self.editor.border_title = self.shown_path + (f" · {self.ui('exercise.modified')}" if self.dirty else "")

    def on_text_area_changed(self, _event: TextArea.Changed) -> None:
        self._title_editor()

    def _write(self) -> bool:
        text = self.editor.text
        try:
            atomic_write(self.file, text.encode("utf-8"))
        except OSError as err:
            self.notify(self.ui("exercise.save_failed", file=self.shown_path, error=err), severity="error")
            return False
        self._disk_text = text
        self._seen = self._file_state()
        self._title_editor()
        return True

    def _poll(self) -> None:
        """Grade when the file changed on disk (an outside editor saved it, or it was deleted)."""
        state = self._file_state()
        if state == self._seen:
            return
        if state is None:
            self._seen = None
            self.query_one(ResultsPanel).show_status(
                self.ui("exercise.file_missing", file=self.shown_path), "bold red")
            return
        if self.dirty:
            self._seen = state
            self.notify(self.ui("exercise.conflict", file=self.shown_path), severity="warning")
        else:
            if not self._load_file():
                return
            self.notify(self.ui("exercise.reloaded", file=self.shown_path))
        self.grade()

    # --- grading -------------------------------------------------------------------------------------
    def grade(self) -> None:
        results = self.query_one(ResultsPanel)
        if self._grading:
            self._pending = True
            results.show_status(self.ui("exercise.queued"), "yellow")
            return
        self._grading, self._cancelling, self._next_id = True, False, None
        results.show_status(self.ui("exercise.grading" if self.app.grader_ready else "exercise.starting"),
                            "bold yellow")
        self.refresh_bindings()
        self._run_grading()

    @work(thread=True, exit_on_error=False, group="grading")
    def _run_grading(self) -> None:
        """In a thread: grade through the warm worker, then tell the app (which records the attempt)."""
        session, exercise, app = self.session, self.exercise, self.app
        try:
            record = app.grading.grade(session.course.root, exercise.id, self.file,
                                       hide=session.hidden_from_learner_code)
        except GradingCancelled:
            app.post_message(GradingStopped(exercise.id, cancelled=True))
        except Exception as err:  # noqa: BLE001 - any failure is shown in the app, never raised
            app.post_message(GradingStopped(exercise.id, cancelled=False, reason=f"{type(err).__name__}: {err}"))
        else:
            app.post_message(GradingFinished(exercise.id, record))

    def grading_finished(self, message: GradingFinished) -> None:
        """Called by the app once the attempt is recorded."""
        self._grading = False
        record = message.record
        if record.passed:
            following = self.session.next_item(after=self.exercise.id)
            self._next_id = following.id if following is not None else None
        self._show_record(record)
        self.refresh_bindings()
        if self._pending:
            self._pending = False
            self.grade()

    def grading_stopped(self, message: GradingStopped) -> None:
        self._grading = False
        results = self.query_one(ResultsPanel)
        if message.cancelled and self._cancelling:
            self._pending = False
            results.show_status(self.ui("exercise.cancelled"), "yellow")
        else:
            reason = message.reason or self.ui("exercise.worker_stopped")
            results.show_status(self.ui("exercise.grader_failed", reason=reason), "bold red")
            self._pending = False
        self.refresh_bindings()

    def _show_record(self, record) -> None:
        following = self.session.item(self._next_id) if self._next_id else None
        self.query_one(ResultsPanel).show_record(
            record, self.lang, next_title=following.title.get(self.lang) if following else None,
            last_item=record.passed and following is None)
        self._show_hint()

    def _show_hint(self) -> None:
        seen = self.session.hints_seen(self.exercise)
        hints = self.exercise.hints
        text = hints[seen - 1].get(self.lang) if seen else ""
        self.query_one(ResultsPanel).show_hint(HintLine(seen, len(hints), text), self.lang)

    # --- keys ----------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "external_editor":  # in a browser there is no terminal to hand over: the editor here is it
            return not self.app.is_web
        if action == "cancel_grading":
            return self._grading
        if action == "next":
            return self._next_id is not None
        return True

    def action_save(self) -> None:
        if self._write():
            self.grade()

    def action_grade(self) -> None:
        if self.dirty:
            self.action_save()
            return
        if self._file_state() is None:
            self.query_one(ResultsPanel).show_status(
                self.ui("exercise.file_missing", file=self.shown_path), "bold red")
            return
        self.grade()

    def action_cancel_grading(self) -> None:
        if not self._grading:
            self.notify(self.ui("exercise.nothing_to_cancel"))
            return
        self._cancelling = True
        self._pending = False
        self.app.cancel_grading()

    def action_hint(self) -> None:
        before = self.session.hints_seen(self.exercise)
        try:
            after = self.session.reveal_hint(self.exercise)
        except (sqlite3.Error, OSError) as err:  # progress.ProgressUnavailable (locked, read-only) is an OSError
            self.notify(str(err), severity="error")
            return
        if after == before:
            self.notify(self.ui("exercise.no_more_hints"))
        self._show_hint()

    def action_solution(self) -> None:
        if self.session.solution_unlocked(self.exercise):
            self._show_solution()
            return
        from dlquest.tui.screens.dialogs import ConfirmScreen

        question = self.ui("exercise.solution_confirm", exercise=self.exercise.id)
        self.app.push_screen(ConfirmScreen(question), lambda yes: self._show_solution() if yes else None)

    def _show_solution(self) -> None:
        from dlquest.tui.screens.dialogs import SolutionScreen

        try:
            source = self.session.open_solution(self.exercise)
        except OSError as err:
            self.notify(self.ui("exercise.solution_missing", error=err), severity="error")
            return
        self.app.push_screen(SolutionScreen(self.ui("exercise.solution_title", exercise=self.exercise.id), source))

    def action_reset(self) -> None:
        from dlquest.tui.screens.dialogs import ConfirmScreen

        question = self.ui("exercise.reset_confirm", exercise=self.exercise.id)
        self.app.push_screen(ConfirmScreen(question), lambda yes: self._reset() if yes else None)

    def _reset(self) -> None:
        if self.dirty:
            self._write()  # so that the backup holds what the learner sees
        try:
            saved = self.session.reset(self.exercise)
        except OSError as err:
            self.notify(self.ui("exercise.reset_failed", error=err), severity="error")
            return
        self._load_file()
        self.query_one(ResultsPanel).show_status(
            self.ui("exercise.reset_done", backup=saved.id) if saved else self.ui("exercise.reset_fresh"), "dim")
        self.query_one(ResultsPanel).clear_record()

    def action_external_editor(self) -> None:
        if self.dirty and not self._write():
            return
        command = os.environ.get("VISUAL") or os.environ.get("EDITOR") or next(
            (name for name in ("nano", "vim", "vi") if shutil.which(name)), None)
        if not command:
            self.notify(self.ui("exercise.no_editor"), severity="warning")
            return
        failure = None
        try:
            with self.app.suspend():
                try:
                    subprocess.call([*shlex.split(command), str(self.file)])
                except (OSError, ValueError) as err:
                    failure = err
        except SuspendNotSupported:
            self.notify(self.ui("exercise.no_suspend"), severity="warning")
            return
        if failure is not None:
            self.notify(self.ui("exercise.editor_failed", editor=command, error=failure), severity="error")
        self._poll()

    def action_next(self) -> None:
        if self._next_id:
            self.app.open_item(self._next_id)

    def action_lesson(self) -> None:
        if self.exercise.lesson:
            self.app.open_item(self.exercise.lesson)

    def action_back(self) -> None:
        self.dismiss()

    def on_unmount(self) -> None:
        # Leaving never loses work: unsaved edits are written (not graded) when the screen goes.
        if self.dirty and self._write():
            self.app.notify(self.ui("exercise.saved", file=self.shown_path))
