"""The daemon: a single-threaded loop that forks one child per request, each doing what a cold process does.

Requests (wire: protocol.py):
- {"op": "grade", "workspace", "course", "exercise", "file", "hide", "devices", "seed", "env"}: the child runs
  grade() as today and answers {"record"} (the seam grade_via_daemon: `dlquest watch`, the notebook).
- {"op": "run", "argv", "cwd", "env", "encoding"} with the client's stdout and stderr attached: the child takes
  the client's folder, environment and output, runs the command given to serve() (`dlquest check`'s own code,
  in-process: it grades, records the attempt and prints the feedback exactly as a cold `dlquest check` does)
  and answers {"exit": code}. The client imports almost nothing and the daemon has everything imported.
- {"op": "status"}, {"op": "stop"}.

The loop is the only writer on a connection: it answers {"accepted"} at once, {"alive"} every second while the
child works, then relays the child's answer (the child writes it to a pipe). Each child is its own process group;
a client that hangs up (Ctrl-C) gets that group killed, and so does a child past its bound. The loop keeps the
courses of "grade" requests loaded and reloads one whose files changed; it exits after `idle` seconds without
a request.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dlquest.daemon.paths import daemon_files
from dlquest.daemon.peer import peer_uid, same_user
from dlquest.daemon.protocol import ALIVE_EVERY, MAX_FDS, encode

if TYPE_CHECKING:
    from dlquest.course import Course

DEFAULT_IDLE = 600.0
PASSED_ENV = ("CUDA_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES", "CUBLAS_WORKSPACE_CONFIG", "OMP_NUM_THREADS")
# A "run" child's bound: the command grades under the grader's own per-call limits; this only ends a child
# that hangs in dlquest's own code.
RUN_BOUND = 30 * 60.0
Command = Callable[[list[str]], int]


def idle_setting() -> float:
    try:
        return float(os.environ.get("DLQUEST_DAEMON_IDLE", DEFAULT_IDLE))
    except ValueError:
        return DEFAULT_IDLE


def grading_bound(timeout: float) -> float:
    """How long one grading of an exercise whose calls have `timeout` seconds each may take in all."""
    return timeout * 4 + 30


def _course_signature(root: Path) -> tuple:
    """Every file's mtime and size under the course: a changed manifest, check or solution reloads it."""
    return tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*") if p.is_file()))


@dataclass
class _Job:
    conn: socket.socket | None
    pid: int
    answers: int  # read end of the pipe the child writes its answer to
    deadline: float
    answer: bytes = b""
    last_alive: float = field(default_factory=time.monotonic)


