"""Sandboxed sessions: one contained child runs many probes, and behaves as a fresh child per probe would.

A session loads the learner's module once and answers probe after probe (see sandbox.ProbeSession). These tests
pin down what must not change compared with one forked child per probe: the random-number state a probe sees,
the output it is credited with, and what happens after a time-out, a crash or an exit; and that whatever cannot
travel by pickle still runs, in a child of its own.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import torch

from dlquest.grader import sandbox
from dlquest.grader.sandbox import Limits, NotSessionable, ProbeSession, run_probe
from dlquest.grader.sandbox.cgroup import PidsCgroup

# Every test here starts sandboxed probe sessions.
pytestmark = pytest.mark.grading

LEARNER = """
import os, sys, time
import torch

calls = 0

def count():
    global calls
    calls += 1
    return calls

def noisy(text):
    print(text)
    return len(text)

def random_numbers(n):
    return torch.randn(n)

def spin():
    while True:
        pass

def leave(code):
    os._exit(code)

def crash():
    raise ValueError("learner bug")

def pid():
    return os.getpid()
"""


# Probes are module-level functions, as in a check: they travel to the session by pickle (by reference).
def call(module, name, *args):
    return getattr(module, name)(*args)


def random_after_seeding(module, n):
    return module.random_numbers(n)


@pytest.fixture
def learner_file(tmp_path):
    path = tmp_path / "learner.py"
    path.write_text(LEARNER)
    return path


@pytest.fixture
def session(learner_file):
    with ProbeSession(learner_file, limits=Limits(wall_time=3)) as session:
        yield session
    sandbox.wait_for_reaped()


def test_many_probes_run_in_one_child(session):
    assert [session.call(call, ("count",)).value for _ in range(3)] == [1, 2, 3]
    assert session.started == 1
    assert session.protections.get("time_limit")


def test_a_probe_sees_the_random_state_a_forked_child_would(session, learner_file):
    torch.manual_seed(7)
    in_session = session.call(random_after_seeding, (4,)).value
    torch.manual_seed(7)
    forked = run_probe(random_after_seeding, learner_file, (4,)).value
    torch.manual_seed(7)
    here = torch.randn(4)
    torch.testing.assert_close(in_session, here)
    torch.testing.assert_close(forked, here)


def test_each_probe_is_credited_with_its_own_output(session):
    first = session.call(call, ("noisy", "first probe"))
    second = session.call(call, ("noisy", "second probe"))
    assert (first.value, first.output) == (len("first probe"), "first probe\n")
    assert (second.value, second.output) == (len("second probe"), "second probe\n")


def test_a_time_out_ends_the_child_and_the_next_probe_gets_a_new_one(session):
    before = session.call(call, ("pid",)).value
    start = time.monotonic()
    result = session.call(call, ("spin",))
    assert not result.ok and result.feedback.code == "timeout"
    assert time.monotonic() - start < 3 + 2
    assert not session.alive
    after = session.call(call, ("count",))
    assert after.ok and after.value == 1  # a fresh module: the old child is gone
    assert session.started == 2
    assert before is not None


def test_an_exit_is_reported_and_the_session_recovers(session):
    result = session.call(call, ("leave", 3))
    assert not result.ok and result.feedback.code == "exited" and result.feedback.values["status"] == 3
    assert session.call(call, ("count",)).value == 1


def test_an_exception_is_feedback_and_the_child_lives_on(session):
    session.call(call, ("count",))
    result = session.call(call, ("crash",))
    assert not result.ok and result.feedback.code == "exception"
    assert result.feedback.values["line"] > 0 and "learner bug" in result.feedback.values["message"]
    assert session.call(call, ("count",)).value == 2  # same child, same module


def test_an_import_failure_fails_every_probe_the_same_way(tmp_path):
    path = tmp_path / "learner.py"
    path.write_text("import sys\nraise RuntimeError('broken at import')\n")
    with ProbeSession(path, limits=Limits(wall_time=3)) as session:
        results = [session.call(call, ("pid",)) for _ in range(2)]
    assert [r.feedback.code for r in results] == ["exception", "exception"]
    assert all("broken at import" in r.feedback.values["message"] for r in results)


def test_what_cannot_be_pickled_is_refused_so_the_caller_forks_instead(session, learner_file):
    with pytest.raises(NotSessionable):
        session.call(lambda module: module.count())
    assert run_probe(lambda module: module.count(), learner_file).value == 1


def test_closing_a_session_leaves_no_process_behind(learner_file):
    session = ProbeSession(learner_file, limits=Limits(wall_time=3))
    session.call(call, ("count",))
    keeper = session.keeper_pid
    session.close()
    sandbox.wait_for_reaped()
    assert not os.path.exists(f"/proc/{keeper}")


def test_empty_cgroups_a_killed_grader_left_are_swept_once(tmp_path, monkeypatch):
    """A grader killed outright (a cancelled grading kills the app's worker) leaves its sessions' empty cgroups."""
    stale, in_use, new = (tmp_path / name for name in ("stale", "in_use", "new"))
    for folder in (stale, in_use, new):
        folder.mkdir()
    (in_use / "cgroup.procs").write_text("1")  # rmdir fails on it, as on a cgroup that holds a process
    an_hour_ago = time.time() - 3600
    for folder in (stale, in_use):
        os.utime(folder, (an_hour_ago, an_hour_ago))
    monkeypatch.setattr(PidsCgroup, "_swept", False)
    PidsCgroup._sweep(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in_use", "new"]  # new: maybe about to be entered
    stale.mkdir()
    os.utime(stale, (an_hour_ago, an_hour_ago))
    PidsCgroup._sweep(tmp_path)
    assert stale.exists()  # once per process: a listing per grading would cost every grading


def test_a_module_that_hangs_while_loading_is_waited_for_once(tmp_path):
    path = tmp_path / "learner.py"
    path.write_text("while True:\n    pass\n")
    with ProbeSession(path, limits=Limits(wall_time=1)) as session:
        start = time.monotonic()
        results = [session.call(call, ("pid",)) for _ in range(3)]
        elapsed = time.monotonic() - start
    assert [r.feedback.code for r in results] == ["timeout"] * 3
    assert session.started == 1 and session.load_hangs
    assert elapsed < 1 + 1.5  # one time-out, not three


def test_a_probe_that_hangs_after_loading_does_not_condemn_the_next(session):
    assert session.call(call, ("spin",)).feedback.code == "timeout"
    assert not session.load_hangs
    assert session.call(call, ("count",)).ok


def burn_cpu_and_hide_it(module, seconds):
    """Learner-style cheating: spin, then claim no time passed."""
    import time as clock

    start = clock.process_time()
    while clock.process_time() - start < seconds:
        pass
    clock.process_time = lambda: 0.0
    return "done"


def test_a_probes_cpu_time_is_measured_from_outside_the_learners_process(session):
    session.call(call, ("count",))
    result = session.call(burn_cpu_and_hide_it, (0.5,))
    assert result.ok and result.cpu_seconds is not None
    assert 0.45 <= result.cpu_seconds < 3
    quiet = session.call(call, ("count",))
    assert quiet.cpu_seconds is not None and quiet.cpu_seconds < 0.3


def test_a_warm_grader_keeps_the_references_child_and_never_a_learners(course, grade_source):
    from dlquest.grader import plugin

    plugin.close_kept_references()
    solution = course.path(course.exercises["perceptron"].solution).read_text()
    assert grade_source("perceptron", solution).outcome == "passed"
    kept = list(plugin._KEPT_REFERENCES.values())
    assert len(kept) == 1 and kept[0].alive and kept[0].module_name == "reference"
    keeper = kept[0].keeper_pid
    children = set(Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split())
    assert str(keeper) in children
    # The same submission again: the reference answers from the same child; the learner's child is new and gone.
    assert grade_source("perceptron", solution).outcome == "passed"
    assert [s.keeper_pid for s in plugin._KEPT_REFERENCES.values()] == [keeper]
    sandbox.wait_for_reaped()
    after = set(Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split())
    assert after - children == set()  # no learner child outlived its grading
    plugin.close_kept_references()
    assert not kept[0].alive


def test_a_module_that_exits_while_loading_is_started_once(tmp_path):
    path = tmp_path / "learner.py"
    path.write_text("import os\nos._exit(3)\n")
    with ProbeSession(path, limits=Limits(wall_time=3)) as session:
        results = [session.call(call, ("pid",)) for _ in range(4)]
    assert [(r.feedback.code, r.feedback.values.get("status")) for r in results] == [("exited", 3)] * 4
    assert session.started == 1 and not session.load_hangs


# Every function right or wrong by a coin drawn from all three global generators, per call: a grading's pattern
# of passes (20 tests) shows the numbers the learner's code drew.
COINS = """

import random as _random
import numpy as _numpy
import torch as _torch


def _with_a_coin(function):
    def coined(*args, **kwargs):
        right = function(*args, **kwargs)
        coin = (_random.random() + _numpy.random.rand() + _torch.rand(()).item()) % 1.0
        return right if coin < 0.5 else right + 1
    return coined


for _name in ("sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "leaky_relu", "leaky_relu_grad"):
    globals()[_name] = _with_a_coin(globals()[_name])
"""


def test_learner_code_sees_the_same_global_random_numbers_in_every_grading(course, grade_source):
    """A probe starts from the grader's random state; the grader seeds it per test from the grading's seed, so
    the numbers do not depend on what the (warm) worker graded before."""
    import random

    import numpy

    solution = course.path(course.exercises["activations"].solution).read_text()
    source = solution + COINS
    patterns = []
    for seed in (1, 2, 3):  # three different histories of the worker's generators
        random.seed(seed)
        numpy.random.seed(seed)
        torch.manual_seed(seed)
        record = grade_source("activations", source)
        patterns.append([(t.test, t.outcome) for t in record.tests])
    outcomes = [outcome for _, outcome in patterns[0]]
    assert len(outcomes) == 20 and "failed" in outcomes and "passed" in outcomes  # the coins matter
    assert patterns[0] == patterns[1] == patterns[2]


KEPT_BEFORE_TORCH = """
import sys
from dlquest.course import load_course
from dlquest.grader.grade import grade

course = load_course()
for exercise, file in [("text_cleaning", "stub"), ("vocabulary", "stub"), ("text_cleaning", "solution")]:
    entry = course.exercises[exercise]
    print(exercise, file, grade(course, entry, course.path(getattr(entry, file)), devices=["cpu"]).outcome)
print("torch loaded:", "torch" in sys.modules)
"""


def test_a_reference_kept_from_before_torch_was_loaded_still_answers(run_python):
    # text_cleaning's grading needs no torch; vocabulary's loads it in the grader. The reference child kept from
    # the first grading has no torch and cannot load it under its memory limit: the random state sent to it must
    # not need torch to be read (it once failed with "libtorch_cpu.so: failed to map segment").
    done = run_python("-c", KEPT_BEFORE_TORCH, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:4] == ["text_cleaning stub failed", "vocabulary stub failed",
                                          "text_cleaning solution passed", "torch loaded: True"], done.stdout


# --- what a grader already knows: a module that hung while loading, a request answered before ------------------
@pytest.fixture
def no_hung_loads(monkeypatch):
    from dlquest.grader.sandbox import children

    monkeypatch.setattr(children, "_HUNG_LOADS", {})
    return children


def test_a_copy_of_a_module_that_hung_while_loading_with_the_cpu_is_not_waited_for_again(tmp_path, no_hung_loads):
    # A second student's copy of a module that computed through a whole time limit without loading: the same
    # bytes under the same limits would do it again, so it is judged a time-out without a second full wait.
    first, copy = tmp_path / "a" / "learner.py", tmp_path / "b" / "learner.py"
    for path in (first, copy):
        path.parent.mkdir()
        path.write_text("spins = 0\nwhile True:\n    spins += 1\n")
    with ProbeSession(first, limits=Limits(wall_time=1)) as session:
        hung = session.call(call, ("pid",))
    assert hung.feedback.code == "timeout" and session.started == 1
    had_the_cpu = hung.cpu_seconds is not None and hung.cpu_seconds >= no_hung_loads.HUNG_CPU * 1
    with ProbeSession(copy, limits=Limits(wall_time=1)) as again:
        results = [again.call(call, ("pid",)) for _ in range(2)]
    assert [r.feedback.code for r in results] == ["timeout"] * 2
    assert results[0].feedback.values == hung.feedback.values  # the very verdict the first copy got
    # Remembered only when it was computing all along (on a machine too busy to give it a core, it waits again).
    assert again.started == (0 if had_the_cpu else 1)
    # Other limits, other bytes: nothing is known about them yet.
    with ProbeSession(first, limits=Limits(wall_time=0.5)) as other_limits:
        assert other_limits.call(call, ("pid",)).feedback.code == "timeout"
    assert other_limits.started == 1


def test_a_load_that_ran_out_asleep_is_waited_for_again(tmp_path, no_hung_loads):
    # No CPU spent: it might have been waiting for something that comes next time. Each copy gets its full time.
    path = tmp_path / "learner.py"
    path.write_text("import time\ntime.sleep(60)\n")
    for _ in range(2):
        with ProbeSession(path, limits=Limits(wall_time=1)) as session:
            assert session.call(call, ("pid",)).feedback.code == "timeout"
        assert session.started == 1
    assert no_hung_loads._HUNG_LOADS == {}


SLOW_BUT_HONEST = """
import time

start = time.process_time()
while time.process_time() - start < 0.6:  # a slow but finite set-up, as honest code may have
    pass

def work(seconds):
    begin = time.process_time()
    while time.process_time() - begin < seconds:
        pass
    return "done"
"""


def test_a_slow_but_honest_module_that_uses_its_cpu_still_passes(tmp_path, no_hung_loads):
    path = tmp_path / "learner.py"
    path.write_text(SLOW_BUT_HONEST)
    for _ in range(2):
        with ProbeSession(path, limits=Limits(wall_time=2.5)) as session:
            assert [session.call(call, ("work", 0.7)).value for _ in range(2)] == ["done", "done"]
        assert session.started == 1
    assert no_hung_loads._HUNG_LOADS == {}


COUNTER = """
calls = 0

def count(*tag):
    global calls
    calls += 1
    return calls
"""


def test_a_remembering_session_answers_a_request_it_has_answered_before_from_memory(tmp_path):
    path = tmp_path / "reference.py"
    path.write_text(COUNTER)
    with ProbeSession(path, limits=Limits(wall_time=3), module_name="reference", remember=True) as reference:
        answers = [reference.call(call, ("count", tag)).value for tag in ("a", "a", "b", "a")]
        # The same request under other random state is another request.
        torch.manual_seed(1)
        reseeded = reference.call(call, ("count", "a")).value
    assert answers == [1, 1, 2, 1] and reseeded == 3
    # A learner's session never does: every probe runs.
    with ProbeSession(path, limits=Limits(wall_time=3)) as learner:
        assert [learner.call(call, ("count", "a")).value for _ in range(3)] == [1, 2, 3]


def test_a_requests_key_counts_a_tensor_by_its_values_not_its_address():
    from dlquest.grader.sandbox.children import request_key

    def key(*args):
        return request_key(call, args, {}, {"grad": True})

    assert key(torch.ones(3), "x") == key(torch.ones(3), "x")
    assert key(torch.ones(3)) != key(torch.ones(3, dtype=torch.float64))
    assert key(torch.ones(3)) != key(torch.ones(3).requires_grad_())
    assert key(torch.zeros(2, 3)) != key(torch.zeros(3, 2)) != key(torch.zeros(6))
    assert key(torch.ones(3)) != key(torch.tensor([1.0, 1.0, 2.0]))


def test_the_kept_reference_remembers_and_the_learner_never(course, grade_source):
    from dlquest.grader import plugin

    plugin.close_kept_references()
    solution = course.path(course.exercises["perceptron"].solution).read_text()
    wrong = solution.replace("self.bias += step", "pass")
    records = [grade_source("perceptron", source) for source in (wrong, solution, wrong)]
    assert [r.outcome for r in records] == ["failed", "passed", "failed"]
    # Answered from memory or not, the reference's answers are the same: so is every verdict and its feedback.
    assert [(t.test, t.outcome, t.feedback) for t in records[0].tests] == \
        [(t.test, t.outcome, t.feedback) for t in records[2].tests]
    kept = list(plugin._KEPT_REFERENCES.values())
    assert len(kept) == 1 and kept[0].spec.remember
    plugin.close_kept_references()
