"""Where a class's gradings run: a `concurrent.futures.Executor` (a local pool of warm worker processes, or a
Dask cluster's executor), and handing it the tasks so that a dead worker costs no student anything.

A worker that dies (the kernel's OOM killer, `kill -9`) breaks a local pool and fails every task in it: the
pool is rebuilt, the tasks that were waiting go back in the queue, and those that were being graded at that
moment are graded again one at a time, so that a second death is that task's own: it is then recorded as
"not gradable" with the reason. On Dask, which retries a task whose worker died, a `KilledWorker` is recorded
the same way.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import Executor


class NoCluster(Exception):
    """`--scheduler` without Dask's distributed installed."""


# --- where the work runs -------------------------------------------------------------------------------------
def make_executor(workers: int, scheduler: str | None = None, device: str = "auto") -> Executor:
    """A local pool of warm worker processes, or — given a scheduler address — a Dask cluster's executor.

    Either way the same `grade_student` runs per student; nothing else differs. Dask's nanny workers are
    daemonic, which is why the grader forks its children with os.fork and never uses multiprocessing.
    """
    if scheduler:
        try:
            from distributed import Client
        except ImportError:
            raise NoCluster("grading on a Dask cluster (--scheduler) needs Dask's distributed, which is not "
                            "installed here: pip install \"dlquest[cluster]\"") from None

        client = Client(scheduler, timeout="10s")
        # GPU gradings go to workers started with `--resources GPU=1`.
        return client.get_executor(resources={"GPU": 1}) if device == "cuda" else client.get_executor()
    import concurrent.futures
    import multiprocessing

    # spawn, not fork: the pool's parent runs threads (the progress bar, the executor's own).
    return concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                                  initializer=start_pool_worker)


# --- handing out the work, surviving dead workers ---------------------------------------------------------------
@dataclass(frozen=True, eq=False)  # each task is itself: its args (a student's files) are no key
class Task:
    """One call into a worker, `fn(*args)`, known by `key` (a student and an exercise)."""

    key: tuple[str, str]
    fn: Callable[..., Any]
    args: tuple[Any, ...]


def run_tasks(tasks: list[Task], executor: Executor, rebuild: Callable[[int], Executor] | None, workers: int,
              on_result: Callable[[Task, Any], None], on_lost: Callable[[Task, str], None]) -> None:
    """Run every task; each ends in exactly one call of `on_result(task, value)` or `on_lost(task, reason)`.

    `rebuild(n)` makes a fresh local pool of n workers (None on Dask, whose pools do not break). A task that
    raises (a Dask KilledWorker, say) is lost at once. When a worker dies, the pool breaks and fails all its
    tasks: those that had not started are run again as they were; those that were running are suspects, run
    again alone at the end, and lost only if their worker dies again (kill -9 from outside, or the OOM killer
    choosing a worker beside them, costs no student anything). Ctrl-C cancels what has not started.
    """
    marks = Path(tempfile.mkdtemp(prefix="dlquest-running-")) if rebuild is not None else None
    names = {task: str(n) for n, task in enumerate(tasks)}
    queue, suspects, idle_breaks = list(tasks), list[Task](), 0
    current: Executor | None = executor
    try:
        while queue:
            if current is None:
                assert rebuild is not None
                current = rebuild(workers)
            lost, died, progressed = _run_round(current, queue, names, marks, on_result, on_lost)
            current.shutdown(wait=True)
            current = None
            queue = []
            if not lost:
                break
            running = {task for task in lost if marks is not None and (marks / names[task]).exists()}
            for task in lost:
                if marks is not None:
                    (marks / names[task]).unlink(missing_ok=True)
                (suspects if task in running else queue).append(task)
            idle_breaks = 0 if progressed or running else idle_breaks + 1
            if rebuild is None or idle_breaks >= 2:  # the pool cannot even start: nothing will change that
                for task in queue + suspects:
                    on_lost(task, f"the grading pool cannot start workers ({died})")
                return
        for task in suspects:  # alone now: if its worker dies again, that is this task's doing
            assert rebuild is not None
            current = current or rebuild(1)
            lost, died, _ = _run_round(current, [task], names, marks, on_result, on_lost)
            if lost:
                current.shutdown(wait=True)
                current = None
                on_lost(task, f"its grading worker died while grading it, twice ({died}); the submission may "
                              "use more memory than the machine has")
    except KeyboardInterrupt:
        if current is not None:
            current.shutdown(wait=False, cancel_futures=True)
            current = None
        raise
    finally:
        if current is not None:
            current.shutdown(wait=True)
        if marks is not None:
            shutil.rmtree(marks, ignore_errors=True)


