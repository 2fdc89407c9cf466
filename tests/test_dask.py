"""The same batch graded on a real Dask cluster (a scheduler and two worker processes on loopback) gives
exactly the local results."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from dlquest.course import BUNDLED_COURSE

# Every test here grades on a Dask cluster.
pytestmark = [pytest.mark.grading, pytest.mark.slow]


distributed = pytest.importorskip("distributed")

SOLUTION = (BUNDLED_COURSE / "solutions" / "perceptron.py").read_text()
WRONG = SOLUTION.replace("self.bias += step", "pass")
CRASHES = "import os\nos._exit(3)\n"


def comparable(results_json: str) -> dict:
    """Everything but timings and timestamps."""
    data = json.loads(results_json)
    return {student: [(r["exercise"], r["outcome"], r["source_sha256"],
                       [(t["test"], t["outcome"], t["feedback"]) for t in r["tests"]]) for r in records]
            for student, records in data.items()}


def test_a_dask_cluster_grades_exactly_like_the_local_pool(tmp_path):
    folder = tmp_path / "submissions"
    for student, source in {"ana": SOLUTION, "ben": WRONG, "cai": CRASHES, "dan": SOLUTION}.items():
        (folder / student / "exercises").mkdir(parents=True)
        (folder / student / "exercises" / "perceptron.py").write_text(source)
    common = ["grade", str(folder), "--exercises", "perceptron", "--seed", "1234"]
    local = subprocess.run([sys.executable, "-m", "dlquest", *common, "--out", str(tmp_path / "local")],
                           capture_output=True, text=True, timeout=600)
    assert local.returncode == 0, local.stderr

    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
    try:
        with distributed.Client(cluster) as client:
            assert len(client.scheduler_info()["workers"]) == 2
        remote = subprocess.run([sys.executable, "-m", "dlquest", *common, "--out", str(tmp_path / "dask"),
                                 "--scheduler", cluster.scheduler_address],
                                capture_output=True, text=True, timeout=600)
    finally:
        cluster.close()
    assert remote.returncode == 0, remote.stderr
    assert "Dask cluster" in remote.stderr
    assert comparable((tmp_path / "dask" / "results.json").read_text()) == \
        comparable((tmp_path / "local" / "results.json").read_text())
    assert (tmp_path / "dask" / "gradebook.csv").read_text() == (tmp_path / "local" / "gradebook.csv").read_text()
    shutil.rmtree(tmp_path / "dask")


def test_an_unreachable_scheduler_is_a_clear_usage_error(tmp_path):
    (tmp_path / "subs" / "ana").mkdir(parents=True)
    result = subprocess.run([sys.executable, "-m", "dlquest", "grade", str(tmp_path / "subs"), "--out",
                             str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "cannot reach the Dask scheduler" in result.stderr and "Traceback" not in result.stderr


def test_a_killed_worker_on_dask_is_one_record_and_every_other_task_is_done():
    """A task that kills its worker each time Dask tries it ends as Dask's KilledWorker: that task's record, with
    the reason; Dask retries the tasks of the dead worker itself, so nothing else is lost."""
    import os

    import dask

    from dlquest.grader.executors import Task, run_tasks

    # One task at a time per worker; Dask's own retries (three) make an innocent task beside the culprit at each
    # of its four deaths all but impossible.
    with dask.config.set({"distributed.scheduler.allowed-failures": 3,
                          "distributed.scheduler.worker-saturation": 1.0}):
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                           dashboard_address=None)
        try:
            with distributed.Client(cluster) as client:
                tasks = [Task(("cai", "abort"), os.abort, ())] + [Task(("ana", f"t{n}"), abs, (-n,)) for n in range(8)]
                results, lost = [], []
                run_tasks(tasks, client.get_executor(), None, 2, lambda task, value: results.append((task.key, value)),
                          lambda task, reason: lost.append((task.key, reason)))
        finally:
            cluster.close()
    assert sorted(results) == [(("ana", f"t{n}"), n) for n in range(8)]
    assert [key for key, _ in lost] == [("cai", "abort")]
    assert "KilledWorker" in lost[0][1] and "died while grading it" in lost[0][1]
