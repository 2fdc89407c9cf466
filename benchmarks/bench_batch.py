"""Batch-grading throughput and save-to-verdict latency, printed and never asserted.

    python benchmarks/bench_batch.py [--submissions 100] [--baseline 10]

Builds synthetic submissions for the bundled perceptron and conv2d exercises (70% correct, 20% wrong,
5% crashing, 5% hanging; a 2 s time limit per call) and prints:
- submissions per minute with 1 and with 2 local workers (`dlquest grade`), and their ratio;
- the same for a baseline that starts one fresh Python + pytest process per submission, as similar tools
  do (measured on --baseline submissions of the same mix, extrapolated as a rate);
- save-to-verdict for conv2d: warm (a GradingClient whose worker has torch loaded) vs cold (`dlquest check`).
"""

from __future__ import annotations

import argparse
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


def build(folder: Path, count: int) -> None:
    for n in range(count):
        share = n / count
        for exercise in ("perceptron", "conv2d"):
            source = (SOLUTIONS[exercise] if share < 0.70 else WRONG[exercise] if share < 0.90
                      else CRASHES if share < 0.95 else HANGS)
            path = folder / f"student{n:03d}" / "exercises" / f"{exercise}.py"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(source)


def grade_rate(folder: Path, workers: int, out: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "dlquest", "grade", str(folder), "--out", str(out), "--workers",
                    str(workers), "--timeout", "2", "--force", "--exercises", "perceptron,conv2d"],
                   check=True, capture_output=True)
    seconds = time.perf_counter() - start
    return len(list(folder.iterdir())) / seconds * 60


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


def baseline_rate(folder: Path, count: int) -> float:
    students = sorted(folder.iterdir())
    step = max(1, len(students) // count)
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--baseline", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        build(folder, args.submissions)
        one = grade_rate(folder, 1, Path(tmp) / "out1")
        print(f"1 worker : {one:6.1f} submissions/min ({args.submissions} submissions)", flush=True)
        two = grade_rate(folder, 2, Path(tmp) / "out2")
        print(f"2 workers: {two:6.1f} submissions/min  ({two / one:.2f}x one worker)", flush=True)
        base = baseline_rate(folder, args.baseline)
        print(f"baseline (fresh process per submission, {args.baseline} submissions): {base:6.1f} submissions/min"
              f"  -> 2 workers are {two / base:.1f}x the baseline", flush=True)
    warm, cold = save_to_verdict()
    print(f"conv2d save-to-verdict: warm {warm:.2f} s median, cold (dlquest check) {cold:.2f} s median")


if __name__ == "__main__":
    main()
