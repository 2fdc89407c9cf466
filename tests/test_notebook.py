"""The notebook face: a real kernel runs `%%dlquest` cells (graded out of the kernel), and the HTML is escaped."""

from __future__ import annotations

import time

import pytest

from dlquest.grader.records import Feedback, GradeRecord, TestResult
from dlquest.notebook import NotebookError, check, lesson
from dlquest.notebook.html import record_html
from tests.hostile_text import PRINTED, WORSE

pytestmark = pytest.mark.grading

FAILING = "def add(a, b):\n    print('<script>alert(1)</script>')\n    return a - b\n"
PASSING = "def add(a, b):\n    return a + b\n"


def _html(cell) -> str:
    return "".join(out.get("data", {}).get("text/html", "") for out in cell.outputs)


def test_a_real_kernel_grades_magic_cells_out_of_the_kernel(mini_workspace):
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    cells = [
        nbformat.v4.new_code_cell("from dlquest import notebook"),
        nbformat.v4.new_code_cell("%%dlquest add\n" + FAILING),
        nbformat.v4.new_code_cell("%%dlquest add\n" + PASSING),
        nbformat.v4.new_code_cell("import sys\nprint('torch' in sys.modules)"),
    ]
    book = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    started = time.perf_counter()
    NotebookClient(book, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(mini_workspace.root)}}).execute()
    print(f"notebook executed in {time.perf_counter() - started:.1f} s")
    failing, passing = _html(book.cells[1]), _html(book.cells[2])
    assert "dlquest-failed" in failing and "FAIL" in failing
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in failing and "<script>" not in failing
    assert "dlquest-passed" in passing and "PASS" in passing
    assert book.cells[3].outputs[0]["text"].strip() == "False"
    # The note shown while it graded (a display of its own) is emptied when the verdict comes.
    notes = [out for out in book.cells[1].outputs if out["output_type"] == "display_data"]
    assert notes and all(note["data"]["text/html"] == "" for note in notes)
    assert (mini_workspace.root / "exercises/add.py").read_text() == PASSING
    assert mini_workspace.backups(type("E", (), {"id": "add"})())  # the earlier versions were kept


def test_hostile_text_is_escaped_in_the_html():
    test = TestResult(test="test_add<b>", outcome="failed", duration=0.1, output=PRINTED + WORSE,
                      feedback=[Feedback("exception", {"type": "ValueError", "message": WORSE})])
    record = GradeRecord(exercise="add", outcome="failed", tests=[test], started_at=0.0, duration=0.1,
                         devices=["cpu"], source_sha256="", check_sha256="", grader_version="", torch_version=None)
    markup = record_html(record, "add · <img src=x>", "en")
    for raw in ("<script>", "<img", "</failure>", "\x1b", "\x00", "\u202e", "test_add<b>"):
        assert raw not in markup
    assert "&lt;script&gt;x&lt;/script&gt;" in markup and "\\x1b" in markup


def test_bad_input_is_a_bilingual_message_not_a_traceback(mini_workspace, tmp_path):
    with pytest.raises(NotebookError) as err:
        check("nope", workspace=mini_workspace.root)
    assert "no exercise 'nope'" in err.value.message
    with pytest.raises(NotebookError) as err:
        check("add", workspace=tmp_path / "elsewhere", lang="zh")
    assert "不在 dlquest 工作区中" in err.value.message
    assert "dlquest-error" in err.value._repr_html_()
    page = lesson("basics", workspace=mini_workspace.root, lang="zh")._repr_html_()
    assert "<h1>加法</h1>" in page


def test_export_notebook_writes_a_valid_notebook_and_keeps_an_existing_file(mini_workspace, run_dlquest):
    nbformat = pytest.importorskip("nbformat")
    target = mini_workspace.root / "basics.ipynb"
    done = run_dlquest("export-notebook", "basics", "-o", str(target), cwd=mini_workspace.root,
                       lang="zh")
    assert done.returncode == 0, done.stderr
    book = nbformat.read(str(target), as_version=4)
    nbformat.validate(book)
    kinds = [cell.cell_type for cell in book.cells]
    assert kinds == ["markdown"] * 3 + ["code"]
    assert book.cells[0].source.startswith("# 加法") and book.cells[1].source.startswith("## 在 Python 中")
    assert "```python\ndef add(a, b):" in book.cells[1].source  # a heading-like line in a fence would not split
    assert book.cells[3].source.startswith("import os\nprint('2 + 3 =', 2 + 3)\n")
    assert book.metadata.kernelspec.name == "python3"
    again = run_dlquest("export-notebook", "basics", "-o", str(target), cwd=mini_workspace.root)
    assert again.returncode == 2 and "--force" in again.stdout + again.stderr


def test_example_scripts_split_at_markers_or_top_level_blocks():
    from dlquest.notebook.export import code_cells

    assert code_cells("import a\n\ndef f():\n    x = 1\n\n    return x\n\nprint(f())\n") == [
        "import a", "def f():\n    x = 1\n\n    return x", "print(f())"]
    assert code_cells("# %% load\nx = 1\n\ny = 2\n# %% show\nprint(x)\n") == ["x = 1\n\ny = 2", "print(x)"]


def test_hints_come_one_at_a_time_in_the_learners_language(mini_workspace):
    from dlquest.notebook import hint

    assert "使用 + 运算符。" in hint("add", workspace=mini_workspace.root, lang="zh")._repr_html_()
    assert "return a + b" in hint("add", workspace=mini_workspace.root)._repr_html_()


def test_a_kernel_interrupt_cancels_the_grading_and_says_so(mini_workspace, monkeypatch):
    """Interrupted while the worker grades (no daemon): the worker is killed, so its answer to the cancelled
    request cannot be read as the next one's, and the learner reads a message, not a traceback."""
    from dlquest.notebook import grading

    class Interrupted:
        closed = False

        def grade(self, *args, **kwargs):
            raise KeyboardInterrupt

        def close(self):
            Interrupted.closed = True

    monkeypatch.setenv("DLQUEST_NO_DAEMON", "1")
    monkeypatch.setattr(grading, "_client", Interrupted())
    with pytest.raises(NotebookError) as err:
        check("add", workspace=mini_workspace.root, lang="zh")
    assert "已取消" in err.value.message and "add" in err.value.message
    assert Interrupted.closed and grading._client is None
    assert mini_workspace.root.joinpath("exercises/add.py").exists()
