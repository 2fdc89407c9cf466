"""The result store of a class run (results.jsonl): a run resumes from it, whatever the students' folders are
called."""

from __future__ import annotations

from dlquest.grader.results import ResultStore


def test_a_student_folder_whose_name_is_not_utf8_is_stored_and_read_back(tmp_path):
    # os.listdir gives such a name with lone surrogates (surrogateescape); writing them as UTF-8 used to raise.
    student = b"stu\xff".decode("utf-8", "surrogateescape")
    ResultStore(tmp_path).add(student, "digest", ["perceptron"], {"seed": 1}, [])
    again = ResultStore(tmp_path)
    assert again.is_current(student, "digest", ["perceptron"], {"seed": 1})
    assert b"\\udcff" in (tmp_path / "results.jsonl").read_bytes()  # an escape in JSON, valid UTF-8


def test_a_line_cut_short_by_a_kill_is_graded_again(tmp_path):
    store = ResultStore(tmp_path)
    store.add("ana", "d1", ["perceptron"], {}, [])
    with (tmp_path / "results.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"student": "ben", "dig')  # the process was killed mid-line
    again = ResultStore(tmp_path)
    assert again.is_current("ana", "d1", ["perceptron"], {}) and "ben" not in again.entries
