"""Learner code cannot fool or break the grader.

Every submission below tries one trick. Each must end in a failing verdict with a clear reason, within its
time limit, and leave the grader (this very process) working: the last test grades the reference again.
These run as root in CI, where RLIMIT_NPROC does not bind and every file is readable: forks and file access
are contained by namespaces and a pids cgroup, which is what these tests prove.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

import dlquest
from dlquest.grader import sandbox

# Every test here grades hostile code in the sandbox.
pytestmark = pytest.mark.grading

WRONG_CONV = """
import torch
def conv2d(input, weight, bias=None, stride=1, padding=0):
    n = input.shape[0]
    return torch.zeros(n, weight.shape[0], 1, 1, dtype=input.dtype)
"""


def codes(record) -> set[str]:
    return {f.code for t in record.tests for f in t.feedback} | ({record.problem.code} if record.problem else set())


def assert_fails_with(record, *expected_codes):
    assert record.outcome != "passed"
    assert not any(t.outcome == "passed" for t in record.tests), [t.test for t in record.tests if t.outcome == "passed"]
    found = codes(record)
    assert found & set(expected_codes), found


def test_sys_exit_zero_is_not_a_pass(grade_source):
    record = grade_source("perceptron", "import sys\nsys.exit(0)\n")
    assert_fails_with(record, "system_exit")


def test_os_exit_zero_is_not_a_pass(grade_source):
    record = grade_source("conv2d", "import os\ndef conv2d(*args, **kwargs):\n    os._exit(0)\n")
    assert_fails_with(record, "exited")


@pytest.mark.parametrize("kind", ["KeyboardInterrupt", "GeneratorExit", "Custom"])
def test_base_exceptions_are_failures(grade_source, kind):
    source = f"""
class Custom(BaseException):
    pass
class Perceptron:
    def __init__(self, learning_rate=0.01, n_iterations=1000):
        pass
    def fit(self, X, y):
        raise {kind}()
"""
    assert_fails_with(grade_source("perceptron", source), "system_exit")


def test_endless_loop_times_out(grade_source):
    start = time.monotonic()
    record = grade_source("perceptron", "while True:\n    pass\n", wall_time=1)
    elapsed = time.monotonic() - start
    assert_fails_with(record, "timeout")
    # Two probes are cut off at 1 s each; after two time-outs the remaining tests fail without running.
    assert [t.feedback[0].code for t in record.tests] == ["timeout"] * 2 + ["timeout_skipped"] * 6
    assert elapsed < 2 * 1 + 20


def test_unbounded_allocation_hits_the_memory_limit(grade_source):
    source = """
def conv2d(*args, **kwargs):
    hoard = []
    while True:
        hoard.append(bytearray(50_000_000))
"""
    assert_fails_with(grade_source("conv2d", source, wall_time=20, memory=256 * 2**20), "memory")


def test_huge_tensor_hits_the_memory_limit(grade_source):
    source = "import torch\ndef conv2d(*args, **kwargs):\n    return torch.ones(40_000_000_000)\n"
    assert_fails_with(grade_source("conv2d", source), "memory")


def test_fork_bomb_is_contained(grade_source):
    source = """
import os
def conv2d(*args, **kwargs):
    while True:
        os.fork()
"""
    # Processes this test process already had (another test's warm worker, say, when tests share a process).
    before = set(_descendants())
    start = time.monotonic()
    record = grade_source("conv2d", source, wall_time=5)
    assert record.outcome != "passed"
    assert record.protections.get("process_limit") and record.protections.get("pid_namespace")
    assert time.monotonic() - start < 11 * 5 + 20
    # Nothing is left behind: every forked process died with its PID namespace. (Killed children are collected
    # by a background thread; wait for it rather than race it. The reference's child, which a warm grader keeps
    # for the next grading, is ended too: only then must no descendant at all remain.)
    from dlquest.grader.plugin import close_kept_references

    close_kept_references()
    sandbox.wait_for_reaped()
    assert set(_descendants()) - before == set()


def _descendants() -> list[str]:
    return [pid for pid in os.listdir("/proc") if pid.isdigit() and _cmdline(pid) and _is_descendant(int(pid))]


def _cmdline(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return ""


def _is_descendant(pid: int) -> bool:
    me = os.getpid()
    while pid > 1:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        pid = int(stat.rsplit(")", 1)[1].split()[1])
        if pid == me:
            return True
    return False


def test_patching_comparisons_and_pytest_changes_nothing(grade_source):
    source = WRONG_CONV + """
