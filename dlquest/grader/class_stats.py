"""The numbers of a class report, and the words both of its faces say of them.

Per exercise: the score distribution, the share of full marks, and each test's pass rate (the most failed first)
with its most common feedback codes, each with one student who got it. Then the students who could not be
graded and why, the submissions skipped as unchanged, and how the run went (results.RunRecord).

Plain Python over GradeRecords: the HTML page (class_report_html.py) and the terminal summary
(dlquest/class_summary.py) render the same ClassStats, so they never disagree. Nothing here escapes: student ids,
feedback values and exception text are the learner's, and each face escapes them for its medium.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from dlquest.course import Course
from dlquest.grader.records import PASSED, SKIPPED, Feedback, GradeRecord
from dlquest.grader.reports import report_lines
from dlquest.grader.results import RunRecord, score, verdict
from dlquest.render import feedback_text

BINS = 10  # the histogram's bars, each a tenth of the exercise's points
TOP_CODES = 3  # feedback codes shown per test
SLOWEST = 5  # students listed as the slowest to grade
# The verdicts that mean a student's work could not be judged (rather than judged wrong), and the feedback codes
# that say why, most telling first.
UNGRADED = {
    "timeout": ("timeout", "timeout_skipped"),
    "out of memory": ("memory",),
    "crashed": ("killed", "exited", "system_exit"),
    "not gradable": ("not_gradable", "missing_file", "uses_missing", "uses_failed", "syntax_error"),
}


@dataclass(frozen=True)
class CodeCount:
    """A feedback code of one test: how many students got it, and one of them with what they were told."""

    code: str
    count: int
    student: str
    example: Feedback


@dataclass(frozen=True)
class TestStats:
    __test__ = False  # a record, not a pytest test class
    test: str
    ran: int  # students whose result of this test counts (it ran, was not skipped)
    passed: int
    codes: list[CodeCount]

    @property
    def pass_rate(self) -> float:
        return self.passed / self.ran if self.ran else 0.0


@dataclass(frozen=True)
class Bin:
    low: float
    high: float  # the last bin holds its upper bound (full marks) too
    count: int


@dataclass(frozen=True)
class ExerciseStats:
    exercise: str
    points: float
    scores: dict[str, float]  # student -> points
    bins: list[Bin]
    full_marks: int
    tests: list[TestStats]  # the most failed first

    @property
    def students(self) -> int:
        return len(self.scores)

    @property
    def full_share(self) -> float:
        return self.full_marks / self.students if self.students else 0.0

    @property
    def mean(self) -> float:
        return sum(self.scores.values()) / self.students if self.students else 0.0


@dataclass(frozen=True)
class Ungraded:
    """One student's exercise that could not be judged: the one-word verdict and what says why."""

    student: str
    exercise: str
    verdict: str  # a key of UNGRADED
    record: GradeRecord


@dataclass(frozen=True)
class ClassStats:
    course: str
    students: list[str]
    exercises: list[ExerciseStats]
    ungraded: list[Ungraded]
    skipped: list[str]
    slowest: list[tuple[str, float]]  # (student, seconds of grading, all exercises)
    run: RunRecord | None = None
    points: float = 0.0  # the points of every exercise together
    totals: dict[str, float] = field(default_factory=dict)  # student -> points, all exercises


def class_stats(course: Course, results: dict[str, list[GradeRecord]], exercises: list[str],
                run: RunRecord | None = None) -> ClassStats:
    """The numbers of the class report for the students in `results`, over `exercises` (in that order)."""
    students = sorted(results)
    per_exercise = [_exercise_stats(course, exercise, {s: r for s in students for r in results[s]
                                                       if r.exercise == exercise})
                    for exercise in exercises if exercise in course.exercises]
    ungraded = [Ungraded(student, record.exercise, verdict(record), record)
                for student in students for record in results[student] if verdict(record) in UNGRADED]
    durations = {student: sum(r.duration for r in results[student]) for student in students}
    slowest = sorted(durations.items(), key=lambda item: (-item[1], item[0]))[:SLOWEST]
    totals = {student: round(sum(e.scores.get(student, 0.0) for e in per_exercise), 3) for student in students}
    return ClassStats(course.id, students, per_exercise, ungraded, list(run.skipped) if run else [],
                      [item for item in slowest if item[1] > 0], run,
                      sum(e.points for e in per_exercise), totals)


def _exercise_stats(course: Course, exercise: str, records: dict[str, GradeRecord]) -> ExerciseStats:
    points = course.exercises[exercise].points
    scores = {student: score(record, points) for student, record in records.items()}
    counts = [0] * BINS
    for value in scores.values():
        counts[min(BINS - 1, int(value / points * BINS)) if points else 0] += 1
    bins = [Bin(points * i / BINS, points * (i + 1) / BINS, counts[i]) for i in range(BINS)]
    full = sum(1 for value in scores.values() if points and value >= points - 1e-9)
    return ExerciseStats(exercise, points, scores, bins, full, _test_stats(records))


def _test_stats(records: dict[str, GradeRecord]) -> list[TestStats]:
    ran: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    codes: dict[str, Counter[str]] = {}
    examples: dict[tuple[str, str], tuple[str, Feedback]] = {}
    order: dict[str, int] = {}  # a test's place in the check, for ties
    for student in sorted(records):
        for result in records[student].tests:
            order.setdefault(result.test, len(order))
            if result.outcome == SKIPPED:
                continue
            ran[result.test] += 1
            if result.outcome == PASSED:
                passed[result.test] += 1
                continue
            for feedback in {f.code: f for f in result.feedback}.values():  # a student counts once per code
                codes.setdefault(result.test, Counter())[feedback.code] += 1
                examples.setdefault((result.test, feedback.code), (student, feedback))
    tests = [TestStats(test, ran[test], passed[test],
                       [CodeCount(code, count, *examples[(test, code)])
                        for code, count in sorted(codes.get(test, Counter()).items(),
                                                  key=lambda item: (-item[1], item[0]))[:TOP_CODES]])
             for test in order if ran[test]]
    return sorted(tests, key=lambda s: (s.pass_rate, -(s.ran - s.passed), order[s.test]))


# --- the words both faces say -------------------------------------------------------------------------------
def reason_text(course: Course, item: Ungraded, lang: str) -> str:
    """Why a student's exercise could not be judged, as the grader told them (their feedback file says the
    same): the grading's problem, else the first test's feedback that made the verdict."""
    record = item.record
    if record.problem is not None:
        return report_lines(course, record, lang)[0]
    wanted = UNGRADED[item.verdict]
    found = [f for t in record.tests if t.outcome != PASSED for f in t.feedback if f.code in wanted]
    found.sort(key=lambda f: wanted.index(f.code))
    return feedback_text(found[0], lang) if found else ""

