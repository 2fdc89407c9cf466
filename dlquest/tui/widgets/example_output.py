"""A pane that runs a lesson's example and streams its output, as `dlquest run` would print it.

The example runs in its own process (never in the app's: it imports torch), in the workspace folder, with
the learner's language in DLQUEST_LANG and a pseudo-terminal as its output, so it prints as it would in a
terminal: text plots (plotext) arrive with their colour codes and are shown in colour; matplotlib figures are
turned into text plots by dlquest.tui.mpl_backend instead of opening a window.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import RichLog, Static

from dlquest.tui.messages import ExampleFinished

CHUNK = 65536


class ExampleOutput(Vertical):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._process: asyncio.subprocess.Process | None = None
        self._stopped = False

    def compose(self) -> ComposeResult:
        yield Static(id="example-status")
        yield RichLog(id="example-log", highlight=False, markup=False, wrap=False, max_lines=5000)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    def set_status(self, message: str, style: str = "") -> None:
        self.query_one("#example-status", Static).update(Text(message, style=style))

    def start(self, script: Path, cwd: Path, lang: str, status: str) -> None:
        self.set_status(status, "bold")
        log = self.query_one(RichLog)
        log.clear()
        self._stopped = False
        self._run(script, cwd, lang)

    def stop(self) -> None:
        if self.running:
            self._stopped = True
            try:
                os.killpg(self._process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def on_unmount(self) -> None:
        self.stop()

    @work(exclusive=True, exit_on_error=False, group="example")
    async def _run(self, script: Path, cwd: Path, lang: str) -> None:
        log = self.query_one(RichLog)
        columns = max(40, self.app.size.width - 4)
        env = dict(os.environ, DLQUEST_LANG=lang, PYTHONUNBUFFERED="1", COLUMNS=str(columns), LINES="24",
                   TERM="xterm-256color", MPLBACKEND="module://dlquest.tui.mpl_backend")
        try:
            stream = await self._spawn([sys.executable, str(script)], cwd, env, columns)
        except OSError as err:
            self.post_message(ExampleFinished(None, str(err)))
            return
        pending = b""
        try:
            while True:
                try:
                    chunk = await stream.read(CHUNK)
                except OSError:  # a pseudo-terminal reports EIO once the example has exited
                    chunk = b""
                if not chunk:
                    break
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    log.write(shown(line))
            if pending:
                log.write(shown(pending))
            code = await self._process.wait()
        except asyncio.CancelledError:
            self.stop()
            raise
        self.post_message(ExampleFinished(None if self._stopped else code))

    async def _spawn(self, argv: list[str], cwd: Path, env: dict, columns: int) -> asyncio.StreamReader:
        """Start the example with a pseudo-terminal as its output, so that it prints as in a terminal (plots
        in colour, line by line); with a pipe where no pseudo-terminal can be had."""
        try:
            import fcntl
            import pty
            import struct
            import termios

            primary, secondary = pty.openpty()
        except (ImportError, OSError):
            self._process = await asyncio.create_subprocess_exec(
                *argv, cwd=cwd, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT, start_new_session=True)
            return self._process.stdout
        try:
            fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
            self._process = await asyncio.create_subprocess_exec(
                *argv, cwd=cwd, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=secondary, stderr=secondary,
                start_new_session=True)
        except OSError:
            os.close(primary)
            raise
        finally:
            os.close(secondary)
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=CHUNK)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(primary, "rb", 0))
        return reader


def shown(line: bytes) -> Text:
    """A line of output as a terminal leaves it: colour codes applied, text before a carriage return
    overwritten (progress bars redraw themselves that way)."""
    text = line.decode("utf-8", "replace").rstrip("\r")
    return Text.from_ansi(text.rsplit("\r", 1)[-1])
