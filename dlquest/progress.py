"""The learner's progress: status per exercise, hints seen, and every attempt with its per-test results.

SQLite in WAL mode (a rollback journal where the file system refuses WAL: NFS, CIFS, 9p under WSL) with
synchronous=FULL: each attempt is one transaction, so killing the process at any moment loses at most the
attempt being written, never an earlier one. Several processes may hold one store at once (two app windows and
a command): a writer waits up to BUSY_TIMEOUT for another's write, and one of them migrates the schema while
the others wait. The schema carries a version (`PRAGMA user_version`) and migrates itself forward on open.

Only a damaged store (the integrity check fails, or the file is not a database) is moved aside (never deleted)
and a fresh one started; `Progress.recovered` says so, for the caller to tell the learner. A store that is
locked for longer than BUSY_TIMEOUT, or that cannot be written (a read-only workspace), or an I/O error, is
left exactly as it is: `ProgressUnavailable` says which, and the command ends.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dlquest.grader.records import PASSED, GradeRecord
from dlquest.quiz import QuizResult

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
    # 2 -> 3: concept checks' runs, beside the exercise attempts (the answers and the rest in `record`).
    """
    CREATE TABLE quiz_attempts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        quiz TEXT NOT NULL,
        lesson TEXT NOT NULL,
        started_at REAL NOT NULL,
        duration REAL NOT NULL,
        correct INTEGER NOT NULL,
        total INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        record TEXT NOT NULL
    );
    CREATE INDEX quiz_attempts_by_quiz ON quiz_attempts(quiz, id);
    """,
    # 3 -> 4: lessons read, here with the rest of the learner's progress (they were a list in settings.json,
    # which the learner core moves in when it opens a workspace: see dlquest/session.py).
    """
    CREATE TABLE lessons_read (
        lesson TEXT PRIMARY KEY,
        read_at REAL NOT NULL
    );
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)
# Seconds a process waits for another's write (an attempt takes milliseconds) before it says the store is locked.
BUSY_TIMEOUT = 10.0

# SQLite's primary result codes (the low byte of an extended code).
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 3, 5, 6, 8
_SQLITE_CORRUPT, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 11, 14, 26


class ProgressTooNew(Exception):
    """Written by a newer dlquest: left alone (not moved aside), the learner is told to upgrade."""

    def __init__(self, version: int):
        self.version = version
        super().__init__(f"the progress database has schema version {version}, newer than this dlquest "
                         f"understands ({SCHEMA_VERSION}); upgrade dlquest (pip install -U dlquest)")


