"""Timing figures, printed and never asserted.

- command to verdict: `dlquest check conv2d` (a fresh process, as a learner runs it), on the solution and the stub
- one sandboxed probe: in a child of its own (fork, contain, run, read back), and in a session (one child
  per grading, as checks run probes)

Run with `make bench`.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dlquest.course import BUNDLED_COURSE

RUNS = 5


def timed(command: list[str], cwd: Path) -> tuple[float, int]:
    start = time.perf_counter()
    code = subprocess.run(command, cwd=cwd, capture_output=True).returncode
    return time.perf_counter() - start, code


def command_to_verdict() -> None:
    with tempfile.TemporaryDirectory() as folder:
        ws = Path(folder) / "ws"
        subprocess.run([sys.executable, "-m", "dlquest", "init", str(ws)], check=True, capture_output=True)
        for label, source in (("stub", None), ("solution", BUNDLED_COURSE / "solutions" / "conv2d.py")):
            if source:
                shutil.copy(source, ws / "exercises" / "conv2d.py")
            times = []
            for _ in range(RUNS):
                seconds, code = timed([sys.executable, "-m", "dlquest", "check", "conv2d"], ws)
                times.append(seconds)
            print(f"dlquest check conv2d ({label}, exit {code}): median {statistics.median(times):.2f} s, "
                  f"min {min(times):.2f} s, max {max(times):.2f} s over {RUNS} runs")


def one_probe() -> None:
    import torch

    from dlquest.grader.sandbox import ProbeSession, run_probe

    solution = BUNDLED_COURSE / "solutions" / "conv2d.py"
    x, w = torch.randn(2, 3, 7, 7), torch.randn(4, 3, 3, 3)

    def probe(module):
        return module.conv2d(x, w)

    run_probe(probe, solution)
    times = []
    for _ in range(30):
        start = time.perf_counter()
        assert run_probe(probe, solution).ok
        times.append(time.perf_counter() - start)
    print(f"one sandboxed conv2d probe, a child of its own (run_probe): median "
          f"{statistics.median(times) * 1000:.0f} ms, min {min(times) * 1000:.0f} ms over {len(times)} runs")
    with ProbeSession(solution) as session:
        session.call(conv2d_probe, (x, w))
        times = []
        for _ in range(30):
            start = time.perf_counter()
            assert session.call(conv2d_probe, (x, w)).ok
            times.append(time.perf_counter() - start)
    print(f"one sandboxed conv2d probe in a session (as checks run them): median "
          f"{statistics.median(times) * 1000:.1f} ms, min {min(times) * 1000:.1f} ms over {len(times)} runs")


def conv2d_probe(module, x, w):
    return module.conv2d(x, w)


if __name__ == "__main__":
    one_probe()
    command_to_verdict()