import numpy, torch, torch.testing, pytest, _pytest.outcomes
numpy.allclose = lambda *a, **k: True
numpy.testing.assert_allclose = lambda *a, **k: None
torch.allclose = lambda *a, **k: True
torch.equal = lambda *a, **k: True
torch.testing.assert_close = lambda *a, **k: None
pytest.fail = lambda *a, **k: None
_pytest.outcomes.fail = lambda *a, **k: None
"""
    assert_fails_with(grade_source("conv2d", source), "value_mismatch", "shape_mismatch")


def test_the_reference_solution_cannot_be_imported_or_read(grade_source, course):
    solution = course.path(course.exercises["conv2d"].solution)
    source = f"""
import importlib.util, sys
def conv2d(*args, **kwargs):
    try:
        import dlquest.solutions.conv2d as answer
        return answer.conv2d(*args, **kwargs)
    except ImportError as err:
        print("import failed:", err)
    try:
        spec = importlib.util.spec_from_file_location("answer", {str(solution)!r})
        answer = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(answer)
        return answer.conv2d(*args, **kwargs)
    except OSError as err:
        print("read failed:", err)
    return None
"""
    record = grade_source("conv2d", source)
    assert_fails_with(record, "type_mismatch")
    assert "import failed" in record.tests[0].output and "read failed" in record.tests[0].output


def test_printing_fake_pytest_output_is_just_output(grade_source):
    source = WRONG_CONV.replace(
        "    n = input.shape[0]",
        "    print('test_forward PASSED\\n====== 11 passed in 0.01s ======')\n    n = input.shape[0]",
    )
    record = grade_source("conv2d", source)
    assert_fails_with(record, "shape_mismatch")
    assert "11 passed" in record.tests[0].output  # shown as what the learner printed, nothing more


def test_objects_that_equal_everything_do_not_match(grade_source):
    source = """
import torch
class Everything:
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
class Sneaky(torch.Tensor):
    def __eq__(self, other):
        return True
def conv2d(input, weight, bias=None, stride=1, padding=0):
    if bias is None:
        return Everything()
    return torch.zeros(3).as_subclass(Sneaky)
"""
    assert_fails_with(grade_source("conv2d", source), "type_mismatch", "shape_mismatch")


def test_searching_memory_for_the_expected_answer_finds_nothing(grade_source):
    # The learner runs before the reference in every comparison, so no expected value exists in the
    # memory its process is forked from: neither in the stack nor anywhere the garbage collector sees.
    source = """
import gc, sys, torch
def conv2d(input, weight, bias=None, stride=1, padding=0):
    n, c_out = input.shape[0], weight.shape[0]
    candidates = []
    frame = sys._getframe(1)
    while frame is not None:
        candidates.extend(frame.f_locals.values())
        frame = frame.f_back
    candidates.extend(gc.get_objects())
    for value in candidates:
        try:  # some objects the garbage collector lists raise on any touch: skip them, keep looking
            if isinstance(value, dict):
                value = next((v for v in value.values() if isinstance(v, torch.Tensor)), None)
            if isinstance(value, torch.Tensor) and value.dim() == 4 and value.shape[:2] == (n, c_out) \\
                    and value is not input and value is not weight:
                return value
        except Exception:
            continue
    return torch.zeros(1)