class ProgressUnavailable(OSError):
    """The store cannot be used now, and was left as it is (nothing moved): the command says so and ends."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path = Path(path)
        self.detail = detail
        super().__init__(self.describe())

    def describe(self) -> str:
        return f"the progress database {self.path} cannot be used ({self.detail}); nothing was changed"


class ProgressLocked(ProgressUnavailable):
    """Another process held the store for longer than BUSY_TIMEOUT."""

    def describe(self) -> str:
        return (f"the progress database {self.path} is locked by another dlquest process (the app or a command) "
                f"and stayed locked for {BUSY_TIMEOUT:g} s; nothing was changed, try again when it is done")


class ProgressReadOnly(ProgressUnavailable):
    """The store, or the folder it lives in, cannot be written: a read-only workspace."""

    def describe(self) -> str:
        return (f"the progress database {self.path} cannot be written ({self.detail}): the workspace is "
                "read-only; make it writable or work on a copy of it")


class _Damaged(sqlite3.DatabaseError):
    """The integrity check found the store damaged."""


def _unavailable(path: Path, err: sqlite3.Error) -> ProgressUnavailable | None:
    """What an SQLite error means for the store: locked, read-only, another failure; None for damage."""
    code = getattr(err, "sqlite_errorcode", None)  # Python 3.11+; the message before that
    message = str(err).lower()
    primary = code & 0xFF if isinstance(code, int) else None
    if isinstance(err, _Damaged) or primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or (
            primary is None and ("not a database" in message or "malformed" in message)):
        return None
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or (primary is None and "locked" in message):
        return ProgressLocked(path, str(err))
    if primary in (_SQLITE_READONLY, _SQLITE_CANTOPEN, _SQLITE_PERM) or (
            primary is None and ("readonly" in message or "unable to open" in message)):
        return ProgressReadOnly(path, str(err))
    return ProgressUnavailable(path, str(err))


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
    def open(cls, path: Path, timeout: float | None = None) -> Progress:
        """Open (or make) the store at `path`. Raises ProgressTooNew, ProgressLocked, ProgressReadOnly or
        ProgressUnavailable, with the store untouched; a damaged store is moved aside and a fresh one made."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ProgressReadOnly(path, f"cannot make {path.parent}: {err.strerror or err}") from None
        try:
            return cls(_connect(path, timeout), path)
        except sqlite3.Error as err:
            refused = _unavailable(path, err)
            if refused is not None:
                raise refused from None
            reason, moved = str(err), _move_aside(path, err)
        try:
            return cls(_connect(path, timeout), path, recovered=(reason, moved))
        except sqlite3.Error as again:
            raise _unavailable(path, again) or ProgressUnavailable(path, str(again)) from None

    @property
    def journal_mode(self) -> str:
        """wal, or delete where the file system does not grant WAL."""
        return str(self._db.execute("PRAGMA journal_mode").fetchone()[0]).lower()

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One write transaction; waiting on another process past the time-out is ProgressLocked, not a crash."""
        try:
            with self._db:
                yield
        except sqlite3.OperationalError as err:
            raise _unavailable(self.path, err) or ProgressUnavailable(self.path, str(err)) from None

    def close(self) -> None:
        self._db.close()

    @property
    def schema_version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    # --- attempts ----------------------------------------------------------------------------------
    def record_attempt(self, record: GradeRecord) -> int:
        with self._writing():  # one transaction: all of the attempt or none of it
            cursor = self._db.execute(
                "INSERT INTO attempts (exercise, started_at, duration, outcome, record) VALUES (?, ?, ?, ?, ?)",
                (record.exercise, record.started_at, record.duration, record.outcome, record.to_json()),
            )
            attempt_id = int(cursor.lastrowid or 0)
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
        with self._writing():
            self._ensure_state(exercise)
            self._db.execute(
                "UPDATE exercise_state SET hints_seen = MIN(hints_seen + 1, ?) WHERE exercise = ?",
                (available, exercise),
            )
        return self.hints_seen(exercise)

    def mark_solution_seen(self, exercise: str) -> None:
        with self._writing():
            self._ensure_state(exercise)
            self._db.execute("UPDATE exercise_state SET solution_seen = 1 WHERE exercise = ?", (exercise,))

    def solution_seen(self, exercise: str) -> bool:
        row = self._db.execute("SELECT solution_seen FROM exercise_state WHERE exercise = ?", (exercise,)).fetchone()
        return bool(row and row[0])

    # --- concept checks (self-study: never graded) ---------------------------------------------------
    def record_quiz(self, result: QuizResult) -> int:
        """Store one run through a concept check (a retake is one more run; none is ever replaced)."""
        with self._writing():
            cursor = self._db.execute(
                "INSERT INTO quiz_attempts (quiz, lesson, started_at, duration, correct, total, outcome, record)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (result.quiz, result.lesson, result.started_at, result.duration, result.correct, result.total,
                 result.outcome, result.to_json()),
            )
        return int(cursor.lastrowid or 0)

    def quiz_results(self, quiz: str | None = None) -> list[QuizResult]:
        """Every run through `quiz` (through every concept check when None), oldest first."""
        query = "SELECT record FROM quiz_attempts"
        rows = (self._db.execute(query + " WHERE quiz = ? ORDER BY id", (quiz,)) if quiz
                else self._db.execute(query + " ORDER BY id"))
        return [QuizResult.from_dict(json.loads(row[0])) for row in rows]

    def quiz_statuses(self) -> dict[str, str]:
        """passed or failing per concept check taken: the outcome of its latest run."""
        rows = self._db.execute("SELECT quiz, outcome FROM quiz_attempts WHERE id IN "
                                "(SELECT MAX(id) FROM quiz_attempts GROUP BY quiz)")
        return {quiz: PASSED if outcome == PASSED else FAILING for quiz, outcome in rows}

    def quizzes_passed(self) -> set[str]:
        """The concept checks passed at least once."""
        rows = self._db.execute("SELECT DISTINCT quiz FROM quiz_attempts WHERE outcome = ?", (PASSED,))
        return {row[0] for row in rows}

    # --- lessons read ---------------------------------------------------------------------------------
    def mark_read(self, *lessons: str, at: float | None = None) -> None:
        """Remember that these lessons were read (reading one again keeps the first time)."""
        if not lessons:
            return
        when = time.time() if at is None else at
        with self._writing():
            self._db.executemany("INSERT OR IGNORE INTO lessons_read (lesson, read_at) VALUES (?, ?)",
                                 [(lesson, when) for lesson in lessons])

    def lessons_read(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT lesson FROM lessons_read")}

    def _ensure_state(self, exercise: str) -> None:
        self._db.execute("INSERT OR IGNORE INTO exercise_state (exercise) VALUES (?)", (exercise,))


def _move_aside(path: Path, err: sqlite3.Error) -> Path:
    """Move a damaged store (and its journal files) to a name of its own, never over an earlier one."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    moved, n = path.with_name(f"{path.name}.corrupt-{stamp}"), 1
    while any(Path(str(moved) + suffix).exists() for suffix in ("", "-wal", "-shm")):
        n += 1
        moved = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    try:
        for suffix in ("", "-wal", "-shm"):
            source = Path(str(path) + suffix)
            if source.exists():
                source.replace(Path(str(moved) + suffix))
    except OSError as move_err:
        raise ProgressReadOnly(path, f"it is damaged ({err}) and cannot be moved aside: "
                                     f"{move_err.strerror or move_err}") from None
    return moved


