"""A trace of the app's milestones for tests, written only when DLQUEST_TRACE names a file.

In a browser the app is drawn on a canvas, so a test cannot read the page's text; it reads these JSON lines
instead: {"event": "roadmap"}, {"event": "screen", "id": ...}, {"event": "graded", "exercise": ..., "passed": ...}.
Appending one short line per event keeps lines whole when several app processes (tabs) share one file.
"""

from __future__ import annotations

import json
import os
import time


def trace(event: str, **fields: object) -> None:
    path = os.environ.get("DLQUEST_TRACE")
    if not path:
        return
    line = json.dumps({"event": event, "pid": os.getpid(), "time": time.time(), **fields}, ensure_ascii=False)
    try:
        with open(path, "a", encoding="utf-8") as out:
            out.write(line + "\n")
    except OSError:  # a trace that cannot be written never stops the app
        pass
