"""Grading a whole class: find submissions, unpack them safely, grade each in a warm worker, resume.

A submission is a student's workspace: a folder, a .zip or a .tar.gz named by the student id. Only the
exercise files the course names are taken from it (an allow-list: no conftest.py, no sitecustomize.py, no
module that shadows torch is ever copied, let alone imported), and archives that escape their folder, hold
links or unpack too large are refused as "not gradable".

Work goes to a `concurrent.futures.Executor` — a local process pool of warm workers by default — one task
per student and exercise. Results are appended to `results.jsonl` in the output folder as each student
finishes, so an interrupted run resumes: a student is graded again only when their files changed (or with
--force). The folder records the course it holds grades of (`course.json`), and refuses another's.

A worker that dies (the kernel's OOM killer, `kill -9`) breaks a local pool and fails every task in it: the
pool is rebuilt, the tasks that were waiting go back in the queue, and those that were being graded at that
moment are graded again one at a time, so that a second death is that task's own: it is then recorded as
"not gradable" with the reason. On Dask, which retries a task whose worker died, a `KilledWorker` is recorded
the same way.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any, TypeVar

from dlquest.course import Course, load_course, manifest_digest
from dlquest.grader.records import ERROR, FAILED, PASSED, SKIPPED, Feedback, GradeRecord

ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz", ".tar")
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_MEMBERS = 10_000
MAX_FILE_BYTES = 1024 * 1024  # an exercise file larger than this is not a real attempt

if TYPE_CHECKING:
    from concurrent.futures import Executor

Member = TypeVar("Member")  # an archive's own record of a member: ZipInfo or TarInfo


class NotGradable(Exception):
    """The submission as a whole cannot be graded; the message says why, for the student's feedback."""


class OtherCourse(Exception):
    """The output folder holds grades of another course (or another version of it); the message says what to do."""


class NoCluster(Exception):
    """`--scheduler` without Dask's distributed installed."""


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


# --- where the work runs -------------------------------------------------------------------------------------
def make_executor(workers: int, scheduler: str | None = None, device: str = "auto") -> Executor:
    """A local pool of warm worker processes, or — given a scheduler address — a Dask cluster's executor.

    Either way the same `grade_student` runs per student; nothing else differs. Dask's nanny workers are
    daemonic, which is why the grader forks its children with os.fork and never uses multiprocessing.
    """
    if scheduler:
        try:
            from distributed import Client
        except ImportError:
            raise NoCluster("grading on a Dask cluster (--scheduler) needs Dask's distributed, which is not "
                            "installed here: pip install \"dlquest[cluster]\"") from None

        client = Client(scheduler, timeout="10s")
        # GPU gradings go to workers started with `--resources GPU=1`.
        return client.get_executor(resources={"GPU": 1}) if device == "cuda" else client.get_executor()
    import concurrent.futures
    import multiprocessing

    # spawn, not fork: the pool's parent runs threads (the progress bar, the executor's own).
    return concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                                  initializer=start_pool_worker)


# --- handing out the work, surviving dead workers ---------------------------------------------------------------
@dataclass(frozen=True, eq=False)  # each task is itself: its args (a student's files) are no key
class Task:
    """One call into a worker, `fn(*args)`, known by `key` (a student and an exercise)."""

    key: tuple[str, str]
    fn: Callable[..., Any]
    args: tuple[Any, ...]


