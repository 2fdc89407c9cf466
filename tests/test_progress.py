"""The progress store: statuses and attempts, atomic writes, recovery from corruption, migrations."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

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
    assert progress.schema_version == SCHEMA_VERSION == 4
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


# --- only real damage moves a store aside (issue 14) -----------------------------------------------------------
def _hold_exclusive(path):
    """Another process's hold on the store, as SQLite sees it: nobody else may read or write until released."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO exercise_state (exercise) VALUES ('held')")
    return holder


def _untouched(path, before: bytes) -> bool:
    return path.read_bytes() == before and not list(path.parent.glob("*.corrupt-*"))


def test_a_locked_store_is_waited_for_then_refused_with_nothing_moved(tmp_path):
    from dlquest.progress import ProgressLocked

    path = tmp_path / "p.sqlite"
    progress = Progress.open(path)
    progress.record_attempt(record())
    progress.close()
    before = path.read_bytes()
    holder = _hold_exclusive(path)
    started = time.monotonic()
    try:
        Progress.open(path, timeout=0.5)
        raise AssertionError("a locked store opened")
    except ProgressLocked as err:
        assert "locked by another dlquest process" in str(err)
    assert time.monotonic() - started >= 0.5  # it waited before it gave up
    holder.execute("ROLLBACK")
    holder.close()
    assert _untouched(path, before)
    assert len(Progress.open(path).attempts("conv2d")) == 1


def test_a_lock_released_within_the_wait_costs_nothing(tmp_path):
    import threading

    path = tmp_path / "p.sqlite"
    Progress.open(path).close()
    holder = _hold_exclusive(path)
    release = threading.Timer(0.4, lambda: (holder.execute("ROLLBACK"), holder.close()))
    release.start()
    progress = Progress.open(path, timeout=10)
    progress.record_attempt(record())
    release.join()
    assert progress.recovered is None and len(progress.attempts()) == 1


def test_a_write_that_waits_too_long_is_refused_and_the_store_stays_usable(tmp_path):
    from dlquest.progress import ProgressLocked

    path = tmp_path / "p.sqlite"
    progress = Progress.open(path, timeout=0.3)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process in the middle of its write
    try:
        progress.record_attempt(record())
        raise AssertionError("wrote through another's lock")
    except ProgressLocked:
        pass
    writer.execute("ROLLBACK")
    writer.close()
    progress.record_attempt(record())
    assert len(progress.attempts()) == 1


def test_a_store_that_fails_its_integrity_check_is_moved_aside(tmp_path):
    path = tmp_path / "p.sqlite"
    progress = Progress.open(path)
    for _ in range(200):
        progress.record_attempt(record())
    progress.close()
    sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    data = bytearray(path.read_bytes())
    page = 4096
    data[3 * page + 8: 4 * page] = b"\xff" * (page - 8)  # scribble over a table page, keep the header sane
    path.write_bytes(bytes(data))
    again = Progress.open(path)
    assert again.recovered is not None
    reason, moved = again.recovered
    assert moved.exists() and moved.read_bytes() == bytes(data)
    assert again.attempts() == []


def test_where_wal_is_not_granted_a_rollback_journal_is_used(tmp_path):
    """SQLite's unix-dotfile VFS has no shared memory, like NFS, CIFS or 9p: WAL is refused there."""
    from dlquest.progress import _connect

    path = tmp_path / "p.sqlite"
    progress = Progress(_connect(path, vfs="unix-dotfile"), path)
    assert progress.journal_mode == "delete"
    progress.record_attempt(record())
    progress.close()
    assert not (tmp_path / "p.sqlite-wal").exists()
    assert [a.outcome for a in Progress.open(path).attempts()] == ["failed"]


RACER = """
import sys, time
from pathlib import Path
from dlquest.progress import Progress
from dlquest.grader.records import GradeRecord, TestResult
path, name, count, per_attempt = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "cli"
go = Path(path).with_name("go")
while not go.exists():
    time.sleep(0.001)
progress = None
for n in range(count):
    if progress is None:  # the app opens once; a command opens the store for each attempt
        progress = Progress.open(path)
        assert progress.recovered is None, progress.recovered
    tests = [TestResult(f"t{i}", "passed", [], 0.0, "cpu") for i in range(20)]
    progress.record_attempt(GradeRecord(name, "failed", tests, time.time(), 0.0, ["cpu"], "", "", "", None))
    if per_attempt:
        progress.close()
        progress = None
print("done", name, flush=True)
"""


def test_two_apps_and_a_command_on_one_store_lose_no_attempt(tmp_path, start_python):
    """Real processes, started together on a store that does not exist yet (so they also race to create and
    migrate it): every attempt each one wrote is there, with all its test results."""
    path = tmp_path / ".dlquest" / "progress.sqlite"
    path.parent.mkdir()
    writers = {"app1": ("app", 150), "app2": ("app", 150), "cli": ("cli", 60)}
    started = [start_python("-c", RACER, str(path), name, str(count), how, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True) for name, (how, count) in writers.items()]
    time.sleep(0.5)
    (tmp_path / ".dlquest" / "go").touch()
    for process in started:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0 and out.startswith("done"), err
    progress = Progress.open(path)
    assert progress.recovered is None and not list(path.parent.glob("*.corrupt-*"))
    for name, (_, count) in writers.items():
        assert len(progress.attempts(name)) == count
    assert progress._db.execute("SELECT COUNT(*) FROM test_results").fetchone()[0] == 20 * 360


LOCKED_COMMAND = """
import sys
import dlquest.progress
dlquest.progress.BUSY_TIMEOUT = 0.5  # the command's wait, shortened for the test
from dlquest.cli import main
sys.exit(main(["hint", "perceptron", "--workspace", sys.argv[1], "--lang", "en"]))
"""


def test_a_command_on_a_locked_store_says_so_and_exits_2_with_nothing_moved(workspace, run_python):
    path = workspace.progress_path
    Progress.open(path).close()
    before = path.read_bytes()
    holder = _hold_exclusive(path)
    try:
        result = run_python("-c", LOCKED_COMMAND, str(workspace.root))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 2, result.stderr
    assert "is locked by another dlquest" in result.stderr and "Nothing was changed" in result.stderr
    assert "Traceback" not in result.stderr
    assert _untouched(path, before)


@pytest.mark.grading  # it starts the real command, in a mount namespace
@pytest.mark.parametrize("stub_missing", [False, True], ids=["stubs-all-there", "a-stub-to-copy-in"])
def test_a_read_only_workspace_says_so_and_exits_2_with_nothing_moved(workspace, stub_missing):
    """A read-only bind mount (in a mount namespace of the test's own), so that even root cannot write there."""
    if stub_missing:  # the command would copy the stub in first: that write fails too
        (workspace.root / "exercises" / "conv2d.py").unlink()
    path = workspace.progress_path
    progress = Progress.open(path)
    progress.record_attempt(record())
    progress.close()
    before = path.read_bytes()
    root = workspace.root
    if shutil.which("unshare") is None or subprocess.run(["unshare", "--mount", "true"]).returncode != 0:
        pytest.skip("no mount namespace (unshare --mount) for a read-only mount here")
    script = (f"mount --bind {root} {root} && mount -o remount,bind,ro {root} && "
              f"exec {sys.executable} -m dlquest hint perceptron --workspace {root} --lang en")
    result = subprocess.run(["unshare", "--mount", "sh", "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "cannot be written: the workspace is read-only" in result.stderr and "Traceback" not in result.stderr
    assert ("exercises/conv2d.py" in result.stderr) == stub_missing
    assert _untouched(path, before)
    assert len(Progress.open(path).attempts()) == 1
