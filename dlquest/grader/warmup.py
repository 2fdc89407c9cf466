"""Warming a grading process up, once: the one place that decides how a process that grades starts.

Every long-lived grading process — the app's grading worker (worker.py), a local pool's or Dask's worker of a
class run (executors.py, student.py) — imports torch and the grader once, so that each grading after that
forks a child that has them already. One thread policy for all of them: torch computes on one thread in the
grading process, as it does in every sandboxed child (the runner sets it too), so that workers side by side do
not fight over cores and a CPU-time budget judges a submission the same in the app, in `dlquest check` and in
a class run.
"""

from __future__ import annotations


def warm_up_grading_process() -> str | None:
    """Import torch (where installed) on one thread, and do the grader's first-time work. Returns torch's
    version, or None without torch. Cheap to call again: the thread count is set, plugin.warm_up runs once."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    from dlquest.grader.plugin import warm_up

    warm_up()
    return str(getattr(torch, "__version__", "")) or None
