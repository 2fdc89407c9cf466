"""`dlquest serve` end to end: a real server subprocess, a real headless Chromium, the app's trace as the signal.

textual.js draws on a canvas, so the page's text is not in the DOM: the app writes JSON lines to DLQUEST_TRACE.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
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


def test_serve_in_chromium(tmp_path):
    workspace = tmp_path / "ws"
    subprocess.run([sys.executable, "-m", "dlquest", "init", str(workspace)], check=True, capture_output=True)
    trace, port, marker = tmp_path / "trace.jsonl", _free_port(), f"serve-{os.getpid()}-{time.time_ns()}"
    env = {**os.environ, "DLQUEST_TRACE": str(trace), "DLQUEST_TEST_MARK": marker}
    started = time.monotonic()
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
        with chromium_page() as (page, log):
            page.goto(f"http://127.0.0.1:{port}/")
            roadmap = _wait_for(trace, lambda e: e["event"] == "roadmap", 60)
            print(f"\nserve start -> roadmap trace: {time.monotonic() - started:.2f} s")
            assert roadmap["web"] is True  # the app knows it is in a browser
            page.locator(".xterm-helper-textarea, canvas, body").first.click()  # the terminal takes the keys
            for key in ("Escape", "n"):  # close the welcome, open the next item
                page.keyboard.press(key)
                time.sleep(1)
            opened = _wait_for(trace, lambda e: e["event"] == "screen", 30)
            if opened["kind"] == "exercise":
                page.keyboard.press("Control+r")  # the browser's alternative to F5
                graded = _wait_for(trace, lambda e: e["event"] == "graded", 120)
                assert graded["exercise"] == opened["id"] and graded["passed"] is False  # the stub fails
            (ROOT / "test-artifacts").mkdir(exist_ok=True)
            page.screenshot(path=str(ROOT / "test-artifacts" / "serve.png"))
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
