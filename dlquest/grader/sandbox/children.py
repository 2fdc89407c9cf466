"""The grader's side of a child: start one, send it probes, read its answer. `run_probe` forks a child for one
probe (for probes that cannot be pickled: lambdas, closures); a `ProbeSession` keeps one child that loads the
module once and answers probe after probe. Both start their child the same way and read its frames the same
way; the comparison and the verdict happen in the grader, never here.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from dlquest.grader import wire
from dlquest.grader.records import Feedback
from dlquest.grader.sandbox.cgroup import PidsCgroup
from dlquest.grader.sandbox.containment import keeper
from dlquest.grader.sandbox.framing import FRAME_HEADER, BadFrame, read_some, split_frames
from dlquest.grader.sandbox.reaping import kill_tree, reap_in_background
from dlquest.grader.sandbox.runner import run_one_probe, serve_probes, shared_state
from dlquest.grader.sandbox.spec import Confinement, Limits, NotSessionable, ProbeResult

if TYPE_CHECKING:
    pass

def run_probe(
    probe: Callable[..., object],
    module_path: Path,
    args: tuple = (),
    kwargs: dict | None = None,
    *,
    limits: Limits = Limits(),
    hide: tuple[Path, ...] = (),
    device: str = "cpu",
    module_name: str = "learner",
    confine: Confinement | None = None,
) -> ProbeResult:
    """Load `module_path` in a contained child, call `probe(module, *args, **kwargs)`, return its value as data.

    `hide` lists folders the child must not see (solutions, checks, the progress store): each is covered by
    an empty read-only file system in the child's mount namespace.
    """
    start = time.monotonic()
    module_path = Path(module_path).resolve()
    # Read here, before any folder is hidden: the child may not be able to see it (course check grades a
    # solution as if a learner wrote it). What is graded is exactly these bytes.
    source = module_path.read_bytes().decode("utf-8", "replace")
    frames_r, frames_w = os.pipe()
    output_r, output_w = os.pipe()
    cgroup = PidsCgroup.create(limits.processes)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the keeper; never returns
        try:
            os.close(frames_r)
            os.close(output_r)
            keeper(lambda active: run_one_probe(probe, module_path, source, module_name, args, kwargs or {}, limits,
                                           device, frames_w, output_w, active, confine),
                    limits, hide, device, frames_w, output_w, cgroup, confine=confine)
        finally:
            os._exit(70)
    os.close(frames_w)
    os.close(output_w)
    try:
        frames, output, timed_out, too_big = _collect(frames_r, output_r, start + limits.wall_time, limits)
    finally:
        kill_tree(pid)
        os.close(frames_r)
        os.close(output_r)
        _, keeper_status = os.waitpid(pid, 0)
        if cgroup:
            cgroup.remove()
    result = _interpret(frames, keeper_status, timed_out, too_big, limits)
    result.output = output.decode("utf-8", "replace")
    if len(output) >= limits.output:
        result.output += "\n" + "[output truncated]"
    result.duration = time.monotonic() - start
    return result


def _collect(frames_r: int, output_r: int, deadline: float, limits: Limits) -> tuple[bytes, bytes, bool, bool]:
    """Read both pipes until the child closes them or the clock runs out."""
    frames, output = bytearray(), bytearray()
    open_fds = {frames_r, output_r}
    timed_out = too_big = False
    while open_fds:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        ready, _, _ = select.select(list(open_fds), [], [], remaining)
        for fd in ready:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                open_fds.discard(fd)
            elif fd == frames_r:
                frames += chunk
                if len(frames) > limits.result:
                    too_big = True
                    open_fds.clear()
            elif len(output) < limits.output:
                output += chunk[: limits.output - len(output)]
    return bytes(frames), bytes(output), timed_out, too_big


def _interpret(raw: bytes, keeper_status: int, timed_out: bool, too_big: bool, limits: Limits) -> ProbeResult:
    frames, unfinished = split_frames(raw, limits.result)
    protections: dict = {}
    outcome = status = None
    for frame in frames:
        if isinstance(frame, BadFrame):
            return ProbeResult(False, feedback=frame.feedback, protections=protections)
        kind = frame.get("kind")
        if kind == "protections" and not protections:
            protections = frame.get("active", {})
        elif kind in ("value", "failure") and outcome is None:
            outcome = frame
        elif kind == "status":
            status = frame.get("status")
        elif kind == "setup_error":
            return ProbeResult(False, feedback=Feedback("bad_result", {"reason": frame.get("message", "")}),
                               protections=protections)
    if timed_out:
        return ProbeResult(False, feedback=Feedback("timeout", {"seconds": limits.wall_time}), protections=protections)
    if too_big:
        return ProbeResult(False, feedback=Feedback("frame_too_large", {"limit": limits.result}),
                           protections=protections)
    if outcome is not None:
        return _outcome(outcome, protections)
    if unfinished and status is None:  # the keeper's last word went into a frame that learner code began
        return ProbeResult(False, feedback=Feedback("frame_not_json", {}), protections=protections)
    return _death(status, limits, protections)


def _outcome(frame: dict, protections: dict) -> ProbeResult:
    """A probe's value or failure frame, decoded (plain data only, see wire.py)."""
    if frame.get("kind") == "value":
        try:
            value = wire.decode(frame["data"].encode())
        except (wire.WireError, KeyError, ValueError, TypeError, RecursionError) as err:
            return ProbeResult(False, feedback=Feedback("bad_result", {"reason": str(err)}), protections=protections)
        return ProbeResult(True, value=value, protections=protections)
    raw = frame.get("feedback")
    feedback = raw if isinstance(raw, dict) else {}
    return ProbeResult(False, feedback=Feedback.from_dict(feedback), protections=protections)


