"""Grading through the daemon, and starting it: the seam `dlquest check`, `watch` and the notebook call.

Any failure (no daemon and none could start, a daemon that does not answer in time, a broken answer) returns
None, and the caller grades cold with the same result. A daemon that hangs is killed by the pid in its file.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from dlquest.daemon.key import daemon_key
from dlquest.daemon.paths import daemon_files
from dlquest.daemon.peer import peer_uid, same_user
from dlquest.daemon.server import PASSED_ENV, idle_setting
from dlquest.grader.records import GradeRecord

if TYPE_CHECKING:
    from dlquest.course import Exercise
    from dlquest.session import LearnerSession

START_TIMEOUT = 30.0  # torch's import on a busy machine


def daemon_disabled() -> bool:
    return os.environ.get("DLQUEST_NO_DAEMON", "") not in ("", "0")


def _connect(sock_path: Path, timeout: float = 2.0) -> socket.socket | None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(str(sock_path))
    except OSError:
        sock.close()
        return None
    if not same_user(peer_uid(sock)):  # someone else's socket answering in the daemon's place
        sock.close()
        return None
    return sock


def _ask(sock: socket.socket, message: dict, timeout: float) -> dict | None:
    sock.settimeout(timeout)
    sock.sendall((json.dumps(message) + "\n").encode())
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    return json.loads(data)


def kill_daemon(files: dict[str, Path]) -> None:
    with contextlib.suppress(OSError, ValueError):
        os.kill(int(files["pid"].read_text()), signal.SIGKILL)
    files["sock"].unlink(missing_ok=True)
    files["pid"].unlink(missing_ok=True)


def ensure_daemon(idle: float | None = None) -> socket.socket | None:
    """A connection to this environment's daemon, starting it (under a lock) when none answers."""
    key = daemon_key()
    files = daemon_files(key)
    sock = _connect(files["sock"])
    if sock is not None:
        return sock
    with open(files["lock"], "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two terminals: the second waits, then finds the first's daemon
        sock = _connect(files["sock"])
        if sock is not None:
            return sock
        files["sock"].unlink(missing_ok=True)  # stale: no process behind it
        with open(files["log"], "ab") as log:
            subprocess.Popen([sys.executable, "-m", "dlquest.daemon.server", key,
                              str(idle if idle is not None else idle_setting())],
                             stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            sock = _connect(files["sock"])
            if sock is not None:
                return sock
            time.sleep(0.05)
    return None


def grade_via_daemon(session: LearnerSession, exercise: Exercise, devices: list[str] | None = None, *,
                     seed: int | None = None, timeout: float | None = None) -> GradeRecord | None:
    """Grade the learner's file in the daemon; None when the daemon could not be used (the caller grades cold).
    Does not record the attempt. Ctrl-C closes the connection, and the daemon kills that grading."""
    if daemon_disabled():
        return None
    try:
        sock = ensure_daemon()
        if sock is None:
            return None
        request = {"workspace": str(session.workspace.root), "course": str(session.course.root),
                   "exercise": exercise.id, "file": str(session.learner_file(exercise)),
                   "hide": [str(p) for p in session.hidden_from_learner_code], "devices": devices, "seed": seed,
                   "lang": session.lang, "env": {name: os.environ.get(name) for name in PASSED_ENV}}
        wait = timeout if timeout is not None else exercise.timeout * 4 + 30
        with sock:
            try:
                answer = _ask(sock, request, wait)
            except TimeoutError:
                kill_daemon(daemon_files(daemon_key()))  # hung: bypassed and killed
                return None
        if not answer or "record" not in answer:
            return None
        return GradeRecord.from_dict(answer["record"])
    except (OSError, ValueError, KeyError):
        return None


def daemon_status() -> dict | None:
    files = daemon_files(daemon_key())
    sock = _connect(files["sock"])
    if sock is None:
        return None
    with sock:
        try:
            answer = _ask(sock, {"op": "status"}, 5.0)
        except OSError:
            return None
    return (answer or {}).get("status")


def stop_daemon() -> bool:
    files = daemon_files(daemon_key())
    sock = _connect(files["sock"])
    if sock is None:
        files["sock"].unlink(missing_ok=True)
        return False
    with sock:
        try:
            _ask(sock, {"op": "stop"}, 5.0)
        except OSError:
            kill_daemon(files)
    return True
