"""What an instructor gets from `dlquest grade`: every report renders the same GradeRecords.

- gradebook.csv       a row per student, a column per exercise (points), total; first row: points possible
- results.json        every record of every student, as stored
- junit.xml           a test suite per student and exercise, a test case per check test
- gradescope/<student>/results.json   Gradescope's autograder format
- feedback/<student>.md               readable feedback: verdicts and the grader's explanations, no solution code
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

from dlquest.course import Course
from dlquest.grader.batch import score, verdict
from dlquest.grader.records import ERROR, FAILED, PASSED, GradeRecord
from dlquest.render import feedback_text, record_lines
from dlquest.workspace import atomic_write


def write_all(out: Path, course: Course, results: dict[str, list[GradeRecord]], exercises: list[str]) -> None:
    out = Path(out)
    write_gradebook(out / "gradebook.csv", course, results, exercises)
    atomic_write(out / "results.json", json.dumps(
        {student: [r.to_dict() for r in records] for student, records in results.items()},
        ensure_ascii=False, indent=1).encode())
    write_junit(out / "junit.xml", results)
    for student, records in results.items():
        atomic_write(out / "gradescope" / student / "results.json",
                     json.dumps(gradescope(course, records), ensure_ascii=False, indent=1).encode())
        atomic_write(out / "feedback" / f"{student}.md", feedback(course, student, records).encode())


def write_gradebook(path: Path, course: Course, results: dict[str, list[GradeRecord]], exercises: list[str]) -> None:
    rows = [["student", *exercises, "total"],
            ["points possible", *[_points(course, e) for e in exercises],
             sum(course.exercises[e].points for e in exercises)]]
    for student, records in results.items():
        by_exercise = {r.exercise: r for r in records}
        points = [score(by_exercise[e], course.exercises[e].points) if e in by_exercise else 0.0 for e in exercises]
        rows.append([student, *points, round(sum(points), 3)])
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def _points(course: Course, exercise: str) -> float:
    return course.exercises[exercise].points


def write_junit(path: Path, results: dict[str, list[GradeRecord]]) -> None:
    suites = ElementTree.Element("testsuites")
    for student, records in results.items():
        for record in records:
            suite = ElementTree.SubElement(suites, "testsuite", name=f"{student}.{record.exercise}",
                                           tests=str(len(record.tests) or 1), time=f"{record.duration:.3f}",
                                           failures=str(sum(t.outcome == FAILED for t in record.tests)),
                                           errors=str(sum(t.outcome == ERROR for t in record.tests)
                                                      + (0 if record.tests else 1)))
            if not record.tests:
                case = ElementTree.SubElement(suite, "testcase", classname=f"{student}.{record.exercise}",
                                              name="grading", time="0")
                ElementTree.SubElement(case, "error", message=verdict(record)).text = "\n".join(
                    record_lines(record, "en"))
            for test in record.tests:
                case = ElementTree.SubElement(suite, "testcase", classname=f"{student}.{record.exercise}",
                                              name=test.test, time=f"{test.duration:.3f}")
                if test.outcome in (FAILED, ERROR):
                    text = "\n".join(feedback_text(f, "en") for f in test.feedback)
                    tag = "failure" if test.outcome == FAILED else "error"
                    ElementTree.SubElement(case, tag, message=text.splitlines()[0] if text else test.outcome).text = text
                elif test.outcome == "skipped":
                    ElementTree.SubElement(case, "skipped")
    ElementTree.indent(suites)
    atomic_write(path, ElementTree.tostring(suites, encoding="utf-8", xml_declaration=True))


def gradescope(course: Course, records: list[GradeRecord]) -> dict:
    tests = []
    for record in records:
        points = course.exercises[record.exercise].points
        each = points / len(record.tests) if record.tests else points
        if not record.tests:
            tests.append({"name": f"{record.exercise}: grading", "score": 0.0, "max_score": points,
                          "status": "failed", "output": "\n".join(record_lines(record, "en")),
                          "visibility": "visible"})
        for test in record.tests:
            tests.append({
                "name": f"{record.exercise}: {test.test}",
                "score": round(each if test.outcome == PASSED else 0.0, 3),
                "max_score": round(each, 3),
                "status": "passed" if test.outcome == PASSED else "failed",
                "output": "\n".join(feedback_text(f, "en") for f in test.feedback),
                "visibility": "visible",
            })
    return {
        "score": round(sum(score(r, course.exercises[r.exercise].points) for r in records), 3),
        "max_score": sum(course.exercises[r.exercise].points for r in records),
        "execution_time": round(sum(r.duration for r in records), 3),
        "output": "; ".join(f"{r.exercise}: {verdict(r)}" for r in records),
        "tests": tests,
    }


def feedback(course: Course, student: str, records: list[GradeRecord]) -> str:
    """Readable feedback for one student: what passed, what failed and why. Never the solution's code."""
    lines = [f"# Feedback for {student}", ""]
    total = sum(score(r, course.exercises[r.exercise].points) for r in records)
    possible = sum(course.exercises[r.exercise].points for r in records)
    lines += [f"Total: {total:g} / {possible:g} points", ""]
    for record in records:
        points = course.exercises[record.exercise].points
        lines.append(f"## {record.exercise}: {verdict(record)} ({score(record, points):g} / {points:g})")
        lines.append("")
        lines.append("```")
        lines.extend(record_lines(record, "en") or ["(no tests ran)"])
        lines.append("```")
        lines.append("")
    return "\n".join(lines)


def summary(course: Course, results: dict[str, list[GradeRecord]], exercises: list[str]) -> list[tuple]:
    """Per exercise: pass rate, mean score, most common failing test (for the table at the end of a run)."""
    rows = []
    for exercise in exercises:
        records = [r for rs in results.values() for r in rs if r.exercise == exercise]
        if not records:
            continue
        points = course.exercises[exercise].points
        failing = Counter(t.test for r in records for t in r.tests if t.outcome in (FAILED, ERROR))
        rows.append((exercise, sum(r.outcome == PASSED for r in records) / len(records),
                     sum(score(r, points) for r in records) / len(records), points,
                     failing.most_common(1)[0][0] if failing else "-"))
    return rows
