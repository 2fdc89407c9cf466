"""The one place that runs learner code: a forked, contained child process.

    grader (trusted, pytest)        ── fork ──▶  keeper                ── fork ──▶  runner (pid 1 of a new
      reads frames + output,                     new namespaces,                    PID namespace)
      enforces the wall clock,                   read-only mounts,                  rlimits, no capabilities,
      decodes plain data                         solutions hidden,                  loads the learner file,
                                                 pids cgroup, waits                 runs the probe, writes JSON

The probe (trusted code from a check) and its arguments reach the runner through fork: nothing is
serialised on the way in. On the way out only JSON crosses (see wire.py). The grader never imports a
solution and never initialises CUDA itself, so forking stays safe on GPU machines.

On Linux as root every protection below holds; unprivileged users get a user namespace where the
distribution allows one; elsewhere the child runs with rlimits alone. `protections()` says which hold.
"""

from __future__ import annotations

import atexit
import ctypes
import errno
import json
import os
import pickle
import select
import signal
import struct
import sys
import tempfile
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlquest.grader import wire
from dlquest.grader.records import Feedback
from dlquest.safe_text import encodable

# Linux constants (linux/sched.h, linux/mount.h, linux/prctl.h)
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38
_MOUNT_OPTION_FLAGS = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC,
                       "noatime": MS_NOATIME, "nodiratime": MS_NODIRATIME, "relatime": MS_RELATIME}
# Kernel file systems the runner needs as they are (device nodes, a fresh /proc, /sys for torch's CPU probe).
_LEAVE_WRITABLE = ("/proc", "/sys", "/dev")

MiB = 1024 * 1024
_HEADER = struct.Struct(">Q")
# Where the runner works, inside its mount namespace (created there; never seen from outside).
SCRATCH = "/dev/shm/dlquest-work"


@dataclass(frozen=True)
class Limits:
    wall_time: float = 10.0  # seconds for one probe, from fork to result
    memory: int = 2048 * MiB  # address space the learner code may add (CPU); a cgroup/fraction on CUDA
    processes: int = 32  # tasks (processes and threads) the learner code may have at once
    file_size: int = 16 * MiB  # largest file it may write (its scratch space is a small tmpfs)
    scratch: int = 64 * MiB
    output: int = 64 * 1024  # bytes of stdout+stderr kept; the rest is drained and dropped
    result: int = 256 * MiB  # bytes of JSON a probe may send back
    open_files: int = 256


@dataclass
class ProbeResult:
    ok: bool
    value: object = None  # decoded plain data when ok
    feedback: Feedback | None = None  # why not ok
    output: str = ""
    duration: float = 0.0
    protections: dict = field(default_factory=dict)
    # CPU seconds the learner's process used for this probe, read by the grader from /proc (so code that patches
    # `time` cannot hide them); None where it cannot be measured (no /proc, or a child per probe).
    cpu_seconds: float | None = None


@dataclass(frozen=True)
class Confinement:
    """What a learner's child gets on top of the sandbox, set up before the learner's module is loaded: the
    check's rule (rules.Rule: forbidden operators and built-ins made unusable) and no new program images
    (seccomp: execve refused). See rules.py and seccomp.py."""

    rule: object | None = None
    refuse_exec: bool = True
    # Folders with the data a check judges by (held-out images, a data generator): hidden like the solutions.
    held_out: tuple[Path, ...] = ()