def run_tasks(tasks: list[Task], executor: Executor, rebuild: Callable[[int], Executor] | None, workers: int,
              on_result: Callable[[Task, Any], None], on_lost: Callable[[Task, str], None]) -> None:
    """Run every task; each ends in exactly one call of `on_result(task, value)` or `on_lost(task, reason)`.

    `rebuild(n)` makes a fresh local pool of n workers (None on Dask, whose pools do not break). A task that
    raises (a Dask KilledWorker, say) is lost at once. When a worker dies, the pool breaks and fails all its
    tasks: those that had not started are run again as they were; those that were running are suspects, run
    again alone at the end, and lost only if their worker dies again (kill -9 from outside, or the OOM killer
    choosing a worker beside them, costs no student anything). Ctrl-C cancels what has not started.
    """
    marks = Path(tempfile.mkdtemp(prefix="dlquest-running-")) if rebuild is not None else None
    names = {task: str(n) for n, task in enumerate(tasks)}
    queue, suspects, idle_breaks = list(tasks), list[Task](), 0
    current: Executor | None = executor
    try:
        while queue:
            if current is None:
                assert rebuild is not None
                current = rebuild(workers)
            lost, died, progressed = _run_round(current, queue, names, marks, on_result, on_lost)
            current.shutdown(wait=True)
            current = None
            queue = []
            if not lost:
                break
            running = {task for task in lost if marks is not None and (marks / names[task]).exists()}
            for task in lost:
                if marks is not None:
                    (marks / names[task]).unlink(missing_ok=True)
                (suspects if task in running else queue).append(task)
            idle_breaks = 0 if progressed or running else idle_breaks + 1
            if rebuild is None or idle_breaks >= 2:  # the pool cannot even start: nothing will change that
                for task in queue + suspects:
                    on_lost(task, f"the grading pool cannot start workers ({died})")
                return
        for task in suspects:  # alone now: if its worker dies again, that is this task's doing
            assert rebuild is not None
            current = current or rebuild(1)
            lost, died, _ = _run_round(current, [task], names, marks, on_result, on_lost)
            if lost:
                current.shutdown(wait=True)
                current = None
                on_lost(task, f"its grading worker died while grading it, twice ({died}); the submission may "
                              "use more memory than the machine has")
    except KeyboardInterrupt:
        if current is not None:
            current.shutdown(wait=False, cancel_futures=True)
            current = None
        raise
    finally:
        if current is not None:
            current.shutdown(wait=True)
        if marks is not None:
            shutil.rmtree(marks, ignore_errors=True)


def _run_round(executor: Executor, tasks: list[Task], names: dict[Task, str], marks: Path | None,
               on_result: Callable[[Task, Any], None],
               on_lost: Callable[[Task, str], None]) -> tuple[list[Task], str, bool]:
    """Submit `tasks` and wait for all. Returns the tasks a broken pool lost, how its workers ended, and
    whether any task finished."""
    import concurrent.futures
    from concurrent.futures.process import BrokenProcessPool

    futures = {executor.submit(_marked, str(marks) if marks else None, names[task], task.fn, task.args): task
               for task in tasks}
    workers = list((getattr(executor, "_processes", None) or {}).values())  # a local pool's, once it is broken
    lost, progressed = [], False
    for future in concurrent.futures.as_completed(futures):
        task = futures[future]
        try:
            value = future.result()
        except BrokenProcessPool:
            lost.append(task)
            continue
        except Exception as err:  # noqa: BLE001 - a Dask KilledWorker, an error in the grader: this task's record
            progressed = True
            name = type(err).__name__
            reason = ("its grading worker died while grading it, each time Dask tried (KilledWorker); the "
                      "submission may use more memory than a worker has" if name == "KilledWorker"
                      else f"the grading worker failed: {name}: {err}")
            on_lost(task, reason)
            continue
        progressed = True
        on_result(task, value)
    return lost, _how_workers_ended(workers) if lost else "", progressed


def _how_workers_ended(workers: list[Any]) -> str:
    """What ended a broken local pool's workers, from their exit codes (a signal 9 is kill -9 or the OOM killer)."""
    import signal

    ends = set()
    for process in workers:
        code = getattr(process, "exitcode", None)
        if code is not None and code < 0 and -code != signal.SIGTERM:  # SIGTERM: the pool ending the others
            ends.add(f"killed by signal {-code} ({signal.Signals(-code).name})" if -code in signal.valid_signals()
                     else f"killed by signal {-code}")
        elif code:
            ends.add(f"exit status {code}")
    return ", ".join(sorted(ends)) or "a worker ended abruptly"


