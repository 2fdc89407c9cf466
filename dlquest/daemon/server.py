"""The daemon: a single-threaded accept loop that forks one child per request to run grade() as today.

Protocol (JSON lines, one request and one answer per connection): the client sends {"workspace", "course",
"exercise", "file", "hide", "devices", "seed", "env"}; the daemon answers {"record"} or {"error"}, or
{"status": ...} for {"op": "status"} and exits after answering {"op": "stop"}. The forked child puts itself in
its own process group; a client that disconnects (Ctrl-C) gets that group killed. The parent keeps courses
loaded and reloads one whose files changed; it exits after `idle` seconds without a request.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from dlquest.daemon.paths import daemon_files
from dlquest.daemon.peer import peer_uid, same_user

if TYPE_CHECKING:
    from dlquest.course import Course

DEFAULT_IDLE = 600.0
PASSED_ENV = ("CUDA_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES", "CUBLAS_WORKSPACE_CONFIG", "OMP_NUM_THREADS")


def idle_setting() -> float:
    try:
        return float(os.environ.get("DLQUEST_DAEMON_IDLE", DEFAULT_IDLE))
    except ValueError:
        return DEFAULT_IDLE


def _course_signature(root: Path) -> tuple:
    """Every file's mtime and size under the course: a changed manifest, check or solution reloads it."""
    return tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*") if p.is_file()))


def _read_line(conn: socket.socket, timeout: float = 5.0) -> dict | None:
    conn.settimeout(timeout)
    data = b""
    try:
        while not data.endswith(b"\n"):
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
    except OSError:
        return None
    return json.loads(data)


def _send(conn: socket.socket, message: dict) -> None:
    conn.sendall((json.dumps(message, ensure_ascii=False) + "\n").encode())


def serve(key: str, idle: float) -> None:
    from dlquest.course import load_course
    from dlquest.grader.warmup import warm_up_grading_process

    files = daemon_files(key)
    torch_version = warm_up_grading_process()
    courses: dict[str, tuple[tuple, Course]] = {}
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    files["sock"].unlink(missing_ok=True)
    listener.bind(str(files["sock"]))
    os.chmod(files["sock"], 0o600)
    listener.listen(16)
    files["pid"].write_text(str(os.getpid()))
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, None)
    children: dict[socket.socket, int] = {}  # client connection -> its grading child
    last_activity = time.monotonic()

    def course_for(root: str) -> Course:
        signature = _course_signature(Path(root))
        cached = courses.get(root)
        if cached is None or cached[0] != signature:
            courses[root] = (signature, load_course(root))
        return courses[root][1]

    while True:
        timeout = max(0.1, idle - (time.monotonic() - last_activity)) if not children else 0.5
        for key_, _ in selector.select(timeout):
            if key_.data is None:
                conn, _addr = listener.accept()
                last_activity = time.monotonic()
                if not same_user(peer_uid(conn)):
                    conn.close()
                    continue
                idle_left = idle  # this request restarts the idle clock
                request = _read_line(conn)
                if request is None:
                    conn.close()
                    continue
                op = request.get("op", "grade")
                if op == "status":
                    _send(conn, {"status": {"pid": os.getpid(), "key": key, "socket": str(files["sock"]),
                                            "idle_left": idle_left, "torch": torch_version, "busy": len(children)}})
                    conn.close()
                    continue
                if op == "stop":
                    _send(conn, {"stopped": True})
                    conn.close()
                    _shutdown(files, children)
                    return
                try:
                    course = course_for(request["course"])
                except Exception as err:  # noqa: BLE001 - the daemon outlives one bad course
                    _send(conn, {"error": f"{type(err).__name__}: {err}"})
                    conn.close()
                    continue
                pid = os.fork()
                if pid == 0:
                    _grade_in_child(conn, course, request)
                children[conn] = pid
                selector.register(conn, selectors.EVENT_READ, pid)
            else:  # a client hung up (or sent junk) while its child grades: cancel that grading
                _kill_group(key_.data)
        _reap(selector, children)
        if not children and time.monotonic() - last_activity >= idle:
            _shutdown(files, children)
            return


def _grade_in_child(conn: socket.socket, course: Course, request: dict) -> None:
    code = 0
    try:
        os.setpgid(0, 0)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for name in PASSED_ENV:
            value = (request.get("env") or {}).get(name)
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        from dlquest.grader.grade import grade

        record = grade(course, course.exercise(request["exercise"]), Path(request["file"]),
                       hide=tuple(Path(p) for p in request.get("hide", ())), devices=request.get("devices"),
                       seed=request.get("seed"))
        _send(conn, {"record": record.to_dict()})
    except BaseException as err:  # noqa: BLE001 - any failure is the client's cue to grade cold
        code = 1
        try:
            _send(conn, {"error": f"{type(err).__name__}: {err}"})
        except OSError:
            pass
    finally:
        os._exit(code)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _reap(selector: selectors.BaseSelector, children: dict[socket.socket, int]) -> None:
    for conn, pid in list(children.items()):
        try:
            done, _status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            _kill_group(pid)  # anything the grading left behind in its group
            selector.unregister(conn)
            conn.close()
            del children[conn]


def _shutdown(files: dict[str, Path], children: dict[socket.socket, int]) -> None:
    for pid in children.values():
        _kill_group(pid)
    files["sock"].unlink(missing_ok=True)
    files["pid"].unlink(missing_ok=True)


if __name__ == "__main__":
    serve(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else idle_setting())
    os._exit(0)  # no interpreter teardown: tearing torch down takes seconds and serves nobody
