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