def _connect(path: Path, timeout: float | None = None, vfs: str | None = None) -> sqlite3.Connection:
    """A connection in WAL mode (a rollback journal where WAL is not granted), checked and migrated.

    `vfs` names an SQLite VFS (`unix-dotfile` has no shared memory, so no WAL: how the tests meet NFS)."""
    wait = BUSY_TIMEOUT if timeout is None else timeout
    target = f"file:{path}?vfs={vfs}" if vfs else str(path)
    connection = sqlite3.connect(target, timeout=wait, isolation_level=None, uri=bool(vfs))
    try:
        granted = connection.execute("PRAGMA journal_mode=WAL").fetchone()
        if not granted or str(granted[0]).lower() != "wal":
            # The answer is the mode in force: WAL needs shared memory, which NFS, CIFS and 9p (WSL) lack.
            connection.execute("PRAGMA journal_mode=DELETE")
        connection.execute("PRAGMA synchronous=FULL")
        result = connection.execute("PRAGMA quick_check").fetchone()
        if not result or result[0] != "ok":
            raise _Damaged(f"integrity check failed: {result[0] if result else 'no answer'}")
        _migrate(connection)
    except BaseException:
        connection.close()
        raise
    # Transactions take the write lock when they begin: a writer waits its turn instead of failing midway.
    connection.isolation_level = "IMMEDIATE"
    return connection


def _migrate(connection: sqlite3.Connection) -> None:
    """Bring the schema to SCHEMA_VERSION. One process migrates while any other opening the store waits, then
    finds the work done."""
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise ProgressTooNew(version)
    if version == SCHEMA_VERSION:
        return
    connection.execute("BEGIN IMMEDIATE")
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated
        if version > SCHEMA_VERSION:
            raise ProgressTooNew(version)
        for step in range(version, SCHEMA_VERSION):
            # Each step and its version bump in the one transaction.
            for statement in MIGRATIONS[step].split(";"):
                if statement.strip():
                    connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {step + 1}")
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
