"""Shell completion (`dlquest completion bash|zsh|fish`): commands, options and the course's ids complete, in a
real bash; the fish and zsh scripts are made from the same table."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dlquest.cli import build_parser
from dlquest.completion import command_table, script

# The bash test starts a shell, which starts `dlquest completion --ids` at each Tab.
pytestmark = pytest.mark.grading


def complete_in_bash(words: list[str], cwd: Path) -> list[str]:
    line = " ".join(f'"{w}"' for w in words)
    program = (f'eval "$(dlquest completion bash)"; COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; '
               '_dlquest; printf "%s\\n" "${COMPREPLY[@]}"')
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    done = subprocess.run(["bash", "-c", program], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash here")
def test_bash_completes_commands_options_and_the_courses_ids(tmp_path):
    assert complete_in_bash(["dlquest", "ch"], tmp_path) == ["check"]
    assert complete_in_bash(["dlquest", "check", "conv"], tmp_path) == ["conv2d", "conv_arithmetic"]
    assert complete_in_bash(["dlquest", "check", "--de"], tmp_path) == ["--device"]
    assert complete_in_bash(["dlquest", "lesson", "convolut"], tmp_path) == ["convolution"]
    assert complete_in_bash(["dlquest", "lang", ""], tmp_path)[-2:] == ["en", "zh"]


def test_every_command_of_the_parser_is_in_each_script():
    table = command_table(build_parser())
    assert {"check", "list", "quiz", "task", "grade", "completion"} <= set(table)
    assert table["check"][1] == "exercises" and table["lesson"][1] == "lessons" and table["guide"][1] == "guides"
    fish, zsh = script("fish", build_parser()), script("zsh", build_parser())
    for name in table:
        assert f"-a {name}" in fish
    assert "complete -c dlquest -n '__fish_seen_subcommand_from check' -l device" in fish
    assert "(dlquest completion --ids exercises 2>/dev/null)" in fish
    assert zsh.startswith("autoload -U +X bashcompinit && bashcompinit\n") and "complete -F _dlquest dlquest" in zsh


def test_completion_without_a_shell_says_what_to_type(run_dlquest, tmp_path):
    done = run_dlquest("completion", cwd=tmp_path)
    assert done.returncode == 2 and "dlquest completion bash" in done.stderr