def _death(status: int | None, limits: Limits, protections: dict) -> ProbeResult:
    """No result: the runner died or left early. Its wait status came from the keeper, when it lived."""
    if isinstance(status, int):
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            if sig == signal.SIGXCPU:
                return ProbeResult(False, feedback=Feedback("timeout", {"seconds": limits.wall_time}),
                                   protections=protections)
            name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else "?"
            return ProbeResult(False, feedback=Feedback("killed", {"signal": sig, "name": name}),
                               protections=protections)
        return ProbeResult(False, feedback=Feedback("exited", {"status": os.WEXITSTATUS(status)}),
                           protections=protections)
    return ProbeResult(False, feedback=Feedback("killed", {"signal": 9, "name": "SIGKILL"}), protections=protections)


class ProbeSession:
    """One contained child that loads a module once and then runs probe after probe in it.

    Forking a process that holds torch costs tens of milliseconds, twice per probe (keeper and runner); a check
    runs dozens of probes. A session pays that once per grading. The child is contained exactly as for
    `run_probe`; what changes is how a probe and its arguments get there: pickled by this (trusted) process and
    sent down a pipe, so only what pickles by reference travels (a check's module-level functions and classes,
    tensors, plain data). `call` raises `NotSessionable` for anything else, and the caller falls back to
    `run_probe`. Results still come back as JSON only. Before each probe the child takes over this process's
    random-number state, grad mode and default dtype, so a probe sees what a freshly forked child would.

    A probe that times out, crashes the child or sends too much ends the session; the next call starts a new one.
    """

    def __init__(self, module_path: Path, *, limits: Limits = Limits(), hide: tuple[Path, ...] = (),
                 device: str = "cpu", module_name: str = "learner", confine: Confinement | None = None):
        self.module_path = Path(module_path).resolve()
        self.confine = confine
        # Read once, before any folder is hidden (see run_probe): every probe of the session sees these bytes.
        self.source = self.module_path.read_bytes().decode("utf-8", "replace")
        self.limits = limits
        self.hide = tuple(hide)
        self.device = device
        self.module_name = module_name
        self.protections: dict = {}
        self.started = 0  # how many children this session has started (1 unless probes killed some)
        # Set when the child ended before the module finished loading (it exited, crashed or hung at import):
        # loading it again would end the same way, so later probes get this result at once instead of each
        # starting a child that dies (or waiting out the clock) again.
        self.load_failure: ProbeResult | None = None
        self._pid: int | None = None
        self._frames = bytearray()
        self._cpu_budget = _session_cpu_budget(limits)

    @property
    def alive(self) -> bool:
        return self._pid is not None

    def start(self) -> None:
        if self.alive:
            return
        request_r, self._request_w = os.pipe()
        self._frames_r, frames_w = os.pipe()
        self._output_r, output_w = os.pipe()
        self._cgroup = PidsCgroup.create(self.limits.processes)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the keeper; never returns
            try:
                for fd in (self._request_w, self._frames_r, self._output_r):
                    os.close(fd)
                keeper(lambda active: serve_probes(self.module_path, self.source, self.module_name, self.limits,
                                              self.device, request_r, frames_w, output_w, active, self._cpu_budget,
                                              self.confine),
                        self.limits, self.hide, self.device, frames_w, output_w, self._cgroup,
                        close_after_fork=(request_r,), confine=self.confine)
            finally:
                os._exit(70)
        for fd in (request_r, frames_w, output_w):
            os.close(fd)
        for fd in (self._request_w, self._frames_r, self._output_r):
            os.set_blocking(fd, False)
        self._pid = pid
        self._runner_pid: int | None = None
        self._frames = bytearray()
        self._cpu_used = 0.0
        self._loaded = False
        self.started += 1

    def call(self, probe: Callable[..., object], args: tuple = (), kwargs: dict | None = None) -> ProbeResult:
        """Run `probe(module, *args, **kwargs)` in the session's child; its value comes back as plain data."""
        try:
            payload = pickle.dumps((probe, args, kwargs or {}, shared_state()), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as err:
            raise NotSessionable(str(err)) from err
        if self.load_failure is not None:
            return ProbeResult(False, feedback=self.load_failure.feedback, protections=dict(self.protections))
        if self.alive and self._cpu_used > self._cpu_budget - self.limits.wall_time - 3:
            self.close()  # retire it before its CPU limit could kill it in the middle of a probe
        self.start()
        start = time.monotonic()
        cpu_before = self._runner_cpu()
        deadline = start + self.limits.wall_time
        request = memoryview(FRAME_HEADER.pack(len(payload)) + payload)
        output = bytearray()
        frame = status = bad = None
        timed_out = too_big = ended = False
        while frame is None and status is None and bad is None and not ended:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            writers = [self._request_w] if request else []
            readable, writable, _ = select.select([self._frames_r, self._output_r], writers, [], remaining)
            if writable:
                try:
                    request = request[os.write(self._request_w, request):]
                except BlockingIOError:
                    pass
                except OSError:  # the child is gone; its keeper's status frame says how
                    request = request[:0]
            if self._output_r in readable:
                self._read_output(output)
            if self._frames_r in readable:
                chunk = read_some(self._frames_r)
                if not chunk:
                    ended = True  # keeper and runner are gone without a word
                self._frames += chunk
                if len(self._frames) > self.limits.result:
                    too_big = True
                    break
                received_frames, rest = split_frames(self._frames, self.limits.result)
                self._frames = rest if isinstance(rest, bytearray) else bytearray(rest)  # no copy per chunk
                for received in received_frames:
                    if isinstance(received, BadFrame):
                        bad = received  # the channel is out of step from here: the session ends below
                        break
                    kind = received.get("kind")
                    if kind == "loaded":
                        self._loaded = True
                    elif kind == "protections" and not self.protections:
                        self.protections = received["active"]
                    elif kind == "setup_error":
                        frame = {"kind": "failure", "feedback": {"code": "bad_result",
                                                                 "values": {"reason": received.get("message", "")}}}
                    elif kind in ("value", "failure") and frame is None:
                        frame = received
                        cpu = received.get("cpu")
                        self._cpu_used = cpu if isinstance(cpu, (int, float)) and cpu == cpu else self._cpu_budget
                    elif kind == "status":
                        status = received.get("status")
        self._read_output(output)  # what the probe printed before it answered is already in the pipe
        cpu_after = self._runner_cpu()
        ended_while_loading = False
        if frame is not None and status is None and not too_big and bad is None:
            result = _outcome(frame, dict(self.protections))
        else:
            ended_while_loading = not self._loaded
            unfinished = ended and status is None and bool(self._frames)  # as in _interpret
            self.close()
            if timed_out:
                result = ProbeResult(False, feedback=Feedback("timeout", {"seconds": self.limits.wall_time}),
                                     protections=dict(self.protections))
            elif bad is not None:
                result = ProbeResult(False, feedback=bad.feedback, protections=dict(self.protections))
            elif too_big:
                result = ProbeResult(False, feedback=Feedback("frame_too_large", {"limit": self.limits.result}),
                                     protections=dict(self.protections))
            elif frame is not None:
                result = _outcome(frame, dict(self.protections))
            elif unfinished:
                result = ProbeResult(False, feedback=Feedback("frame_not_json", {}), protections=dict(self.protections))
            else:
                result = _death(status, self.limits, dict(self.protections))
        result.output = output.decode("utf-8", "replace")
        if len(output) >= self.limits.output:
            result.output += "\n" + "[output truncated]"
        result.duration = time.monotonic() - start
        if cpu_after is not None:
            result.cpu_seconds = cpu_after - (cpu_before or 0.0)
        if ended_while_loading and not result.ok:
            self.load_failure = result
        return result

    @property
    def load_hangs(self) -> bool:
        failure = self.load_failure
        return failure is not None and failure.feedback is not None and failure.feedback.code == "timeout"

    def _runner_cpu(self) -> float | None:
        """CPU seconds (user + system, all threads) the session's runner has used so far, from /proc."""
        if self._runner_pid is None and self._pid is not None:
            try:  # the runner is the keeper's only child
                children = Path(f"/proc/{self._pid}/task/{self._pid}/children").read_text().split()
            except OSError:
                return None
            self._runner_pid = int(children[0]) if children else None
        if self._runner_pid is None:
            return None
        try:
            fields = Path(f"/proc/{self._runner_pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return None

    def close(self) -> None:
        """End the child and everything under it."""
        if self._pid is None:
            return
        kill_tree(self._pid)
        for fd in (self._request_w, self._frames_r, self._output_r):
            try:
                os.close(fd)
            except OSError:
                pass
        reap_in_background(self._pid, self._cgroup)
        self._pid = None

    def __enter__(self) -> ProbeSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read_output(self, output: bytearray) -> None:
        """Drain the output pipe without blocking; keep at most `limits.output` bytes of it."""
        while True:
            chunk = read_some(self._output_r)
            if not chunk:
                return
            if len(output) < self.limits.output:
                output += chunk[: self.limits.output - len(output)]


def _session_cpu_budget(limits: Limits) -> int:
    """CPU seconds a session's child may use in all (its hard limit); the grader retires a session before."""
    return int(20 * (limits.wall_time + 2)) + 60


_PROTECTIONS: dict | None = None


def protections() -> dict:
    """Which protections hold on this system, found by running an empty probe once."""
    global _PROTECTIONS
    if _PROTECTIONS is None:
        result = run_probe(lambda module: None, Path(os.devnull), limits=Limits(wall_time=30))
        _PROTECTIONS = dict(result.protections)
    return dict(_PROTECTIONS)
