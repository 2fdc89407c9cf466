"""Shared fixtures (the bundled course, workspaces, a way to grade a source string, ways to start processes) and
the test tiers.

Tiers: a test's cost is decided here, by what it uses, never by a mark on one test. A test that asks for a
fixture that grades or starts a process is marked `grading`; one that runs a lesson example, trains a model or
grades a class is marked `slow` (a module whose every test does so says it once, with `pytestmark`).
`make test-fast` runs `-m "not grading and not slow"`; `make test` runs everything.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# `dlquest check` run in a subprocess would start a grading daemon that outlives the test; the suite grades cold
# unless a test (tests/test_daemon.py) unsets this for itself.
os.environ.setdefault("DLQUEST_NO_DAEMON", "1")

from dlquest.course import load_course
from dlquest.grader.grade import grade
from dlquest.grader.sandbox import Limits
from dlquest.workspace import Workspace

from tui_kit import make_course

# Fixtures whose use makes a test cost a real grading or a child process, and those that make it slow.
GRADING_FIXTURES = frozenset({"grade_source", "run_python", "start_python", "run_dlquest"})
SLOW_FIXTURES = frozenset({"run_lesson_example"})


def pytest_collection_modifyitems(config, items):
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & GRADING_FIXTURES:
            item.add_marker(pytest.mark.grading)
        if used & SLOW_FIXTURES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def course():
    return load_course()


@pytest.fixture
def workspace(tmp_path, course):
    ws, _, _ = Workspace.create(tmp_path / "ws", course)
    return ws


@pytest.fixture
def grade_source(tmp_path, course):
    """grade_source(exercise_id, source, **options) -> GradeRecord, for a learner file with that source."""

    def run(exercise_id: str, source: str, wall_time: float | None = None, memory: int | None = None, **options):
        exercise = course.exercises[exercise_id]
        path = tmp_path / "submission" / Path(exercise.stub).name
        path.parent.mkdir(exist_ok=True)
        path.write_text(source)
        if wall_time is not None or memory is not None:
            options["limits"] = Limits(wall_time=wall_time or exercise.timeout, memory=memory or Limits.memory)
        options.setdefault("devices", ["cpu"])
        return grade(course, exercise, path, **options)

    return run


@pytest.fixture
def run_python():
    """run_python(*args, **subprocess_options) -> CompletedProcess: this interpreter in a fresh process."""

    def run(*args: str, **options) -> subprocess.CompletedProcess:
        options.setdefault("capture_output", True)
        options.setdefault("text", True)
        options.setdefault("timeout", 300)
        return subprocess.run([sys.executable, *args], **options)

    return run


@pytest.fixture
def start_python():
    """start_python(*args, **popen_options) -> Popen: this interpreter in a fresh process, running on."""

    def start(*args: str, **options) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, *args], **options)

    return start


@pytest.fixture
def run_dlquest(run_python):
    """run_dlquest(*args, cwd=DIR, lang="en") -> CompletedProcess: the real `dlquest` command, in a language."""

    def run(*args: str, cwd: Path, lang: str = "en", env: dict | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess:
        environment = dict(os.environ, LANG=f"{'zh_CN' if lang == 'zh' else 'en_US'}.UTF-8", LC_ALL="",
                           DLQUEST_LANG="", **(env or {}))
        return run_python("-m", "dlquest", *args, cwd=cwd, env=environment, timeout=timeout)

    return run


@pytest.fixture
def run_lesson_example():
    """run_lesson_example(path) -> None or what went wrong, as `dlquest run` runs a lesson's example."""
    from dlquest.authoring import run_example

    return run_example


@pytest.fixture
def mini_course(tmp_path) -> Path:
    """The app tests' small fixed course (tests/tui_kit.py), written to a fresh folder."""
    return make_course(tmp_path / "course")


@pytest.fixture
def mini_workspace(tmp_path, mini_course) -> Workspace:
    """A workspace on the mini course, its welcome already seen, in English with the dark theme."""
    workspace, _, _ = Workspace.create(tmp_path / "ws", load_course(mini_course), mini_course)
    workspace.set_setting("welcomed", True)
    return workspace