def _marked(marks: str | None, name: str, fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    """`fn(*args)` in a worker, with a file in `marks` while it runs: one left behind by a broken pool says
    that this task was running when its pool broke (a killed worker runs no `finally`)."""
    if marks is None:
        return fn(*args)
    mark = Path(marks) / name
    mark.touch()
    try:
        return fn(*args)
    finally:
        mark.unlink(missing_ok=True)


# --- the course an output folder holds grades of -----------------------------------------------------------------
COURSE_RECORD = "course.json"


def claim_output(out: Path, course: Course, force: bool) -> None:
    """Record in `out` the course (its id and its manifest's digest) it holds grades of. A folder that holds
    another course's grades, or grades of another version of this one, is refused (OtherCourse) unless `force`;
    forced onto another course, its old results are moved aside (results-<course>-<time>.jsonl), never lost."""
    out = Path(out)
    record = {"id": course.id, "manifest_sha256": manifest_digest(course), "root": str(course.root)}
    path = out / COURSE_RECORD
    try:
        held = json.loads(path.read_text(encoding="utf-8"))
        held = held if isinstance(held, dict) else None
    except (OSError, ValueError):
        held = None  # none yet (or grades from before dlquest kept this record): this course claims the folder
    if held is not None and (held.get("id"), held.get("manifest_sha256")) != (record["id"], record["manifest_sha256"]):
        other = held.get("id")
        if not force:
            if other != course.id:
                raise OtherCourse(f"{out}/ holds grades of course {other!r}, not {course.id!r}; use another --out "
                                  "or --force")
            before, now = str(held.get("manifest_sha256"))[:12], record["manifest_sha256"][:12]
            raise OtherCourse(f"{out}/ holds grades of course {other!r} as its manifest was before it changed "
                              f"(sha256 {before}…, now {now}…); use another --out, or --force to grade everyone "
                              "again against this version")
        results = out / "results.jsonl"
        if other != course.id and results.exists():
            results.replace(out / f"results-{other}-{time.strftime('%Y%m%d-%H%M%S')}.jsonl")
    if held != record:
        from dlquest.workspace import atomic_write

        atomic_write(path, json.dumps(record, indent=2).encode())


# --- grading one student (runs in a worker process) ---------------------------------------------------------
_COURSES: dict[str, Course] = {}
_WARM = False
GRADING_ROOT = Path(tempfile.gettempdir()) / "dlquest-grading"


def start_pool_worker() -> None:
    """The local pool's initializer: end with the coordinator, skip torch's teardown at exit, then warm up.

    A worker whose coordinator was killed outright (`kill`, a lost SSH session) would otherwise wait for work
    forever and keep its children; with a parent-death signal it goes, and its sandboxed children with it.

    Interpreter shutdown with torch loaded takes ~0.6 s, and the pool's parent waits for its workers to exit
    before it writes the reports: at exit a worker ends its children itself and leaves without the teardown.
    (Not on Dask: its worker processes are Dask's, with their own way of ending.)
    """
    import multiprocessing

    from dlquest.grader import sandbox

    sandbox.die_with_parent()
    coordinator = multiprocessing.parent_process()
    if coordinator is not None and os.getppid() != coordinator.pid:
        os._exit(0)  # the coordinator was gone before the signal was armed
    warm_worker()
    atexit.register(_end_pool_worker)  # registered last, so it runs first and the grader's own handlers never


def _end_pool_worker() -> None:
    from dlquest.grader import plugin, sandbox

    plugin.close_kept_references()
    sandbox.wait_for_reaped()
    sandbox.exit_without_teardown()


def warm_worker() -> None:
    """Import torch and the grader once per worker process (a pool initializer, or lazily on Dask)."""
    global _WARM
    if _WARM:
        return
    _WARM = True
    try:
        import torch
    except ImportError:
        pass
    else:
        # Workers run side by side, one per core: torch's own thread pool would only make them fight over cores.
        torch.set_num_threads(1)
    from dlquest.grader.plugin import warm_up

    warm_up()


def grade_student(course_root: str, student: str, files: dict[str, bytes], exercises: list[str],
                  seed: int | None, timeout: float | None, devices: list[str] | None) -> list[dict]:
    """Grade one student's files for `exercises`. Returns plain dicts (they cross process boundaries)."""
    from dlquest.grader.grade import grade
    from dlquest.grader.sandbox import Limits

    warm_worker()
    if course_root not in _COURSES:
        _COURSES[course_root] = load_course(course_root)
    course = _COURSES[course_root]
    results = []
    # Every student's files are unpacked under one root, hidden from all learner code: no submission can
    # read another's (nor its own file: the grader reads it and hands the source over).
    GRADING_ROOT.mkdir(mode=0o700, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"{student}-", dir=GRADING_ROOT) as folder:
        for exercise_id in exercises:
            exercise = course.exercise(exercise_id)
            target = Path(folder) / exercise.workspace_path
            target.parent.mkdir(parents=True, exist_ok=True)
            if str(exercise.workspace_path) in files:
                target.write_bytes(files[str(exercise.workspace_path)])
            limits = Limits(wall_time=timeout or exercise.timeout)
            record = grade(course, exercise, target, seed=seed, limits=limits, devices=devices,
                           hide=(GRADING_ROOT,))
            results.append(record.to_dict())
    return results


def not_gradable_records(student: str, exercises: list[str], reason: str, course: Course) -> list[dict]:
    import time

    import dlquest

    return [GradeRecord(exercise=e, outcome=ERROR, tests=[], started_at=time.time(), duration=0.0, devices=[],
                        source_sha256="", check_sha256="", grader_version=dlquest.__version__, torch_version=None,
                        problem=Feedback("not_gradable", {"what": student, "reason": reason})).to_dict()
            for e in exercises]


# --- verdicts and scores ------------------------------------------------------------------------------------
def verdict(record: GradeRecord) -> str:
    """One word for a gradebook: passed, failed, error, timeout, out of memory, crashed, not gradable."""
    if record.outcome == PASSED:
        return "passed"
    codes = [f.code for t in record.tests for f in t.feedback] + ([record.problem.code] if record.problem else [])
    for code, word in (("not_gradable", "not gradable"), ("missing_file", "not gradable"),
                       ("syntax_error", "not gradable"), ("timeout", "timeout"), ("timeout_skipped", "timeout"),
                       ("memory", "out of memory"),
                       ("killed", "crashed"), ("exited", "crashed"), ("system_exit", "crashed")):
        if code in codes:
            return word
    return "failed" if record.outcome == FAILED else "error"


def score(record: GradeRecord, points: float) -> float:
    """Points in proportion to the tests passed among those that ran (all of them for a pass). A skipped test
    did not run (a CUDA test on a machine without a GPU, say): it neither earns nor costs a share."""
    ran = [t for t in record.tests if t.outcome != SKIPPED]
    if not ran:
        return 0.0
    passed = sum(1 for t in ran if t.outcome == PASSED)
    return round(points * passed / len(ran), 3)


# --- the results store ------------------------------------------------------------------------------------
class ResultStore:
    """results.jsonl: one line per graded student, appended (and fsynced) as each finishes."""

    def __init__(self, out: Path):
        self.path = Path(out) / "results.jsonl"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.entries: dict[str, dict] = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a line cut short by a kill: that student is simply graded again
                self.entries[entry["student"]] = entry

    def is_current(self, student: str, content: str, exercises: list[str], settings: dict) -> bool:
        entry = self.entries.get(student)
        return bool(entry and entry["digest"] == content and entry["exercises"] == exercises
                    and entry["settings"] == settings)

    def add(self, student: str, content: str, exercises: list[str], settings: dict, records: list[dict]) -> None:
        entry = {"student": student, "digest": content, "exercises": exercises, "settings": settings,
                 "records": records}
        self.entries[student] = entry
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def records(self) -> dict[str, list[GradeRecord]]:
        return {student: [GradeRecord.from_dict(r) for r in entry["records"]]
                for student, entry in sorted(self.entries.items())}


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

