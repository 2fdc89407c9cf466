"""Gradescope's autograder: `dlquest gradescope build` writes the zip, `dlquest gradescope run` runs inside it.

Gradescope unpacks the zip into /autograder/source, runs `setup.sh` once to build the image, and for each
submission runs `run_autograder`, which must write /autograder/results/results.json. The zip carries
dlquest's own source (and the course, when it is not the bundled one), so the same checks and the same
sandbox grade there as here.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import dlquest
from dlquest.course import BUNDLED_COURSE, Course
from dlquest.grader.reports import gradescope
from dlquest.grader.student import grade_student
from dlquest.grader.submissions import Submission, read_files
from dlquest.safe_text import json_text

SETUP_SH = """#!/usr/bin/env bash
# Runs once when Gradescope builds the autograder image.
set -euo pipefail
cd /autograder/source
python3 -m pip install --upgrade pip
python3 -m pip install "torch=={torch}"
python3 -m pip install ./dlquest-src
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Runs for every submission: grade it, write Gradescope's results.json.
set -uo pipefail
mkdir -p "${{DLQUEST_RESULTS:-/autograder/results}}"
exec python3 -m dlquest gradescope run \\
    --submission "${{DLQUEST_SUBMISSION:-/autograder/submission}}" \\
    --results "${{DLQUEST_RESULTS:-/autograder/results}}/results.json" \\
    {course_option}--lang {lang} --exercises {exercises}
"""

_SKIP = ("__pycache__", ".pyc", ".egg-info")


def build(course: Course, exercises: list[str], archive: Path, lang: str = "en") -> Path:
    """Write the autograder zip for `exercises` of `course`; its feedback will be in `lang`."""
    import torch

    package = Path(dlquest.__file__).resolve().parent
    project = package.parent
    custom_course = course.root != BUNDLED_COURSE
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        def add_text(name: str, text: str, executable: bool = False) -> None:
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o100755 if executable else 0o100644) << 16
            bundle.writestr(info, text)

        add_text("setup.sh", SETUP_SH.format(torch=torch.__version__.split("+")[0]), executable=True)
        course_option = "--course /autograder/source/course " if custom_course else ""
        add_text("run_autograder", RUN_AUTOGRADER.format(course_option=course_option, lang=lang,
                                                         exercises=",".join(exercises)), executable=True)
        pyproject = project / "pyproject.toml"
        if pyproject.is_file():
            bundle.write(pyproject, "dlquest-src/pyproject.toml")
        for path in sorted(package.rglob("*")):
            if path.is_file() and not any(part in str(path) for part in _SKIP):
                bundle.write(path, f"dlquest-src/dlquest/{path.relative_to(package)}")
        if custom_course:
            for path in sorted(course.root.rglob("*")):
                if path.is_file() and not any(part in str(path) for part in _SKIP):
                    bundle.write(path, f"course/{path.relative_to(course.root)}")
    return archive


def run(course: Course, exercises: list[str], submission: Path, results: Path, lang: str = "en") -> dict:
    """Grade one Gradescope submission folder and write its results.json, its feedback in `lang`. Gradescope
    uploads the files as the student chose them: a workspace, a folder holding one, or bare exercise files."""
    from dlquest.grader.records import GradeRecord
    from dlquest.grader.results import not_gradable_records
    from dlquest.grader.submissions import NotGradable

    wanted = [str(course.exercises[e].workspace_path) for e in exercises]
    try:
        files = read_files(Submission("submission", submission), wanted)
        for exercise in exercises:  # bare files uploaded without their folder
            path = str(course.exercises[exercise].workspace_path)
            loose = submission / Path(path).name
            if path not in files and loose.is_file() and not loose.is_symlink():
                files[path] = loose.read_bytes()
        records = grade_student(str(course.root), "submission", files, exercises, None, None, None)
    except NotGradable as err:
        records = not_gradable_records("submission", exercises, str(err), course)
    report = gradescope(course, [GradeRecord.from_dict(r) for r in records], lang)
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json_text(report, indent=1), encoding="utf-8")
    return report