class ForbiddenCall(Exception):
    """Raised in the runner when learner code calls something the exercise forbids (see checklib.forbid)."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(f"{name} is not allowed in this exercise")


# --- the grader side ----------------------------------------------------------------------------------
def run_probe(
    probe,
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
    cgroup = _PidsCgroup.create(limits.processes)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the keeper; never returns
        try:
            os.close(frames_r)
            os.close(output_r)
            _keeper(lambda active: _runner(probe, module_path, source, module_name, args, kwargs or {}, limits,
                                           device, frames_w, output_w, active, confine),
                    limits, hide, device, frames_w, output_w, cgroup, confine=confine)
        finally:
            os._exit(70)
    os.close(frames_w)
    os.close(output_w)
    try:
        frames, output, timed_out, too_big = _collect(frames_r, output_r, start + limits.wall_time, limits)
    finally:
        _kill_tree(pid)
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


def _collect(frames_r: int, output_r: int, deadline: float, limits: Limits):
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


def _kill_tree(keeper: int) -> None:
    """End the keeper and everything under it. In a PID namespace the kernel kills the rest once the
    runner (pid 1 there) dies, which its parent-death signal ensures; without one, the process group."""
    for kill in (lambda: os.killpg(keeper, signal.SIGKILL), lambda: os.kill(keeper, signal.SIGKILL)):
        try:
            kill()
        except (ProcessLookupError, PermissionError):
            pass


@dataclass(frozen=True)
class BadFrame:
    """A frame the grader cannot read. Only the runner writes frames, so learner code wrote to the result
    channel (a descriptor it holds) or sent more than the limit: the probe fails with this feedback, and the
    channel, its framing now in doubt, is read no further."""

    feedback: Feedback


# What each kind of frame carries, as the keeper and the runner write it: anything else is a forgery.
_FRAME_FIELDS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "protections": {"active": dict}, "loaded": {}, "setup_error": {"message": str}, "status": {"status": int},
    "value": {"data": str}, "failure": {"feedback": dict},
}


def _split_frames(data: bytes | bytearray, limit: int) -> tuple[list[dict | BadFrame], bytes | bytearray]:
    """The complete length-prefixed JSON frames at the start of `data`, and the bytes of an unfinished one
    (`data` itself, uncopied, when it holds no complete frame: a session calls this on every chunk it reads).
    A frame that is not JSON, nested deeper than json reads, malformed or announced larger than `limit` ends
    the list as a BadFrame (json.loads raises RecursionError, not ValueError, for a deep one)."""
    frames: list[dict | BadFrame] = []
    while len(data) >= _HEADER.size:
        (size,) = _HEADER.unpack_from(data)
        if size > limit:
            return [*frames, BadFrame(Feedback("frame_too_large", {"limit": limit}))], data[:0]
        if len(data) - _HEADER.size < size:
            break
        frame = _read_frame(data[_HEADER.size : _HEADER.size + size])
        data = data[_HEADER.size + size :]
        frames.append(frame)
        if isinstance(frame, BadFrame):
            return frames, data[:0]
    return frames, data


def _read_frame(body: bytes | bytearray) -> dict | BadFrame:
    try:
        frame = json.loads(body)
    except RecursionError:
        return BadFrame(Feedback("frame_too_deep", {}))
    except ValueError:  # UnicodeDecodeError included
        return BadFrame(Feedback("frame_not_json", {}))
    kind = frame.get("kind") if isinstance(frame, dict) else None
    fields = _FRAME_FIELDS.get(kind) if isinstance(kind, str) else None
    if fields is None or not _frame_fields_hold(frame, fields):
        shown = kind if isinstance(kind, str) else type(kind if isinstance(frame, dict) else frame).__name__
        return BadFrame(Feedback("frame_malformed", {"kind": encodable(shown[:40])}))
    return _encodable_strings(frame)


def _encodable_strings(value: Any) -> Any:
    """A checked frame (a few levels deep at most) with lone surrogates replaced in every string: an exception
    message of "\\ud800" decodes to one, and no progress store or report could encode it."""
    if isinstance(value, str):
        return encodable(value)
    if isinstance(value, dict):
        return {encodable(k): _encodable_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encodable_strings(v) for v in value]
    return value


def _frame_fields_hold(frame: dict, fields: dict[str, type | tuple[type, ...]]) -> bool:
    for name, kind in fields.items():
        value = frame.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            return False
    cpu = frame.get("cpu")
    if cpu is not None and (type(cpu) not in (int, float)):
        return False
    if frame["kind"] == "status":
        return 0 <= frame["status"] < 1 << 31  # a wait status: os.WIFSIGNALED overflows on anything larger
    if frame["kind"] == "protections":
        return all(type(k) is str and type(v) is bool for k, v in frame["active"].items())
    if frame["kind"] == "failure":
        feedback = frame["feedback"]
        values = feedback.get("values", {})
        return (type(feedback.get("code")) is str and isinstance(values, dict)
                and all(type(k) is str and _shallow(v) for k, v in values.items()))
    return True


def _shallow(value: object, depth: int = 0) -> bool:
    """Plain JSON at most a few levels deep: feedback values are scalars (and short lists of them)."""
    if value is None or type(value) in (str, int, float, bool):
        return True
    if depth >= 3:
        return False
    if type(value) is list:
        return all(_shallow(v, depth + 1) for v in value)
    if type(value) is dict:
        return all(type(k) is str and _shallow(v, depth + 1) for k, v in value.items())
    return False


def _interpret(raw: bytes, keeper_status: int, timed_out: bool, too_big: bool, limits: Limits) -> ProbeResult:
    frames, unfinished = _split_frames(raw, limits.result)
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
    feedback = frame.get("feedback") if isinstance(frame.get("feedback"), dict) else {}
    return ProbeResult(False, feedback=Feedback.from_dict(feedback), protections=protections)


def _death(status, limits: Limits, protections: dict) -> ProbeResult:
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


# --- sessions: one contained child for many probes -------------------------------------------------------
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
        self._cgroup = _PidsCgroup.create(self.limits.processes)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the keeper; never returns
            try:
                for fd in (self._request_w, self._frames_r, self._output_r):
                    os.close(fd)
                _keeper(lambda active: _serve(self.module_path, self.source, self.module_name, self.limits,
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

    def call(self, probe, args: tuple = (), kwargs: dict | None = None) -> ProbeResult:
        """Run `probe(module, *args, **kwargs)` in the session's child; its value comes back as plain data."""
        try:
            payload = pickle.dumps((probe, args, kwargs or {}, _shared_state()), protocol=pickle.HIGHEST_PROTOCOL)
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
        request = memoryview(_HEADER.pack(len(payload)) + payload)
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
                chunk = _read_some(self._frames_r)
                if not chunk:
                    ended = True  # keeper and runner are gone without a word
                self._frames += chunk
                if len(self._frames) > self.limits.result:
                    too_big = True
                    break
                received_frames, rest = _split_frames(self._frames, self.limits.result)
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
        return self.load_failure is not None and self.load_failure.feedback.code == "timeout"

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
        _kill_tree(self._pid)
        for fd in (self._request_w, self._frames_r, self._output_r):
            try:
                os.close(fd)
            except OSError:
                pass
        _reap_in_background(self._pid, self._cgroup)
        self._pid = None

    def __enter__(self) -> ProbeSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _read_output(self, output: bytearray) -> None:
        """Drain the output pipe without blocking; keep at most `limits.output` bytes of it."""
        while True:
            chunk = _read_some(self._output_r)
            if not chunk:
                return
            if len(output) < self.limits.output:
                output += chunk[: self.limits.output - len(output)]


