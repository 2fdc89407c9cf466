"""The per-user grading daemon (dlquest/daemon): a warm check gives the cold verdict, the daemon's socket is
private to its user and hidden from learner code, and a daemon that is stale, hung or stopped is handled."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import time
from pathlib import Path

import pytest

from dlquest.daemon import client, peer
from dlquest.daemon.key import daemon_key
from dlquest.daemon.paths import daemon_files
from dlquest.session import LearnerSession

pytestmark = pytest.mark.grading

SOLUTIONS = Path(__file__).resolve().parent.parent / "dlquest" / "solutions"


@pytest.fixture
def runtime(tmp_path, monkeypatch):
    """Its own XDG_RUNTIME_DIR, the daemon switched on; any daemon it started is killed by its pid."""
    folder = tmp_path / "rt"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    monkeypatch.delenv("DLQUEST_NO_DAEMON", raising=False)
    yield folder
    files = daemon_files(daemon_key())
    try:
        os.kill(int(files["pid"].read_text()), signal.SIGKILL)
    except (OSError, ValueError):
        pass


def _solved(workspace, course, exercise_id: str) -> Path:
    file = workspace.learner_file(course.exercises[exercise_id])
    shutil.copy(SOLUTIONS / f"{exercise_id}.py", file)
    return file


def test_warm_check_gives_the_cold_verdict_and_sees_a_changed_file(runtime, workspace, course, run_dlquest):
    file = _solved(workspace, course, "conv2d")
    env = {"XDG_RUNTIME_DIR": str(runtime), "DLQUEST_NO_DAEMON": ""}
    cold = run_dlquest("check", "conv2d", "--json", "--no-daemon", cwd=workspace.root, env=env)
    warm = run_dlquest("check", "conv2d", "--json", cwd=workspace.root, env=env)
    assert client.daemon_status() is not None  # the first check started it
    cold_tests = [(t["test"], t["outcome"]) for t in json.loads(cold.stdout)["tests"]]
    assert [(t["test"], t["outcome"]) for t in json.loads(warm.stdout)["tests"]] == cold_tests
    assert warm.returncode == cold.returncode == 0
    file.write_text("def conv2d(*args, **kwargs):\n    raise ValueError('not yet')\n")
    again = run_dlquest("check", "conv2d", "--json", cwd=workspace.root, env=env)
    assert again.returncode == 1 and json.loads(again.stdout)["outcome"] != "passed"


def test_a_stale_socket_is_removed_and_a_daemon_started(runtime, workspace, course):
    files = daemon_files(daemon_key())
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(files["sock"]))
    stale.close()  # the file stays, nobody listens behind it
    session = LearnerSession.open(workspace)
    _solved(workspace, course, "conv2d")
    record = client.grade_via_daemon(session, course.exercises["conv2d"])
    assert record is not None and record.passed
    assert client.daemon_status()["pid"] == int(files["pid"].read_text())


def test_a_hung_daemon_is_bypassed_and_killed(runtime, workspace, course, start_python):
    files = daemon_files(daemon_key())
    hung = start_python("-c", "import socket,sys,time\ns=socket.socket(socket.AF_UNIX)\ns.bind(sys.argv[1])\n"
                        "s.listen()\nc=s.accept()\ntime.sleep(600)", str(files["sock"]))
    while not files["sock"].exists():
        time.sleep(0.05)
    files["pid"].write_text(str(hung.pid))
    session = LearnerSession.open(workspace)
    assert client.grade_via_daemon(session, course.exercises["conv2d"], timeout=2) is None
    assert hung.wait(10) == -signal.SIGKILL


def test_status_and_stop(runtime):
    assert client.daemon_status() is None
    assert client.ensure_daemon(idle=60) is not None
    status = client.daemon_status()
    assert status["key"] == daemon_key() and status["socket"].startswith(str(runtime))
    assert client.stop_daemon()
    time.sleep(0.5)
    assert client.daemon_status() is None


def test_the_daemon_exits_when_idle(runtime):
    assert client.ensure_daemon(idle=1) is not None
    pid = int(daemon_files(daemon_key())["pid"].read_text())
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and daemon_files(daemon_key())["pid"].exists():
        time.sleep(0.2)
    assert not daemon_files(daemon_key())["pid"].exists()
    status = Path(f"/proc/{pid}/status")
    while time.monotonic() < deadline and status.exists() and "State:\tZ" not in status.read_text():
        time.sleep(0.1)  # the pid file goes just before the process ends
    assert not status.exists() or "State:\tZ" in status.read_text()  # gone, or our own zombie


def test_no_daemon_when_disabled(runtime, workspace, course, monkeypatch):
    monkeypatch.setenv("DLQUEST_NO_DAEMON", "1")
    assert client.grade_via_daemon(LearnerSession.open(workspace), course.exercises["conv2d"]) is None
    assert not daemon_files(daemon_key())["sock"].exists()


def test_learner_code_cannot_see_the_daemon_socket(runtime, workspace, course):
    """Every grading hides the runtime folder (hidden_from_learner_code): learner code finds no socket."""
    from dlquest.grader.grade import grade

    assert client.ensure_daemon(idle=60) is not None
    sock_path = daemon_files(daemon_key())["sock"]
    file = workspace.learner_file(course.exercises["conv2d"])
    file.write_text(f"import os\nraise RuntimeError('SEEN' if os.path.exists({str(sock_path)!r}) else 'HIDDEN')\n")
    session = LearnerSession.open(workspace)
    assert Path(os.environ["XDG_RUNTIME_DIR"]) / "dlquest" in session.hidden_from_learner_code
    record = grade(course, course.exercises["conv2d"], file, hide=session.hidden_from_learner_code)
    messages = {f.values.get("message") for t in record.tests for f in t.feedback}
    assert "HIDDEN" in messages and "SEEN" not in messages, messages


def test_another_uid_is_refused(monkeypatch):
    assert peer.same_user(os.getuid())
    assert not peer.same_user(os.getuid() + 1)
    assert not peer.same_user(None)
