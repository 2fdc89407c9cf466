"""A batch survives a dead worker: a broken local pool is rebuilt, the tasks it lost run again (those that were
running, alone), and only a task whose worker dies again is lost, with the reason. Real spawned pools; the
tasks are builtins (`os.abort` kills its worker) so that workers need import nothing of the tests."""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

from dlquest.grader.executors import Task, run_tasks

pytestmark = pytest.mark.grading  # every test starts pools of worker processes


def pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def run(tasks: list[Task], workers: int = 2) -> tuple[list, list]:
    results, lost = [], []
    run_tasks(tasks, pool(workers), pool, workers, lambda task, value: results.append((task.key, value)),
              lambda task, reason: lost.append((task.key, reason)))
    return results, lost


def test_a_task_that_kills_its_worker_is_lost_alone_and_every_other_task_is_done_once():
    tasks = [Task(("ana", f"pow{n}"), pow, (2, n)) for n in range(6)]
    tasks += [Task(("ben", f"slow{n}"), time.sleep, (0.3,)) for n in range(4)]  # in flight when the pool breaks
    tasks.insert(5, Task(("cai", "abort"), os.abort, ()))
    started = time.monotonic()
    results, lost = run(tasks)
    assert sorted(results) == sorted([(("ana", f"pow{n}"), 2 ** n) for n in range(6)]
                                     + [(("ben", f"slow{n}"), None) for n in range(4)])
    assert [key for key, _ in lost] == [("cai", "abort")]
    reason = lost[0][1]
    assert "died while grading it, twice" in reason and "SIGABRT" in reason, reason
    assert time.monotonic() - started < 120


def test_a_pool_that_breaks_with_nothing_running_loses_nothing():
    """The pool's queue holds tasks that never started: they go back in the queue, not among the suspects."""
    tasks = [Task(("s", "abort"), os.abort, ())] + [Task(("s", f"t{n}"), abs, (-n,)) for n in range(20)]
    results, lost = run(tasks, workers=1)
    assert sorted(results) == sorted((("s", f"t{n}"), n) for n in range(20))
    assert [key for key, _ in lost] == [("s", "abort")]


def test_an_error_in_a_task_is_its_record_and_breaks_nothing():
    results, lost = run([Task(("s", "bad"), int, ("not a number",)), Task(("s", "good"), int, ("7",))])
    assert results == [(("s", "good"), 7)]
    assert lost == [(("s", "bad"), "the grading worker failed: ValueError: invalid literal for int() with base 10: "
                                   "'not a number'")]
