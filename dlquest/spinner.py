"""The CLI's spinner while a check grades: on stderr, only where both stdout and stderr are a terminal (never in
a pipe, a file or --json output), erased when the grading ends so the feedback reads as it always did.

Its thread writes with os.write alone and takes no lock of Python's streams: the grading forks sandboxed
children while it runs, and a child forked while a stream's lock was held would deadlock on its first print.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
ASCII_FRAMES = "|/-\\"
EVERY = 0.1
ERASE = "\r\x1b[K"


def wanted() -> bool:
    try:
        return sys.stdout.isatty() and sys.stderr.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


def frames_for(encoding: str | None) -> str:
    """The turning frames a stream in `encoding` can show: braille dots, else ASCII."""
    try:
        FRAMES.encode(encoding or "ascii")
        return FRAMES
    except (UnicodeEncodeError, LookupError):
        return ASCII_FRAMES


@contextmanager
def spinning(text: str, enabled: bool = True) -> Iterator[None]:
    """Show `text` with a turning frame on stderr while the block runs (when `enabled` and on a terminal)."""
    if not (enabled and wanted()):
        yield
        return
    encoding = sys.stderr.encoding or "ascii"
    frames = frames_for(encoding)
    sys.stderr.flush()
    sys.stdout.flush()
    fd = sys.stderr.fileno()
    done = threading.Event()

    def spin() -> None:
        turn = 0
        while not done.wait(0 if turn == 0 else EVERY):
            line = f"\r{frames[turn % len(frames)]} {text}"
            try:
                os.write(fd, line.encode(encoding, "replace"))
            except OSError:
                return
            turn += 1

    thread = threading.Thread(target=spin, name="dlquest-spinner", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        try:
            os.write(fd, ERASE.encode())
        except OSError:
            pass
