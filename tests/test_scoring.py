"""How a grading is scored (docs/authoring.md, "How a grading is scored"): points in proportion to the tests
passed among those that ran, in the gradebook's score and in Gradescope's per-test points alike."""

from __future__ import annotations

from dlquest.grader import reports
from dlquest.grader.records import FAILED, PASSED, SKIPPED, GradeRecord, TestResult
from dlquest.grader.results import score


def graded(*outcomes: str, verdict: str = FAILED) -> GradeRecord:
    tests = [TestResult(f"test_{i}[{'cuda' if o == SKIPPED else 'cpu'}]", o, [], 0.01, "cpu")
             for i, o in enumerate(outcomes)]
    return GradeRecord("perceptron", verdict, tests, 0.0, 0.1, ["cpu"], "", "", "", None)


def test_partial_credit_is_the_share_of_tests_passed():
    assert score(graded(PASSED, PASSED, FAILED, FAILED), 10) == 5.0
    assert score(graded(PASSED, FAILED, FAILED), 1) == 0.333
    assert score(GradeRecord("perceptron", "error", [], 0.0, 0.0, [], "", "", "", None), 10) == 0.0


def test_a_skipped_test_neither_earns_nor_costs_a_share():
    # A CUDA test skipped on a machine without a GPU: the passing grading earns every point.
    assert score(graded(PASSED, PASSED, SKIPPED, verdict=PASSED), 10) == 10.0
    assert score(graded(PASSED, FAILED, SKIPPED), 10) == 5.0
    assert score(graded(SKIPPED, SKIPPED), 10) == 0.0


def test_gradescope_points_add_up_to_the_same_score(course):
    record = graded(PASSED, FAILED, SKIPPED)
    points = course.exercises["perceptron"].points
    results = reports.gradescope(course, [record], "en")
    assert [t["max_score"] for t in results["tests"]] == [round(points / 2, 3), round(points / 2, 3), 0.0]
    assert sum(t["score"] for t in results["tests"]) == results["score"] == score(record, points)
