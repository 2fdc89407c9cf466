"""How long report.html takes to render for a class of 100 students (issue 20): numbers and page, from records
built here (no grading), over two exercises with passes, failures with feedback, timeouts and crashes.

Printed, never asserted; on a shared machine the figure is noisy. Run: .venv/bin/python benchmarks/bench_report.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from dlquest.course import load_course
from dlquest.grader import class_report_html
from dlquest.grader.records import FAILED, PASSED, Feedback, GradeRecord, TestResult
from dlquest.grader.results import RunRecord

STUDENTS, RUNS = 100, 7
EXERCISES = ["perceptron", "pairwise_distances"]
TESTS = [f"test_case_{n}" for n in range(8)]


def record(exercise: str, n: int) -> GradeRecord:
    tests = []
    for i, test in enumerate(TESTS):
        if (n + i) % 4 == 0 or n % 10 == 0:  # a tenth fail everything, the rest a quarter of the tests
            code = ("timeout", {"seconds": 1.0}) if n % 20 == 0 else ("exception", {"type": "ValueError",
                                                                                    "message": f"<b>{n}</b>"})
            tests.append(TestResult(test, FAILED, [Feedback(*code)], 0.01))
        else:
            tests.append(TestResult(test, PASSED, [], 0.01))
    outcome = PASSED if all(t.outcome == PASSED for t in tests) else FAILED
    return GradeRecord(exercise, outcome, tests, 0.0, 0.5 + n % 7, ["cpu"], "0" * 64, "0" * 64, "0.1.0", None)


def main() -> None:
    course = load_course()
    exercises = [e for e in EXERCISES if e in course.exercises]
    results = {f"student-{n:03d}": [record(e, n) for e in exercises] for n in range(STUDENTS)}
    run = RunRecord(started_at=time.time(), wall_time=60.0, exercises=exercises, students=sorted(results),
                    graded=sorted(results), skipped=[], workers=2, timeout=1.0)
    times = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(RUNS):
            start = time.perf_counter()
            class_report_html.write(Path(out), course, results, exercises, run, "en")
            times.append(time.perf_counter() - start)
        size = (Path(out) / class_report_html.REPORT).stat().st_size
    print(f"report.html for {STUDENTS} students x {len(exercises)} exercises: median "
          f"{statistics.median(times) * 1000:.1f} ms over {RUNS} runs ({size // 1024} KiB)")


if __name__ == "__main__":
    main()
