"""Shared fixtures: the bundled course, fresh workspaces, and a way to grade a source string."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlquest.course import load_course
from dlquest.grader.grade import grade
from dlquest.grader.sandbox import Limits
from dlquest.workspace import Workspace


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
