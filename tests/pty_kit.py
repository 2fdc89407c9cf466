"""A real command in a pseudo-terminal, for the tests that drive dlquest as a learner's terminal runs it
(`dlquest check` and its spinner, `dlquest watch`, the app): started, fed keys, read, waited for, killed."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import termios
import time
from pathlib import Path


class PtyProgram:
    """`argv` in a pseudo-terminal of `columns` x `rows`; `output` is everything it wrote so far (as text)."""

    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str], *, columns: int = 100, rows: int = 30):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: size the terminal, then become the program
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
            os.chdir(cwd)
            os.execvpe(argv[0], argv, env)
        self.output = ""
        self.status: int | None = None

    def feed(self, data: bytes) -> None:
        self.output += data.decode("utf-8", "replace")

    def read(self, seconds: float = 0.1) -> None:
        ready, _, _ = select.select([self.fd], [], [], seconds)
        if ready:
            try:
                self.feed(os.read(self.fd, 65536))
            except OSError:  # it ended
                pass

    def shown(self) -> str:
        """What a test looks for `wait_for`'s needle in: the raw output here, a rendered screen in subclasses."""
        return self.output

    def wait_for(self, needle: str, timeout: float = 90, after: int = 0) -> int:
        """Wait until `needle` appears past position `after`; where it ends."""
        deadline = time.monotonic() + timeout
        while needle not in self.shown()[after:]:
            assert time.monotonic() < deadline, f"{needle!r} never appeared in:\n{self.shown()}"
            self.read()
        return self.shown().index(needle, after) + len(needle)

    def send(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def wait_exit(self, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.read(0.05)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
                while True:  # what it wrote just before it ended
                    before = len(self.output)
                    self.read(0.05)
                    if len(self.output) == before:
                        break
                return self.status
        raise AssertionError(f"{self.pid} did not exit:\n{self.shown()}")

    def close(self) -> None:
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        os.close(self.fd)
