"""The pids cgroup a child joins (cgroup v2, where the grader may create one): a bound on its processes that
holds for root too, where RLIMIT_NPROC does not. Empty cgroups that killed graders left behind are swept.
"""

from __future__ import annotations

import errno
import os
import sys
import time
import uuid
from pathlib import Path


class PidsCgroup:
    """A pids cgroup caps the tasks of one grading: RLIMIT_NPROC never binds root, a cgroup does."""

    ROOTS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))

    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def create(cls, limit: int) -> PidsCgroup | None:
        if not sys.platform.startswith("linux") or os.geteuid() != 0:
            return None
        for root in cls.ROOTS:
            if not (root / "pids.max").exists() and not (root / "cgroup.procs").exists():
                continue
            if root == Path("/sys/fs/cgroup") and "pids" not in _read(root / "cgroup.subtree_control"):
                continue  # cgroup v2 without the pids controller delegated to children
            path = root / "dlquest" / uuid.uuid4().hex[:12]
            cls._sweep(path.parent)
            try:
                path.mkdir(parents=True)
                (path / "pids.max").write_text(str(limit))
                return cls(path)
            except OSError:
                try:
                    path.rmdir()
                except OSError:
                    pass
        return None

    _swept = False

    @classmethod
    def _sweep(cls, parent: Path) -> None:
        """Remove the empty cgroups a killed grader left behind (once per process). The kernel refuses to remove
        one that still holds a process; the age keeps one that was created but not yet entered."""
        if cls._swept:
            return
        cls._swept = True
        try:
            stale = [child for child in parent.iterdir()
                     if child.is_dir() and time.time() - child.stat().st_mtime > 60]
        except OSError:
            return
        for child in stale:
            try:
                child.rmdir()
            except OSError:
                pass  # in use: a grading in another process

    def enter(self) -> None:
        (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def remove(self) -> None:
        for _ in range(100):
            try:
                self.path.rmdir()
                return
            except OSError as err:
                if err.errno != errno.EBUSY:
                    return
                time.sleep(0.01)


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""