def _read_request(conn: socket.socket, timeout: float = 5.0) -> tuple[dict | None, list[int]]:
    """The request line and the descriptors attached to its first bytes."""
    conn.settimeout(timeout)
    fds: list[int] = []
    try:
        data, fds, _flags, _addr = socket.recv_fds(conn, 65536, MAX_FDS)
        while data and not data.endswith(b"\n"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        return (json.loads(data) if data.endswith(b"\n") else None), fds
    except (OSError, ValueError):
        return None, fds


def _send(conn: socket.socket, message: dict) -> None:
    conn.sendall(encode(message))


def serve(key: str, idle: float, command: Command | None = None) -> None:
    """Serve this user's requests until stopped or idle. `command` runs a "run" request's argv (the CLI's main,
    given by the process that hosts the loop: the core imports no face); without it "run" is refused."""
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
    jobs: dict[int, _Job] = {}  # by child pid
    last_activity = time.monotonic()

    def course_for(root: str) -> Course:
        signature = _course_signature(Path(root))
        cached = courses.get(root)
        if cached is None or cached[0] != signature:
            courses[root] = (signature, load_course(root))
        return courses[root][1]

    def start(conn: socket.socket, request: dict, fds: list[int]) -> None:
        op = request.get("op", "grade")
        if op == "run":
            if command is None or len(fds) != 2:
                _send(conn, {"error": "this daemon does not run commands"})
                conn.close()
                return
            bound, work = RUN_BOUND, lambda: _run_command(command, request, fds)
        else:
            try:
                course = course_for(request["course"])
                exercise = course.exercise(request["exercise"])
            except Exception as err:  # noqa: BLE001 - the daemon outlives one bad course
                _send(conn, {"error": f"{type(err).__name__}: {err}"})
                conn.close()
                return
            bound, work = grading_bound(exercise.timeout), lambda: _grade(course, request)
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            _child(work, write_end, [conn.fileno(), read_end, listener.fileno()])
        os.close(write_end)
        for fd in fds:
            os.close(fd)  # the child has them; the loop keeps none of a client's terminal
        os.set_blocking(read_end, False)
        jobs[pid] = _Job(conn, pid, read_end, time.monotonic() + bound)
        selector.register(conn, selectors.EVENT_READ, ("conn", pid))
        selector.register(read_end, selectors.EVENT_READ, ("answer", pid))

    while True:
        timeout = ALIVE_EVERY / 2 if jobs else max(0.1, idle - (time.monotonic() - last_activity))
        for event, _ in selector.select(timeout):
            if event.data is None:
                conn, _addr = listener.accept()
                last_activity = time.monotonic()
                if not same_user(peer_uid(conn)):
                    conn.close()
                    continue
                request, fds = _read_request(conn)
                if request is None:
                    for fd in fds:
                        os.close(fd)
                    conn.close()
                    continue
                op = request.get("op", "grade")
                if op == "status":
                    _send(conn, {"status": {"pid": os.getpid(), "key": key, "socket": str(files["sock"]),
                                            "idle_left": idle, "torch": torch_version, "busy": len(jobs)}})
                    conn.close()
                elif op == "stop":
                    _send(conn, {"stopped": True})
                    conn.close()
                    _shutdown(files, jobs)
                    return
                else:
                    with contextlib.suppress(OSError):  # a client gone already: its child is cancelled below
                        _send(conn, {"accepted": os.getpid()})
                    start(conn, request, fds)
                continue
            kind, pid = event.data
            job = jobs[pid]
            if kind == "conn":  # the client hung up (Ctrl-C) or broke the protocol: cancel its grading
                _kill_group(pid)
                _drop_conn(selector, job)
            else:
                try:
                    chunk = os.read(job.answers, 65536)
                except BlockingIOError:
                    chunk = b""
                job.answer += chunk
                if not chunk:
                    selector.unregister(job.answers)  # end of stream; the reaping below finishes the job
        now = time.monotonic()
        for job in list(jobs.values()):
            if now > job.deadline:
                _kill_group(job.pid)
            elif job.conn is not None and now - job.last_alive >= ALIVE_EVERY:
                job.last_alive = now
                with contextlib.suppress(OSError):
                    job.conn.send(encode({"alive": 1}), socket.MSG_DONTWAIT)
        _reap(selector, jobs)
        if jobs:
            last_activity = time.monotonic()  # the idle clock runs from the last request's end
        elif time.monotonic() - last_activity >= idle:
            _shutdown(files, jobs)
            return


def _child(work: Callable[[], dict], answers: int, close: list[int]) -> None:
    """In the forked child: its own process group, the loop's descriptors closed, `work`'s answer to the pipe."""
    code = 0
    try:
        os.setpgid(0, 0)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for fd in close:
            with contextlib.suppress(OSError):
                os.close(fd)
        message = work()
    except BaseException as err:  # noqa: BLE001 - any failure is the client's cue to grade cold
        code, message = 1, {"error": f"{type(err).__name__}: {err}"}
    try:
        data = encode(message)
        while data:
            data = data[os.write(answers, data):]
    finally:
        os._exit(code)


def _use_env(env: dict) -> None:
    for name in PASSED_ENV:
        value = env.get(name)
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _grade(course: Course, request: dict) -> dict:
    from dlquest.grader.grade import grade

    _use_env(request.get("env") or {})
    record = grade(course, course.exercise(request["exercise"]), Path(request["file"]),
                   hide=tuple(Path(p) for p in request.get("hide", ())), devices=request.get("devices"),
                   seed=request.get("seed"))
    return {"record": record.to_dict()}


def _run_command(command: Command, request: dict, fds: list[int]) -> dict:
    """The client's command as its own process would run it: its folder, environment, stdout and stderr."""
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ["DLQUEST_NO_DAEMON"] = "1"  # this is the daemon: grade here, never ask a daemon again
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    for fd, target in zip(fds, (1, 2), strict=True):
        os.dup2(fd, target)
        os.close(fd)
    encoding, errors = request.get("encoding") or ("utf-8", "strict")
    sys.stdin = open(0, encoding=encoding, closefd=False)
    # Line-buffered where a terminal shows them, as Python's own streams are (1: line buffering).
    sys.stdout = open(1, "w", 1 if os.isatty(1) else -1, encoding, errors, closefd=False)
    sys.stderr = open(2, "w", 1, encoding, "backslashreplace", closefd=False)
    sys.argv = list(request["argv"])
    try:
        code = command(sys.argv[1:])
    except SystemExit as done:  # argparse's --help and usage errors
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if isinstance(done.code, str):
            print(done.code, file=sys.stderr)
    except Exception:  # noqa: BLE001 - as an uncaught error ends a command: its traceback, exit 1
        traceback.print_exc()
        code = 1
    from dlquest.grader.process_exit import flush_output

    flush_output()
    return {"exit": code}


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _drop_conn(selector: selectors.BaseSelector, job: _Job) -> None:
    if job.conn is not None:
        selector.unregister(job.conn)
        job.conn.close()
        job.conn = None


def _reap(selector: selectors.BaseSelector, jobs: dict[int, _Job]) -> None:
    """Finish every job whose child has ended: what it left in its group killed, its answer relayed."""
    for pid, job in list(jobs.items()):
        try:
            done, _status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if not done:
            continue
        _kill_group(pid)
        with contextlib.suppress(BlockingIOError, OSError):
            while chunk := os.read(job.answers, 65536):
                job.answer += chunk
        with contextlib.suppress(KeyError, ValueError):
            selector.unregister(job.answers)
        os.close(job.answers)
        if job.conn is not None:
            with contextlib.suppress(OSError):
                job.conn.setblocking(True)
                job.conn.settimeout(5.0)
                job.conn.sendall(job.answer if job.answer.endswith(b"\n")
                                 else encode({"error": "the grading process ended without an answer"}))
            _drop_conn(selector, job)
        del jobs[pid]


def _shutdown(files: dict[str, Path], jobs: dict[int, _Job]) -> None:
    for pid in jobs:
        _kill_group(pid)
    files["sock"].unlink(missing_ok=True)
    files["pid"].unlink(missing_ok=True)


if __name__ == "__main__":
    serve(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else idle_setting())
    os._exit(0)  # no interpreter teardown: tearing torch down takes seconds and serves nobody
