"""The learner's progress: status per exercise, hints seen, and every attempt with its per-test results.

SQLite in WAL mode with synchronous=FULL: each attempt is one transaction, so killing the process at any
moment loses at most the attempt being written, never an earlier one. The schema carries a version
(`PRAGMA user_version`) and migrates itself forward on open. A database that cannot be read is moved aside
(never deleted) and a fresh one started; `Progress.recovered` says so, for the caller to tell the learner.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from dlquest.grader.records import PASSED, GradeRecord

NOT_STARTED, FAILING = "not_started", "failing"

# Each entry moves the schema from version N to N+1. Append only: never edit a step that has shipped.
MIGRATIONS = [
    # 0 -> 1: the first schema.
    """
    CREATE TABLE exercise_state (
        exercise TEXT PRIMARY KEY,
        hints_seen INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        exercise TEXT NOT NULL,
        started_at REAL NOT NULL,
        duration REAL NOT NULL,
        outcome TEXT NOT NULL,
        record TEXT NOT NULL
    );
    CREATE TABLE test_results (
        attempt_id INTEGER NOT NULL REFERENCES attempts(id),
        test TEXT NOT NULL,
        outcome TEXT NOT NULL,
        duration REAL NOT NULL,
        device TEXT,
        feedback TEXT NOT NULL
    );
    """,
    # 1 -> 2: remember whether the solution was shown, and index attempts by exercise.
    """
    ALTER TABLE exercise_state ADD COLUMN solution_seen INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE exercise_state ADD COLUMN first_passed_at REAL;
    CREATE INDEX attempts_by_exercise ON attempts(exercise, id);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


class ProgressTooNew(Exception):
    """Written by a newer dlquest: left alone (not moved aside), the learner is told to upgrade."""

    def __init__(self, version: int):
        self.version = version
        super().__init__(f"the progress database has schema version {version}, newer than this dlquest "
                         f"understands ({SCHEMA_VERSION}); upgrade dlquest (pip install -U dlquest)")


@dataclass(frozen=True)
class Attempt:
    id: int
    exercise: str
    started_at: float
    duration: float
    outcome: str


class Progress:
    def __init__(self, connection: sqlite3.Connection, path: Path, recovered: tuple[str, Path] | None = None):
        self._db = connection
        self.path = path
        self.recovered = recovered  # (reason, where the unreadable file went) when the store was reset

    @classmethod
    def open(cls, path: Path) -> Progress:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return cls(_connect(path), path)
        except sqlite3.DatabaseError as err:
            moved = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
            for suffix in ("", "-wal", "-shm"):
                source = Path(str(path) + suffix)
                if source.exists():
                    source.replace(Path(str(moved) + suffix))
            return cls(_connect(path), path, recovered=(str(err), moved))

    def close(self) -> None:
        self._db.close()

    @property
    def schema_version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    # --- attempts ----------------------------------------------------------------------------------
    def record_attempt(self, record: GradeRecord) -> int:
        with self._db:  # one transaction: all of the attempt or none of it
            cursor = self._db.execute(
                "INSERT INTO attempts (exercise, started_at, duration, outcome, record) VALUES (?, ?, ?, ?, ?)",
                (record.exercise, record.started_at, record.duration, record.outcome, record.to_json()),
            )
            attempt_id = cursor.lastrowid
            self._db.executemany(
                "INSERT INTO test_results (attempt_id, test, outcome, duration, device, feedback)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(attempt_id, t.test, t.outcome, t.duration, t.device,
                  json.dumps([f.to_dict() for f in t.feedback], ensure_ascii=False)) for t in record.tests],
            )
            if record.outcome == PASSED:
                self._ensure_state(record.exercise)
                self._db.execute(
                    "UPDATE exercise_state SET first_passed_at = COALESCE(first_passed_at, ?) WHERE exercise = ?",
                    (record.started_at, record.exercise),
                )
        return attempt_id

    def attempts(self, exercise: str | None = None) -> list[Attempt]:
        query = "SELECT id, exercise, started_at, duration, outcome FROM attempts"
        rows = (self._db.execute(query + " WHERE exercise = ? ORDER BY id", (exercise,)) if exercise
                else self._db.execute(query + " ORDER BY id"))
        return [Attempt(*row) for row in rows]

    def last_record(self, exercise: str) -> GradeRecord | None:
        row = self._db.execute(
            "SELECT record FROM attempts WHERE exercise = ? ORDER BY id DESC LIMIT 1", (exercise,)
        ).fetchone()
        return GradeRecord.from_dict(json.loads(row[0])) if row else None

    # --- status ------------------------------------------------------------------------------------
    def status(self, exercise: str) -> str:
        """not_started, failing or passed: the outcome of the latest attempt."""
        row = self._db.execute(
            "SELECT outcome FROM attempts WHERE exercise = ? ORDER BY id DESC LIMIT 1", (exercise,)
        ).fetchone()
        if row is None:
            return NOT_STARTED
        return PASSED if row[0] == PASSED else FAILING

    def statuses(self) -> dict[str, str]:
        rows = self._db.execute(
            "SELECT exercise, outcome FROM attempts WHERE id IN (SELECT MAX(id) FROM attempts GROUP BY exercise)"
        )
        return {exercise: PASSED if outcome == PASSED else FAILING for exercise, outcome in rows}

    def ever_passed(self, exercise: str) -> bool:
        row = self._db.execute(
            "SELECT first_passed_at FROM exercise_state WHERE exercise = ?", (exercise,)
        ).fetchone()
        return bool(row and row[0] is not None)

    # --- hints and solutions -----------------------------------------------------------------------
    def hints_seen(self, exercise: str) -> int:
        row = self._db.execute("SELECT hints_seen FROM exercise_state WHERE exercise = ?", (exercise,)).fetchone()
        return row[0] if row else 0

    def reveal_hint(self, exercise: str, available: int) -> int:
        """Count one more hint as seen (up to `available`) and return how many have been seen."""
        with self._db:
            self._ensure_state(exercise)
            self._db.execute(
                "UPDATE exercise_state SET hints_seen = MIN(hints_seen + 1, ?) WHERE exercise = ?",
                (available, exercise),
            )
        return self.hints_seen(exercise)

    def mark_solution_seen(self, exercise: str) -> None:
        with self._db:
            self._ensure_state(exercise)
            self._db.execute("UPDATE exercise_state SET solution_seen = 1 WHERE exercise = ?", (exercise,))

    def solution_seen(self, exercise: str) -> bool:
        row = self._db.execute("SELECT solution_seen FROM exercise_state WHERE exercise = ?", (exercise,)).fetchone()
        return bool(row and row[0])

    def _ensure_state(self, exercise: str) -> None:
        self._db.execute("INSERT OR IGNORE INTO exercise_state (exercise) VALUES (?)", (exercise,))


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=10, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        result = connection.execute("PRAGMA quick_check").fetchone()
        if not result or result[0] != "ok":
            raise sqlite3.DatabaseError(f"integrity check failed: {result[0] if result else 'no answer'}")
        _migrate(connection)
    except (sqlite3.DatabaseError, ProgressTooNew):
        connection.close()
        raise
    # `with connection:` transactions need the default isolation handling back after the pragmas.
    connection.isolation_level = "DEFERRED"
    return connection


def _migrate(connection: sqlite3.Connection) -> None:
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise ProgressTooNew(version)
    for step in range(version, SCHEMA_VERSION):
        # executescript commits first; the version bump goes with the step in one transaction.
        connection.executescript(f"BEGIN; {MIGRATIONS[step]} PRAGMA user_version = {step + 1}; COMMIT;")
