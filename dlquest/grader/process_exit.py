"""Ending a grading process: exit without torch's interpreter teardown (~0.6 s), and end with the parent.

Used by the `dlquest` command (entry.py), a class run's pool workers (executors.py) and every sandboxed child.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def load_libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def flush_output() -> None:
    """Push what was printed out of Python's buffers (in a runner: into the output pipe, before the answer)."""
    try:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
    except BaseException:  # noqa: BLE001 - a hostile stream must not stop the answer
        pass


def exit_without_teardown(code: int = 0) -> None:
    """Flush stdout and stderr and end this process at once, skipping the interpreter's teardown: with torch
    loaded that takes ~0.6 s and nothing needs it. Run the exit handlers first (or from one of them)."""
    flush_output()
    os._exit(code)


def die_with_parent() -> None:
    """Have the kernel SIGKILL this process when the thread that forked it ends (Linux; elsewhere nothing)."""
    if sys.platform.startswith("linux"):
        load_libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
