"""The learner's workspace: their copies of the stubs plus `.dlquest/` (progress, settings, backups).

A learner's file is never overwritten without a backup: reset and restore first save what is there.
Stubs that a newer course adds are copied in on open; existing files are never touched.
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dlquest.course import Course, Exercise

STATE_DIR = ".dlquest"
SETTINGS = "settings.json"
WORKSPACE_FORMAT = 1


class NoWorkspace(Exception):
    def __init__(self, where: Path):
        self.where = where
        super().__init__(f"{where} is not inside a dlquest workspace")


class UnknownBackup(LookupError):
    pass


class WorkspaceReadOnly(OSError):
    """A file the workspace needs cannot be written there (a read-only workspace); nothing was changed."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path, self.detail = Path(path), detail
        super().__init__(f"{self.path} cannot be written ({detail}): the workspace is read-only")


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that a kill at any moment leaves either the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Backup:
    exercise: str
    id: str  # the file stem, a timestamp: 20261129-120501
    path: Path


class Workspace:
    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self.state = self.root / STATE_DIR

    # --- finding and making ------------------------------------------------------------------------
    @classmethod
    def find(cls, start: Path | None = None) -> Workspace:
        """The workspace that holds `start` (default: the current folder), searching upwards."""
        start = Path(start or Path.cwd()).resolve()
        for folder in (start, *start.parents):
            if (folder / STATE_DIR).is_dir():
                return cls(folder)
        raise NoWorkspace(start)

    @classmethod
    def create(cls, root: Path, course: Course, course_dir: Path | None = None) -> tuple[Workspace, list[str], bool]:
        """Make (or complete) a workspace in `root`. Returns it, the stubs copied, and whether it existed."""
        ws = cls(root)
        existed = ws.state.is_dir()
        ws.state.mkdir(parents=True, exist_ok=True)
        (ws.state / "backups").mkdir(exist_ok=True)
        if not (ws.state / SETTINGS).exists():
            settings = {"format": WORKSPACE_FORMAT, "course": str(course_dir) if course_dir else None, "lang": None}
            ws._write_settings(settings)
        copied = ws.sync_stubs(course)
        return ws, copied, existed

    # --- settings ----------------------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        try:
            data = json.loads((self.state / SETTINGS).read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}  # a damaged settings file only loses preferences: fall back to defaults

    def _write_settings(self, settings: dict[str, Any]) -> None:
        atomic_write(self.state / SETTINGS, json.dumps(settings, indent=2).encode())

    def set_setting(self, key: str, value: object) -> None:
        settings = self.settings()
        settings[key] = value
        self._write_settings(settings)

    @property
    def course_dir(self) -> Path | None:
        value = self.settings().get("course")
        return Path(value) if value else None

    @property
    def progress_path(self) -> Path:
        return self.state / "progress.sqlite"

    # --- learner files -----------------------------------------------------------------------------
    def learner_file(self, exercise: Exercise) -> Path:
        return self.root / exercise.workspace_path

    def sync_stubs(self, course: Course) -> list[str]:
        """Copy the stub of every exercise the workspace lacks. Never overwrites a file."""
        copied = []
        for exercise in course.exercises.values():
            target = self.learner_file(exercise)
            if target.exists():
                continue
            try:
                atomic_write(target, course.path(exercise.stub).read_bytes())
            except PermissionError as err:
                raise WorkspaceReadOnly(target, err.strerror or str(err)) from None
            except OSError as err:
                if err.errno != errno.EROFS:
                    raise
                raise WorkspaceReadOnly(target, err.strerror or str(err)) from None
            copied.append(exercise.id)
        return copied

    def backup_dir(self, exercise: Exercise) -> Path:
        return self.state / "backups" / exercise.id

    def backup(self, exercise: Exercise) -> Backup | None:
        """Save the learner's current file; None when there is no file to save."""
        source = self.learner_file(exercise)
        if not source.exists():
            return None
        folder = self.backup_dir(exercise)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        name, n = stamp, 1
        while (folder / f"{name}{source.suffix}").exists():
            n += 1
            name = f"{stamp}-{n}"
        target = folder / f"{name}{source.suffix}"
        atomic_write(target, source.read_bytes())
        return Backup(exercise.id, name, target)

    def reset(self, course: Course, exercise: Exercise) -> Backup | None:
        """Put the stub back, after backing up the learner's version (when it differs from the stub)."""
        stub = course.path(exercise.stub).read_bytes()
        current = self.learner_file(exercise)
        saved = None
        if current.exists() and current.read_bytes() != stub:
            saved = self.backup(exercise)
        atomic_write(current, stub)
        return saved

    def backups(self, exercise: Exercise) -> list[Backup]:
        folder = self.backup_dir(exercise)
        if not folder.is_dir():
            return []
        return [Backup(exercise.id, p.stem, p) for p in sorted(folder.iterdir()) if p.is_file()]

    def restore(self, exercise: Exercise, backup_id: str | None = None) -> tuple[Backup, Backup | None]:
        """Bring back a backup (the newest when `backup_id` is None); the file it replaces is backed up first."""
        available = self.backups(exercise)
        chosen = available[-1] if available and backup_id is None else None
        for backup in available:
            if backup.id == backup_id:
                chosen = backup
        if chosen is None:
            raise UnknownBackup(backup_id or "")
        data = chosen.path.read_bytes()
        saved = self.backup(exercise)
        atomic_write(self.learner_file(exercise), data)
        return chosen, saved

