"""The real command in a real terminal: started in a pseudo-terminal, its screen read back through a VT100
emulator (pyte), driven by keystrokes. A second variant runs it in tmux when tmux is installed.

The command is `dlquest` itself once the CLI opens the app; until then, the same `run_app` call it makes.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dlquest.course import load_course
from dlquest.workspace import Workspace

from pty_kit import PtyProgram
from tui_kit import SOLVED_ADD, make_course

# The real app in a pseudo-terminal, a process of its own.
pytestmark = pytest.mark.grading


COLUMNS, ROWS = 100, 30


def app_command(workspace: Path, course: Path) -> list[str]:
    """`dlquest --workspace … --course … --lang en`: the console script a learner types, which opens the app."""
    command = Path(sys.executable).with_name("dlquest")
    return [str(command), "--workspace", str(workspace), "--course", str(course), "--lang", "en"]


@pytest.fixture
def learner(tmp_path):
    course = make_course(tmp_path / "course")
    workspace, _, _ = Workspace.create(tmp_path / "ws", load_course(course), course)
    return workspace, course


class Terminal(PtyProgram):
    """A program in a pseudo-terminal of COLUMNS x ROWS, and what its screen shows."""

    def __init__(self, argv: list[str], cwd: Path, **environ: str):
        import pyte

        self.screen = pyte.Screen(COLUMNS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(COLUMNS), LINES=str(ROWS), LANG="C.UTF-8",
                   **environ)
        env.pop("TEXTUAL", None)
        super().__init__(argv, cwd, env, columns=COLUMNS, rows=ROWS)

    def feed(self, data: bytes) -> None:
        self.stream.feed(data)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def shown(self) -> str:
        return self.text()


F4 = "\x1bOS"


def test_the_command_opens_the_app_in_a_terminal_and_quits_cleanly(learner, tmp_path):
    """Welcome, roadmap, a lesson, then the exercise edited in $EDITOR (the app suspends for it) and graded
    for real when the editor saves, then ctrl+q."""
    workspace, course = learner
    editor = tmp_path / "editor.py"
    editor.write_text(f"import sys\nopen(sys.argv[1], 'w').write({SOLVED_ADD!r})\n")
    terminal = Terminal(app_command(workspace.root, course), tmp_path,
                        EDITOR=f"{shlex.quote(sys.executable)} {shlex.quote(str(editor))}", VISUAL="")
    try:
        terminal.wait_for("Welcome to dlquest")  # a first-time learner
        terminal.wait_for("ctrl+s saves and grades")
        terminal.send("\r")
        terminal.wait_for("Stage 1 · Foundations")
        terminal.wait_for("Adding two numbers  ◀ next")
        terminal.wait_for("p Progress")  # the footer shows the keys
        terminal.send("n")  # the next item: the lesson
        terminal.wait_for("Why it matters")
        terminal.send("\x1b")  # escape: back to the roadmap
        terminal.wait_for("Add two numbers  ◀ next")
        terminal.send("n")
        terminal.wait_for("exercises/add.py")
        terminal.send(F4)  # the editor writes the solution; the app notices the save and grades it
        terminal.wait_for("The test passed", timeout=90)
        terminal.send("\x1b\x1b")  # out of the editor, back to the roadmap
        terminal.wait_for("✔ Add two numbers")
        terminal.send("\x11")  # ctrl+q
        assert terminal.wait_exit() == 0
    finally:
        terminal.close()
    assert "Traceback" not in terminal.text()


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (the pty test covers the same)")
def test_the_command_runs_in_tmux(learner, tmp_path):
    workspace, course = learner
    workspace.set_setting("welcomed", True)
    socket = f"dlquest-test-{os.getpid()}"
    tmux = ["tmux", "-L", socket]
    env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8")
    command = shlex.join(app_command(workspace.root, course))
    subprocess.run(tmux + ["-f", "/dev/null", "new-session", "-d", "-s", "app", "-x", str(COLUMNS),
                           "-y", str(ROWS), f"{command}; echo EXITED $?; sleep 30"], check=True, env=env,
                   cwd=tmp_path)

    def pane() -> str:
        return subprocess.run(tmux + ["capture-pane", "-p", "-t", "app"], capture_output=True, text=True).stdout

    def wait_for(needle: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while needle not in pane():
            if time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} never appeared in tmux:\n{pane()}")
            time.sleep(0.1)

    try:
        wait_for("Stage 1 · Foundations")
        subprocess.run(tmux + ["send-keys", "-t", "app", "C-q"], check=True)
        wait_for("EXITED 0")
    finally:
        subprocess.run(tmux + ["kill-server"], capture_output=True)