_REAPERS: list[threading.Thread] = []


def _reap_in_background(pid: int, cgroup: _PidsCgroup | None) -> None:
    """Collect a killed child without waiting for it: tearing down a torch-sized process takes ~50 ms."""

    def reap():
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        if cgroup:
            cgroup.remove()

    thread = threading.Thread(target=reap, name=f"dlquest-reap-{pid}", daemon=True)
    thread.start()
    _REAPERS[:] = [t for t in _REAPERS if t.is_alive()] + [thread]


def wait_for_reaped(timeout: float = 5.0) -> None:
    """Block until every killed session child is collected (tests, and exit, call this)."""
    deadline = time.monotonic() + timeout
    for thread in list(_REAPERS):
        thread.join(max(0.0, deadline - time.monotonic()))


atexit.register(wait_for_reaped)


class NotSessionable(Exception):
    """A probe or its arguments cannot be pickled by reference: run it with `run_probe` instead."""


def _read_some(fd: int) -> bytes:
    try:
        return os.read(fd, 1 << 16)
    except BlockingIOError:
        return b""
    except OSError:
        return b""


def _session_cpu_budget(limits: Limits) -> int:
    """CPU seconds a session's child may use in all (its hard limit); the grader retires a session before."""
    return int(20 * (limits.wall_time + 2)) + 60


