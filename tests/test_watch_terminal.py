"""`dlquest watch` as a learner runs it: the real command in a pseudo-terminal, grading for real (--no-daemon),
driven by saves and keystrokes. Its sandboxed children are found afterwards by an environment marker that every
process it starts inherits."""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path

import pytest

from pty_kit import PtyProgram
from tui_kit import SOLVED_ADD

pytestmark = pytest.mark.grading


class Watching(PtyProgram):
    """`dlquest watch add --no-daemon` in a pseudo-terminal, and everything it printed so far."""

    def __init__(self, workspace: Path):
        self.marker = uuid.uuid4().hex
        command = str(Path(sys.executable).with_name("dlquest"))
        env = dict(os.environ, TERM="xterm", LANG="C.UTF-8", LC_ALL="", DLQUEST_LANG="",
                   DLQUEST_WATCH_TEST=self.marker)
        super().__init__([command, "watch", "add", "--no-daemon", "--lang", "en"], workspace.root, env)

    def others(self) -> list[int]:
        """Processes other than the command itself that carry its marker: its sandboxed children."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == self.pid:
                continue
            try:
                if f"DLQUEST_WATCH_TEST={self.marker}".encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
        return found


def test_a_failure_then_a_save_that_passes_then_a_hint_and_q(mini_workspace):
    watching = Watching(mini_workspace)
    try:
        at = watching.wait_for("The test failed")
        assert "not implemented yet: add" in watching.output
        # The spinner turned while it graded and was erased before the verdict.
        spun = watching.output.index("Grading add")
        assert "\r\x1b[K" in watching.output[spun:watching.output.index("The test failed")]
        (mini_workspace.root / "exercises" / "add.py").write_text(SOLVED_ADD)
        at = watching.wait_for("The test passed", after=at)
        at = watching.wait_for("Keys: n next exercise · h hint · l list · r regrade · q quit", after=at)
        watching.send("h")
        at = watching.wait_for("Hint 1/2: Use the + operator.", timeout=20, after=at)
        watching.send("q")
        assert watching.wait_exit() == 0
    finally:
        watching.close()
    assert "Traceback" not in watching.output


def test_ctrl_c_mid_grading_exits_130_and_leaves_no_process(mini_workspace):
    (mini_workspace.root / "exercises" / "add.py").write_text(
        "import time\n\n\ndef add(a, b):\n    time.sleep(120)\n    return a + b\n")
    watching = Watching(mini_workspace)
    try:
        watching.wait_for("Checking add")
        deadline = time.monotonic() + 90
        while not watching.others():  # the grading's sandboxed child runs the learner's sleep
            assert time.monotonic() < deadline, watching.output
            watching.read(0.2)
        watching.send("\x03")
        assert watching.wait_exit() == 130
        deadline = time.monotonic() + 10  # killed by the kernel when the command ends; reaped soon after
        while (left := watching.others()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not left, f"left behind: {left}"
    finally:
        watching.close()
    assert "Stopped watching." in watching.output
    assert "Traceback" not in watching.output
