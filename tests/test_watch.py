"""dlquest watch's save detector, with real files: each way an editor saves is one save, and rewriting the same
content is none. A fake clock stands in for the settle time, so that no test sleeps."""

from __future__ import annotations

import os

from dlquest.watch import SaveDetector


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def saves(detector: SaveDetector, clock: Clock, seconds: float = 1.0) -> int:
    """How many saves the detector reports while polled every 0.1 s for `seconds`."""
    count = 0
    for _ in range(round(seconds / 0.1)):
        clock.now += 0.1
        count += detector.poll()
    return count


def start(tmp_path, text="x = 1\n"):
    path = tmp_path / "ex.py"
    path.write_text(text)
    clock = Clock()
    return path, clock, SaveDetector(path, settle=0.2, clock=clock)


def test_nothing_reported_before_a_save(tmp_path):
    path, clock, detector = start(tmp_path)
    assert saves(detector, clock) == 0


def test_a_plain_write_is_one_save(tmp_path):
    path, clock, detector = start(tmp_path)
    path.write_text("x = 2\n")
    assert saves(detector, clock) == 1


def test_atomic_replace_is_one_save(tmp_path):
    path, clock, detector = start(tmp_path)
    temp = tmp_path / ".ex.py.tmp"
    temp.write_text("x = 3\n")
    os.replace(temp, path)
    assert saves(detector, clock) == 1


def test_rename_save_with_the_file_missing_for_a_moment_is_one_save(tmp_path):
    path, clock, detector = start(tmp_path)
    path.rename(tmp_path / "ex.py~")  # a backup-then-write editor: the file is gone for a poll or two
    assert saves(detector, clock, 0.3) == 0
    path.write_text("x = 4\n")
    assert saves(detector, clock) == 1


def test_a_burst_of_writes_is_one_save(tmp_path):
    path, clock, detector = start(tmp_path)
    for n in range(5):  # each write lands within the settle time of the last
        with path.open("a") as f:
            f.write(f"y{n} = {n}\n")
        clock.now += 0.05
        assert not detector.poll()
    assert saves(detector, clock) == 1


def test_rewriting_the_same_content_is_no_save(tmp_path):
    path, clock, detector = start(tmp_path)
    path.write_text("x = 5\n")
    assert saves(detector, clock) == 1
    path.write_text("x = 5\n")
    os.utime(path, ns=(1, 1))  # a new mtime for certain, the same bytes
    assert saves(detector, clock) == 0


def test_a_manual_regrade_is_not_reported_again(tmp_path):
    path, clock, detector = start(tmp_path)
    path.write_text("x = 6\n")
    detector.mark_graded()
    assert saves(detector, clock) == 0


# --- the loop, in this process, with a grading stand-in -------------------------------------------------
import pty  # noqa: E402
import termios  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

import pytest  # noqa: E402

from dlquest.grader.records import FAILED, PASSED, TestResult  # noqa: E402
from dlquest.session import LearnerSession  # noqa: E402
from dlquest.watch import Watch, next_exercise  # noqa: E402

from tui_kit import SOLVED_ADD, record  # noqa: E402


class Output:
    """A stream the loop writes to, readable while it runs."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def text(self) -> str:
        return "".join(self.parts)

    def wait_for(self, needle: str, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.text():
            assert time.monotonic() < deadline, f"{needle!r} never appeared in:\n{self.text()}"
            time.sleep(0.02)


@pytest.fixture
def session(mini_workspace):
    session = LearnerSession.open(mini_workspace)
    yield session
    session.close()


def start_watch(workspace, stdin, out: Output) -> tuple[threading.Thread, dict, list[str]]:
    """The loop on `add` in a thread of its own (with its own session: the progress store's connection belongs
    to the thread that opened it), grading with a stand-in: a file still raising NotImplementedError fails."""
    graded: list[str] = []
    result: dict = {}

    def run():
        session = LearnerSession.open(workspace)

        def grade(exercise):
            source = session.learner_file(exercise).read_text()
            graded.append(source)
            outcome = FAILED if "NotImplementedError" in source else PASSED
            return record(exercise.id, outcome, [TestResult(f"test_{exercise.id}", outcome, [], 0.01, "cpu")])

        watch = Watch(session, session.course.exercises["add"], grade=grade, stdin=stdin, out=out,
                      show_verdict=lambda ex, rec: out.write(f"VERDICT {ex.id} {rec.outcome}\n"),
                      show_hint=lambda ex: out.write(f"HINT {session.reveal_hint(ex)}\n"))
        try:
            result["code"] = watch.run()
        finally:
            session.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result, graded


def test_without_a_terminal_it_grades_at_start_and_on_each_save_and_ends_at_the_end_of_input(session):
    read_end, write_end = os.pipe()
    out = Output()
    with os.fdopen(read_end) as stdin:
        thread, result, graded = start_watch(session.workspace, stdin, out)
        out.wait_for("VERDICT add failed")
        assert "Keys are unavailable" in out.text()
        session.learner_file(session.course.exercises["add"]).write_text(SOLVED_ADD)
        out.wait_for("VERDICT add passed")
        os.close(write_end)  # the end of the input: the loop ends
        thread.join(10)
    assert result == {"code": 0}
    assert len(graded) == 2
    assert "Keys:" not in out.text()  # no key help where keys cannot be read
    assert session.progress.attempts("add")  # the attempts were recorded, by the loop's own thread


def test_in_a_terminal_keys_answer_and_the_terminal_is_restored(session):
    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    session.learner_file(session.course.exercises["add"]).write_text(SOLVED_ADD)
    out = Output()
    with os.fdopen(slave) as stdin:
        thread, result, graded = start_watch(session.workspace, stdin, out)
        out.wait_for("VERDICT add passed")
        out.wait_for("n next exercise")  # the key help after a pass
        assert not termios.tcgetattr(slave)[3] & termios.ICANON  # cbreak while it runs
        os.write(master, b"h")
        out.wait_for("HINT 1")
        os.write(master, b"l")
        out.wait_for("▶ ✔ add")  # the list: this exercise, passed
        os.write(master, b"r")
        deadline = time.monotonic() + 10
        while len(graded) < 2:
            assert time.monotonic() < deadline, out.text()
            time.sleep(0.02)
        os.write(master, b"q")
        thread.join(10)
        assert termios.tcgetattr(slave) == before
    os.close(master)
    assert result == {"code": 0}


def test_the_next_exercise_skips_passed_and_locked_ones(session):
    assert next_exercise(session).id == "add"
    assert next_exercise(session, after="add") is None  # mul is locked until add passes
    session.record_attempt(record("add", PASSED, []))
    assert next_exercise(session, after="add").id == "mul"
