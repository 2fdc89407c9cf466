"""`dlquest quiz LESSON`: a concept check in a plain terminal, answers read from stdin, judged in the dlquest
process; `--json` prints the result; the run is stored, retakes add runs; `dlquest grade` never scores one.

In-process (dlquest.cli.main, stdin replaced by the script), on a copy of docs/example-course."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from dlquest.progress import Progress

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "example-course"
RIGHT = ["b", "a,c", "4", "(3, 4)", "5"]


@pytest.fixture
def dlquest(monkeypatch, capsys):
    """dlquest(*args, cwd=DIR, stdin="", lang="en") -> CompletedProcess: `dlquest.cli.main` in this process."""
    from dlquest import cli

    def run(*args: str, cwd: Path, stdin: str = "", lang: str = "en") -> subprocess.CompletedProcess:
        capsys.readouterr()
        with monkeypatch.context() as patch:
            patch.chdir(cwd)
            patch.setenv("LANG", f"{'zh_CN' if lang == 'zh' else 'en_US'}.UTF-8")
            patch.setenv("LC_ALL", "")
            patch.setenv("DLQUEST_LANG", "")
            patch.setattr("sys.stdin", io.StringIO(stdin))
            try:
                code = cli.main(list(args))
            except SystemExit as exit:
                code = exit.code
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(["dlquest", *args], code, out, err)

    return run


@pytest.fixture
def ws(tmp_path, dlquest) -> Path:
    course = tmp_path / "example"
    shutil.copytree(EXAMPLE, course, ignore=shutil.ignore_patterns("__pycache__"))
    result = dlquest("init", "--course", str(course), "ws", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path / "ws"


def script(*answers: str) -> str:
    return "".join(answer + "\n" for answer in answers)


def test_a_scripted_run_asks_each_question_gives_feedback_and_a_summary(ws, dlquest):
    # q1 and q2 wrong, "x" is no number (asked again), q3 a known mistake, q4 and q5 right
    result = dlquest("quiz", "relu-lesson", cwd=ws, stdin=script("c", "a", "x", "-2", "3x4", "5"))
    out = result.stdout
    assert result.returncode == 1, result.stderr  # 2 of 5 right: below the pass mark of 4
    assert out.count("Question ") == 5 and "Question 1 of 5 · from “ReLU”" in out
    assert "  a) -3" in out and "    5 |     return torch.where(mask, x, torch.zeros_like(x))" in out
    assert "✘ Not quite." in out and "c (your choice): That is |x|." in out and "b (the right one):" in out
    assert "'x' is not a number" in out
    assert "Your answer: -2 is the sum of x itself" in out
    assert "2 of 5 right (pass mark 4). Not passed yet" in out
    assert "✘ ReLU  you: c  The answer: b" in out and "✔ ReLU  you: (3, 4)" in out
    assert "Retake it any time: dlquest quiz relu-lesson" in out
    progress = Progress.open(ws / ".dlquest" / "progress.sqlite")
    runs = progress.quiz_results("relu-quiz")
    assert [(r.correct, r.total, r.passed) for r in runs] == [(2, 5, False)]
    assert [a.answer for a in runs[0].answers] == ["c", "a", "-2", "(3, 4)", "5"]


def test_json_prints_the_result_alone_on_stdout_and_a_retake_is_stored_beside(ws, dlquest):
    dlquest("quiz", "relu-lesson", cwd=ws, stdin=script("a", "a", "1", "(1,)", "4"))
    result = dlquest("quiz", "relu-quiz", "--json", cwd=ws, stdin=script(*RIGHT))
    assert result.returncode == 0
    record = json.loads(result.stdout)
    assert record["quiz"] == "relu-quiz" and record["lesson"] == "relu-lesson"
    assert (record["outcome"], record["correct"], record["total"], record["pass_mark"]) == ("passed", 5, 5, 4)
    assert [a["answer"] for a in record["answers"]] == ["b", "a,c", "4", "(3, 4)", "5"]
    assert "Question 1 of 5" in result.stderr  # the dialogue goes to stderr
    listing = dlquest("list", cwd=ws)
    assert "relu-quiz" in listing.stdout and "[passed]" in listing.stdout
    progress = Progress.open(ws / ".dlquest" / "progress.sqlite")
    assert [r.passed for r in progress.quiz_results("relu-quiz")] == [False, True]
    assert progress.attempts() == []  # no exercise attempt was made


def test_the_dialogue_follows_the_language(ws, dlquest):
    result = dlquest("quiz", "relu-lesson", "--lang", "zh", cwd=ws, stdin=script(*RIGHT))
    assert result.returncode == 0
    assert "第 1/5 题 · 出自“ReLU”" in result.stdout and "ReLU(-3) 等于多少？" in result.stdout
    assert "✔ 回答正确。" in result.stdout and "答对 5/5 题" in result.stdout


def test_input_that_ends_early_stores_nothing(ws, dlquest):
    result = dlquest("quiz", "relu-lesson", cwd=ws, stdin=script("b", "a,c"))
    assert result.returncode == 2
    assert "the input ended before question 3 was answered; nothing was stored" in result.stderr
    assert Progress.open(ws / ".dlquest" / "progress.sqlite").quiz_results() == []


def test_an_unknown_lesson_names_the_closest_concept_check(ws, dlquest):
    result = dlquest("quiz", "relu-lessn", cwd=ws)
    assert result.returncode == 2 and "did you mean relu-lesson" in result.stderr


def test_a_broken_question_file_is_a_usage_error_naming_the_fault(ws, dlquest, tmp_path):
    path = tmp_path / "example" / "lessons" / "quizzes" / "relu-lesson.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('answer = "b"', 'answer = "q"'), encoding="utf-8")
    result = dlquest("quiz", "relu-lesson", cwd=ws, stdin=script(*RIGHT))
    assert result.returncode == 2
    assert "the concept check relu-quiz is broken" in result.stderr and "answer 'q' is none of" in result.stderr


def test_grade_never_scores_a_concept_check(ws, dlquest, tmp_path):
    (tmp_path / "subs").mkdir()
    result = dlquest("grade", str(tmp_path / "subs"), "--exercises", "relu-quiz", "--course",
                     str(tmp_path / "example"), cwd=tmp_path)
    assert result.returncode == 2 and "no exercise 'relu-quiz'" in result.stderr


def test_course_check_names_a_broken_concept_check(tmp_path, run_dlquest):
    course = tmp_path / "example"
    shutil.copytree(EXAMPLE, course, ignore=shutil.ignore_patterns("__pycache__"))
    sound = run_dlquest("course", "check", "--course", str(course), cwd=tmp_path)
    assert sound.returncode == 0, sound.stdout + sound.stderr
    assert "ok  concept check relu-quiz" in sound.stdout and "Every concept check is sound: 1 concept check." in sound.stdout
    path = course / "lessons" / "quizzes" / "relu-lesson.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('answer = "b"', 'answer = "z"').replace("tolerance = 0\n", ""), encoding="utf-8")
    broken = run_dlquest("course", "check", "--course", str(course), "--json", cwd=tmp_path)
    verdict = json.loads(broken.stdout)
    assert broken.returncode == 1 and verdict["sound"] is False and verdict["quizzes"] == 1
    faults = [p for p in verdict["problems"] if p["kind"] == "quiz_invalid"]
    assert len(faults) == 2 and {p["quiz"] for p in faults} == {"relu-quiz"}
    assert any("answer 'z' is none of its choices" in p["text"] for p in faults)
    assert any("`tolerance` must be given" in p["text"] for p in faults)
