"""The `dlquest` command as a learner uses it: real exit codes, real files, real output.

Commands that grade run as real `dlquest` processes (`run_dlquest`, tier `grading`); the others run
`dlquest.cli.main` in this process (`dlquest`, below), which is the same code without the interpreter's start-up.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from dlquest.course import BUNDLED_COURSE

SOLUTIONS = BUNDLED_COURSE / "solutions"


@pytest.fixture
def dlquest(monkeypatch, capsys):
    """dlquest(*args, cwd=DIR, lang="en") -> CompletedProcess: `dlquest.cli.main` in this process."""
    from dlquest import cli

    def run(*args: str, cwd: Path, lang: str = "en") -> subprocess.CompletedProcess:
        capsys.readouterr()
        with monkeypatch.context() as patch:
            patch.chdir(cwd)
            patch.setenv("LANG", f"{'zh_CN' if lang == 'zh' else 'en_US'}.UTF-8")
            patch.setenv("LC_ALL", "")
            patch.setenv("DLQUEST_LANG", "")
            try:
                code = cli.main(list(args))
            except SystemExit as exit:  # argparse's usage errors
                code = exit.code
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(["dlquest", *args], code, out, err)

    return run


@pytest.fixture
def ws(tmp_path, dlquest) -> Path:
    result = dlquest("init", "ws", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path / "ws"


def test_init_makes_a_workspace_and_never_overwrites(tmp_path, ws, dlquest):
    assert (ws / "exercises" / "perceptron.py").read_text() == (BUNDLED_COURSE / "exercises/perceptron.py").read_text()
    (ws / "exercises" / "perceptron.py").write_text("# mine\n")
    again = dlquest("init", "ws", cwd=tmp_path)
    assert again.returncode == 0 and "already a workspace" in again.stdout
    assert (ws / "exercises" / "perceptron.py").read_text() == "# mine\n"


def test_outside_a_workspace_says_how_to_make_one(tmp_path, dlquest):
    result = dlquest("list", cwd=tmp_path)
    assert result.returncode == 2
    assert "dlquest init" in result.stderr and "Traceback" not in result.stderr


def test_list_shows_status_and_locks(ws, dlquest):
    result = dlquest("list", cwd=ws)
    assert result.returncode == 0
    assert "perceptron" in result.stdout and "not started" in result.stdout
    assert "locked: pass activations first" in result.stdout


def test_a_wrong_exercise_name_suggests_the_right_one(ws, dlquest):
    result = dlquest("check", "preceptron", cwd=ws)
    assert result.returncode == 2
    assert "no exercise 'preceptron'; did you mean perceptron?" in result.stderr


def test_check_fails_on_the_stub_then_passes_on_a_solution(ws, dlquest, run_dlquest):
    failing = run_dlquest("check", "perceptron", cwd=ws)
    assert failing.returncode == 1
    assert "FAIL" in failing.stdout and "not implemented yet: Perceptron.fit" in failing.stdout
    assert "perceptron.py, line" in failing.stdout  # the learner's own line
    assert "dlquest hint perceptron" in failing.stdout
    shutil.copy(SOLUTIONS / "perceptron.py", ws / "exercises" / "perceptron.py")
    passing = run_dlquest("check", "perceptron", cwd=ws)
    assert passing.returncode == 0, passing.stdout
    assert "All 8 tests passed" in passing.stdout and "Next: dlquest check " in passing.stdout
    assert "passed" in dlquest("list", cwd=ws).stdout


def test_a_pass_unlocks_what_requires_it(ws, dlquest, run_dlquest):
    def mlp_numpy_line() -> str:
        return next(line for line in dlquest("list", cwd=ws).stdout.splitlines() if " mlp_numpy " in line)

    assert "locked: pass activations first" in mlp_numpy_line()
    shutil.copy(SOLUTIONS / "activations.py", ws / "exercises" / "activations.py")
    assert run_dlquest("check", "activations", cwd=ws).returncode == 0
    assert "locked" not in mlp_numpy_line()


def test_check_reports_expected_versus_got(ws, dlquest, run_dlquest):
    source = (SOLUTIONS / "conv2d.py").read_text().replace("out = out + bias", "out = out + 2 * bias")
    (ws / "exercises" / "conv2d.py").write_text(source)
    result = run_dlquest("check", "conv2d", "--device", "cpu", cwd=ws)
    assert result.returncode == 1
    assert "values differ" in result.stdout and "max abs error" in result.stdout
    assert "first difference at index [" in result.stdout


def test_json_output_is_the_stored_record(ws, dlquest, run_dlquest):
    result = run_dlquest("check", "perceptron", "--json", cwd=ws)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["exercise"] == "perceptron" and data["outcome"] == "failed"
    assert data["tests"][0]["feedback"][0]["code"] == "not_implemented"


def test_past_feedback_follows_the_language(ws, dlquest, run_dlquest):
    run_dlquest("check", "perceptron", cwd=ws)
    from dlquest.progress import Progress
    from dlquest.render import record_lines

    stored = Progress.open(ws / ".dlquest" / "progress.sqlite").last_record("perceptron")
    assert "not implemented yet" in "\n".join(record_lines(stored, "en"))
    assert "尚未实现" in "\n".join(record_lines(stored, "zh"))
    zh = run_dlquest("check", "perceptron", cwd=ws, lang="zh")
    assert "未通过" in zh.stdout and "尚未实现" in zh.stdout


def test_hints_come_one_at_a_time_and_stay_visible(ws, dlquest, run_dlquest):
    first = dlquest("hint", "conv2d", cwd=ws)
    assert "Hint 1/3" in first.stdout and "Hint 2/3" not in first.stdout
    second = dlquest("hint", "conv2d", cwd=ws)
    assert "Hint 1/3" in second.stdout and "Hint 2/3" in second.stdout
    check = run_dlquest("check", "conv2d", cwd=ws)
    assert "Hint 2/3" in check.stdout and "1 left" in check.stdout


def test_solution_needs_a_pass_or_a_confirmation(ws, dlquest):
    locked = dlquest("solution", "perceptron", cwd=ws)
    assert locked.returncode == 1 and "--yes" in locked.stdout and "def fit" not in locked.stdout
    shown = dlquest("solution", "perceptron", "--yes", cwd=ws)
    assert shown.returncode == 0 and "def fit" in shown.stdout


def test_reset_keeps_a_backup_that_can_be_restored(ws, dlquest):
    mine = ws / "exercises" / "conv2d.py"
    mine.write_text("# my attempt\n")
    reset = dlquest("reset", "conv2d", cwd=ws)
    assert reset.returncode == 0 and "backup" in reset.stdout
    assert mine.read_text() == (BUNDLED_COURSE / "exercises/conv2d.py").read_text()
    backups = dlquest("backups", "conv2d", cwd=ws)
    backup_id = backups.stdout.split()[0]
    restored = dlquest("restore", "conv2d", backup_id, cwd=ws)
    assert restored.returncode == 0
    assert mine.read_text() == "# my attempt\n"
    assert dlquest("restore", "conv2d", "nope", cwd=ws).returncode == 2


def test_a_deleted_exercise_file_comes_back_from_the_course(ws, dlquest):
    (ws / "exercises" / "conv2d.py").unlink()
    result = dlquest("list", cwd=ws)
    assert result.returncode == 0 and "new exercise file" in result.stderr
    assert (ws / "exercises" / "conv2d.py").exists()


def test_a_corrupt_progress_database_is_moved_aside_with_a_message(ws, dlquest):
    (ws / ".dlquest" / "progress.sqlite").write_bytes(b"garbage" * 1000)
    result = dlquest("list", cwd=ws)
    assert result.returncode == 0
    assert "moved to" in result.stderr and "Traceback" not in result.stderr
    assert list((ws / ".dlquest").glob("progress.sqlite.corrupt-*"))


def test_a_broken_course_is_a_usage_error_naming_the_entry(tmp_path, ws, dlquest):
    course = tmp_path / "broken"
    for part in ("lessons", "exercises", "solutions", "checks", "data"):
        shutil.copytree(BUNDLED_COURSE / part, course / part)
    manifest = course / "lessons" / "course.toml"
    manifest.write_text(manifest.read_text().replace('check = "checks/test_conv2d.py"', 'check = "checks/x.py"'))
    result = dlquest("list", "--course", str(course), cwd=ws)
    assert result.returncode == 2
    assert str(manifest) in result.stderr and "exercise 'conv2d'" in result.stderr and "checks/x.py" in result.stderr


def test_lesson_prints_in_either_language(ws, dlquest):
    en = dlquest("lesson", "convolution", cwd=ws)
    zh = dlquest("lesson", "convolution", "--lang", "zh", cwd=ws)
    assert en.returncode == zh.returncode == 0
    assert "stride" in en.stdout.lower() and "步长" in zh.stdout
    assert dlquest("lesson", "convolutoin", cwd=ws).returncode == 2


def test_lang_is_remembered(ws, dlquest):
    assert dlquest("lang", "zh", cwd=ws).stdout.strip() == "zh"
    assert "未开始" in dlquest("list", cwd=ws).stdout


def test_bare_dlquest_prints_the_outline(ws, dlquest):
    result = dlquest(cwd=ws)
    assert result.returncode == 0 and "Stage 1" in result.stdout


def test_usage_errors_exit_2(ws, dlquest):
    assert dlquest("check", cwd=ws).returncode == 2
    assert dlquest("frobnicate", cwd=ws).returncode == 2


def test_guides_are_listed_and_printed_in_either_language(ws, dlquest):
    listing = dlquest("guide", cwd=ws)
    assert listing.returncode == 0
    assert "learning-path" in listing.stdout and "career-paths" in listing.stdout
    en = dlquest("guide", "learning-path", cwd=ws)
    zh = dlquest("guide", "learning-path", "--lang", "zh", cwd=ws)
    assert en.returncode == zh.returncode == 0
    assert "4–6 months" in en.stdout and "4–6 个月" in zh.stdout
    wrong = dlquest("guide", "carrer-paths", cwd=ws)
    assert wrong.returncode == 2 and "career-paths" in wrong.stderr
    assert "🧭 faq" in dlquest("list", cwd=ws).stdout


def test_list_and_backups_speak_json(ws, dlquest):
    roadmap = json.loads(dlquest("list", "--json", cwd=ws).stdout)
    assert roadmap["course"] == "dlquest" and roadmap["next"] == "python-for-dl"
    items = {item["id"]: item for stage in roadmap["stages"] for unit in stage["units"] for item in unit["items"]}
    assert items["mlp_numpy"]["locked_by"] == ["activations"] and items["mlp_numpy"]["kind"] == "exercise"
    assert items["python-for-dl"]["next"] and items["python-for-dl"]["status"] == "unread"
    assert not items["numpy-broadcasting"]["next"] and items["numpy-broadcasting"]["status"] == "unread"
    assert all(isinstance(item["minutes"], int) for item in items.values())
    assert {"id", "title", "minutes"} <= set(roadmap["guides"][0])
    assert json.loads(dlquest("backups", "conv2d", "--json", cwd=ws).stdout) == {"exercise": "conv2d", "backups": []}
    (ws / "exercises" / "conv2d.py").write_text("# my attempt\n")
    dlquest("reset", "conv2d", cwd=ws)
    (backup,) = json.loads(dlquest("backups", "conv2d", "--json", cwd=ws).stdout)["backups"]
    assert Path(backup["path"]).read_text() == "# my attempt\n"


def test_every_positional_argument_says_what_it_is(dlquest, tmp_path):
    import argparse

    from dlquest.cli import build_parser

    commands = next(a for a in build_parser()._actions if a.dest == "command").choices
    checked = 0
    for name, sub in commands.items():
        for action in sub._actions:
            if not action.option_strings and not isinstance(action, argparse._SubParsersAction):
                assert action.help, f"dlquest {name}: {action.metavar or action.dest} has no help"
                checked += 1
    assert checked >= 12
