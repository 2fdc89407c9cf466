"""The grading side of `uses`: an exercise that builds on earlier ones is graded with the learner's own files of
those, loaded into the learner's sandboxed child under their exercise ids; the reference's child gets the course's
solutions under the same names. A used file that is missing or fails its own check stops the grading and says
which; a reference never stands in for it. `dlquest course check` judges such an exercise with the used
solutions in place, and a class run ships the used files with the submission.

The course here is the strict test course, its `pooling` exercise made to use `conv2d`: conv2d is `double(x)`,
pooling is `quadruple(x)` written as `double(double(x))` after `from conv2d import double`.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
from test_course import STRICT_MANIFEST, edit_manifest

from dlquest.authoring import check_exercise
from dlquest.course import load_course
from dlquest.grader import grade as grade_module
from dlquest.grader.classrun import _with_used
from dlquest.grader.grade import grade
from dlquest.grader.records import ERROR, FAILED, PASSED
from dlquest.grader.student import grade_student
from dlquest.render import feedback_text

pytestmark = pytest.mark.grading

BASE_SOLUTION = 'ORIGIN = "the course\'s solution"\n\n\ndef double(x):\n    return 2 * x\n'
BASE_CHECK = dedent('''
    def test_double(learner):
        assert learner.run(twice_three) == 6


    def twice_three(module):
        return module.double(3)
''')
TOP_SOLUTION = dedent('''
    from conv2d import double


    def quadruple(x):
        return double(double(x))
''')
TOP_STUB = 'def quadruple(x):\n    raise NotImplementedError("quadruple")\n'
TOP_CHECK = dedent('''
    import sys


    def test_quadruple(learner):
        assert learner.run(four_times_five) == 20


    def test_the_reference_builds_on_the_solution(reference):
        assert reference.run(origin_of_double) == "the course's solution"


    def four_times_five(module):
        return module.quadruple(5)


    def origin_of_double(module):
        return sys.modules["conv2d"].ORIGIN
''')
# Correct, and says where it runs from: its print reaches the record's output only if the learner's child loaded it.
LEARNER_BASE = 'def double(x):\n    print("double of the learner\'s own file")\n    return x + x\n'


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "course"
    files = {
        "lessons/en/numpy-broadcasting.md": "# a page\n", "lessons/zh/numpy-broadcasting.md": "# 一页\n",
        "lessons/en/convolution.md": "# a page\n", "lessons/zh/convolution.md": "# 一页\n",
        "lessons/examples/numpy_broadcasting.py": "print('example')\n",
        "exercises/perceptron.py": "def f():\n    raise NotImplementedError\n",
        "solutions/perceptron.py": "def f():\n    return 1\n",
        "checks/test_perceptron.py": "def test_f(learner):\n    assert learner.run(call_f) == 1\n\n\n"
                                     "def call_f(module):\n    return module.f()\n",
        "exercises/conv2d.py": 'def double(x):\n    raise NotImplementedError("double")\n',
        "solutions/conv2d.py": BASE_SOLUTION, "checks/test_conv2d.py": BASE_CHECK,
        "exercises/pooling.py": TOP_STUB, "solutions/pooling.py": TOP_SOLUTION, "checks/test_pooling.py": TOP_CHECK,
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (root / "lessons" / "course.toml").write_text(STRICT_MANIFEST, encoding="utf-8")
    edit_manifest(root, 'requires = ["conv2d"]', 'requires = ["conv2d"]\nuses = ["conv2d"]')
    grade_module._USED_PASSES.clear()  # each test starts with no used file known to pass
    return load_course(root)


def workspace_with(tmp_path: Path, **files: str) -> Path:
    """A learner's workspace (laid out as dlquest keeps one) holding `files` (exercise id -> source)."""
    root = tmp_path / "workspace"
    for exercise_id, source in files.items():
        (root / "exercises").mkdir(parents=True, exist_ok=True)
        (root / "exercises" / f"{exercise_id}.py").write_text(source, encoding="utf-8")
    return root


def test_the_learner_child_loads_the_learners_own_used_file_and_the_reference_the_solution(course, tmp_path):
    root = workspace_with(tmp_path, conv2d=LEARNER_BASE, pooling=TOP_SOLUTION)
    record = grade(course, course.exercises["pooling"], root / "exercises" / "pooling.py", devices=["cpu"])
    assert record.outcome == PASSED, record.to_dict()
    assert [t.test for t in record.tests] == ["test_quadruple", "test_the_reference_builds_on_the_solution"]
    assert "double of the learner's own file" in record.tests[0].output


