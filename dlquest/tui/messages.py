"""Messages the app's parts send upward: a grading worker to the app, a widget to its screen."""

from __future__ import annotations

from textual.message import Message

from dlquest.grader.records import GradeRecord


class GradingFinished(Message):
    """A grading produced a record (the app stores it, then tells the screens)."""

    def __init__(self, exercise: str, record: GradeRecord) -> None:
        super().__init__()
        self.exercise = exercise
        self.record = record


class GradingStopped(Message):
    """A grading ended without a record: cancelled by the learner, or the grader failed (`reason`)."""

    def __init__(self, exercise: str, cancelled: bool, reason: str = "") -> None:
        super().__init__()
        self.exercise = exercise
        self.cancelled = cancelled
        self.reason = reason


class ExampleFinished(Message):
    """A lesson's example ended: `returncode` is None when it was stopped, or could not start (`error`)."""

    def __init__(self, returncode: int | None, error: str = "") -> None:
        super().__init__()
        self.returncode = returncode
        self.error = error
