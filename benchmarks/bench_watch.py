"""Timing figures, printed and never asserted: save-to-verdict in `dlquest watch conv2d`.

A save is a file write (stub and solution in turn, so that each is new content); its verdict is the check's
summary line appearing on watch's output. Measured through the warm daemon and with --no-daemon (graded in
watch's own process, torch imported once there). The figure includes the save detector's settle time.

Run with `make bench`, or `python benchmarks/bench_watch.py [--no-daemon-only] [SAVES]`.
"""

from __future__ import annotations

import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from dlquest.course import BUNDLED_COURSE

SAVES = 5
TIMEOUT = 300.0


def is_verdict(line: str) -> bool:
    return ("passed. Well done" in line or line.startswith("The test failed") or " tests failed." in line
            or line.startswith("All ") and "passed" in line)


def save_to_verdict(options: list[str], saves: int) -> list[float]:
    with tempfile.TemporaryDirectory() as folder:
        ws = Path(folder) / "ws"
        subprocess.run([sys.executable, "-m", "dlquest", "init", str(ws)], check=True, capture_output=True)
        target = ws / "exercises" / "conv2d.py"
        versions = [BUNDLED_COURSE / "solutions" / "conv2d.py", BUNDLED_COURSE / "exercises" / "conv2d.py"]
        process = subprocess.Popen([sys.executable, "-m", "dlquest", "watch", "conv2d", "--lang", "en", *options],
                                   cwd=ws, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True)
        verdicts: queue.SimpleQueue[float] = queue.SimpleQueue()

        def read() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                if is_verdict(line):
                    verdicts.put(time.perf_counter())

        threading.Thread(target=read, daemon=True).start()
        try:
            verdicts.get(timeout=TIMEOUT)  # the grading at start (the stub)
            times = []
            for n in range(saves):
                time.sleep(0.5)  # past the detector's settle time, as a learner between saves
                written = time.perf_counter()
                shutil.copy(versions[n % 2], target)
                times.append(verdicts.get(timeout=TIMEOUT) - written)
            return times
        finally:
            assert process.stdin is not None
            process.stdin.close()  # the end of its input: watch ends
            process.wait(30)


def main() -> None:
    args = sys.argv[1:]
    saves = int(args[-1]) if args and args[-1].isdigit() else SAVES
    modes = [("--no-daemon", ["--no-daemon"])] + ([] if "--no-daemon-only" in args else [("daemon", [])])
    for label, options in modes:
        times = save_to_verdict(options, saves)
        print(f"dlquest watch conv2d save-to-verdict ({label}): median {statistics.median(times):.2f} s, "
              f"min {min(times):.2f} s, max {max(times):.2f} s over {saves} saves")


if __name__ == "__main__":
    main()
