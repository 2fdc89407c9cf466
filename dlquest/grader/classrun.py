"""Grading a class: what `dlquest grade` does, without its face.

Find the submissions in a folder, skip those already graded as they are (the result store makes a run
resumable), hand one task per student and exercise to an executor (a local pool or a Dask cluster), record
each student as their last exercise comes back, and write the reports (the class report, report.html, among
them, with how the run went kept in the store for a later `dlquest report`). What happens along the way is told to
`ClassRunEvents`, which the CLI renders (a progress bar); no terminal output happens here.

One task per student and exercise, not per student: with several workers, a student whose code hangs holds
one worker for one exercise's time-out, not for all of them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dlquest.course import Course
from dlquest.grader import class_report_html, executors, reports, results, submissions
from dlquest.grader.class_stats import ClassStats
from dlquest.grader.records import GradeRecord
from dlquest.grader.student import grade_student


class ClassRunError(Exception):
    """The run cannot start (no such folder or student, another course's output folder, no cluster); the
    message says what is wrong and what to do."""


@dataclass(frozen=True)
class ClassRunOptions:
    exercises: list[str]
    out: Path
    workers: int = 1
    device: str = "auto"  # auto | cpu | cuda
    seed: int | None = None
    timeout: float | None = None  # seconds per call into student code; None: each exercise's own
    force: bool = False  # regrade everyone, even unchanged submissions
    scheduler: str | None = None  # a Dask scheduler's address; None: local worker processes
    student: str | None = None  # (re)grade this student only
    lang: str = "en"  # the feedback files' language

    @property
    def settings(self) -> dict:
        """What a stored result depends on besides the files: a change grades everyone again."""
        return {"seed": self.seed, "timeout": self.timeout, "device": self.device}


@dataclass
class ClassRunEvents:
    """Callbacks a face passes in to show the run; each is optional."""

    started: Callable[[int, int], None] = lambda submissions, to_grade: None
    student_done: Callable[[str], None] = lambda student: None


@dataclass
class ClassRun:
    """What a finished (or interrupted) run leaves: every current student's records, and how it went."""

    results: dict[str, list[GradeRecord]]
    submissions: int
    graded: int
    interrupted: bool = False
    wall_time: float = 0.0
    unmatched: list[str] = field(default_factory=list)  # students whose submission matched no exercise
    skipped: list[str] = field(default_factory=list)  # students left alone as unchanged since their stored result
    stats: ClassStats | None = None  # the class report's numbers (report.html), for a face's summary


def grade_class(course: Course, folder: Path, options: ClassRunOptions,
                events: ClassRunEvents | None = None) -> ClassRun:
    """Grade the submissions in `folder` and write the reports into `options.out`. Raises ClassRunError
    before grading anything when the run cannot start; KeyboardInterrupt ends it early with what is done
    written (`ClassRun.interrupted`)."""
    events = events or ClassRunEvents()
    started_at, started_clock = time.monotonic(), time.time()
    folder = Path(folder)
    if not folder.is_dir():
        raise ClassRunError(f"error: {folder} is not a folder of submissions (one folder or archive per student)")
    found = submissions.discover(folder)
    if options.student:
        found = [s for s in found if s.student == options.student]
        if not found:
            raise ClassRunError(f"error: no submission for student {options.student!r} in {folder}")
    try:
        results.claim_output(options.out, course, options.force)
    except results.OtherCourse as err:
        raise ClassRunError(f"error: {err}") from None
    store = results.ResultStore(options.out)
    todo, skipped = _to_grade(course, found, options, store)
    events.started(len(found), len(todo))
    try:
        executor = executors.make_executor(options.workers, options.scheduler, options.device)
    except executors.NoCluster as err:
        raise ClassRunError(f"error: {err}") from None
    except (OSError, TimeoutError) as err:
        raise ClassRunError(f"error: cannot reach the Dask scheduler at {options.scheduler} ({err}); "
                            "start one with `dask scheduler` (see the README)") from None
    interrupted = False
    try:
        _run(course, todo, executor, options, store, events)
    except KeyboardInterrupt:
        interrupted = True
    current = {s.student for s in submissions.discover(folder)}
    graded = {student: records for student, records in store.records().items() if student in current}
    run = _run_record(options, started_clock, time.monotonic() - started_at, sorted(graded),
                      [s.student for s, _, _ in todo], skipped, interrupted)
    store.record_run(run)
    reports.write_all(options.out, course, graded, options.exercises, options.lang)
    stats = class_report_html.write(options.out, course, graded, options.exercises, run, options.lang)
    return ClassRun(graded, len(found), len(todo), interrupted, time.monotonic() - started_at,
                    reports.unmatched(graded), skipped, stats)


def _run_record(options: ClassRunOptions, started_at: float, wall_time: float, students: list[str],
                graded: list[str], skipped: list[str], interrupted: bool) -> results.RunRecord:
    import dlquest

    return results.RunRecord(started_at=started_at, wall_time=round(wall_time, 3), exercises=list(options.exercises),
                             students=students, graded=sorted(graded), skipped=sorted(skipped),
                             workers=options.workers, scheduler=options.scheduler, device=options.device,
                             timeout=options.timeout, student=options.student, interrupted=interrupted,
                             lang=options.lang, grader_version=dlquest.__version__, seeded=options.seed is not None)


def _with_used(course: Course, exercises: list[str]) -> list[str]:
    """The exercises graded, and those they build on (the manifest's `uses`, transitively): their files travel
    with the submission, because an exercise is graded with the student's own files of the ones it uses."""
    wanted: list[str] = []
    pending = list(exercises)
    while pending:
        exercise_id = pending.pop(0)
        if exercise_id not in wanted:
            wanted.append(exercise_id)
            pending += course.exercises[exercise_id].uses
    return wanted


def _to_grade(course: Course, found: list[submissions.Submission], options: ClassRunOptions,
              store: results.ResultStore) -> tuple[list[tuple[submissions.Submission, dict[str, bytes], str]],
                                                   list[str]]:
    """The submissions to grade now, with their files and digest, and the students skipped: those unchanged
    since their stored result. Those that cannot be read are recorded as not gradable at once."""
    wanted = [str(course.exercises[e].workspace_path) for e in _with_used(course, options.exercises)]
    todo = []
    skipped = []
    for submission in found:
        try:
            files = submissions.read_files(submission, wanted)
        except submissions.NotGradable as err:
            store.add(submission.student, f"not gradable: {err}", options.exercises, options.settings,
                      results.not_gradable_records(submission.student, options.exercises, str(err), course))
            continue
        content = submissions.digest(files)
        if (options.force or options.student
                or not store.is_current(submission.student, content, options.exercises, options.settings)):
            todo.append((submission, files, content))
        else:
            skipped.append(submission.student)
    return todo, skipped


@dataclass
class _Waiting:
    """A student being graded: their files' digest, and the records of the exercises back so far."""

    content: str
    records: dict[str, list[dict]] = field(default_factory=dict)


def _run(course: Course, todo: list[tuple[submissions.Submission, dict[str, bytes], str]],
         executor: executors.Executor, options: ClassRunOptions, store: results.ResultStore,
         events: ClassRunEvents) -> None:
    devices = None if options.device == "auto" else [options.device]
    tasks: list[executors.Task] = []
    waiting: dict[str, _Waiting] = {}
    for submission, files, content in todo:
        waiting[submission.student] = _Waiting(content)
        for exercise in options.exercises:
            path = str(course.exercises[exercise].workspace_path)
            own = {path: files[path]} if path in files else {}
            tasks.append(executors.Task((submission.student, exercise), grade_student,
                                        (str(course.root), submission.student, own, [exercise], options.seed,
                                         options.timeout, devices)))

    def finished(done: executors.Task, records: list[dict]) -> None:
        student, exercise = done.key
        entry = waiting[student]
        entry.records[exercise] = records
        if len(entry.records) == len(options.exercises):  # the student's last exercise: record them whole
            store.add(student, entry.content, options.exercises, options.settings,
                      [record for e in options.exercises for record in entry.records[e]])
            events.student_done(student)

    def lost(done: executors.Task, reason: str) -> None:
        waiting[done.key[0]].content = f"not graded: {reason}"  # so that a rerun tries again
        finished(done, results.not_gradable_records(done.key[0], [done.key[1]], reason, course))

    rebuild = None if options.scheduler else (lambda n: executors.make_executor(n, None, options.device))
    executors.run_tasks(tasks, executor, rebuild, options.workers, finished, lost)
