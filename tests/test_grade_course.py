"""Grading uses the right course (issue 21): without --course, the workspace's; an output folder records the course
it holds grades of (its id and a digest of its manifest) and refuses another's."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from dlquest.course import BUNDLED_COURSE, load_course, manifest_digest
from dlquest.grader import results

EXAMPLE_COURSE = Path(__file__).resolve().parents[1] / "docs" / "example-course"


@pytest.fixture
def example_copy(tmp_path) -> Path:
    root = tmp_path / "example-course"
    shutil.copytree(EXAMPLE_COURSE, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_an_output_folder_records_its_course_and_refuses_another(tmp_path, example_copy):
    out = tmp_path / "grades"
    bundled, example = load_course(), load_course(example_copy)
    results.claim_output(out, example, force=False)
    record = json.loads((out / "course.json").read_text())
    assert record["id"] == "example" and record["manifest_sha256"] == manifest_digest(example)
    results.claim_output(out, example, force=False)  # the same course again: fine
    (out / "results.jsonl").write_text('{"student": "ana"}\n')
    with pytest.raises(results.OtherCourse) as err:
        results.claim_output(out, bundled, force=False)
    assert str(err.value) == f"{out}/ holds grades of course 'example', not 'dlquest'; use another --out or --force"
    assert json.loads((out / "course.json").read_text())["id"] == "example"  # refused: nothing changed
    results.claim_output(out, bundled, force=True)
    assert json.loads((out / "course.json").read_text())["id"] == "dlquest"
    assert not (out / "results.jsonl").exists()
    (kept,) = out.glob("results-example-*.jsonl")  # the other course's results, moved aside, not lost
    assert kept.read_text() == '{"student": "ana"}\n'


def test_a_changed_manifest_is_another_version_of_the_course(tmp_path, example_copy):
    out = tmp_path / "grades"
    results.claim_output(out, load_course(example_copy), force=False)
    manifest = example_copy / "lessons" / "course.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("points = 5", "points = 50"), encoding="utf-8")
    with pytest.raises(results.OtherCourse, match="holds grades of course 'example' as its manifest was before it "
                                                "changed .* or --force to grade everyone again"):
        results.claim_output(out, load_course(example_copy), force=False)
    results.claim_output(out, load_course(example_copy), force=True)
    assert json.loads((out / "course.json").read_text())["manifest_sha256"] == manifest_digest(load_course(example_copy))


def test_grade_uses_the_workspace_course_and_keeps_another_course_out_of_its_grades(tmp_path, example_copy,
                                                                                      run_dlquest):
    assert run_dlquest("init", "--course", str(example_copy), "ws", cwd=tmp_path).returncode == 0
    subs = tmp_path / "ws" / "subs"
    (subs / "ana" / "exercises").mkdir(parents=True)
    shutil.copy(example_copy / "solutions" / "relu.py", subs / "ana" / "exercises" / "relu.py")
    graded = run_dlquest("grade", "subs", "--out", "grades", "--workers", "1", cwd=tmp_path / "ws")
    assert graded.returncode == 0, graded.stderr
    rows = list(csv.reader((tmp_path / "ws" / "grades" / "gradebook.csv").open()))
    assert rows[0] == ["student", "relu", "total"] and rows[2] == ["ana", "5.0", "5.0"]
    # The same folder from outside the workspace (the bundled course): refused, the gradebook untouched.
    before = (tmp_path / "ws" / "grades" / "gradebook.csv").read_bytes()
    other = run_dlquest("grade", "ws/subs", "--out", "ws/grades", cwd=tmp_path)
    assert other.returncode == 2
    assert "ws/grades/ holds grades of course 'example', not 'dlquest'; use another --out or --force" in other.stderr
    assert (tmp_path / "ws" / "grades" / "gradebook.csv").read_bytes() == before


def test_course_check_uses_the_workspace_course(tmp_path, example_copy, run_dlquest):
    assert run_dlquest("init", "--course", str(example_copy), "ws", cwd=tmp_path).returncode == 0
    manifest = example_copy / "lessons" / "course.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("points = 5", "pionts = 5"), encoding="utf-8")
    checked = run_dlquest("course", "check", cwd=tmp_path / "ws")
    assert checked.returncode == 2
    assert str(manifest) in checked.stderr and "unknown key 'pionts'; did you mean 'points'?" in checked.stderr
    assert f"the workspace {tmp_path / 'ws'} remembers" in checked.stderr
    assert str(BUNDLED_COURSE) not in checked.stderr


READING_COURSE = '''
[course]
id = "reading"
title = { en = "Reading", zh = "阅读" }

[[stages]]
id = "one"
title = { en = "One", zh = "一" }

[[stages.units]]
id = "pages"
title = { en = "Pages", zh = "页面" }

[[stages.units.items]]
kind = "lesson"
id = "intro"
title = { en = "Intro", zh = "简介" }
pages = { en = "lessons/en/intro.md", zh = "lessons/zh/intro.md" }

[[stages.units]]
id = "coming-soon"
title = { en = "Coming soon", zh = "即将推出" }

[[stages]]
id = "two"
title = { en = "Two", zh = "二" }
'''


def test_course_check_refuses_an_empty_unit_and_stage(tmp_path, run_dlquest):
    for lang, text in (("en", "# Intro\n"), ("zh", "# 简介\n")):
        (tmp_path / "course" / "lessons" / lang).mkdir(parents=True)
        (tmp_path / "course" / "lessons" / lang / "intro.md").write_text(text, encoding="utf-8")
    (tmp_path / "course" / "lessons" / "course.toml").write_text(READING_COURSE, encoding="utf-8")
    checked = run_dlquest("course", "check", "--course", str(tmp_path / "course"), "--json", cwd=tmp_path)
    assert checked.returncode == 1, checked.stderr
    verdict = json.loads(checked.stdout)
    assert not verdict["sound"]
    assert [(p["item"], p["text"], p["kind"]) for p in verdict["problems"]] == [
        ("unit 'coming-soon' (stage 'one')", "has no items; add [[stages.units.items]] under it or remove it", "empty"),
        ("stage 'two'", "has no units; add a [[stages.units]] table under it or remove it", "empty"),
    ]


NO_DISTRIBUTED = """
import sys
sys.modules["distributed"] = None  # as if dlquest were installed without the [cluster] extra
from dlquest.cli import main
sys.exit(main(["grade", sys.argv[1], "--out", sys.argv[2], "--scheduler", "tcp://127.0.0.1:9"]))
"""


def test_scheduler_without_distributed_says_how_to_install_it(tmp_path, run_python):
    (tmp_path / "subs" / "ana").mkdir(parents=True)
    result = run_python("-c", NO_DISTRIBUTED, str(tmp_path / "subs"), str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2
    assert 'pip install "dlquest[cluster]"' in result.stderr and "Traceback" not in result.stderr
