"""`dlquest check`'s quick path: the whole command handed to the warm daemon, before the rest of dlquest loads.

entry.py tries this first. The daemon's child runs the CLI's own main in this process's folder, with its
environment, stdout and stderr, so it grades, records the attempt, prints and exits exactly as this process
would, and this process imports only the wire (a few milliseconds, not the CLI's ~0.3 s). None means: not a
command for the daemon, or the daemon could not be used; this process then runs the command itself, with
DLQUEST_NO_DAEMON=1 so that it does not ask the daemon again.
"""

from __future__ import annotations

import os
import sys

from dlquest.daemon.key import daemon_key
from dlquest.daemon.paths import UnsafeRuntimeDir, daemon_files
from dlquest.daemon.protocol import NoAnswer, ask, connect

_VALUED = ("--course", "--workspace", "--lang")  # the options before a command that take a value
# The client waits this much past the daemon's own bound for a "run" child (server.RUN_BOUND).
RUN_WAIT = 30 * 60.0 + 30


def is_daemon_command(argv: list[str]) -> bool:
    """`dlquest [options] check ...` without --no-daemon."""
    skip = False
    for token in argv:
        if skip:
            skip = False
        elif token in _VALUED:
            skip = True
        elif token == "--":
            return False
        elif not token.startswith("-"):
            return token == "check" and "--no-daemon" not in argv
    return False


def run_in_daemon(argv: list[str]) -> int | None:
    """The command's exit status as the daemon ran it, or None (run it here)."""
    if not is_daemon_command(argv) or os.environ.get("DLQUEST_NO_DAEMON", "") not in ("", "0"):
        return None
    try:
        code = _run(argv)
    except (OSError, ValueError, KeyError, TypeError, UnsafeRuntimeDir):
        code = None
    except KeyboardInterrupt:  # the connection is closed: the daemon kills this check's grading
        if sys.stderr.isatty():
            sys.stderr.write("\r\x1b[K")  # the spinner's line, if the daemon's child was drawing it
        print("interrupted", file=sys.stderr)
        return 130
    if code is None:
        os.environ["DLQUEST_NO_DAEMON"] = "1"
    return code


def _run(argv: list[str]) -> int | None:
    files = daemon_files(daemon_key())
    sock = connect(files["sock"])
    if sock is None:
        from dlquest.daemon.client import ensure_daemon  # the first check: start one (torch's import)

        sock = ensure_daemon()
        if sock is None:
            return None
    request = {"op": "run", "argv": [sys.argv[0], *argv], "cwd": os.getcwd(), "env": dict(os.environ),
               "encoding": [sys.stdout.encoding, sys.stdout.errors]}
    sys.stdout.flush()
    sys.stderr.flush()
    with sock:
        try:
            answer = ask(sock, request, fds=[sys.stdout.fileno(), sys.stderr.fileno()], bound=RUN_WAIT)
        except NoAnswer:
            from dlquest.daemon.client import kill_daemon

            kill_daemon(files)  # quiet: bypassed and killed by its pid
            return None
    if not answer or not isinstance(answer.get("exit"), int):
        return None
    return answer["exit"]