def _shared_state() -> dict:
    """What a probe would have inherited from this process by fork: random-number state, grad mode, dtype."""
    import random

    state: dict = {"python_random": random.getstate()}
    torch = sys.modules.get("torch")
    if torch is not None:
        # Plain bytes and a dtype's name, not torch objects: unpickling those would import torch in the child,
        # and a child forked before this process loaded torch (a kept reference's) cannot map libtorch under its
        # memory limit. Such a child has no torch and takes no torch state.
        state.update(torch_rng=bytes(torch.get_rng_state().numpy().tobytes()), grad=torch.is_grad_enabled(),
                     dtype=str(torch.get_default_dtype()).removeprefix("torch."))
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        state["numpy_random"] = numpy.random.get_state()
    return state


def _take_state(state: dict) -> None:
    import random

    random.setstate(state["python_random"])
    torch = sys.modules.get("torch")
    if torch is not None and "torch_rng" in state:
        torch.set_rng_state(torch.frombuffer(bytearray(state["torch_rng"]), dtype=torch.uint8))
        torch.set_grad_enabled(state["grad"])
        torch.set_default_dtype(getattr(torch, state["dtype"]))
    numpy = sys.modules.get("numpy")
    if numpy is not None and "numpy_random" in state:
        numpy.random.set_state(state["numpy_random"])


# --- the keeper: contain, then fork the runner -----------------------------------------------------------
def _libc():
    return ctypes.CDLL(None, use_errno=True)


def exit_without_teardown(code: int = 0) -> None:
    """Flush stdout and stderr and end this process at once, skipping the interpreter's teardown: with torch
    loaded that takes ~0.6 s and nothing needs it. Run the exit handlers first (or from one of them)."""
    _flush_output()
    os._exit(code)


def die_with_parent() -> None:
    """Have the kernel SIGKILL this process when the thread that forked it ends (Linux; elsewhere nothing)."""
    if sys.platform.startswith("linux"):
        _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _send(fd: int, frame: dict) -> None:
    body = json.dumps(frame).encode()
    data = _HEADER.pack(len(body)) + body
    while data:
        data = data[os.write(fd, data):]


