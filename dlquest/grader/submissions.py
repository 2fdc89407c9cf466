"""Submissions: finding a class's submissions in a folder, reading their exercise files safely, and packing a
learner's workspace into one (`dlquest submit`).

A submission is a student's workspace: a folder, a .zip or a .tar.gz named by the student id. Only the
exercise files the course names are taken from it (an allow-list: no conftest.py, no sitecustomize.py, no
module that shadows torch is ever copied, let alone imported), and archives that escape their folder, hold
links or unpack too large are refused as "not gradable".
"""

from __future__ import annotations

import hashlib
import io
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, TypeVar

from dlquest.course import Course

ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz", ".tar")
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_MEMBERS = 10_000
MAX_FILE_BYTES = 1024 * 1024  # an exercise file larger than this is not a real attempt

Member = TypeVar("Member")  # an archive's own record of a member: ZipInfo or TarInfo


class NotGradable(Exception):
    """The submission as a whole cannot be graded; the message says why, for the student's feedback."""


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path


def student_id(path: Path) -> str:
    name = path.name
    for suffix in ARCHIVE_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def discover(folder: Path) -> list[Submission]:
    """One submission per folder or archive in `folder`, sorted by student id."""
    found: dict[str, Submission] = {}
    for entry in sorted(Path(folder).iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir() or (entry.is_file() and entry.name.endswith(ARCHIVE_SUFFIXES)):
            found.setdefault(student_id(entry), Submission(student_id(entry), entry))
    return list(found.values())


# --- reading a submission ---------------------------------------------------------------------------------
def read_files(submission: Submission, wanted: list[str]) -> dict[str, bytes]:
    """The allow-listed files (paths relative to a workspace root, e.g. "exercises/conv2d.py") that the
    submission holds, as bytes. A workspace may sit at the top of the submission or one folder down."""
    if submission.path.is_dir():
        return _from_folder(submission.path, wanted)
    return _from_archive(submission.path, wanted)


def _pick(names: dict[str, Member], wanted: list[str]) -> dict[str, Member]:
    """Match wanted paths to member names, at the top or under one common folder."""
    picked = {}
    for path in wanted:
        for name, member in names.items():
            parts = PurePosixPath(name).parts
            if name == path or (len(parts) >= 2 and "/".join(parts[1:]) == path):
                picked[path] = member
                break
    return picked


def _from_folder(root: Path, wanted: list[str]) -> dict[str, bytes]:
    files = {}
    real_root = root.resolve()
    for path in wanted:
        for candidate in [root / path, *[child / path for child in sorted(root.iterdir()) if child.is_dir()]]:
            if candidate.is_symlink():
                raise NotGradable(f"{path} is a symbolic link")
            if candidate.is_file():
                if not candidate.resolve().is_relative_to(real_root):
                    raise NotGradable(f"{path} points outside the submission")
                if candidate.stat().st_size > MAX_FILE_BYTES:
                    raise NotGradable(f"{path} is larger than {MAX_FILE_BYTES} bytes")
                files[path] = candidate.read_bytes()
                break
    return files


def _from_archive(archive: Path, wanted: list[str]) -> dict[str, bytes]:
    try:
        if archive.name.endswith(".zip"):
            return _from_zip(archive, wanted)
        return _from_tar(archive, wanted)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as err:
        raise NotGradable(f"the archive cannot be read ({type(err).__name__}: {err})") from None


def _check_member(name: str, size: int, total: int) -> int:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise NotGradable(f"the archive member {name!r} would land outside its folder")
    total += size
    if total > MAX_UNPACKED_BYTES:
        raise NotGradable(f"the archive unpacks to more than {MAX_UNPACKED_BYTES // (1024 * 1024)} MiB")
    return total


def _from_zip(archive: Path, wanted: list[str]) -> dict[str, bytes]:
    with zipfile.ZipFile(archive) as bundle:
        members = bundle.infolist()
        if len(members) > MAX_MEMBERS:
            raise NotGradable("the archive holds too many files")
        total = 0
        for info in members:
            total = _check_member(info.filename, info.file_size, total)
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                raise NotGradable(f"the archive member {info.filename!r} is a symbolic link")
        picked = _pick({i.filename: i for i in members if not i.is_dir()}, wanted)
        return {path: _bounded(bundle.open(info)) for path, info in picked.items()}


def _from_tar(archive: Path, wanted: list[str]) -> dict[str, bytes]:
    with tarfile.open(archive) as bundle:
        members = bundle.getmembers()
        if len(members) > MAX_MEMBERS:
            raise NotGradable("the archive holds too many files")
        total = 0
        for member in members:
            total = _check_member(member.name, member.size, total)
            if member.issym() or member.islnk() or member.isdev() or member.isfifo():
                raise NotGradable(f"the archive member {member.name!r} is a link or a device")
        picked = _pick({m.name: m for m in members if m.isfile()}, wanted)
        return {path: _bounded(bundle.extractfile(member)) for path, member in picked.items()}


def _bounded(stream: IO[bytes] | None) -> bytes:
    if stream is None:  # extractfile's answer for a member that is not a regular file; only regular ones are picked
        raise NotGradable("an exercise file in the archive is not a regular file")
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise NotGradable(f"an exercise file is larger than {MAX_FILE_BYTES} bytes")
    return data


def digest(files: dict[str, bytes]) -> str:
    """What identifies a submission's content: regrading is needed exactly when this changes."""
    h = hashlib.sha256()
    for path in sorted(files):
        h.update(path.encode() + b"\0" + hashlib.sha256(files[path]).digest())
    return h.hexdigest()


# --- packing a workspace (dlquest submit) --------------------------------------------------------------------
def pack_workspace(workspace_root: Path, course: Course, archive: Path) -> list[str]:
    """Write the workspace's exercise files into a .tar.gz that `dlquest grade` accepts."""
    packed = []
    with tarfile.open(archive, "w:gz") as bundle:
        for exercise in course.exercises.values():
            source = Path(workspace_root) / exercise.workspace_path
            if source.is_file():
                data = source.read_bytes()
                info = tarfile.TarInfo(str(exercise.workspace_path))
                info.size = len(data)
                info.mtime = int(source.stat().st_mtime)
                bundle.addfile(info, io.BytesIO(data))
                packed.append(exercise.id)
    return packed
