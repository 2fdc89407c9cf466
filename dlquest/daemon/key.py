"""One daemon per user and environment: the interpreter, dlquest's and torch's versions, and dlquest's own code.

The daemon runs the CLI itself (a warm `dlquest check` is the CLI's main in a forked child), so every module of
the engine counts, not only the grader's: an edited file (an editable install, an upgrade in place) starts a new
daemon instead of serving the old code. The course's content (checks, solutions, stubs, lessons) does not count:
the daemon reloads a course whose files changed.

Cheap on purpose (`dlquest check`'s quick path computes it first): the engine's files are stat'ed, not read
(their path, size and mtime), and torch's version is read from the name of its .dist-info folder on sys.path,
never by importing torch (~2 s) nor importlib.metadata (~20 ms).
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import dlquest

_PACKAGE = Path(__file__).resolve().parent.parent
# Course content under the package: reloaded by the daemon when it changes, so not part of its identity.
_CONTENT = ("lessons", "checks", "exercises", "solutions")


def installed_version(name: str) -> str:
    """The version of the distribution `name` first on sys.path, from its `name-VERSION.dist-info` folder;
    "none" when it is not installed."""
    prefix = name.replace("-", "_") + "-"
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in names:
            if folder.startswith(prefix) and folder.endswith(".dist-info"):
                return folder[len(prefix):-len(".dist-info")]
    return "none"


def _engine_sources() -> list[Path]:
    sources = []
    for folder, subfolders, files in os.walk(_PACKAGE):
        if folder == str(_PACKAGE):
            subfolders[:] = [name for name in subfolders if name not in _CONTENT]
        subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
        sources += [Path(folder) / name for name in sorted(files) if name.endswith(".py")]
    return sources


def daemon_key() -> str:
    digest = hashlib.sha256()
    for part in (sys.executable, dlquest.__version__, installed_version("torch")):
        digest.update(part.encode() + b"\0")
    for source in _engine_sources():
        status = source.stat()
        digest.update(f"{source.relative_to(_PACKAGE)}\0{status.st_size}\0{status.st_mtime_ns}\0".encode())
    return digest.hexdigest()
