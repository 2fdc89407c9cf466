"""The grading daemon's process: `python -m dlquest.daemon_process KEY IDLE`.

The core's loop (dlquest/daemon/server.py) hosting the CLI: a "run" request (`dlquest check`'s quick path,
dlquest/daemon/remote.py) runs the CLI's own main in a forked child, so a warm check prints exactly what a cold
one does. It lives outside dlquest.daemon because the core imports no face. Everything a check needs is
imported here once, before the first request, so that each child has it already.
"""

from __future__ import annotations

import os
import sys

from dlquest import cli
from dlquest.daemon.server import idle_setting, serve


def _preload() -> None:
    """What a check imports lazily (the CLI's check and its rendering, the learner core, the grader): once here,
    never again in each child."""
    import dlquest.grader.grade
    import dlquest.render
    import dlquest.session
    import dlquest.workspace  # noqa: F401
    from dlquest.course import load_course

    load_course()  # the bundled course's manifest, parsed once (course.py keeps it by its text)


if __name__ == "__main__":
    _preload()
    serve(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else idle_setting(), command=cli.main)
    os._exit(0)  # no interpreter teardown: tearing torch down takes seconds and serves nobody
