"""A warm grading worker: a long-lived process that imported torch and the grader once, and grades on request.

The app (and anything else long-lived) talks to it through `GradingClient`, so that its own process never
imports torch and a save → verdict costs a fork, not a Python start and a torch import. Each grading still
runs the learner's code in fresh sandboxed children (sandbox.py); the worker itself is trusted and
single-threaded, which keeps forking from it safe.

Protocol: one JSON object per line. The worker first writes {"ready": true, "torch": "<version>|null"}; then
for each request {"id", "course", "exercise", "file", "hide", "devices", "seed"} it writes {"id", "record"}
or {"id", "error"}. Cancelling a grading kills the worker's whole process group; the client starts a new
worker for the next request.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from dlquest.grader.records import GradeRecord

if TYPE_CHECKING:
    from dlquest.course import Course


class GradingCancelled(Exception):
    """The grading was cancelled (or the worker died) before a verdict."""


class WorkerFailed(Exception):
    """The worker could not grade: its message says why (a broken course, say)."""


def serve(stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
    from dlquest.course import load_course
    from dlquest.grader.grade import grade
    from dlquest.grader.warmup import warm_up_grading_process

    torch_version = warm_up_grading_process()
    courses: dict[str, Course] = {}

    def reply(message: dict) -> None:
        stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
        stdout.flush()

    reply({"ready": True, "torch": torch_version})
    for line in stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            root = request["course"]
            if root not in courses:
                courses[root] = load_course(root)
            course = courses[root]
            record = grade(course, course.exercise(request["exercise"]), Path(request["file"]),
                           hide=tuple(Path(p) for p in request.get("hide", ())), devices=request.get("devices"),
                           seed=request.get("seed"))
            reply({"id": request.get("id"), "record": record.to_dict()})
        except Exception as err:  # noqa: BLE001 - the worker outlives one bad request
            reply({"id": request.get("id"), "error": f"{type(err).__name__}: {err}"})


class GradingClient:
    """Grades through a warm worker process. Thread-safe: call `grade` from a background thread and
    `cancel` from any other. Imports neither torch nor textual."""

    def __init__(self, python: str = sys.executable):
        self._python = python
        self._process: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()  # one grading at a time
        self._next_id = 0
        self.torch_version: str | None = None

    def start(self) -> None:
        """Start the worker now (it takes a few seconds to import torch) instead of at the first grading."""
        with self._lock:
            self._ensure_started()

    def _ensure_started(self) -> subprocess.Popen[str]:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                [self._python, "-m", "dlquest.grader.worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, text=True, encoding="utf-8", start_new_session=True,
            )
            assert self._process.stdout is not None  # stdout=PIPE
            hello = self._process.stdout.readline()
            if not hello:
                self._process = None
                raise WorkerFailed("the grading worker did not start")
            self.torch_version = json.loads(hello).get("torch")
        return self._process

    def grade(self, course_root: Path, exercise: str, file: Path, *, hide: tuple[Path, ...] = (),
              devices: list[str] | None = None, seed: int | None = None) -> GradeRecord:
        with self._lock:
            process = self._ensure_started()
            assert process.stdin is not None and process.stdout is not None  # both are pipes (_ensure_started)
            self._next_id += 1
            request = {"id": self._next_id, "course": str(course_root), "exercise": exercise, "file": str(file),
                       "hide": [str(p) for p in hide], "devices": devices, "seed": seed}
            try:
                process.stdin.write(json.dumps(request) + "\n")
                process.stdin.flush()
                line = process.stdout.readline()
            except (BrokenPipeError, ValueError, OSError):
                line = ""
            if not line:
                self._process = None
                raise GradingCancelled()
            answer = json.loads(line)
            if "error" in answer:
                raise WorkerFailed(answer["error"])
            return GradeRecord.from_dict(answer["record"])

    def cancel(self) -> None:
        """Stop the grading under way, if any: the worker and every process it started are killed."""
        process = self._process
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def close(self) -> None:
        self.cancel()
        if self._process is not None:
            self._process.wait()
            self._process = None


if __name__ == "__main__":
    serve()
