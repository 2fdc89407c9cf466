"""Where the daemon's socket, lock, pid and log files live: a private per-user folder.

$XDG_RUNTIME_DIR/dlquest when set, else /tmp/dlquest-<uid>, created 0700 and refused unless owned by us.
File names carry a short hash of the daemon's key, so a path stays well under the 108-byte socket limit.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


class UnsafeRuntimeDir(Exception):
    """The runtime folder is not ours alone (another owner, or open to others)."""


def runtime_dir() -> Path:
    base = os.environ.get("XDG_RUNTIME_DIR")
    folder = Path(base) / "dlquest" if base else Path(tempfile.gettempdir()) / f"dlquest-{os.getuid()}"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise UnsafeRuntimeDir(f"{folder} is not a private folder owned by uid {os.getuid()}")
    return folder


def daemon_files(key_hash: str) -> dict[str, Path]:
    folder = runtime_dir()
    short = key_hash[:12]
    return {name: folder / f"{short}.{name}" for name in ("sock", "lock", "pid", "log")}