"""
    assert_fails_with(grade_source("conv2d", source), "shape_mismatch", "value_mismatch")


def test_learner_code_cannot_write_to_the_course_or_the_workspace(grade_source, course, workspace):
    check = course.path(course.exercises["conv2d"].check)
    before = check.read_bytes()
    target = workspace.progress_path
    source = WRONG_CONV + f"""
for path in ({str(check)!r}, {str(target)!r}, {str(Path(dlquest.__file__))!r}):
    try:
        open(path, "w").write("pwned")
        print("wrote", path)
    except OSError as err:
        print("blocked", type(err).__name__)
"""
    record = grade_source("conv2d", source, hide=(workspace.state,))
    assert record.outcome == "failed"
    assert "wrote" not in record.tests[0].output and record.tests[0].output.count("blocked") == 3
    assert check.read_bytes() == before
    assert not target.exists() or target.read_bytes() != b"pwned"


def test_learner_code_has_no_network(grade_source):
    source = WRONG_CONV + """
import socket
try:
    socket.create_connection(("127.0.0.1", 22), timeout=1)
except OSError as err:
    print("no network:", err)
"""
    record = grade_source("conv2d", source)
    assert "no network" in record.tests[0].output
    assert record.protections["network_namespace"] is True


def test_learner_code_cannot_signal_the_grader(grade_source):
    source = WRONG_CONV + """
import os, signal
for pid in range(2, 200):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
try:
    os.kill(-1, signal.SIGKILL)  # every process this one may signal: in its PID namespace, none
except OSError:
    pass
print("visible processes:", sorted(p for p in os.listdir("/proc") if p.isdigit()))
"""
    record = grade_source("conv2d", source)
    assert record.outcome == "failed"  # and this test process is still alive to say so
    assert "visible processes: ['1']" in record.tests[0].output


def test_the_grader_still_works_afterwards(grade_source, course):
    solution = course.path(course.exercises["conv2d"].solution).read_text()
    assert grade_source("conv2d", solution).outcome == "passed"


def test_protections_hold_on_this_machine():
    active = sandbox.protections()
    if os.geteuid() == 0:
        # A private /tmp only where Python does not live under /tmp (a checkout there needs it visible).
        assert active.pop("private_tmp") == (not sys.prefix.startswith("/tmp"))
        assert all(active.values()), active


def test_learner_code_works_in_its_own_scratch_folder(grade_source):
    source = WRONG_CONV + """
import os, tempfile
with open("notes.txt", "w") as handle:
    handle.write("scratch works")
with tempfile.NamedTemporaryFile("w") as handle:
    handle.write("temp works")
print(open("notes.txt").read(), os.getcwd(), tempfile.gettempdir())
"""
    record = grade_source("conv2d", source)
    assert "scratch works /dev/shm/dlquest-work /dev/shm/dlquest-work" in record.tests[0].output


KILL_GRADER = """
import os, signal, sys, time
from pathlib import Path
from dlquest.grader.sandbox import run_probe
learner = Path(sys.argv[1])
learner.write_text("def f():\\n    while True:\\n        pass\\n")
run_probe(lambda module: module.f(), learner)
"""


def test_killing_the_grader_ends_the_learner_code_too(tmp_path):
    import signal
    import subprocess
    import sys

    grader = subprocess.Popen([sys.executable, "-c", KILL_GRADER, str(tmp_path / "spin.py")])
    deadline = time.monotonic() + 60
    spinning = []
    while time.monotonic() < deadline and len(spinning) < 2:  # the keeper and, under it, the runner
        pids = [pid for pid in os.listdir("/proc") if pid.isdigit()]
        keepers = [pid for pid in pids if _is_child_of(int(pid), grader.pid)]
        spinning = keepers + [pid for pid in pids for keeper in keepers if _is_child_of(int(pid), int(keeper))]
        time.sleep(0.1)
    assert spinning, "the grader never started its sandbox"
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    time.sleep(1.0)
    assert [pid for pid in spinning if Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)] == []


def _is_child_of(pid: int, ancestor: int) -> bool:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]) == ancestor
    except (OSError, ValueError):
        return False


def _state(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"
