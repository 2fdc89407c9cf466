"""What a check's RULE costs a grading: printed, never asserted.

- per grading: the learner's child started, the check's reference solution loaded and one probe answered,
  with the check's rule installed in the child and without (the difference is what the rule adds to every
  grading; both children refuse execve, as every learner's child does). Runs alternate, medians printed.
- once per grading process: planning the rule (matching the dispatcher's operators, finding torch's Python
  decompositions), done in the grader before the child is forked; a warm worker does it once for all gradings.
- in the child: installing alone (registering the kernels, replacing the Python code).

Run: `.venv/bin/python benchmarks/bench_rules.py [--rounds N] [exercise ...]` (default: conv2d, the largest
operator rule, and optimizers, the largest Python one).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

from dlquest.course import BUNDLED_COURSE
from dlquest.grader import rules, sandbox, seccomp


def check_rule(exercise: str) -> rules.Rule:
    check = BUNDLED_COURSE / "checks" / f"test_{exercise}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{exercise}", check)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rule = rules.declared_rule(module)
    assert rule is not None, exercise
    return rule


def answer(module: object) -> float:
    """The probe: the CPU time this process (the learner's, forked for this grading) has used so far: its set-up,
    the rule, loading the module."""
    return time.process_time()


def one_grading_child(path: Path, confine: sandbox.Confinement) -> tuple[float, float]:
    """Wall seconds from starting the child to the probe's answer, and CPU seconds the runner (the learner's
    process) used from its fork to that answer: on a busy machine the steadier figure."""
    started = time.perf_counter()
    with sandbox.ProbeSession(path, confine=confine) as session:
        result = session.call(answer)
        assert result.ok, result.feedback
        wall = time.perf_counter() - started
    sandbox.wait_for_reaped()
    return wall, float(result.value)  # type: ignore[arg-type]


def install_in_a_child(rule: rules.Rule) -> float:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        started = time.process_time()
        rules.install(rule)
        os.write(write, f"{time.process_time() - started}".encode())
        os._exit(0)
    os.close(write)
    seconds = float(os.read(read, 64))
    os.close(read)
    os.waitpid(pid, 0)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("exercises", nargs="*", default=["conv2d", "optimizers"])
    parser.add_argument("--rounds", type=int, default=15)
    options = parser.parse_args()
    import torch  # noqa: F401 - loaded before forking, as the grader has it

    seccomp.available()
    for exercise in options.exercises:
        rule = check_rule(exercise)
        started = time.perf_counter()
        rules.prepare(rule)
        planning = time.perf_counter() - started
        path = BUNDLED_COURSE / "solutions" / f"{exercise}.py"
        plain, ruled = sandbox.Confinement(), sandbox.Confinement(rule=rule)
        one_grading_child(path, ruled)  # warm: page cache, first fork
        without, with_rule, installing = [], [], []
        for _ in range(options.rounds):
            without.append(one_grading_child(path, plain))
            with_rule.append(one_grading_child(path, ruled))
            installing.append(install_in_a_child(rule))
        median = statistics.median
        print(f"{exercise}: {len(rule.operators())} operators, {len(rules.functions_disabled(rule))} Python "
              f"functions; planning once per process {planning * 1000:.1f} ms")
        for index, what in ((0, "wall"), (1, "CPU of the learner's process")):
            plain_ms, ruled_ms = (median(run[index] for run in runs) * 1000 for runs in (without, with_rule))
            print(f"  child started + solution loaded + one probe, {what}: without the rule {plain_ms:.1f} ms, "
                  f"with it {ruled_ms:.1f} ms: +{ruled_ms - plain_ms:.1f} ms (medians of {options.rounds})")
        print(f"  installing alone (CPU, in a forked child): median {median(installing) * 1000:.1f} ms, "
              f"min {min(installing) * 1000:.1f} ms")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
