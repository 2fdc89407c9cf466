"""Timing figures, printed and never asserted: command to verdict of `dlquest check conv2d` (a fresh process,
on the solution) with the grading daemon warm (median of RUNS; goal <= 0.4 s), with --no-daemon, and a plain
one-test `pytest` run of a trivial test that imports torch, in the same run, with their ratios.

Run with `make bench` (or .venv/bin/python benchmarks/bench_daemon.py [RUNS]).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dlquest.course import BUNDLED_COURSE

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
DLQUEST = [sys.executable, "-m", "dlquest"]


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        output = done.stdout.decode() + done.stderr.decode()
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{output}")
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        runtime = root / "rt"
        runtime.mkdir(mode=0o700)
        env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime), DLQUEST_NO_DAEMON="")
        workspace = root / "ws"
        subprocess.run([*DLQUEST, "init", str(workspace)], check=True, capture_output=True, env=env)
        target = next(workspace.rglob("conv2d.py"))
        shutil.copy(BUNDLED_COURSE / "solutions" / "conv2d.py", target)
        (root / "test_one.py").write_text("import torch\n\ndef test_add():\n    assert torch.ones(2).sum() == 2\n")
        try:
            timed([*DLQUEST, "daemon", "start"], workspace, env)
            timed([*DLQUEST, "check", "conv2d"], workspace, env)  # the first grading warms the daemon's caches
            warm, cold, plain = [], [], []
            for _ in range(RUNS):
                warm.append(timed([*DLQUEST, "check", "conv2d"], workspace, env))
                cold.append(timed([*DLQUEST, "check", "conv2d", "--no-daemon"], workspace, env))
                plain.append(timed([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                    str(root / "test_one.py")], root, env))
        finally:
            subprocess.run([*DLQUEST, "daemon", "stop"], cwd=workspace, capture_output=True, env=env)
    w, c, p = (statistics.median(x) for x in (warm, cold, plain))
    print(f"dlquest check conv2d, command to verdict, median of {RUNS} (noisy on a shared machine):")
    print(f"  daemon warm   {w:6.3f} s   (goal <= 0.4 s)")
    print(f"  --no-daemon   {c:6.3f} s   warm/cold = {w / c:.2f}")
    print(f"  plain pytest  {p:6.3f} s   warm/pytest = {w / p:.2f}   (one test importing torch)")


if __name__ == "__main__":
    main()
