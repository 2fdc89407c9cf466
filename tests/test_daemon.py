"""The per-user grading daemon (dlquest/daemon): a warm check gives the cold verdict, the daemon's socket is
private to its user and hidden from learner code, and a daemon that is stale, hung or stopped is handled."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sys
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


# --- the warm `dlquest check` (the CLI run in the daemon): concurrency, Ctrl-C, fallback, reloads -------------


def _env(runtime: Path) -> dict[str, str]:
    return {"XDG_RUNTIME_DIR": str(runtime), "DLQUEST_NO_DAEMON": ""}


def _outcome(done) -> str:
    return json.loads(done.stdout)["outcome"]


def test_two_terminals_checking_at_once_both_get_their_own_verdict(runtime, workspace, course, run_dlquest):
    import concurrent.futures

    _solved(workspace, course, "conv2d")
    wrong = workspace.learner_file(course.exercises["perceptron"])
    wrong.write_text((SOLUTIONS / "perceptron.py").read_text().replace("self.bias += step", "pass"))
    assert client.ensure_daemon(idle=120) is not None
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        conv, perceptron = pool.map(
            lambda name: run_dlquest("check", name, "--json", cwd=workspace.root, env=_env(runtime)),
            ["conv2d", "perceptron"])
    assert (conv.returncode, _outcome(conv)) == (0, "passed")
    assert perceptron.returncode == 1 and _outcome(perceptron) == "failed"
    # Both children recorded their attempt in the one progress file: neither write was lost.
    status = {item["id"]: item["status"] for stage in json.loads(run_dlquest("list", "--json", cwd=workspace.root,
                                                                              env=_env(runtime)).stdout)["stages"]
              for unit in stage["units"] for item in unit["items"]}
    assert status["conv2d"] == "passed" and status["perceptron"] == "failing"


def test_ctrl_c_in_the_client_cancels_its_grading_in_the_daemon(runtime, workspace, course, start_python):
    import subprocess

    hangs = workspace.learner_file(course.exercises["perceptron"])
    hangs.write_text("while True:\n    pass\n")  # hangs while loading: the grading would take its full time-out
    assert client.ensure_daemon(idle=120) is not None
    check = start_python("-m", "dlquest", "check", "perceptron", cwd=workspace.root,
                         env=dict(os.environ, **_env(runtime)), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (client.daemon_status() or {}).get("busy") != 1:
        time.sleep(0.1)
    assert client.daemon_status()["busy"] == 1  # the daemon is grading it
    check.send_signal(signal.SIGINT)
    _out, err = check.communicate(timeout=20)
    assert check.returncode == 130 and b"interrupted" in err
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and client.daemon_status()["busy"]:
        time.sleep(0.1)
    assert client.daemon_status()["busy"] == 0  # its grading (the child and its whole group) is gone
    daemon_pid = int(daemon_files(daemon_key())["pid"].read_text())
    children = Path(f"/proc/{daemon_pid}/task/{daemon_pid}/children").read_text().split()
    assert children == []


def test_a_daemon_that_cannot_start_falls_back_to_the_cold_verdict(runtime, workspace, course, run_dlquest,
                                                                   monkeypatch):
    _solved(workspace, course, "conv2d")
    # A runtime folder open to others is refused: no daemon, and the check grades cold with the same verdict.
    private = runtime / "dlquest"
    private.mkdir()
    private.chmod(0o777)
    try:
        open_folder = run_dlquest("check", "conv2d", "--json", cwd=workspace.root, env=_env(runtime))
        assert list(private.iterdir()) == []  # no socket, lock or pid file in a folder others may write
    finally:
        private.chmod(0o700)
    assert (open_folder.returncode, _outcome(open_folder)) == (0, "passed")
    # A daemon process that dies at start: the client stops waiting as soon as it has ended, and grades cold.
    monkeypatch.setattr(client, "DAEMON_MAIN", "dlquest.no_such_daemon")
    started = time.monotonic()
    assert client.ensure_daemon(idle=60) is None
    assert time.monotonic() - started < client.START_TIMEOUT
    record = LearnerSession.open(workspace).grade(course.exercises["conv2d"])
    assert record.passed


def test_a_changed_solution_or_check_is_graded_anew(runtime, mini_workspace, mini_course, run_dlquest):
    learner = mini_workspace.root / "exercises" / "add.py"
    learner.write_text("def add(a, b):\n    return a + b\n")
    env = _env(runtime)
    assert _outcome(run_dlquest("check", "add", "--json", cwd=mini_workspace.root, env=env)) == "passed"
    assert client.daemon_status() is not None
    (mini_course / "solutions" / "add.py").write_text("def add(a, b):\n    return a + b + 1\n")
    assert _outcome(run_dlquest("check", "add", "--json", cwd=mini_workspace.root, env=env)) == "failed"
    (mini_course / "solutions" / "add.py").write_text("def add(a, b):\n    return a + b\n")
    check = mini_course / "checks" / "test_add.py"
    check.write_text(check.read_text() + "\n\ndef test_added_later(learner):\n    assert learner.add(1, 1) == 3\n")
    again = json.loads(run_dlquest("check", "add", "--json", cwd=mini_workspace.root, env=env).stdout)
    assert again["outcome"] == "failed" and "test_added_later" in {t["test"].split("[")[0] for t in again["tests"]}


@pytest.mark.parametrize("daemon", [True, False], ids=["warm", "cold"])
def test_in_a_terminal_the_check_spins_while_it_grades_and_erases_the_spinner(runtime, mini_workspace, daemon):
    """The spinner is drawn by whichever process grades (the daemon's child writes to this terminal), on stderr,
    and erased before the feedback; piped or with --json there is none (the other tests read clean output)."""
    from pty_kit import PtyProgram

    (mini_workspace.root / "exercises" / "add.py").write_text("def add(a, b):\n    return a + b\n")
    command = str(Path(sys.executable).with_name("dlquest"))
    env = dict(os.environ, TERM="xterm", LANG="C.UTF-8", LC_ALL="", DLQUEST_LANG="", **_env(runtime))
    if daemon:
        assert client.ensure_daemon(idle=120) is not None
    check = PtyProgram([command, "check", "add", "--lang", "en", *([] if daemon else ["--no-daemon"])],
                       mini_workspace.root, env)
    try:
        assert check.wait_exit(120) == 0
    finally:
        check.close()
    spun = check.output.index("Grading add")
    verdict = check.output.index("The test passed")
    assert spun < verdict and "\r\x1b[K" in check.output[spun:verdict], check.output
    assert (client.daemon_status() is not None) == daemon
