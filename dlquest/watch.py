"""`dlquest watch`: grade an exercise on every save of its file. This module holds the save detector; the loop
(keys, grading in the background) is still to come (issue 19, part 2).

Why polling: editors save by rename, by atomic replace (write a temp file, then os.replace) or by several writes
in a burst; file-event APIs report each of those differently and miss changes on some network and WSL mounts.
Polling the file's (inode, mtime_ns, size) and a hash of its content every ~100 ms needs no dependency, sees all
three kinds of save, and reports each ONCE: when the file has been stable for `settle` seconds and its content
differs from the content last reported.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from pathlib import Path

POLL_INTERVAL = 0.1  # seconds between two looks at the file
SETTLE = 0.2  # seconds a change must stay unchanged before it counts as one save


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """(inode, mtime_ns, size), or None while the file is missing (between an unlink and a rename, say)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


class SaveDetector:
    """Tells when a file was saved with new content, once per save however the editor wrote it.

    Call `poll()` every POLL_INTERVAL; it returns True when a save is complete (stable for `settle` seconds and
    its content differs from the last one reported, or from the content at start). `clock` is injectable so that
    tests need not sleep."""

    def __init__(self, path: Path, settle: float = SETTLE, clock: Callable[[], float] = time.monotonic):
        self.path = path
        self.settle = settle
        self.clock = clock
        self._stamp = _stamp(path)
        self._changed_at: float | None = None
        self.graded_digest = _digest(path)  # the content the learner already has a verdict for (or started with)

    def mark_graded(self) -> None:
        """The current content has been graded (a manual regrade, say): do not report it as a save."""
        self.graded_digest = _digest(self.path)

    def poll(self) -> bool:
        now = self.clock()
        stamp = _stamp(self.path)
        if stamp != self._stamp:  # something happened: wait for it to settle before looking at the content
            self._stamp, self._changed_at = stamp, now
            return False
        if self._changed_at is None or now - self._changed_at < self.settle or stamp is None:
            return False
        self._changed_at = None
        digest = _digest(self.path)
        if digest is None or digest == self.graded_digest:  # rewritten with the same bytes: nothing to grade
            return False
        self.graded_digest = digest
        return True
