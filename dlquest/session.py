"""The learner core: a learner's course, workspace, progress and language, and every rule about them.

Both faces call it and neither keeps a learner rule of its own: the CLI (`dlquest list`, `check`, `hint`,
`solution`, `task`, `quiz`) and the app's screens. What comes next, what is locked, which lessons were read,
what a grading hides from the learner's code, when the solution may be shown, the task in the learner's
language: all here. Plain Python that imports neither Textual nor rich nor torch (a grading imports torch in
the grader when it runs).
"""

from __future__ import annotations

import ast
import time
from dataclasses import dataclass, replace
from pathlib import Path

from dlquest.course import Course, Exercise, Item, Lesson, Quiz, Stage, load_course
from dlquest.grader.records import PASSED, GradeRecord
from dlquest.i18n import detect_language
from dlquest.progress import NOT_STARTED, Attempt, Progress
from dlquest.quiz import QuizContent, QuizResult, QuizRun, load_quiz
from dlquest.workspace import Backup, Workspace

READ, UNREAD = "read", "unread"  # lesson states; exercises use progress's not_started / failing / passed
DARK_THEME, LIGHT_THEME = "textual-dark", "textual-light"
# Time between two attempts counts as work up to this gap; a longer pause is a break.
ACTIVE_GAP = 15 * 60


@dataclass(frozen=True)
class ItemView:
    """One lesson or exercise as the roadmap shows it."""

    item: Item
    status: str  # exercises and concept checks: not_started | failing | passed; lessons: read | unread
    ever_passed: bool
    locked_by: tuple[str, ...]  # exercise ids still to pass before this one opens
    done: bool  # an exercise passed once; a lesson read, or all of its exercises passed
    is_next: bool


@dataclass(frozen=True)
class ExerciseHistory:
    """One exercise on the progress screen."""

    exercise: Exercise
    status: str
    attempts: list[Attempt]
    first_passed_at: float | None
    time_spent: float  # seconds of work between attempts, pauses over ACTIVE_GAP left out
    hints_seen: int


@dataclass(frozen=True)
class QuizHistory:
    """One concept check on the progress screen."""

    quiz: Quiz
    status: str
    runs: int
    first_passed_at: float | None
    best: tuple[int, int] | None  # (right, questions) of the best run


