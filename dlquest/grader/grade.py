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
          seed: int | None = None, hide: tuple[Path, ...] = (), limits: Limits | None = None) -> GradeRecord:
    """Grade `learner_file` against `exercise`'s check. `hide` adds folders learner code must not see
    (the workspace's progress store, say); the course's solutions and checks are always hidden."""
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

    plugin = GraderPlugin(
        learner_file, solution,
        limits=limits or Limits(wall_time=exercise.timeout),
        hide=tuple({solution.parent, check.parent, *hide}),
        devices=devices,
        seed=default_seed(exercise) if seed is None else seed,
        check_path=check,
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
