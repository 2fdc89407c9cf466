"""How fast the app opens and how much memory it holds while idle (printed, never asserted).

    .venv/bin/python benchmarks/bench_tui.py [--runs N]

For each run, a fresh Python process opens the app headless on the bundled course in a new workspace and
reports when the first screen (the roadmap) is on screen, counted from the moment the command was started
(interpreter start-up and imports included). It then waits until the grading worker (a separate process that
imports torch) is ready, idles for two seconds, and reports the resident memory of the app's process and of
the worker. Then it opens the conv2d exercise and saves the solution into the learner's file six times, as an
outside editor would, timing each save until the verdict is recorded (the median of the last five).
A last run under `python -X importtime` lists any torch module the app's process imported.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r'''
import sys, time
STARTED = float(sys.argv[1])
import asyncio, json
from pathlib import Path


def rss_mib(pid="self"):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def main():
    from dlquest.tui.app import DlquestApp
    from dlquest.tui.screens.roadmap import RoadmapScreen

    result = {}

    async def measure(pilot):
        app = pilot.app
        while not (isinstance(app.screen, RoadmapScreen) and app.screen.query("#roadmap")):
            await asyncio.sleep(0.001)
        await pilot.pause()  # the first frame of the roadmap is rendered
        result["first_screen_s"] = time.time() - STARTED
        result["torch_at_first_screen"] = "torch" in sys.modules
        result["rss_first_screen_mib"] = rss_mib()
        waited = time.monotonic()
        while not app.grader_ready and time.monotonic() - waited < 120:
            await asyncio.sleep(0.05)
        result["grader_ready_s"] = time.time() - STARTED
        await asyncio.sleep(2.0)
        result["rss_idle_mib"] = rss_mib()
        process = getattr(app.grading, "_process", None)
        result["worker_rss_mib"] = rss_mib(process.pid) if process else None
        result["torch_in_app"] = "torch" in sys.modules
        # Save-to-verdict in watch mode: an outside editor saves conv2d.py; time until the verdict is recorded.
        app._show_item("conv2d")
        await pilot.pause(0.5)
        learner = Path(sys.argv[2]) / "exercises" / "conv2d.py"
        solution = Path(sys.argv[3]).read_text()
        timings = []
        for n in range(6):
            before = len(app.session.progress.attempts("conv2d"))
            learner.write_text(solution + f"\n# save {n}\n")
            saved = time.monotonic()
            while len(app.session.progress.attempts("conv2d")) == before and time.monotonic() - saved < 60:
                await asyncio.sleep(0.005)
            timings.append(time.monotonic() - saved)
            await pilot.pause(0.3)
        result["save_to_verdict_s"] = sorted(timings[1:])[len(timings[1:]) // 2]  # the first one warms up
        app.exit()

    app = DlquestApp(Path(sys.argv[2]), None, "en")
    await app.run_async(headless=True, size=(120, 40), auto_pilot=measure)
    print(json.dumps(result))


asyncio.run(main())
'''


def run_once(extra: list[str] = ()) -> tuple[dict, str]:
    """One cold start of the app on a new workspace (made before the clock starts, as `dlquest init` would)."""
    from dlquest.course import load_course
    from dlquest.workspace import Workspace

    with tempfile.TemporaryDirectory() as folder:
        workspace, _, _ = Workspace.create(Path(folder) / "ws", load_course())
        workspace.set_setting("welcomed", True)
        started = time.time()
        solution = workspace.root.parent / "conv2d_solution.py"
        solution.write_text((load_course().root / "solutions" / "conv2d.py").read_text())
        done = subprocess.run([sys.executable, *extra, "-c", CHILD, repr(started), str(workspace.root), str(solution)],
                              capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise SystemExit(f"the app failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def run_in_terminal() -> float | None:
    """Seconds from starting the app in a pseudo-terminal (100x30) to the roadmap reaching the terminal."""
    import os
    import pty
    import select

    from dlquest.course import load_course
    from dlquest.workspace import Workspace

    with tempfile.TemporaryDirectory() as folder:
        workspace, _, _ = Workspace.create(Path(folder) / "ws", load_course())
        workspace.set_setting("welcomed", True)
        code = ("import sys; from pathlib import Path; from dlquest.tui.app import run_app; "
                "raise SystemExit(run_app(Path(sys.argv[1]), None, 'en'))")
        started = time.time()
        pid, fd = pty.fork()
        if pid == 0:
            os.environ.update(TERM="xterm-256color", COLUMNS="100", LINES="30")
            os.execv(sys.executable, [sys.executable, "-c", code, str(workspace.root)])
        seen, elapsed = b"", None
        try:
            while time.time() - started < 60:
                ready, _, _ = select.select([fd], [], [], 0.05)
                if ready:
                    seen += os.read(fd, 65536)
                    if b"Roadmap" in seen:
                        elapsed = time.time() - started
                        break
            os.write(fd, b"\x11")  # ctrl+q
            time.sleep(0.5)
        finally:
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            os.close(fd)
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results = [run_once()[0] for _ in range(args.runs)]

    def line(key: str, unit: str, fmt: str = "{:.2f}") -> None:
        values = [r[key] for r in results if r.get(key) is not None]
        print(f"  {key:<24} median {fmt.format(statistics.median(values))} {unit}   "
              f"(min {fmt.format(min(values))}, max {fmt.format(max(values))}, {len(values)} runs)")

    print(f"dlquest app, headless, bundled course, {args.runs} runs (Python {sys.version.split()[0]})")
    line("first_screen_s", "s from command to first screen")
    line("grader_ready_s", "s until the grading worker is warm")
    line("rss_first_screen_mib", "MiB resident at the first screen", "{:.0f}")
    line("rss_idle_mib", "MiB resident idle (app process)", "{:.0f}")
    line("worker_rss_mib", "MiB resident idle (grading worker, holds torch)", "{:.0f}")
    line("save_to_verdict_s", "s from an outside editor's save of conv2d.py to the verdict (warm)")
    print(f"  torch imported by the app process: "
          f"{any(r['torch_at_first_screen'] or r['torch_in_app'] for r in results)}")
    in_terminal = [t for t in (run_in_terminal() for _ in range(args.runs)) if t is not None]
    if in_terminal:
        print(f"  {'in a terminal (pty)':<24} median {statistics.median(in_terminal):.2f} s from command to the "
              f"roadmap on screen (min {min(in_terminal):.2f}, max {max(in_terminal):.2f})")
    _, importtime = run_once(["-X", "importtime"])
    torch_lines = [ln for ln in importtime.splitlines() if "| torch" in ln or ln.rstrip().endswith(" torch")]
    print(f"  python -X importtime: {len(torch_lines)} torch modules imported by the app process")


if __name__ == "__main__":
    main()
