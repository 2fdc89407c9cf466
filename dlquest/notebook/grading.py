"""What the notebook functions do: find the learner's workspace, grade through the daemon or a worker, record
the attempt, and hand back something a notebook renders as HTML (an object with `_repr_html_`)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dlquest.course import Exercise, ManifestError, UnknownItem
from dlquest.grader.records import GradeRecord
from dlquest.i18n import detect_language, t
from dlquest.notebook import html
from dlquest.session import LearnerSession
from dlquest.workspace import NoWorkspace, Workspace

_workspace: Path | None = None  # use_workspace()
_client = None  # the kernel's one warm GradingClient, started at the first check that needs it


class NotebookError(Exception):
    """A dlquest error in the learner's language, shown as a short message instead of a traceback."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)

    def _repr_html_(self) -> str:
        return html.error_html(self.message)

    def _render_traceback_(self) -> list[str]:  # IPython shows these lines in place of the traceback
        return self.message.splitlines()


class Shown:
    """HTML for the notebook, with the grade record (or text) it shows for code that wants it."""

    def __init__(self, markup: str, record: GradeRecord | None = None) -> None:
        self.markup, self.record = markup, record

    def _repr_html_(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return f"<dlquest {self.record.outcome if self.record else 'page'}>"


def use_workspace(path: str | Path) -> None:
    """Use the workspace at `path` from now on, wherever the kernel's current folder is."""
    global _workspace
    _workspace = Path(path)


def open_session(workspace: str | Path | None = None, lang: str | None = None) -> LearnerSession:
    """The learner core on the workspace given, set by use_workspace, or holding the current folder."""
    where = workspace or _workspace
    fallback = detect_language(lang)
    try:
        found = Workspace.find(Path(where) if where else None)
    except NoWorkspace as err:
        raise NotebookError(t("cli.no_workspace", fallback, where=err.where)) from None
    try:
        return LearnerSession.open(found, lang=lang)
    except ManifestError as err:
        raise NotebookError("\n".join([t("cli.manifest_error", fallback, file=err.manifest),
                                       *(f"  - {p}" for p in err.problems)])) from None
    except OSError as err:  # a read-only workspace, an unreadable progress store
        raise NotebookError(f"error: {err}") from None


def find(session: LearnerSession, kind: str, name: str) -> Any:
    try:
        return session.course.exercise(name) if kind == "exercise" else session.course.lesson(name)
    except UnknownItem as err:
        suggestion = (t("cli.did_you_mean", session.lang, names=" or ".join(err.suggestions))
                      if err.suggestions else "")
        raise NotebookError(t("cli.unknown_item", session.lang, kind=t(f"cli.kind.{err.kind}", session.lang),
                              name=err.name, suggestion=suggestion)) from None


@contextlib.contextmanager
def _grading_note(session: LearnerSession, exercise: Exercise) -> Iterator[None]:
    """A line under the cell while the grading runs (the notebook's spinner), removed when the verdict comes."""
    try:
        from IPython import get_ipython  # type: ignore[import-not-found, unused-ignore]
        from IPython.display import HTML, display  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        get_ipython = None
    if get_ipython is None or get_ipython() is None:
        yield
        return
    handle = display(HTML(html.note_html(t("nb.grading", session.lang, exercise=exercise.id))), display_id=True)
    try:
        yield
    finally:
        if handle is not None:
            handle.update(HTML(""))


def grade_out_of_kernel(session: LearnerSession, exercise: Exercise) -> GradeRecord:
    """The daemon's verdict when it answers, else the kernel's warm worker's: never graded in this process.

    A kernel interrupt cancels the grading: the daemon kills it when its connection closes, and the worker is
    killed with whatever it started (its next answer would belong to the cancelled request)."""
    try:
        with _grading_note(session, exercise):
            return _grade_out_of_kernel(session, exercise)
    except KeyboardInterrupt:
        global _client
        if _client is not None:
            _client.close()
            _client = None
        raise NotebookError(t("nb.interrupted", session.lang, exercise=exercise.id)) from None


def _grade_out_of_kernel(session: LearnerSession, exercise: Exercise) -> GradeRecord:
    from dlquest.daemon.client import grade_via_daemon

    record = grade_via_daemon(session, exercise)
    if record is not None:
        return record
    global _client
    from dlquest.grader.worker import GradingCancelled, GradingClient, WorkerFailed

    if _client is None:
        _client = GradingClient(sys.executable)
    try:
        return _client.grade(session.course.root, exercise.id, session.learner_file(exercise),
                             hide=session.hidden_from_learner_code)
    except (GradingCancelled, WorkerFailed) as err:
        raise NotebookError(f"error: the grading did not finish ({err or 'cancelled'})") from None


def check_session(session: LearnerSession, exercise: Exercise, show_hint: bool = False) -> Shown:
    record = grade_out_of_kernel(session, exercise)
    session.record_attempt(record)
    hint_text = None
    if show_hint and not record.passed and exercise.hints:
        hint_text = exercise.hints[session.reveal_hint(exercise) - 1].get(session.lang)
    title = f"{exercise.id} · {session.learner_file(exercise).name}"
    return Shown(html.record_html(record, title, session.lang, hint_text), record)


def check(exercise: str, *, hint: bool = False, workspace: str | Path | None = None,
          lang: str | None = None) -> Shown:
    """Grade the workspace's file for `exercise` and show each test; `hint=True` adds the next hint on a fail."""
    session = open_session(workspace, lang)
    try:
        return check_session(session, find(session, "exercise", exercise), hint)
    finally:
        session.close()


def hint(exercise: str, *, workspace: str | Path | None = None, lang: str | None = None) -> Shown:
    """The exercise's next hint (counted as seen, as `dlquest hint` counts it)."""
    session = open_session(workspace, lang)
    try:
        found = find(session, "exercise", exercise)
        if not found.hints:
            return Shown(html.hint_html("—", session.lang))
        return Shown(html.hint_html(found.hints[session.reveal_hint(found) - 1].get(session.lang), session.lang))
    finally:
        session.close()


def lesson(name: str, *, workspace: str | Path | None = None, lang: str | None = None) -> Shown:
    """The lesson's page in the learner's language (or `lang`), as HTML."""
    session = open_session(workspace, lang)
    try:
        page = find(session, "lesson", name)
        return Shown(html.lesson_html(session.lesson_page(page)))
    finally:
        session.close()