def test_a_missing_used_file_stops_the_grading_and_names_it(course, tmp_path):
    root = workspace_with(tmp_path, pooling=TOP_SOLUTION)
    record = grade(course, course.exercises["pooling"], root / "exercises" / "pooling.py", devices=["cpu"])
    assert record.outcome == ERROR and record.tests == []
    assert record.problem.code == "uses_missing"
    assert record.problem.values == {"exercise": "pooling", "used": "conv2d", "file": "exercises/conv2d.py"}
    assert "dlquest reset conv2d" in feedback_text(record.problem, "en")
    assert "conv2d" in feedback_text(record.problem, "zh") and "不存在" in feedback_text(record.problem, "zh")


def test_a_used_file_that_fails_its_own_check_stops_the_grading(course, tmp_path):
    # A double that is wrong: the solution of pooling on top of it would fail too, but the learner is told where
    # the fault is (their conv2d), not shown pooling's failures.
    root = workspace_with(tmp_path, conv2d="ORIGIN = 'x'\n\n\ndef double(x):\n    return 3 * x\n",
                          pooling=TOP_SOLUTION)
    record = grade(course, course.exercises["pooling"], root / "exercises" / "pooling.py", devices=["cpu"])
    assert record.outcome == ERROR and record.tests == []
    assert record.problem.code == "uses_failed"
    assert record.problem.values["used"] == "conv2d" and record.problem.values["count"] == 1
    assert "dlquest check conv2d" in feedback_text(record.problem, "en")


def test_a_syntax_error_in_the_used_file_is_reported_as_its_own(course, tmp_path):
    root = workspace_with(tmp_path, conv2d="def double(x)\n    return 2 * x\n", pooling=TOP_SOLUTION)
    record = grade(course, course.exercises["pooling"], root / "exercises" / "pooling.py", devices=["cpu"])
    assert record.problem.code == "uses_failed"


def test_a_used_file_that_passed_is_not_graded_again_in_the_same_process(course, tmp_path, monkeypatch):
    root = workspace_with(tmp_path, conv2d=LEARNER_BASE, pooling=TOP_SOLUTION)
    pooling = root / "exercises" / "pooling.py"
    assert grade(course, course.exercises["pooling"], pooling, devices=["cpu"]).outcome == PASSED
    graded: list[str] = []
    real_grade = grade_module.grade

    def counting(course, exercise, *args, **kwargs):
        graded.append(exercise.id)
        return real_grade(course, exercise, *args, **kwargs)

    monkeypatch.setattr(grade_module, "grade", counting)
    assert grade_module.grade(course, course.exercises["pooling"], pooling, devices=["cpu"]).outcome == PASSED
    assert graded == ["pooling"]
    # A changed used file is graded again (and here fails).
    (root / "exercises" / "conv2d.py").write_text("def double(x):\n    return 0\n", encoding="utf-8")
    graded.clear()
    assert grade_module.grade(course, course.exercises["pooling"], pooling, devices=["cpu"]).problem.code \
        == "uses_failed"
    assert graded == ["pooling", "conv2d"]


def test_the_stub_on_top_of_a_correct_used_file_fails_on_its_own_tests(course, tmp_path):
    root = workspace_with(tmp_path, conv2d=LEARNER_BASE, pooling=TOP_STUB)
    record = grade(course, course.exercises["pooling"], root / "exercises" / "pooling.py", devices=["cpu"])
    assert record.outcome == FAILED
    assert record.tests[0].feedback[0].code == "not_implemented"


def test_course_check_judges_with_the_used_solutions_in_place(course):
    problems, summary = check_exercise(course, course.exercises["pooling"])
    assert problems == []
    # The stub fails its own test, not because of the used conv2d stub (which would stop it as uses_failed).
    assert summary.startswith("solution passed (2 tests") and "stub failed (1 of 2 tests failed)" in summary


def test_a_class_run_ships_and_lays_out_the_used_files(course):
    assert _with_used(course, ["pooling"]) == ["pooling", "conv2d"]
    files = {"exercises/conv2d.py": LEARNER_BASE.encode(), "exercises/pooling.py": TOP_SOLUTION.encode()}
    [record] = grade_student(str(course.root), "ada", files, ["pooling"], None, None, ["cpu"])
    assert record["outcome"] == PASSED, record
    [missing] = grade_student(str(course.root), "bob", {"exercises/pooling.py": TOP_SOLUTION.encode()},
                              ["pooling"], None, None, ["cpu"])
    assert missing["problem"]["code"] == "uses_missing"
