"""The results of a class run: the store that makes a run resumable, the course its output folder holds grades
of, and the one-word verdict and the score of each grading (every report renders these).

Results are appended to `results.jsonl` in the output folder as each student finishes, so an interrupted run
resumes: a student is graded again only when their files changed (or with --force). The folder records the
course it holds grades of (`course.json`), and refuses another's. How the last run went (when, how long, on what,
who was skipped) is kept beside them (`run.json`), so that `dlquest report` rebuilds the class report later.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from dlquest.course import Course, manifest_digest
from dlquest.grader.records import ERROR, FAILED, PASSED, SKIPPED, Feedback, GradeRecord
from dlquest.safe_text import json_text


class OtherCourse(Exception):
    """The output folder holds grades of another course (or another version of it); the message says what to do."""


# --- the course an output folder holds grades of -----------------------------------------------------------------
COURSE_RECORD = "course.json"


def claim_output(out: Path, course: Course, force: bool) -> None:
    """Record in `out` the course (its id and its manifest's digest) it holds grades of. A folder that holds
    another course's grades, or grades of another version of this one, is refused (OtherCourse) unless `force`;
    forced onto another course, its old results are moved aside (results-<course>-<time>.jsonl), never lost."""
    out = Path(out)
    record = {"id": course.id, "manifest_sha256": manifest_digest(course), "root": str(course.root)}
    path = out / COURSE_RECORD
    try:
        held = json.loads(path.read_text(encoding="utf-8"))
        held = held if isinstance(held, dict) else None
    except (OSError, ValueError):
        held = None  # none yet (or grades from before dlquest kept this record): this course claims the folder
    if held is not None and (held.get("id"), held.get("manifest_sha256")) != (record["id"], record["manifest_sha256"]):
        other = held.get("id")
        if not force:
            if other != course.id:
                raise OtherCourse(f"{out}/ holds grades of course {other!r}, not {course.id!r}; use another --out "
                                  "or --force")
            before, now = str(held.get("manifest_sha256"))[:12], record["manifest_sha256"][:12]
            raise OtherCourse(f"{out}/ holds grades of course {other!r} as its manifest was before it changed "
                              f"(sha256 {before}…, now {now}…); use another --out, or --force to grade everyone "
                              "again against this version")
        results = out / "results.jsonl"
        if other != course.id and results.exists():
            results.replace(out / f"results-{other}-{time.strftime('%Y%m%d-%H%M%S')}.jsonl")
    if held != record:
        from dlquest.workspace import atomic_write

        atomic_write(path, json.dumps(record, indent=2).encode())


def held_course(out: Path) -> dict | None:
    """The course `out` holds grades of, as claim_output recorded it ({"id", "manifest_sha256", "root"}); None
    when it records none."""
    try:
        held = json.loads((Path(out) / COURSE_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return held if isinstance(held, dict) else None


# --- verdicts and scores ------------------------------------------------------------------------------------
def verdict(record: GradeRecord) -> str:
    """One word for a gradebook: passed, failed, error, timeout, out of memory, crashed, not gradable."""
    if record.outcome == PASSED:
        return "passed"
    codes = [f.code for t in record.tests for f in t.feedback] + ([record.problem.code] if record.problem else [])
    for code, word in (("not_gradable", "not gradable"), ("missing_file", "not gradable"),
                       ("uses_missing", "not gradable"), ("uses_failed", "not gradable"),
                       ("syntax_error", "not gradable"), ("timeout", "timeout"), ("timeout_skipped", "timeout"),
                       ("memory", "out of memory"),
                       ("killed", "crashed"), ("exited", "crashed"), ("system_exit", "crashed")):
        if code in codes:
            return word
    return "failed" if record.outcome == FAILED else "error"


def score(record: GradeRecord, points: float) -> float:
    """Points in proportion to the tests passed among those that ran (all of them for a pass). A skipped test
    did not run (a CUDA test on a machine without a GPU, say): it neither earns nor costs a share."""
    ran = [t for t in record.tests if t.outcome != SKIPPED]
    if not ran:
        return 0.0
    passed = sum(1 for t in ran if t.outcome == PASSED)
    return round(points * passed / len(ran), 3)



def not_gradable_records(student: str, exercises: list[str], reason: str, course: Course) -> list[dict]:
    import time

    import dlquest

    return [GradeRecord(exercise=e, outcome=ERROR, tests=[], started_at=time.time(), duration=0.0, devices=[],
                        source_sha256="", check_sha256="", grader_version=dlquest.__version__, torch_version=None,
                        problem=Feedback("not_gradable", {"what": student, "reason": reason})).to_dict()
            for e in exercises]



# --- the results store ------------------------------------------------------------------------------------
class ResultStore:
    """results.jsonl: one line per graded student, appended (and fsynced) as each finishes."""

    def __init__(self, out: Path):
        self.path = Path(out) / "results.jsonl"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.entries: dict[str, dict] = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a line cut short by a kill: that student is simply graded again
                self.entries[entry["student"]] = entry

    def is_current(self, student: str, content: str, exercises: list[str], settings: dict) -> bool:
        entry = self.entries.get(student)
        return bool(entry and entry["digest"] == content and entry["exercises"] == exercises
                    and entry["settings"] == settings)

    def add(self, student: str, content: str, exercises: list[str], settings: dict, records: list[dict]) -> None:
        entry = {"student": student, "digest": content, "exercises": exercises, "settings": settings,
                 "records": records}
        self.entries[student] = entry
        with self.path.open("a", encoding="utf-8") as handle:
            # A student id from a folder name that is not UTF-8 holds lone surrogates: written as \u escapes.
            handle.write(json_text(entry, strict=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def records(self) -> dict[str, list[GradeRecord]]:
        return {student: [GradeRecord.from_dict(r) for r in entry["records"]]
                for student, entry in sorted(self.entries.items())}

    def record_run(self, run: RunRecord) -> None:
        """Keep how this run went (replacing the last run's record)."""
        from dlquest.workspace import atomic_write

        # Student ids from folder names that are not UTF-8 hold lone surrogates: written as \u escapes.
        atomic_write(self.path.with_name(RUN_RECORD), json_text(run.to_dict(), indent=1, strict=False).encode())

    def last_run(self) -> RunRecord | None:
        """The last run's record; None before any run kept one (or when it cannot be read)."""
        try:
            data = json.loads(self.path.with_name(RUN_RECORD).read_text(encoding="utf-8"))
            return RunRecord.from_dict(data) if isinstance(data, dict) else None
        except (OSError, ValueError, TypeError):
            return None


# --- how the last run went ----------------------------------------------------------------------------------
RUN_RECORD = "run.json"


@dataclass(frozen=True)
class RunRecord:
    """What the class report says of the run, beyond the grades: kept in the output folder (run.json), so a
    report rebuilt later (`dlquest report`) says the same. `students` are the submissions the run found (the
    store may hold students whose folder has gone since); `skipped` those left alone as unchanged."""

    started_at: float  # time.time() when the run began
    wall_time: float  # seconds from finding the submissions to the last grade back
    exercises: list[str]
    students: list[str]
    graded: list[str]
    skipped: list[str]
    workers: int
    scheduler: str | None = None  # a Dask scheduler's address; None: local worker processes
    device: str = "auto"
    timeout: float | None = None
    student: str | None = None  # --student: the one student this run (re)graded
    interrupted: bool = False
    lang: str = "en"
    grader_version: str = ""
    seeded: bool = False  # whether a secret seed was given (never the seed itself: the report is shared)
    extra: dict = field(default_factory=dict)  # fields a newer dlquest wrote, kept when this one reads them

    def to_dict(self) -> dict:
        data = asdict(self)
        data.update(data.pop("extra"))
        return data

    @classmethod
    def from_dict(cls, data: dict) -> RunRecord:
        known = set(cls.__dataclass_fields__) - {"extra"}
        return cls(**{k: v for k, v in data.items() if k in known},
                   extra={k: v for k, v in data.items() if k not in known})


def holds_run(out: Path) -> bool:
    """Whether `out` is the output folder of a class run (it holds a result store)."""
    return (Path(out) / "results.jsonl").is_file()
