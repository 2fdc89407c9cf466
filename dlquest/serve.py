"""`dlquest serve`: the app in a browser, through textual-serve.

textual-serve starts one app process per browser tab, with a shell command on pipes (TEXTUAL_DRIVER set to its
web driver). So the command is `python -m dlquest app` (always the app, never the outline a bare `dlquest` prints
off a terminal), quoted with shlex.join, with the absolute workspace path: the app processes must not depend on
the folder the shell happens to start in.

Every process started this way carries DLQUEST_SERVE_ID in its environment; when serve stops, whatever still
carries it (an app a tab left open, its grading worker) is ended, so nothing outlives the server.
"""

from __future__ import annotations

import os
import shlex
import signal
import sys
import time
from pathlib import Path

from dlquest.i18n import t

MARKER = "DLQUEST_SERVE_ID"
# Our copy of textual-serve's page: the same page without its Google Fonts link (nothing needs the internet).
TEMPLATES = Path(__file__).resolve().parent / "templates"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def app_command(workspace: Path, course: Path | None, lang: str | None) -> str:
    """The shell command textual-serve runs for each tab."""
    argv = [sys.executable, "-m", "dlquest", "app", "--workspace", str(workspace.resolve())]
    if course is not None:
        argv += ["--course", str(course.resolve())]
    if lang:
        argv += ["--lang", lang]
    return shlex.join(argv)


def serve(workspace: Path, course: Path | None, lang: str, host: str, port: int, public_url: str | None) -> int:
    from textual_serve.server import Server

    marker = f"{os.getpid()}-{time.time_ns()}"
    os.environ[MARKER] = marker  # inherited by every app process and, through them, their grading workers
    if host not in LOCAL_HOSTS:
        print(t("serve.no_login", lang, host=host), file=sys.stderr)
    server = Server(app_command(workspace, course, lang), host=host, port=port, title="dlquest",
                    public_url=public_url, templates_path=TEMPLATES)
    try:
        server.serve()
    finally:
        end_marked(marker)
    return 0


def marked_processes(marker: str) -> list[int]:
    """The processes whose environment carries `marker` (this one excluded)."""
    needle = f"{MARKER}={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:  # gone already, or not ours to read
            continue
    return found


def end_marked(marker: str, grace: float = 3.0) -> None:
    """SIGTERM what serve started, then SIGKILL what is still there after `grace` seconds."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 1.0)):
        pids = marked_processes(marker)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and marked_processes(marker):
            time.sleep(0.1)
