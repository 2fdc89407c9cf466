"""What an instructor gets from `dlquest grade`: every report renders the same GradeRecords.

- gradebook.csv       a row per student, a column per exercise (points), total; first row: points possible
- results.json        every record of every student, as stored
- junit.xml           a test suite per student and exercise, a test case per check test
- gradescope/<student>/results.json   Gradescope's autograder format
- feedback/<student>.md               readable feedback: verdicts and the grader's explanations, no solution code

Student ids (folder names), messages, reprs and printed output come from the learner: each writer passes them
through dlquest.safe_text for its medium, so no submission can break a report or steer whoever reads it.
Feedback files and Gradescope's output are in the language asked for (`dlquest grade --lang`); the gradebook
and JUnit (read by programs) in English.

These are reports for an instructor: a missing exercise file is "no file for exercise X in this submission",
never the path it was graded under nor advice meant for a learner at their workspace.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree

from dlquest.course import Course
from dlquest.grader.records import ERROR, FAILED, PASSED, SKIPPED, Feedback, GradeRecord
from dlquest.grader.results import score, verdict
from dlquest.i18n import t
from dlquest.render import feedback_text, record_lines
from dlquest.safe_text import csv_cell, json_text, markdown_block, markdown_inline, one_line, visible, xml_text
from dlquest.workspace import atomic_write

MISSING_FILE = "missing_file"


def write_all(out: Path, course: Course, results: dict[str, list[GradeRecord]], exercises: list[str],
              lang: str = "en") -> None:
    out = Path(out)
    results = {student: [_as_submitted(course, r) for r in records] for student, records in results.items()}
    write_gradebook(out / "gradebook.csv", course, results, exercises)
    atomic_write(out / "results.json", json_text(
        {student: [r.to_dict() for r in records] for student, records in results.items()}, indent=1).encode())
    write_junit(out / "junit.xml", course, results)
    for student, records in results.items():
        name = one_line(student)  # a file name an instructor's `ls` shows: no escape sequence in it either
        atomic_write(out / "gradescope" / name / "results.json",
                     json_text(gradescope(course, records, lang), indent=1).encode())
        atomic_write(out / "feedback" / f"{name}.md", feedback(course, student, records, lang).encode())


def _as_submitted(course: Course, record: GradeRecord) -> GradeRecord:
    """The record with a missing file named as it is in a submission (exercises/x.py), not by the temporary
    path it was looked for under while grading."""
    problem = record.problem
    if problem is None or problem.code != MISSING_FILE or record.exercise not in course.exercises:
        return record
    file = str(course.exercises[record.exercise].workspace_path)
    return replace(record, problem=Feedback(MISSING_FILE, dict(problem.values, file=file, exercise=record.exercise)))


def report_lines(course: Course, record: GradeRecord, lang: str) -> list[str]:
    """dlquest.render's record_lines, worded for an instructor where the learner's wording would mislead."""
    if record.problem is not None and record.problem.code == MISSING_FILE:
        file = (course.exercises[record.exercise].workspace_path if record.exercise in course.exercises
                else record.problem.values.get("file", ""))
        return [t("report.no_file", lang, exercise=record.exercise, file=file)]
    return record_lines(record, lang)


def unmatched(results: dict[str, list[GradeRecord]]) -> list[str]:
    """Students whose submission holds a file for none of the exercises graded: probably another course's,
    or files laid out other than as a workspace (exercises/<name>.py)."""
    return [student for student, records in results.items()
            if records and all(r.problem is not None and r.problem.code == MISSING_FILE for r in records)]


def unmatched_warning(course: Course, student: str, records: list[GradeRecord], lang: str) -> str:
    examples = ", ".join(str(course.exercises[r.exercise].workspace_path) for r in records[:2]
                         if r.exercise in course.exercises)
    return t("report.unmatched", lang, student=student, count=len(records), examples=examples)


def _verdict_word(record: GradeRecord, lang: str) -> str:
    return t("report.verdict." + verdict(record).replace(" ", "_"), lang)


def write_gradebook(path: Path, course: Course, results: dict[str, list[GradeRecord]], exercises: list[str]) -> None:
    rows: list[list[object]] = [["student", *exercises, "total"],
            ["points possible", *[_points(course, e) for e in exercises],
             sum(course.exercises[e].points for e in exercises)]]
    for student, records in results.items():
        by_exercise = {r.exercise: r for r in records}
        points = [score(by_exercise[e], course.exercises[e].points) if e in by_exercise else 0.0 for e in exercises]
        rows.append([student, *points, round(sum(points), 3)])
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([[csv_cell(cell) for cell in row] for row in rows])


def _points(course: Course, exercise: str) -> float:
    return course.exercises[exercise].points


def write_junit(path: Path, course: Course, results: dict[str, list[GradeRecord]]) -> None:
    suites = ElementTree.Element("testsuites")
    for student, records in results.items():
        for record in records:
            name = xml_text(one_line(f"{student}.{record.exercise}"))
            suite = ElementTree.SubElement(suites, "testsuite", name=name,
                                           tests=str(len(record.tests) or 1), time=f"{record.duration:.3f}",
                                           failures=str(sum(t.outcome == FAILED for t in record.tests)),
                                           errors=str(sum(t.outcome == ERROR for t in record.tests)
                                                      + (0 if record.tests else 1)))
            if not record.tests:
                case = ElementTree.SubElement(suite, "testcase", classname=name, name="grading", time="0")
                ElementTree.SubElement(case, "error", message=verdict(record)).text = xml_text(
                    "\n".join(report_lines(course, record, "en")))
            for test in record.tests:
                case = ElementTree.SubElement(suite, "testcase", classname=name, name=xml_text(one_line(test.test)),
                                              time=f"{test.duration:.3f}")
                if test.outcome in (FAILED, ERROR):
                    text = xml_text("\n".join(feedback_text(f, "en") for f in test.feedback))
                    tag = "failure" if test.outcome == FAILED else "error"
                    message = text.splitlines()[0] if text else test.outcome
                    ElementTree.SubElement(case, tag, message=message).text = text
                    if test.output:
                        ElementTree.SubElement(case, "system-out").text = xml_text(test.output)
                elif test.outcome == "skipped":
                    ElementTree.SubElement(case, "skipped")
    ElementTree.indent(suites)
    atomic_write(path, ElementTree.tostring(suites, encoding="utf-8", xml_declaration=True))


def gradescope(course: Course, records: list[GradeRecord], lang: str = "en") -> dict:
    """Gradescope's results.json. Its outputs are declared plain text: Gradescope would otherwise render them
    as (sanitised) HTML or, with "ansi", run a learner's escape sequences."""
    records = [_as_submitted(course, r) for r in records]
    tests = []
    for record in records:
        points = course.exercises[record.exercise].points
        ran = [t for t in record.tests if t.outcome != SKIPPED]
        each = points / len(ran) if ran else points
        if not record.tests:
            tests.append({"name": f"{record.exercise}: grading", "score": 0.0, "max_score": points,
                          "status": "failed", "output": visible("\n".join(report_lines(course, record, lang))),
                          "output_format": "text", "visibility": "visible"})
        for test in record.tests:
            tests.append({
                "name": one_line(f"{record.exercise}: {test.test}"),
                "score": round(each if test.outcome == PASSED else 0.0, 3),
                "max_score": 0.0 if test.outcome == SKIPPED else round(each, 3),  # a skip is worth nothing
                "status": "passed" if test.outcome == PASSED else "failed",
                "output": visible("\n".join(feedback_text(f, lang) for f in test.feedback)),
                "output_format": "text",
                "visibility": "visible",
            })
    return {
        "score": round(sum(score(r, course.exercises[r.exercise].points) for r in records), 3),
        "max_score": sum(course.exercises[r.exercise].points for r in records),
        "execution_time": round(sum(r.duration for r in records), 3),
        "output": "; ".join(f"{r.exercise}: {_verdict_word(r, lang)}" for r in records),
        "output_format": "text",
        "test_output_format": "text",
        "tests": tests,
    }


