"""The `dlquest` command's entry point: the one module that knows both faces.

`dlquest` with a subcommand is the CLI (dlquest/cli.py); a bare `dlquest` in a terminal opens the app
(dlquest/tui). The CLI never imports the app and the app never imports the CLI (the import contracts in
pyproject.toml hold both); this module hands the CLI the way to open the app.
"""

from __future__ import annotations

import atexit
import sys
import threading
from pathlib import Path


def open_app(workspace: Path | None, course: Path | None, lang: str | None) -> int:
    from dlquest.tui.app import run_app

    return run_app(workspace, course, lang)


def serve_app(workspace: Path, course: Path | None, lang: str, host: str, port: int, public_url: str | None) -> int:
    from dlquest.serve import serve

    return serve(workspace, course, lang, host, port, public_url)


def main(argv: list[str] | None = None) -> int:
    from dlquest import cli

    return cli.main(argv, open_app=open_app, serve_app=serve_app)


def run() -> None:
    """The `dlquest` command: main(), then an exit that skips tearing torch down when a command loaded it.

    Interpreter shutdown in a process that imported torch takes ~0.6 s here (its modules and C++ statics are
    destroyed one by one), a third of a cold `dlquest check`. Nothing needs it: exit handlers still run, output
    is flushed, files are closed by `with` blocks, and progress commits atomically (it survives a kill anyway).

    `dlquest check` goes to the warm grading daemon first, before the CLI (and the course, progress and quiz
    modules it imports) loads: the daemon runs the same CLI code and prints to this terminal (daemon/remote.py).
    """
    from dlquest.daemon.remote import run_in_daemon

    code = run_in_daemon(sys.argv[1:])
    if code is not None:
        raise SystemExit(code)
    code = main()
    others = [thread for thread in threading.enumerate() if thread is not threading.main_thread()]
    # Threads that are not daemons (an executor's, say) are joined by the normal exit only.
    if "torch" in sys.modules and all(thread.daemon for thread in others):
        from dlquest.grader.process_exit import exit_without_teardown

        atexit._run_exitfuncs()  # the grader's handlers: kept children closed, killed ones reaped
        exit_without_teardown(code)
    raise SystemExit(code)