def _keeper(body, limits, hide, device, frames_w, output_w, cgroup, close_after_fork=(), confine=None):
    """Contain this process, then fork the runner, which calls `body(active)` and never returns."""
    os.setsid()
    die_with_parent()  # if the grader is killed, the keeper goes too, and with it the runner (the same, below)
    active = {"pid_namespace": False, "network_namespace": False, "mount_namespace": False,
              "read_only_files": False, "hidden_solutions": False, "private_tmp": False, "process_limit": False,
              "memory_limit": False, "time_limit": True, "no_capabilities": False}
    if confine is not None:
        hide = (*hide, *confine.held_out)
    try:
        if sys.platform.startswith("linux"):
            _contain(active, limits, hide, cgroup)
    except Exception as err:  # a protection we expected failed half-way: refuse to grade, say why
        _send(frames_w, {"kind": "setup_error", "message": f"sandbox setup failed: {err}"})
        os._exit(1)
    # Applied by the runner itself, below; reported here so that the grader learns them in one frame.
    active["memory_limit"] = device == "cpu"
    active["no_capabilities"] = sys.platform.startswith("linux")
    if not active["process_limit"] and os.getuid() != 0:
        active["process_limit"] = True  # RLIMIT_NPROC binds users other than root
    if confine is not None:
        from dlquest.grader import seccomp

        if confine.refuse_exec:
            active["no_exec"] = seccomp.available()  # loaded by the runner, which refuses to run without it
        if confine.held_out:
            active["hidden_data"] = active["hidden_solutions"]
    _send(frames_w, {"kind": "protections", "active": active})
    runner = os.fork()
    if runner == 0:
        body(active)
        os._exit(0)
    os.close(output_w)
    for fd in close_after_fork:  # the runner's alone (a session's request pipe)
        os.close(fd)
    while True:
        try:
            _, status = os.waitpid(runner, 0)
            break
        except ChildProcessError:
            status = 0
            break
        except InterruptedError:
            continue
    _send(frames_w, {"kind": "status", "status": status})
    os._exit(0)


def _contain(active: dict, limits: Limits, hide, cgroup) -> None:
    libc = _libc()
    root = os.geteuid() == 0
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS
    if not root:
        flags |= CLONE_NEWUSER  # unprivileged: a user namespace grants the rest, where the distribution allows
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(flags) != 0:
        return  # no namespaces here: rlimits alone (protections() reports it)
    if not root:
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    active.update(pid_namespace=True, network_namespace=True, mount_namespace=True)
    if cgroup is not None:
        cgroup.enter()
        active["process_limit"] = True

    def mount(source, target, fstype, mflags, data=None):
        if libc.mount(source, target, fstype, mflags, data) != 0:
            code = ctypes.get_errno()
            raise OSError(code, f"mount {target}: {os.strerror(code)}")

    mount(None, b"/", None, MS_REC | MS_PRIVATE)
    readonly_ok = True
    for point, options in _mount_points():
        if point.startswith(_LEAVE_WRITABLE) and point != "/":
            continue
        extra = 0
        for option in options.split(","):
            extra |= _MOUNT_OPTION_FLAGS.get(option, 0)
        try:
            mount(None, point.encode(), None, MS_REMOUNT | MS_BIND | MS_RDONLY | extra)
        except OSError:
            readonly_ok = False
    active["read_only_files"] = readonly_ok
    # A private /tmp hides other gradings' files, unless Python itself lives under /tmp (a CI checkout, say):
    # covering it would hide every module not yet imported. Then /tmp stays, read-only like the rest.
    if not any(Path(p).resolve().is_relative_to("/tmp") for p in _python_locations()):
        mount(b"tmpfs", b"/tmp", b"tmpfs", MS_NOSUID | MS_NODEV, b"size=1m,mode=1777")
        active["private_tmp"] = True
    # The runner's working folder (also its TMPDIR) lies in a fresh, small /dev/shm of its own.
    if os.path.isdir("/dev/shm"):
        mount(b"tmpfs", b"/dev/shm", b"tmpfs", MS_NOSUID | MS_NODEV, f"size={limits.scratch},mode=1777".encode())
        os.makedirs(SCRATCH, exist_ok=True)
    for folder in hide:
        if Path(folder).is_dir():
            mount(b"tmpfs", str(folder).encode(), b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, b"size=4k,mode=555")
    active["hidden_solutions"] = True


def _mount_points() -> list[tuple[str, str]]:
    points = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        point = fields[4].encode().decode("unicode_escape")
        points.append((point, fields[5]))
    return points


