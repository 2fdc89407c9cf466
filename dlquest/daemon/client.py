"""Starting the daemon and asking it: the seam that `dlquest check`, `watch` and the notebook call.

Any failure (no daemon and none could start, a daemon that does not answer in time, a broken answer) returns
None, and the caller grades cold with the same result. A daemon that goes quiet is killed by its pid file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from dlquest.daemon.key import daemon_key
from dlquest.daemon.paths import UnsafeRuntimeDir, daemon_files
from dlquest.daemon.protocol import NoAnswer, ask, connect
from dlquest.daemon.server import PASSED_ENV, grading_bound, idle_setting

if TYPE_CHECKING:
    from dlquest.course import Exercise
    from dlquest.grader.records import GradeRecord
    from dlquest.session import LearnerSession

START_TIMEOUT = 30.0  # torch's import on a busy machine
# The daemon's process: the core's loop hosting the CLI (outside the core, which imports no face).
DAEMON_MAIN = "dlquest.daemon_process"


def daemon_disabled() -> bool:
    return os.environ.get("DLQUEST_NO_DAEMON", "") not in ("", "0")


def kill_daemon(files: dict[str, Path]) -> None:
    """End a daemon that went quiet, by the pid in its file, and remove its socket."""
    with contextlib.suppress(OSError, ValueError):
        os.kill(int(files["pid"].read_text()), signal.SIGKILL)
    files["sock"].unlink(missing_ok=True)
    files["pid"].unlink(missing_ok=True)


def ensure_daemon(idle: float | None = None) -> socket.socket | None:
    """A connection to this environment's daemon, starting it (under a lock) when none answers; None when it
    cannot start (its process ended, or no socket in START_TIMEOUT) or the runtime folder is not ours."""
    try:
        files = daemon_files(daemon_key())
    except (OSError, UnsafeRuntimeDir):
        return None
    sock = connect(files["sock"])
    if sock is not None:
        return sock
    with open(files["lock"], "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two terminals: the second waits, then finds the first's daemon
        sock = connect(files["sock"])
        if sock is not None:
            return sock
        files["sock"].unlink(missing_ok=True)  # stale: no process behind it
        if idle is None:
            idle = idle_setting()
        with open(files["log"], "ab") as log:
            process = subprocess.Popen([sys.executable, "-m", DAEMON_MAIN, daemon_key(), str(idle)],
                                       stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            sock = connect(files["sock"])
            if sock is not None:
                return sock
            if process.poll() is not None:  # it could not start (see its log): no point waiting
                return None
            time.sleep(0.05)
        process.kill()
    return None


def grade_via_daemon(session: LearnerSession, exercise: Exercise, devices: list[str] | None = None, *,
                     seed: int | None = None, timeout: float | None = None) -> GradeRecord | None:
    """Grade the learner's file in the daemon; None when the daemon could not be used (the caller grades cold).
    Does not record the attempt. Ctrl-C closes the connection, and the daemon kills that grading. `timeout`
    bounds the whole grading (default: the daemon's own bound for the exercise, with a margin)."""
    if daemon_disabled():
        return None
    from dlquest.grader.records import GradeRecord

    try:
        sock = ensure_daemon()
        if sock is None:
            return None
        request = {"op": "grade", "workspace": str(session.workspace.root), "course": str(session.course.root),
                   "exercise": exercise.id, "file": str(session.learner_file(exercise)),
                   "hide": [str(p) for p in session.hidden_from_learner_code], "devices": devices, "seed": seed,
                   "lang": session.lang, "env": {name: os.environ.get(name) for name in PASSED_ENV}}
        bound = timeout if timeout is not None else grading_bound(exercise.timeout) + 10
        with sock:
            try:
                answer = ask(sock, request, bound=bound)
            except NoAnswer:
                kill_daemon(daemon_files(daemon_key()))  # quiet: bypassed and killed
                return None
        if not answer or "record" not in answer:
            return None
        return GradeRecord.from_dict(answer["record"])
    except (OSError, ValueError, KeyError, TypeError, UnsafeRuntimeDir):
        return None


def daemon_status() -> dict | None:
    try:
        files = daemon_files(daemon_key())
    except (OSError, UnsafeRuntimeDir):
        return None
    sock = connect(files["sock"])
    if sock is None:
        return None
    with sock:
        try:
            answer = ask(sock, {"op": "status"})
        except (OSError, ValueError):
            return None
    return (answer or {}).get("status")


def stop_daemon() -> bool:
    files = daemon_files(daemon_key())
    sock = connect(files["sock"])
    if sock is None:
        files["sock"].unlink(missing_ok=True)
        return False
    with sock:
        try:
            ask(sock, {"op": "stop"})
        except (OSError, ValueError):
            kill_daemon(files)
    return True
