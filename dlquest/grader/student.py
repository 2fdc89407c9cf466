"""Grading one student's files for a class run: the task a worker process runs (a local pool's or Dask's).

Every student's files are unpacked under one root that all learner code has hidden, and graded with the
same `grade()` as `dlquest check`; what comes back is plain dicts, which cross process boundaries.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from dlquest.course import Course, load_course

_COURSES: dict[str, Course] = {}
GRADING_ROOT = Path(tempfile.gettempdir()) / "dlquest-grading"


def grade_student(course_root: str, student: str, files: dict[str, bytes], exercises: list[str],
                  seed: int | None, timeout: float | None, devices: list[str] | None) -> list[dict]:
    """Grade one student's files for `exercises`. Returns plain dicts (they cross process boundaries)."""
    from dlquest.grader.grade import grade
    from dlquest.grader.sandbox import Limits
    from dlquest.grader.warmup import warm_up_grading_process

    warm_up_grading_process()  # on Dask, the first task of a worker warms it up
    if course_root not in _COURSES:
        _COURSES[course_root] = load_course(course_root)
    course = _COURSES[course_root]
    results = []
    # Every student's files are unpacked under one root, hidden from all learner code: no submission can
    # read another's (nor its own file: the grader reads it and hands the source over).
    GRADING_ROOT.mkdir(mode=0o700, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"{student}-", dir=GRADING_ROOT) as folder:
        # Every file sent is laid out as in a workspace, those of the exercises graded and of those they build on
        # (`uses`), so grade() finds the student's own files beside the one it grades.
        for known in course.exercises.values():
            if str(known.workspace_path) in files:
                placed = Path(folder) / known.workspace_path
                placed.parent.mkdir(parents=True, exist_ok=True)
                placed.write_bytes(files[str(known.workspace_path)])
        for exercise_id in exercises:
            exercise = course.exercise(exercise_id)
            target = Path(folder) / exercise.workspace_path
            limits = Limits(wall_time=timeout or exercise.timeout)
            record = grade(course, exercise, target, seed=seed, limits=limits, devices=devices,
                           hide=(GRADING_ROOT,))
            results.append(record.to_dict())
    return results