def feedback(course: Course, student: str, records: list[GradeRecord], lang: str = "en") -> str:
    """Readable feedback for one student: what passed, what failed and why. Never the solution's code.

    Markdown: the student id is escaped wherever it appears in a line, and each exercise's lines sit in a code
    block whose fence nothing the learner's code printed or raised can close."""
    records = [_as_submitted(course, r) for r in records]
    lines = ["# " + markdown_inline(t("report.feedback_title", lang, student=student)), ""]
    if student in unmatched({student: records}):
        lines += ["> " + markdown_inline(unmatched_warning(course, student, records, lang)), ""]
    total = sum(score(r, course.exercises[r.exercise].points) for r in records)
    possible = sum(course.exercises[r.exercise].points for r in records)
    lines += [t("report.total", lang, total=total, possible=possible), ""]
    for record in records:
        points = course.exercises[record.exercise].points
        head = t("report.exercise_head", lang, exercise=record.exercise, verdict=_verdict_word(record, lang),
                 score=score(record, points), points=points)
        lines += ["## " + markdown_inline(head), ""]
        lines += [markdown_block("\n".join(report_lines(course, record, lang) or [t("report.no_tests", lang)])), ""]
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
                     one_line(failing.most_common(1)[0][0]) if failing else "-"))
    return rows
