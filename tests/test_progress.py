"""The progress store: statuses and attempts, atomic writes, recovery from corruption, migrations."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time

from dlquest.grader.records import Feedback, GradeRecord, TestResult
from dlquest.progress import MIGRATIONS, SCHEMA_VERSION, Progress


def record(exercise="conv2d", outcome="failed", code="value_mismatch"):
    test = TestResult("test_forward[cpu-basic]", "failed" if outcome != "passed" else "passed",
                      [Feedback(code, {"what": "output", "expected": [2, 3], "got": [3, 2]})], 0.1, "cpu")
    return GradeRecord(exercise, outcome, [test], time.time(), 0.5, ["cpu"], "abc", "def", "0.1.0", "2.14.1")


def test_status_follows_the_latest_attempt(tmp_path):
    progress = Progress.open(tmp_path / "p.sqlite")
    assert progress.status("conv2d") == "not_started"
    progress.record_attempt(record())
    assert progress.status("conv2d") == "failing"
    progress.record_attempt(record(outcome="passed"))
    assert progress.status("conv2d") == "passed" and progress.ever_passed("conv2d")
    progress.record_attempt(record())
    assert progress.status("conv2d") == "failing" and progress.ever_passed("conv2d")
    assert [a.outcome for a in progress.attempts("conv2d")] == ["failed", "passed", "failed"]


def test_records_round_trip_with_structured_feedback(tmp_path):
    progress = Progress.open(tmp_path / "p.sqlite")
    original = record()
    progress.record_attempt(original)
    again = Progress.open(tmp_path / "p.sqlite").last_record("conv2d")
    assert again == original
    assert again.tests[0].feedback[0].code == "value_mismatch"


def test_hints_count_up_to_the_number_available(tmp_path):
    progress = Progress.open(tmp_path / "p.sqlite")
    assert [progress.reveal_hint("conv2d", 2) for _ in range(3)] == [1, 2, 2]


def test_corrupt_database_is_moved_aside_and_replaced(tmp_path):
    path = tmp_path / "p.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    progress = Progress.open(path)
    assert progress.recovered is not None
    reason, moved = progress.recovered
    assert moved.exists() and moved.read_bytes().startswith(b"this is not")
    assert progress.status("conv2d") == "not_started"


def test_an_old_schema_is_migrated_without_losing_attempts(tmp_path):
    path = tmp_path / "p.sqlite"
    old = sqlite3.connect(path)
    old.executescript(MIGRATIONS[0] + "PRAGMA user_version = 1;")
    old.execute("INSERT INTO attempts (exercise, started_at, duration, outcome, record) VALUES (?, ?, ?, ?, ?)",
                ("perceptron", 1.0, 0.1, "passed", record("perceptron", "passed").to_json()))
    old.execute("INSERT INTO exercise_state (exercise, hints_seen) VALUES ('perceptron', 2)")
    old.commit()
    old.close()
    progress = Progress.open(path)
    assert progress.schema_version == SCHEMA_VERSION == 2
    assert progress.status("perceptron") == "passed"
    assert progress.hints_seen("perceptron") == 2
    progress.mark_solution_seen("perceptron")
    assert progress.solution_seen("perceptron")


WRITER = """
import sys, time
from dlquest.progress import Progress
from dlquest.grader.records import GradeRecord, TestResult
progress = Progress.open(sys.argv[1])
n = 0
while True:
    n += 1
    tests = [TestResult(f"t{i}", "passed", [], 0.0, "cpu") for i in range(50)]
    progress.record_attempt(GradeRecord("conv2d", "passed", tests, time.time(), 0.0, ["cpu"], "", "", "", None))
    print(n, flush=True)
"""


def test_a_kill_at_any_moment_loses_no_earlier_attempt(tmp_path, start_python):
    path = tmp_path / "p.sqlite"
    total = 0
    for delay in (0.3, 0.45, 0.6):
        writer = start_python("-c", WRITER, str(path), stdout=subprocess.PIPE, text=True)
        time.sleep(delay)
        confirmed = 0
        writer.send_signal(signal.SIGKILL)
        for line in writer.stdout:
            confirmed = int(line)
        writer.wait()
        total += confirmed
        progress = Progress.open(path)
        assert progress.recovered is None
        attempts = progress.attempts("conv2d")
        # Every attempt the writer confirmed is there whole, with all of its test results.
        assert confirmed > 0 and len(attempts) >= total
        assert progress.last_record("conv2d").tests[-1].test == "t49"
        progress.close()
