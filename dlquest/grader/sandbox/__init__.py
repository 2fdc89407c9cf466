"""The one place that runs learner code: a forked, contained child process.

    grader (trusted, pytest)        ── fork ──▶  keeper                ── fork ──▶  runner (pid 1 of a new
      reads frames + output,                     new namespaces,                    PID namespace)
      enforces the wall clock,                   read-only mounts,                  rlimits, no capabilities,
      decodes plain data                         solutions hidden,                  the check's rule, no exec,
                                                 pids cgroup, waits                 loads the learner file,
                                                                                    runs the probe, writes JSON

The probe (trusted code from a check) and its arguments reach the runner through fork, or pickled by the
grader on a session's request pipe. On the way out only JSON crosses (see wire.py). The grader never imports
a solution and never initialises CUDA itself, so forking stays safe on GPU machines.

On Linux as root every protection holds; unprivileged users get a user namespace where the distribution
allows one; elsewhere the child runs with rlimits alone. `protections()` says which hold.

One job per module:
    spec.py         what a child runs under (Limits, Confinement) and what comes back (ProbeResult)
    children.py     the grader's side: start a child, send probes, read its answer (run_probe, ProbeSession)
    framing.py      the frames on the pipes, and what counts as a forged one
    containment.py  the keeper: namespaces, mounts, hidden folders, then the runner
    runner.py       the runner: limits, capabilities, the rule, the learner's module, the probes
    cgroup.py       the pids cgroup
    reaping.py      ending a child's tree and collecting it in the background
"""

from dlquest.grader.sandbox.children import ProbeSession, protections, run_probe
from dlquest.grader.sandbox.framing import BadFrame, split_frames
from dlquest.grader.sandbox.reaping import wait_for_reaped
from dlquest.grader.sandbox.spec import Confinement, ForbiddenCall, Limits, NotSessionable, ProbeResult

__all__ = ["BadFrame", "Confinement", "ForbiddenCall", "Limits", "NotSessionable", "ProbeResult", "ProbeSession",
           "protections", "run_probe", "split_frames", "wait_for_reaped"]
