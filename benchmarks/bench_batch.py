"""Batch-grading throughput and save-to-verdict latency, printed and never asserted.

    python benchmarks/bench_batch.py [--submissions 100] [--baseline 10]

Builds synthetic submissions for the bundled perceptron and conv2d exercises (70% correct, 20% wrong,
5% crashing, 5% hanging, spread over the class by a fixed shuffle as a real class's would be; a 2 s time limit
per call) and prints:
- submissions per minute with 1 and with 2 local workers (`dlquest grade`), and their ratio, for --rounds rounds
  run alternately (1, 2, 1, 2, ...: this VM's speed drifts by ±10% over minutes, which a single pair can catch
  on either side), with the cores the machine kept busy during each run (from /proc/stat); every rate counts
  the whole command, pool start-up included;
- the same class graded on a loopback Dask cluster of 2 single-thread workers (`--scheduler`), in the same
  rounds, and its ratio to the local pool of 2 (the cluster is started once, as a real one is up before a
  run: its workers warm up on their first tasks of round 1); `--no-dask` leaves it out;
- the same for a baseline that starts one fresh Python + pytest process per submission, as similar tools
  do (measured on --baseline submissions of the same mix, extrapolated as a rate);
- save-to-verdict for conv2d: warm (a GradingClient whose worker has torch loaded) vs cold (`dlquest check`).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dlquest.course import BUNDLED_COURSE

SOLUTIONS = {name: (BUNDLED_COURSE / "solutions" / f"{name}.py").read_text() for name in ("perceptron", "conv2d")}
WRONG = {
    "perceptron": SOLUTIONS["perceptron"].replace("self.bias += step", "pass"),
    "conv2d": SOLUTIONS["conv2d"].replace("out = out + bias", "out = out + 2 * bias"),
}
CRASHES = "import os\nos._exit(3)\n"
HANGS = "while True:\n    pass\n"


def build(folder: Path, count: int) -> list[Path]:
    """Write the class; returns the students ordered by kind (correct, wrong, crashing, hanging)."""
    shares = [n / count for n in range(count)]
    random.Random(0).shuffle(shares)
    for n, share in enumerate(shares):
        for exercise in ("perceptron", "conv2d"):
            source = (SOLUTIONS[exercise] if share < 0.70 else WRONG[exercise] if share < 0.90
                      else CRASHES if share < 0.95 else HANGS)
            path = folder / f"student{n:03d}" / "exercises" / f"{exercise}.py"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(source)
    return [folder / f"student{n:03d}" for _, n in sorted((share, n) for n, share in enumerate(shares))]


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent not idle since boot (Linux), 0 elsewhere."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0.0
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def grade_rate(folder: Path, workers: int, out: Path, scheduler: str | None = None) -> tuple[float, float]:
    """Submissions per minute, and the cores the machine kept busy meanwhile."""
    start, busy = time.perf_counter(), busy_cpu_seconds()
    where = ["--scheduler", scheduler] if scheduler else []
    subprocess.run([sys.executable, "-m", "dlquest", "grade", str(folder), "--out", str(out), "--workers",
                    str(workers), "--timeout", "2", "--force", "--exercises", "perceptron,conv2d", *where],
                   check=True, capture_output=True)
    seconds = time.perf_counter() - start
    return len(list(folder.iterdir())) / seconds * 60, (busy_cpu_seconds() - busy) / seconds


BASELINE = """
import sys
from pathlib import Path
from dlquest.course import load_course
from dlquest.grader.grade import grade
from dlquest.grader.sandbox import Limits
course = load_course()
for exercise in ("perceptron", "conv2d"):
    grade(course, course.exercises[exercise], Path(sys.argv[1]) / "exercises" / f"{exercise}.py",
          limits=Limits(wall_time=2))
"""


def baseline_rate(students: list[Path], count: int) -> float:
    step = max(1, len(students) // count)  # every step-th by kind: the same mix as the class
    chosen = students[::step][:count]
    start = time.perf_counter()
    for student in chosen:
        subprocess.run([sys.executable, "-c", BASELINE, str(student)], check=True, capture_output=True)
    return len(chosen) / (time.perf_counter() - start) * 60


def save_to_verdict() -> tuple[float, float]:
    from dlquest.course import load_course
    from dlquest.grader.worker import GradingClient

    course = load_course()
    solution = BUNDLED_COURSE / "solutions" / "conv2d.py"
    client = GradingClient()
    client.start()
    client.grade(course.root, "conv2d", solution)
    warm = []
    for _ in range(5):
        start = time.perf_counter()
        client.grade(course.root, "conv2d", solution)
        warm.append(time.perf_counter() - start)
    client.close()
    cold = []
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, "-m", "dlquest", "init", folder], check=True, capture_output=True)
        (Path(folder) / "exercises" / "conv2d.py").write_text(SOLUTIONS["conv2d"])
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "dlquest", "check", "conv2d"], cwd=folder, capture_output=True)
            cold.append(time.perf_counter() - start)
    return statistics.median(warm), statistics.median(cold)


def loopback_cluster():
    """A Dask cluster on 127.0.0.1 with 2 worker processes of one thread each (needs dlquest[cluster])."""
    from distributed import LocalCluster

    return LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                        dashboard_address=None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--baseline", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-dask", action="store_true", help="leave the loopback Dask cluster out")
    args = parser.parse_args()
    cluster = None if args.no_dask else loopback_cluster()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        students = build(folder, args.submissions)
        ones, twos, dasks = [], [], []
        for round_ in range(1, args.rounds + 1):
            one, cores = grade_rate(folder, 1, Path(tmp) / "out1")
            print(f"round {round_}, 1 worker : {one:6.1f} submissions/min ({args.submissions} submissions, "
                  f"{cores:.2f} cores busy)", flush=True)
            two, cores = grade_rate(folder, 2, Path(tmp) / "out2")
            print(f"round {round_}, 2 workers: {two:6.1f} submissions/min ({two / one:.2f}x this round's one "
                  f"worker, {cores:.2f} cores busy)", flush=True)
            ones.append(one)
            twos.append(two)
            if cluster is not None:
                on_dask, cores = grade_rate(folder, 2, Path(tmp) / "out-dask", cluster.scheduler_address)
                print(f"round {round_}, Dask (2 workers, 1 thread each, loopback): {on_dask:6.1f} submissions/min "
                      f"({on_dask / two:.2f}x this round's local pool of 2, {cores:.2f} cores busy)", flush=True)
                dasks.append(on_dask)
        one, two = statistics.median(ones), statistics.median(twos)
        print(f"median over {args.rounds} rounds: 1 worker {one:.1f}/min, 2 workers {two:.1f}/min "
              f"-> {two / one:.2f}x", flush=True)
        if dasks:
            on_dask = statistics.median(dasks)
            print(f"median on Dask: {on_dask:.1f}/min -> {on_dask / two:.2f}x the local pool of 2", flush=True)
        base = baseline_rate(students, args.baseline)
        print(f"baseline (fresh process per submission, {args.baseline} submissions): {base:6.1f} submissions/min"
              f"  -> 2 workers are {two / base:.1f}x the baseline", flush=True)
    if cluster is not None:
        cluster.close()
    warm, cold = save_to_verdict()
    print(f"conv2d save-to-verdict: warm {warm:.2f} s median, cold (dlquest check) {cold:.2f} s median")


if __name__ == "__main__":
    main()
