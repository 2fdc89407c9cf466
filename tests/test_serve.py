"""`dlquest serve` end to end: a real server subprocess, a real headless Chromium, the app's trace as the signal.

textual.js draws on a canvas, so the page's text is not in the DOM: the app writes JSON lines to DLQUEST_TRACE.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser_kit import chromium_page

pytestmark = pytest.mark.grading

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _events(trace: Path) -> list[dict]:
    if not trace.exists():
        return []
    return [json.loads(line) for line in trace.read_text(encoding="utf-8").splitlines() if line.strip()]


def _wait_for(trace: Path, predicate, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for event in _events(trace):
            if predicate(event):
                return event
        time.sleep(0.2)
    raise AssertionError(f"no such trace event within {timeout}s; trace so far: {_events(trace)}")


def _marked(marker: str) -> list[int]:
    needle = f"DLQUEST_TEST_MARK={marker}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if needle in (entry / "environ").read_bytes().split(b"\0"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _workspace(tmp_path: Path) -> Path:
    """A fresh workspace whose learner has seen the welcome (so the first key goes to the roadmap)."""
    from dlquest.session import LearnerSession
    from dlquest.workspace import Workspace

    workspace = tmp_path / "ws"
    subprocess.run([sys.executable, "-m", "dlquest", "init", str(workspace)], check=True, capture_output=True)
    session = LearnerSession.open(Workspace.find(workspace), lang="en")
    try:
        session.mark_welcomed()
    finally:
        session.close()
    return workspace


@contextmanager
def _serving(tmp_path: Path, workspace: Path, trace: Path) -> Iterator[tuple[int, float]]:
    """`dlquest serve` on a free loopback port: yields (port, when it was started); stops it and checks that
    nothing it started (the app processes, their grading workers) is left running."""
    port, marker = _free_port(), f"serve-{os.getpid()}-{time.time_ns()}"
    env = {**os.environ, "DLQUEST_TRACE": str(trace), "DLQUEST_TEST_MARK": marker}
    started = time.time()  # wall clock: the app's trace lines carry time.time() too
    server = subprocess.Popen([sys.executable, "-m", "dlquest", "serve", "--port", str(port),
                               "--workspace", str(workspace), "--lang", "en"], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:  # the port answers
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "serve did not start"
                time.sleep(0.2)
        yield port, started
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    deadline = time.monotonic() + 10
    while _marked(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _marked(marker) == [], "processes started by serve are still running"


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def test_served_page_needs_no_internet(tmp_path):
    """The page names no address outside the server (textual-serve's own page loads Google Fonts), and what it
    names on the server (script, style sheet, the font) is there."""
    with _serving(tmp_path, _workspace(tmp_path), tmp_path / "trace.jsonl") as (port, _):
        own = f"127.0.0.1:{port}"
        status, body = _get(f"http://{own}/")
        assert status == 200
        page = body.decode("utf-8")
        addresses = re.findall(r"""(?:https?|wss?):(?://)?[^\s"'<>)]+""", page)
        assert addresses, "the page names its script and its websocket"
        outside = [a for a in addresses if not re.match(rf"(?:https?|wss?)://{re.escape(own)}/", a)]
        assert outside == []
        assert "googleapis" not in page and re.search(r"""(?<![:\w])//[a-z]""", page) is None
        assets = [a for a in addresses if a.startswith("http") and re.search(r"\.(js|css|ttf)$", a)]
        assert any(a.endswith(".ttf") for a in assets), "the font comes from the server"
        for asset in assets:
            assert _get(asset)[0] == 200, asset


def _first_open_exercise() -> str:
    """The first exercise of the course that nothing locks: opening it asks for no confirmation."""
    from dlquest.course import load_course

    return next(item.id for item in load_course(None).items() if item.kind == "exercise" and not item.requires)


def test_serve_in_chromium(tmp_path):
    """The app in a browser reaches its roadmap, opens an exercise (through the command palette), grades it with
    the browser's grading key, and the screenshot shows the graded exercise."""
    workspace, trace, exercise = _workspace(tmp_path), tmp_path / "trace.jsonl", _first_open_exercise()
    with _serving(tmp_path, workspace, trace) as (port, started), chromium_page() as (page, log):
        page.goto(f"http://127.0.0.1:{port}/")
        roadmap = _wait_for(trace, lambda e: e["event"] == "roadmap", 60)
        print(f"\nserve start -> roadmap trace: {roadmap['time'] - started:.2f} s")
        assert roadmap["web"] is True  # the app knows it is in a browser
        page.locator(".xterm-helper-textarea, canvas, body").first.click()  # the terminal takes the keys
        time.sleep(0.5)
        page.keyboard.press("Control+p")  # the command palette: find the exercise by its id
        time.sleep(1)
        page.keyboard.type(exercise, delay=20)
        for _ in range(10):  # the palette searches asynchronously: Enter before its hit arrives does nothing
            time.sleep(1.5)
            page.keyboard.press("Enter")
            if any(e["event"] == "screen" for e in _events(trace)):
                break
        opened = _wait_for(trace, lambda e: e["event"] == "screen", 10)
        assert (opened["kind"], opened["id"]) == ("exercise", exercise)
        time.sleep(1)
        page.keyboard.press("Control+g")  # grading in a browser (F5 and ctrl+r reload the page)
        graded = _wait_for(trace, lambda e: e["event"] == "graded", 120)
        assert graded["exercise"] == exercise and graded["passed"] is False  # the stub fails its tests
        time.sleep(1.5)  # the verdict is drawn after the trace line: let the canvas catch up
        (ROOT / "test-artifacts").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "test-artifacts" / "serve.png"))
        assert log.page_errors == []