# --- the runner: limits, then the learner's code -----------------------------------------------------------
def _runner(probe, module_path, source, module_name, args, kwargs, limits, device, frames_w, output_w, active,
            confine=None):
    try:
        _prepare_runner(limits, device, frames_w, output_w, active)
        _confine(confine, active)
    except BaseException as err:  # noqa: BLE001 - nothing may escape a forked child
        _send(frames_w, {"kind": "failure", "feedback": {"code": "bad_result", "values": {"reason": repr(err)}}})
        os._exit(0)
    try:
        module = _load_module(module_name, module_path, source)
        value = probe(module, *args, **kwargs)
        frame = {"kind": "value", "data": wire.encode(value).decode()}
    except BaseException as err:  # noqa: BLE001 - everything the learner raises becomes feedback
        frame = {"kind": "failure", "feedback": _describe_failure(err, module_path, source).to_dict()}
    _flush_output()
    _send(frames_w, frame)
    os._exit(0)


def _flush_output() -> None:
    """Push what was printed out of Python's buffers (in a runner: into the output pipe, before the answer)."""
    try:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
    except BaseException:  # noqa: BLE001 - a hostile stream must not stop the answer
        pass


def _serve(module_path, source, module_name, limits, device, request_r, frames_w, output_w, active, cpu_budget,
           confine=None):
    """A session's runner: load the module once, then answer one probe per request until the pipe closes."""
    import resource

    try:
        _prepare_runner(limits, device, frames_w, output_w, active, keep_fds=(request_r,), cpu_seconds=cpu_budget)
        _confine(confine, active)
    except BaseException as err:  # noqa: BLE001 - nothing may escape a forked child
        _send(frames_w, {"kind": "setup_error", "message": f"sandbox setup failed: {err!r}"})
        os._exit(0)
    module, load_failure = None, None
    try:
        module = _load_module(module_name, module_path, source)
    except BaseException as err:  # noqa: BLE001 - every probe of this session reports the same failure
        load_failure = _describe_failure(err, module_path, source).to_dict()
    _send(frames_w, {"kind": "loaded"})
    while True:
        request = _receive(request_r)
        if request is None:
            os._exit(0)
        try:
            probe, args, kwargs, state = pickle.loads(request)  # from the grader: trusted
            _take_state(state)
            used = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
            # This probe's own CPU allowance, within the session's hard limit set above.
            resource.setrlimit(resource.RLIMIT_CPU, (min(int(used + limits.wall_time) + 2, cpu_budget),
                                                     cpu_budget + 1))
        except BaseException as err:  # noqa: BLE001
            _send(frames_w, {"kind": "failure", "feedback": {"code": "bad_result", "values": {"reason": repr(err)}}})
            continue
        if load_failure is not None:
            frame = {"kind": "failure", "feedback": load_failure}
        else:
            try:
                value = probe(module, *args, **kwargs)
                frame = {"kind": "value", "data": wire.encode(value).decode()}
            except BaseException as err:  # noqa: BLE001 - everything the learner raises becomes feedback
                frame = {"kind": "failure", "feedback": _describe_failure(err, module_path, source).to_dict()}
            finally:
                value = None
        _flush_output()
        frame["cpu"] = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
        _send(frames_w, frame)


def _receive(fd: int) -> bytes | None:
    """One length-prefixed request, or None when the grader closed the pipe."""
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    return _read_exactly(fd, size)


def _read_exactly(fd: int, size: int) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        chunk = os.read(fd, min(size - len(data), 1 << 20))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def _confine(confine: Confinement | None, active: dict) -> None:
    """The last of the runner's set-up, right before the learner's module loads: the check's rule, then no
    exec. Neither is ever undone in this process."""
    if confine is None:
        return
    if confine.rule is not None:
        from dlquest.grader import rules

        rules.install(confine.rule)  # type: ignore[arg-type]
    if confine.refuse_exec and active.get("no_exec"):
        from dlquest.grader import seccomp

        seccomp.refuse_exec()


