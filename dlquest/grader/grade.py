"""Grade one exercise: run its check as a pytest session in this (trusted) process and return a GradeRecord.

Learner code never runs here: the check's probes run in sandboxed children (sandbox.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import sys
import time
import zlib
from pathlib import Path

import dlquest
from dlquest.course import Course, Exercise
from dlquest.grader.plugin import GraderPlugin
from dlquest.grader.records import ERROR, FAILED, PASSED, SKIPPED, Feedback, GradeRecord
from dlquest.grader.sandbox import Limits

_PYTEST_INI = Path(__file__).with_name("pytest.ini")
_UNUSED_PLUGINS = ("cacheprovider", "terminal", "unraisableexception", "threadexception", "faulthandler",
                   "pastebin", "junitxml", "doctest", "stepwise", "setuponly", "setupplan", "legacypath",
                   "logging", "nose")


def default_seed(exercise: Exercise) -> int:
    """A fixed seed per exercise, so a learner sees the same inputs on every attempt."""
    return zlib.crc32(exercise.id.encode())


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


def grade(course: Course, exercise: Exercise, learner_file: Path, *, devices: list[str] | None = None,
          seed: int | None = None, hide: tuple[Path, ...] = (), limits: Limits | None = None,
          used_files: dict[str, Path] | None = None) -> GradeRecord:
    """Grade `learner_file` against `exercise`'s check. `hide` adds folders learner code must not see
    (the workspace's progress store, say); the course's solutions and checks are always hidden.

    An exercise that builds on earlier ones (the manifest's `uses`) is graded with the learner's own files of
    those: `used_files` names them (by exercise id), else they are found where the workspace keeps them, beside
    `learner_file`. Each must exist and pass its own check first; otherwise the record says which, and the
    check does not run. A reference never stands in for a missing one: that would put a solution in the
    learner's process."""
    started = time.time()
    clock = time.monotonic()
    learner_file = Path(learner_file).resolve()
    check = course.path(exercise.check)
    solution = course.path(exercise.solution)
    record = GradeRecord(
        exercise=exercise.id, outcome=ERROR, tests=[], started_at=started, duration=0.0, devices=[],
        source_sha256=sha256(learner_file), check_sha256=sha256(check), grader_version=dlquest.__version__,
        torch_version=_torch_version(),
    )
    if not learner_file.is_file():
        record.problem = Feedback("missing_file", {"file": str(learner_file), "exercise": exercise.id})
        return record
    learner_uses = locate_used_files(course, exercise, learner_file, used_files)
    for used_id, used_file in learner_uses.items():
        problem = _used_problem(course, exercise, course.exercise(used_id), used_file, devices=devices, seed=seed,
                                hide=hide)
        if problem is not None:
            record.problem = problem
            record.duration = round(time.monotonic() - clock, 4)
            return record

    plugin = GraderPlugin(
        learner_file, solution,
        limits=limits or Limits(wall_time=exercise.timeout),
        hide=tuple({solution.parent, check.parent, *hide}),
        devices=devices,
        seed=default_seed(exercise) if seed is None else seed,
        check_path=check,
        learner_uses=learner_uses,
        reference_uses={used: course.path(course.exercise(used).solution) for used in exercise.uses},
    )
    args = [str(check), "-c", str(_PYTEST_INI), "--rootdir", str(check.parent), "--disable-plugin-autoload",
            "--import-mode=importlib", "-W", "ignore::DeprecationWarning"]
    # Plugins a check never needs. unraisableexception alone costs ~0.7 s: it runs gc.collect() over torch's
    # objects several times at the end of every session.
    for name in _UNUSED_PLUGINS:
        args += ["-p", f"no:{name}"]
    import pytest

    before = set(sys.modules)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            pytest.main(args, plugins=[plugin])
    finally:
        plugin.close()
    # Forget the check module: the next session (maybe another course's check of the same name) imports afresh.
    for name in set(sys.modules) - before:
        module_file = getattr(sys.modules[name], "__file__", None) or ""
        if module_file and Path(module_file).resolve().is_relative_to(check.parent):
            del sys.modules[name]

    for result in plugin.results:
        result.feedback = [_course_fault(feedback, course, exercise) for feedback in result.feedback]
    record.tests = plugin.results
    record.protections = plugin.protections
    record.devices = sorted({t.device for t in plugin.results if t.device} or {"cpu"})
    record.duration = round(time.monotonic() - clock, 4)
    if plugin.collection_problem is not None:
        record.problem = _course_fault(plugin.collection_problem, course, exercise)
        record.outcome = ERROR
    elif not plugin.results or all(t.outcome == SKIPPED for t in plugin.results):
        record.problem = _course_fault(Feedback("check_error", {
            "type": "no tests",
            "message": "every test was skipped" if plugin.results else "it defines no test (a function test_…)",
            "file": str(check), "phase": "load"}), course, exercise)
        record.outcome = ERROR
    elif any(t.outcome == ERROR for t in plugin.results):
        record.outcome = ERROR if all(t.outcome == ERROR for t in plugin.results) else FAILED
    else:
        record.outcome = PASSED if all(t.outcome in (PASSED, SKIPPED) for t in plugin.results) else FAILED
    return record


def locate_used_files(course: Course, exercise: Exercise, learner_file: Path,
                      given: dict[str, Path] | None = None) -> dict[str, Path]:
    """The learner's files of the exercises `exercise` uses, by id, in the manifest's order: those `given`, else
    where the workspace keeps them (the folder `learner_file` sits in, laid out as a workspace is)."""
    located: dict[str, Path] = {}
    parts = exercise.workspace_path.parts
    is_laid_out = learner_file.parts[-len(parts):] == parts
    root = learner_file.parents[len(parts) - 1] if is_laid_out else learner_file.parent
    for used_id in exercise.uses:
        used = course.exercise(used_id)
        if given and used_id in given:
            located[used_id] = Path(given[used_id]).resolve()
        else:
            located[used_id] = root / (used.workspace_path if is_laid_out else used.workspace_path.name)
    return located


# Used files already seen to pass their check in this process: (exercise, source, check, solution, seed,
# devices). A warm grader (the app's worker, the daemon, a class run's worker) grades the learner's
# transformer_block once, not again for every attempt at the exercise that builds on it.
_USED_PASSES: set[tuple] = set()


def _used_problem(course: Course, exercise: Exercise, used: Exercise, used_file: Path, *,
                  devices: list[str] | None, seed: int | None, hide: tuple[Path, ...]) -> Feedback | None:
    """Why the learner's file of `used` cannot serve `exercise`: missing, or not passing its own check."""
    where = str(used.workspace_path)
    if not used_file.is_file():
        return Feedback("uses_missing", {"exercise": exercise.id, "used": used.id, "file": where})
    key = (used.id, sha256(used_file), sha256(course.path(used.check)), sha256(course.path(used.solution)), seed,
           tuple(devices or ()))
    if key in _USED_PASSES:
        return None
    record = grade(course, used, used_file, devices=devices, seed=seed, hide=hide)
    if record.outcome != PASSED:
        failed = [t.test for t in record.tests if t.outcome in (FAILED, ERROR)]
        return Feedback("uses_failed", {"exercise": exercise.id, "used": used.id, "file": where,
                                        "outcome": record.outcome, "count": len(failed)})
    _USED_PASSES.add(key)
    return None


def _course_fault(feedback: Feedback, course: Course, exercise: Exercise) -> Feedback:
    """A fault of the course (its check raised, its reference failed) names the exercise, and its file as the
    author knows it: relative to the course's folder."""
    if feedback.code not in ("check_error", "reference_failed"):
        return feedback
    values = dict(feedback.values, exercise=exercise.id)
    if feedback.code == "reference_failed":
        if "line" in values:  # the sandbox names the solution by its file name only
            values["file"] = str(exercise.solution)
    elif values.get("file"):
        path = Path(values["file"])
        root = course.root.resolve()
        if path.is_absolute() and path.resolve().is_relative_to(root):
            values["file"] = str(path.resolve().relative_to(root))
    return Feedback(feedback.code, values)


def _torch_version() -> str | None:
    torch = sys.modules.get("torch")
    if torch is not None:
        # str(): torch's version is a str subclass from torch, and a record that carried it would make whoever
        # unpickles the record (`dlquest grade`'s coordinator, say) import torch: ~2 s of CPU.
        return str(torch.__version__)
    from importlib import metadata

    try:
        return metadata.version("torch")
    except metadata.PackageNotFoundError:
        return None