class LearnerSession:
    """One learner on one workspace: what a command or the app works on."""

    def __init__(self, course: Course, workspace: Workspace, progress: Progress, lang: str):
        self.course = course
        self.workspace = workspace
        self.progress = progress
        self.lang = lang
        self.synced: list[str] = []  # exercises whose stubs this opening copied into the workspace
        self._move_lessons_read_into_progress()

    @classmethod
    def open(cls, workspace: Workspace, course_dir: Path | None = None, lang: str | None = None) -> LearnerSession:
        """What both faces open: the course the workspace uses (or `course_dir`), its stubs synced, its progress
        store, the learner's language (`lang`, else the saved one, else the locale).

        Raises ManifestError (a broken course), WorkspaceReadOnly (a stub could not be copied in), ProgressTooNew
        (a newer dlquest wrote the store) and ProgressUnavailable (locked, read-only, an I/O error)."""
        course = load_course(course_dir or workspace.course_dir)
        synced = workspace.sync_stubs(course)
        progress = Progress.open(workspace.progress_path)
        session = cls(course, workspace, progress, detect_language(lang or workspace.settings().get("lang")))
        session.synced = synced
        return session

    def _move_lessons_read_into_progress(self) -> None:
        """Lessons read were a list in settings.json before the progress store kept them: move it in once."""
        settings = self.workspace.settings()
        old = settings.get("lessons_read")
        if isinstance(old, list) and old:
            self.progress.mark_read(*(str(lesson) for lesson in old))
            self._remember("lessons_read", None)

    def close(self) -> None:
        self.progress.close()

    # --- preferences (a workspace that cannot be written keeps them for this session only) ------------
    def _remember(self, key: str, value: object) -> None:
        try:
            self.workspace.set_setting(key, value)
        except OSError:
            pass

    def set_lang(self, lang: str) -> None:
        self.lang = lang
        self._remember("lang", lang)

    @property
    def theme(self) -> str | None:
        return self.workspace.settings().get("theme")

    def set_theme(self, theme: str) -> None:
        if self.workspace.settings().get("theme") != theme:
            self._remember("theme", theme)

    @property
    def welcomed(self) -> bool:
        return bool(self.workspace.settings().get("welcomed"))

    def mark_welcomed(self) -> None:
        self._remember("welcomed", True)

    # --- the roadmap ---------------------------------------------------------------------------------
    def lessons_read(self) -> set[str]:
        return self.progress.lessons_read()

    def mark_read(self, lesson: Lesson) -> None:
        if lesson.kind != "lesson":
            return  # guides are read at will; they count toward no stage
        self.progress.mark_read(lesson.id)

    def roadmap(self, after: str | None = None) -> dict[str, ItemView]:
        """Every item by id, in course order, with its status and what locks it. The next item is the first
        one not done and not locked, searching from just after the item `after` (wrapping round)."""
        statuses = self.progress.statuses()
        passed = {ex for ex in self.course.exercises if self.progress.ever_passed(ex)}
        read = self.lessons_read()
        quiz_statuses, quizzes_passed = self.progress.quiz_statuses(), self.progress.quizzes_passed()
        views: dict[str, ItemView] = {}
        for item in self.course.items():
            if isinstance(item, Quiz):  # a concept check opens whenever its lesson does: never locked
                views[item.id] = ItemView(item, quiz_statuses.get(item.id, NOT_STARTED), item.id in quizzes_passed,
                                          (), item.id in quizzes_passed, False)
            elif isinstance(item, Lesson):
                exercises = self.exercises_of(item)
                done = item.id in read or (bool(exercises) and all(ex.id in passed for ex in exercises))
                views[item.id] = ItemView(item, READ if item.id in read else UNREAD, False, (), done, False)
            else:
                # Prerequisites lock an exercise until it is passed once: one passed out of order stays open.
                locked = () if item.id in passed else tuple(r for r in item.requires if r not in passed)
                views[item.id] = ItemView(item, statuses.get(item.id, NOT_STARTED), item.id in passed, locked,
                                          item.id in passed, False)
        order = list(views)
        if after in views:
            start = order.index(after) + 1
            order = order[start:] + order[:start]
        next_id = next((i for i in order if not views[i].done and not views[i].locked_by), None)
        if next_id is not None:
            views[next_id] = replace(views[next_id], is_next=True)
        return views

    def stage_progress(self, stage: Stage, views: dict[str, ItemView] | None = None) -> tuple[int, int]:
        """(items done, items) in a stage: lessons read and exercises passed."""
        views = views if views is not None else self.roadmap()
        ids = [item.id for unit in stage.units for item in unit.items]
        return sum(views[i].done for i in ids), len(ids)

    def stage_minutes_left(self, stage: Stage, views: dict[str, ItemView] | None = None) -> int:
        """The estimated minutes of the stage's items not done yet (lessons unread, exercises not passed)."""
        views = views if views is not None else self.roadmap()
        return sum(item.minutes or 0 for unit in stage.units for item in unit.items if not views[item.id].done)

    def next_item(self, after: str | None = None) -> Item | None:
        """What to do next (after the item `after`, when given); None when everything is done."""
        return next((view.item for view in self.roadmap(after).values() if view.is_next), None)

    def item(self, item_id: str) -> Item | None:
        return (self.course.lessons.get(item_id) or self.course.exercises.get(item_id)
                or self.course.quizzes.get(item_id))

    def exercises_of(self, lesson: Lesson) -> list[Exercise]:
        return [ex for ex in self.course.exercises.values() if ex.lesson == lesson.id]

    # --- lessons -------------------------------------------------------------------------------------
    def lesson_page(self, lesson: Lesson) -> str:
        """The lesson's Markdown in the learner's language. Raises OSError when the page is unreadable."""
        page = lesson.pages.get(self.lang) or next(iter(lesson.pages.values()))
        return self.course.path(page).read_text(encoding="utf-8")

    def example_script(self, lesson: Lesson) -> Path | None:
        return self.course.path(lesson.example) if lesson.example else None

    # --- exercises -----------------------------------------------------------------------------------
    def learner_file(self, exercise: Exercise) -> Path:
        return self.workspace.learner_file(exercise)

    def task(self, exercise: Exercise) -> str:
        """What the exercise asks, in the learner's language: the course's translation of the task when it has
        one, else the stub's module docstring (its contract), as the course ships it."""
        page = self.course.task_page(exercise, self.lang)
        if page is not None:
            try:
                return page.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                pass
        try:
            doc = ast.get_docstring(ast.parse(self.course.path(exercise.stub).read_text(encoding="utf-8")))
        except (OSError, SyntaxError, ValueError):
            doc = None
        return doc or exercise.title.get(self.lang)

    @property
    def hidden_from_learner_code(self) -> tuple[Path, ...]:
        """What every grading of this learner's code hides from it, besides the course's solutions and checks
        (which the grader always hides): the learner's own progress, settings and backups, and the grading
        daemon's runtime folder (its socket: learner code must not ask for gradings or answer in its place)."""
        from dlquest.daemon.paths import UnsafeRuntimeDir, runtime_dir

        try:
            return (self.workspace.state, runtime_dir())
        except (OSError, UnsafeRuntimeDir):
            return (self.workspace.state,)

    def grade(self, exercise: Exercise, devices: list[str] | None = None, *, daemon: bool = False) -> GradeRecord:
        """Grade the learner's file (see `grade_unrecorded`), and record the attempt. The app grades in its
        worker process instead, with the same `hidden_from_learner_code`, then `record_attempt`."""
        record = self.grade_unrecorded(exercise, devices, daemon=daemon)
        self.record_attempt(record)
        return record

    def grade_unrecorded(self, exercise: Exercise, devices: list[str] | None = None, *,
                         daemon: bool = False) -> GradeRecord:
        """Grade the learner's file without recording the attempt: through the warm daemon when `daemon`
        (`dlquest check`), falling back to this process's grader when the daemon cannot be used. `dlquest
        watch` grades in a thread of its own and records on its main thread: the progress store's SQLite
        connection may be used only by the thread that opened it."""
        record = None
        if daemon:
            from dlquest.daemon.client import grade_via_daemon

            record = grade_via_daemon(self, exercise, devices)
        if record is None:
            from dlquest.grader.grade import grade

            record = grade(self.course, exercise, self.learner_file(exercise), devices=devices,
                           hide=self.hidden_from_learner_code)
        return record

    def record_attempt(self, record: GradeRecord) -> None:
        self.progress.record_attempt(record)

    def last_record(self, exercise: Exercise) -> GradeRecord | None:
        return self.progress.last_record(exercise.id)

    def hints_seen(self, exercise: Exercise) -> int:
        return min(self.progress.hints_seen(exercise.id), len(exercise.hints))

    def reveal_hint(self, exercise: Exercise) -> int:
        return self.progress.reveal_hint(exercise.id, len(exercise.hints))

    def solution_unlocked(self, exercise: Exercise) -> bool:
        return self.progress.ever_passed(exercise.id)

    def open_solution(self, exercise: Exercise) -> str:
        """The reference solution's source, counted as seen. Raises OSError when it cannot be read."""
        source = self.course.path(exercise.solution).read_text(encoding="utf-8")
        self.progress.mark_solution_seen(exercise.id)
        return source

    def reset(self, exercise: Exercise) -> Backup | None:
        return self.workspace.reset(self.course, exercise)

    # --- concept checks ------------------------------------------------------------------------------
    def quiz_for(self, lesson: Lesson) -> Quiz | None:
        return self.course.quiz_for(lesson.id) if lesson.kind == "lesson" else None

    def start_quiz(self, quiz: Quiz) -> QuizRun:
        """A new run through the concept check (a retake is one more). Raises QuizError for a broken file."""
        content: QuizContent = load_quiz(self.course, quiz)
        return QuizRun(content)

    def record_quiz(self, result: QuizResult) -> None:
        self.progress.record_quiz(result)

    def quiz_results(self, quiz: Quiz) -> list[QuizResult]:
        return self.progress.quiz_results(quiz.id)

    def quiz_history(self) -> list[QuizHistory]:
        """Every concept check on the progress screen: its status, runs, best score and first pass."""
        statuses = self.progress.quiz_statuses()
        rows = []
        for quiz in self.course.quizzes.values():
            results = self.progress.quiz_results(quiz.id)
            first_pass = next((r.started_at for r in results if r.passed), None)
            best = max(results, key=lambda r: r.correct, default=None)
            rows.append(QuizHistory(quiz, statuses.get(quiz.id, NOT_STARTED), len(results), first_pass,
                                    (best.correct, best.total) if best else None))
        return rows

    # --- the progress screen -------------------------------------------------------------------------
    def history(self) -> list[ExerciseHistory]:
        statuses = self.progress.statuses()
        rows = []
        for exercise in self.course.exercises.values():
            attempts = self.progress.attempts(exercise.id)
            first_pass = next((a.started_at for a in attempts if a.outcome == PASSED), None)
            rows.append(ExerciseHistory(exercise, statuses.get(exercise.id, NOT_STARTED), attempts, first_pass,
                                        time_spent(attempts), self.hints_seen(exercise)))
        return rows

    def attempts_per_day(self) -> tuple[list[str], dict[str, list[int]]]:
        """The days with attempts (YYYY-MM-DD, local time, oldest first), and for each exercise that has
        attempts, how many it had on each of those days."""
        counts: dict[str, dict[str, int]] = {}
        for attempt in self.progress.attempts():
            day = time.strftime("%Y-%m-%d", time.localtime(attempt.started_at))
            per_day = counts.setdefault(attempt.exercise, {})
            per_day[day] = per_day.get(day, 0) + 1
        days = sorted({day for per_day in counts.values() for day in per_day})
        order = [ex for ex in self.course.exercises if ex in counts] + sorted(set(counts) - set(self.course.exercises))
        return days, {ex: [counts[ex].get(day, 0) for day in days] for ex in order}


def time_spent(attempts: list[Attempt]) -> float:
    """Seconds of work on an exercise: the gaps between consecutive attempts (a save is an attempt), each up
    to ACTIVE_GAP, plus the last grading. An estimate: the progress store keeps attempts, not keystrokes."""
    total = 0.0
    for before, after in zip(attempts, attempts[1:], strict=False):  # neighbours: one pair fewer
        gap = after.started_at - before.started_at
        if 0 < gap <= ACTIVE_GAP:
            total += gap
    if attempts:
        total += attempts[-1].duration
    return total