def _prepare_runner(limits: Limits, device: str, frames_w: int, output_w: int, active: dict,
                    keep_fds: tuple[int, ...] = (), cpu_seconds: int | None = None) -> None:
    import resource

    libc = _libc()
    die_with_parent()
    if active["pid_namespace"]:
        # Only this namespace's processes: the grader cannot be seen, signalled or traced from here.
        libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
    # stdin from nowhere; stdout and stderr into the bounded pipe; every other descriptor closed.
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(output_w, 1)
    os.dup2(output_w, 2)
    keep = {0, 1, 2, frames_w, *keep_fds}
    for fd in _open_fds():
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass
    sys.stdin = open(0, closefd=False)
    sys.stdout = open(1, "w", buffering=1, closefd=False, encoding="utf-8", errors="replace")
    sys.stderr = open(2, "w", buffering=1, closefd=False, encoding="utf-8", errors="replace")
    os.chdir(_scratch_dir(active))
    # Restore default signal handling the grader's process may have changed (pytest, Textual).
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_DFL)

    cpu_seconds = cpu_seconds or int(limits.wall_time) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_size, limits.file_size))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
    if device == "cpu":
        # Address space already mapped (torch alone maps a lot) plus the allowance. CUDA cannot live under
        # RLIMIT_AS; on a GPU the memory fraction below caps device memory instead.
        current = _address_space()
        resource.setrlimit(resource.RLIMIT_AS, (current + limits.memory, current + limits.memory))
    if os.getuid() != 0:
        # RLIMIT_NPROC counts all of this user's processes and never binds root: only a fallback to the cgroup.
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes + _user_process_count(),) * 2)
    if sys.platform.startswith("linux"):
        _drop_capabilities(libc)
        libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)

    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)  # one core per grading: parallel gradings do not fight over cores
        if device.startswith("cuda"):
            torch.backends.cuda.matmul.allow_tf32 = False  # TF32 is ~1e-3 off: it would fail correct code
            torch.backends.cudnn.allow_tf32 = False
            torch.use_deterministic_algorithms(True, warn_only=True)
            torch.cuda.set_per_process_memory_fraction(0.5)


def _scratch_dir(active: dict) -> str:
    """The runner's working folder: the scratch tmpfs in a mount namespace, else a temporary folder."""
    folder = SCRATCH if os.path.isdir(SCRATCH) else tempfile.mkdtemp(prefix="dlquest-run-")
    os.environ["TMPDIR"] = folder
    tempfile.tempdir = folder
    return folder


def _python_locations() -> set[str]:
    """Where this Python finds its modules: these must stay visible to the runner."""
    import site

    locations = {sys.prefix, sys.base_prefix, str(Path(wire.__file__).resolve().parents[2])}
    try:
        locations.update(site.getsitepackages())
    except AttributeError:  # some virtualenv implementations lack it
        pass
    return {p for p in locations if p and os.path.exists(p)}


def _open_fds() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        return list(range(3, 1024))


def _address_space() -> int:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 8 * 1024 * MiB


def _user_process_count() -> int:
    uid = os.getuid()
    count = 0
    for name in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if name.isdigit():
            try:
                if os.stat(f"/proc/{name}").st_uid == uid:
                    count += 1
            except OSError:
                pass
    return count