def _run_round(executor: Executor, tasks: list[Task], names: dict[Task, str], marks: Path | None,
               on_result: Callable[[Task, Any], None],
               on_lost: Callable[[Task, str], None]) -> tuple[list[Task], str, bool]:
    """Submit `tasks` and wait for all. Returns the tasks a broken pool lost, how its workers ended, and
    whether any task finished."""
    import concurrent.futures
    from concurrent.futures.process import BrokenProcessPool

    futures = {executor.submit(_marked, str(marks) if marks else None, names[task], task.fn, task.args): task
               for task in tasks}
    # A local pool's worker processes, to read how they ended once it is broken: it forgets them then, and a
    # worker started after the first submissions is seen only later, so look now and whenever a future is back.
    workers: dict[int, Any] = dict(getattr(executor, "_processes", None) or {})
    lost, progressed = [], False
    for future in concurrent.futures.as_completed(futures):
        task = futures[future]
        workers.update(getattr(executor, "_processes", None) or {})
        try:
            value = future.result()
        except BrokenProcessPool:
            lost.append(task)
            continue
        except Exception as err:  # noqa: BLE001 - a Dask KilledWorker, an error in the grader: this task's record
            progressed = True
            name = type(err).__name__
            reason = ("its grading worker died while grading it, each time Dask tried (KilledWorker); the "
                      "submission may use more memory than a worker has" if name == "KilledWorker"
                      else f"the grading worker failed: {name}: {err}")
            on_lost(task, reason)
            continue
        progressed = True
        on_result(task, value)
    return lost, _how_workers_ended(list(workers.values())) if lost else "", progressed


def _how_workers_ended(workers: list[Any]) -> str:
    """What ended a broken local pool's workers, from their exit codes (a signal 9 is kill -9 or the OOM killer)."""
    import signal
    import time

    ends = set()
    deadline = time.monotonic() + 5
    for process in workers:
        # A broken pool's worker may not be reaped yet (a SIGABRT writes a core first): its exit code reads None
        # until it is, and join() can return at once when the pool has already closed the process's sentinel.
        code = getattr(process, "exitcode", None)
        while code is None and time.monotonic() < deadline and getattr(process, "pid", None) is not None:
            time.sleep(0.02)
            code = getattr(process, "exitcode", None)
        if code is not None and code < 0 and -code != signal.SIGTERM:  # SIGTERM: the pool ending the others
            ends.add(f"killed by signal {-code} ({signal.Signals(-code).name})" if -code in signal.valid_signals()
                     else f"killed by signal {-code}")
        elif code:
            ends.add(f"exit status {code}")
    return ", ".join(sorted(ends)) or "a worker ended abruptly"


def _marked(marks: str | None, name: str, fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    """`fn(*args)` in a worker, with a file in `marks` while it runs: one left behind by a broken pool says
    that this task was running when its pool broke (a killed worker runs no `finally`)."""
    if marks is None:
        return fn(*args)
    mark = Path(marks) / name
    mark.touch()
    try:
        return fn(*args)
    finally:
        mark.unlink(missing_ok=True)


# --- the local pool's workers ---------------------------------------------------------------------------
def start_pool_worker() -> None:
    """The local pool's initializer: end with the coordinator, skip torch's teardown at exit, then warm up.

    A worker whose coordinator was killed outright (`kill`, a lost SSH session) would otherwise wait for work
    forever and keep its children; with a parent-death signal it goes, and its sandboxed children with it.

    Interpreter shutdown with torch loaded takes ~0.6 s, and the pool's parent waits for its workers to exit
    before it writes the reports: at exit a worker ends its children itself and leaves without the teardown.
    (Not on Dask: its worker processes are Dask's, with their own way of ending.)
    """
    import multiprocessing

    from dlquest.grader.process_exit import die_with_parent

    die_with_parent()
    coordinator = multiprocessing.parent_process()
    if coordinator is not None and os.getppid() != coordinator.pid:
        os._exit(0)  # the coordinator was gone before the signal was armed
    from dlquest.grader.warmup import warm_up_grading_process

    warm_up_grading_process()
    atexit.register(_end_pool_worker)  # registered last, so it runs first and the grader's own handlers never


def _end_pool_worker() -> None:
    from dlquest.grader import plugin, sandbox
    from dlquest.grader.process_exit import exit_without_teardown

    plugin.close_kept_references()
    sandbox.wait_for_reaped()
    exit_without_teardown()