def _drop_capabilities(libc) -> None:
    """No capabilities at all: a root runner cannot unmount the covers, remount, or trace anything."""
    for cap in range(64):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    header = Header(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (Data * 2)()
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")


def _load_module(name: str, path: Path, source: str):
    import types

    module = types.ModuleType(name)
    module.__file__ = str(path)
    sys.modules[name] = module
    code = compile(source, str(path), "exec", dont_inherit=True)
    exec(code, module.__dict__)
    return module


def _describe_failure(err: BaseException, module_path: Path, source: str) -> Feedback:
    """Turn what the learner's code raised into feedback, pointing at the learner's own line."""
    kind = type(err).__name__
    message = _safe_str(err)
    if isinstance(err, SyntaxError) and (err.filename or "") == str(module_path):
        return Feedback("syntax_error", {"message": err.msg or message, "file": module_path.name,
                                         "line": err.lineno or 0})
    if isinstance(err, ForbiddenCall):
        return Feedback("forbidden", {"op": err.name})
    if isinstance(err, PermissionError) and err.errno == errno.EPERM:
        # What the seccomp filter answers to execve: starting another program (subprocess, os.exec*, a spawned
        # interpreter). Other refusals with EPERM here are of privileged operations, equally not allowed.
        return Feedback("no_exec", {"message": message})
    if isinstance(err, (SystemExit, KeyboardInterrupt, GeneratorExit)) or not isinstance(err, Exception):
        return Feedback("system_exit", {"type": kind, "message": message})
    if isinstance(err, MemoryError) or (
        isinstance(err, RuntimeError) and any(s in message for s in ("can't allocate memory", "out of memory",
                                                                     "not enough memory"))
    ):
        return Feedback("memory", {"limit": "address space limit"})
    values = {"type": kind, "message": message[:2000]}
    lines = source.splitlines()
    try:
        frames = traceback.extract_tb(err.__traceback__)
    except BaseException:  # noqa: BLE001 - a hostile traceback must not hide the failure
        frames = []
    for frame in reversed(frames):
        if frame.filename == str(module_path) and frame.lineno:
            values.update(file=module_path.name, line=frame.lineno,
                          source=lines[frame.lineno - 1].strip() if frame.lineno <= len(lines) else "")
            break
    code = "not_implemented" if isinstance(err, NotImplementedError) else "exception"
    return Feedback(code, values)


def _safe_str(err: BaseException) -> str:
    try:
        return str(err)[:2000]
    except BaseException:  # noqa: BLE001
        return "<unprintable>"


# --- the pids cgroup ------------------------------------------------------------------------------------
class _PidsCgroup:
    """A pids cgroup caps the tasks of one grading: RLIMIT_NPROC never binds root, a cgroup does."""

    ROOTS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))

    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def create(cls, limit: int) -> _PidsCgroup | None:
        if not sys.platform.startswith("linux") or os.geteuid() != 0:
            return None
        for root in cls.ROOTS:
            if not (root / "pids.max").exists() and not (root / "cgroup.procs").exists():
                continue
            if root == Path("/sys/fs/cgroup") and "pids" not in _read(root / "cgroup.subtree_control"):
                continue  # cgroup v2 without the pids controller delegated to children
            path = root / "dlquest" / uuid.uuid4().hex[:12]
            cls._sweep(path.parent)
            try:
                path.mkdir(parents=True)
                (path / "pids.max").write_text(str(limit))
                return cls(path)
            except OSError:
                try:
                    path.rmdir()
                except OSError:
                    pass
        return None

    _swept = False

    @classmethod
    def _sweep(cls, parent: Path) -> None:
        """Remove the empty cgroups a killed grader left behind (once per process). The kernel refuses to remove
        one that still holds a process; the age keeps one that was created but not yet entered."""
        if cls._swept:
            return
        cls._swept = True
        try:
            stale = [child for child in parent.iterdir()
                     if child.is_dir() and time.time() - child.stat().st_mtime > 60]
        except OSError:
            return
        for child in stale:
            try:
                child.rmdir()
            except OSError:
                pass  # in use: a grading in another process

    def enter(self) -> None:
        (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def remove(self) -> None:
        for _ in range(100):
            try:
                self.path.rmdir()
                return
            except OSError as err:
                if err.errno != errno.EBUSY:
                    return
                time.sleep(0.01)


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


_PROTECTIONS: dict | None = None


def protections() -> dict:
    """Which protections hold on this system, found by running an empty probe once."""
    global _PROTECTIONS
    if _PROTECTIONS is None:
        result = run_probe(lambda module: None, Path(os.devnull), limits=Limits(wall_time=30))
        _PROTECTIONS = dict(result.protections)
    return dict(_PROTECTIONS)
