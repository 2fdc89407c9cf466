"""The runner: the process that runs learner code. It sets its rlimits, drops every capability, installs the
check's rule and refuses new programs (Confinement), loads the learner's module and answers probes: one
(`run_one_probe`, forked with the probe) or one per request (`serve_probes`, a session). Everything it sends
is a frame (framing.py); everything the learner raises becomes feedback.
"""

from __future__ import annotations

import errno
import os
import pickle
import signal
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from dlquest.grader import wire
from dlquest.grader.process_exit import die_with_parent, flush_output, load_libc
from dlquest.grader.records import Feedback
from dlquest.grader.sandbox.containment import (
    MS_NODEV,
    MS_NOEXEC,
    MS_NOSUID,
    PR_SET_NO_NEW_PRIVS,
    drop_capabilities,
)
from dlquest.grader.sandbox.framing import receive_request, send_frame
from dlquest.grader.sandbox.spec import SCRATCH, ChildPipes, ChildSpec, Confinement, ForbiddenCall, Limits, MiB
from dlquest.safe_text import exception_text

if TYPE_CHECKING:
    from types import ModuleType


def shared_state() -> dict:
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


def run_one_probe(spec: ChildSpec, pipes: ChildPipes, active: dict[str, bool], probe: Callable[..., object],
                  args: tuple, kwargs: dict) -> NoReturn:
    """A runner forked for one probe (which reached it through fork): load the module, run the probe, answer."""
    limits, frames_w = spec.limits, pipes.frames_w
    module_path, source = spec.module_path, spec.source
    try:
        _prepare_runner(limits, spec.device, frames_w, pipes.output_w, active)
        _confine(spec.confine, active)
    except BaseException as err:  # noqa: BLE001 - nothing may escape a forked child
        send_frame(frames_w, {"kind": "failure", "feedback": {"code": "bad_result", "values": {"reason": repr(err)}}})
        os._exit(0)
    try:
        module = _load_spec_modules(spec)
        value = probe(module, *args, **kwargs)
        frame: dict[str, object] = {"kind": "value", "data": wire.encode(value).decode()}
    except _UsedModuleFailed as failed:
        frame = {"kind": "failure", "feedback": failed.feedback.to_dict()}
    except BaseException as err:  # noqa: BLE001 - everything the learner raises becomes feedback
        frame = {"kind": "failure", "feedback": _describe_failure(err, module_path, source).to_dict()}
    flush_output()
    send_frame(frames_w, frame)
    os._exit(0)


def serve_probes(spec: ChildSpec, pipes: ChildPipes, active: dict[str, bool], cpu_budget: int) -> NoReturn:
    """A session's runner: load the module once, then answer one probe per request until the pipe closes."""
    import resource

    limits, frames_w, request_r = spec.limits, pipes.frames_w, pipes.request_r
    module_path, source = spec.module_path, spec.source
    assert request_r is not None

    try:
        _prepare_runner(limits, spec.device, frames_w, pipes.output_w, active, keep_fds=(request_r,),
                        cpu_seconds=cpu_budget)
        _confine(spec.confine, active)
    except BaseException as err:  # noqa: BLE001 - nothing may escape a forked child
        send_frame(frames_w, {"kind": "setup_error", "message": f"sandbox setup failed: {err!r}"})
        os._exit(0)
    module, load_failure = None, None
    try:
        module = _load_spec_modules(spec)
    except _UsedModuleFailed as failed:
        load_failure = failed.feedback.to_dict()
    except BaseException as err:  # noqa: BLE001 - every probe of this session reports the same failure
        load_failure = _describe_failure(err, module_path, source).to_dict()
    send_frame(frames_w, {"kind": "loaded"})
    answers = _Answers() if spec.remember else None
    while True:
        request = receive_request(request_r)
        if request is None:
            os._exit(0)
        try:
            probe, args, kwargs, state, key = pickle.loads(request)  # from the grader: trusted
            remembered = answers.get(key) if answers is not None and key is not None else None
            if remembered is not None:
                send_frame(frames_w, {**remembered, "cpu": sum(resource.getrusage(resource.RUSAGE_SELF)[:2])})
                continue
            _take_state(state)
            used = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
            # This probe's own CPU allowance, within the session's hard limit set above.
            resource.setrlimit(resource.RLIMIT_CPU, (min(int(used + limits.wall_time) + 2, cpu_budget),
                                                     cpu_budget + 1))
        except BaseException as err:  # noqa: BLE001 - a request that cannot be read fails this probe, not the child
            send_frame(frames_w, {"kind": "failure",
                                  "feedback": {"code": "bad_result", "values": {"reason": repr(err)}}})
            continue
        if load_failure is not None:
            frame: dict[str, object] = {"kind": "failure", "feedback": load_failure}
        else:
            try:
                value = probe(module, *args, **kwargs)
                frame = {"kind": "value", "data": wire.encode(value).decode()}
            except BaseException as err:  # noqa: BLE001 - everything the learner raises becomes feedback
                frame = {"kind": "failure", "feedback": _describe_failure(err, module_path, source).to_dict()}
            finally:
                value = None
        flush_output()
        if answers is not None and key is not None and load_failure is None:
            answers.keep(key, frame)
        frame["cpu"] = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
        send_frame(frames_w, frame)


class _Answers:
    """A remembering session's answers (ChildSpec.remember), by the request's key (children.request_key: a digest
    of the probe, its arguments and the random state, grad mode and dtype it runs under). Kept in the child, never
    in the grader, whose later children are forked from it and could find an expected value there. At most
    `budget` bytes of answers."""

    def __init__(self, budget: int = 64 * MiB):
        self.budget = budget
        self._frames: dict[bytes, dict] = {}

    def get(self, key: bytes) -> dict | None:
        return self._frames.get(key)

    def keep(self, key: bytes, frame: dict) -> None:
        size = len(str(frame.get("data", ""))) + len(str(frame.get("feedback", "")))
        if frame.get("kind") in ("value", "failure") and size <= self.budget:
            self.budget -= size
            self._frames[key] = dict(frame)


def _confine(confine: Confinement | None, active: dict) -> None:
    """The last of the runner's set-up, right before the learner's module loads: the check's rule, then no
    exec. Neither is ever undone in this process."""
    if confine is None:
        return
    if confine.rule is not None:
        from dlquest.grader import rules

        rules.install(confine.rule)
    if confine.refuse_exec and active.get("no_exec"):
        from dlquest.grader import seccomp

        seccomp.refuse_exec()


def _prepare_runner(limits: Limits, device: str, frames_w: int, output_w: int, active: dict,
                    keep_fds: tuple[int, ...] = (), cpu_seconds: int | None = None) -> None:
    import resource

    libc = load_libc()
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
        drop_capabilities(libc)
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


class _UsedModuleFailed(Exception):
    """Loading a module this one builds on raised: its own failure, pointing at its own file."""

    def __init__(self, feedback: Feedback):
        self.feedback = feedback


def _load_spec_modules(spec: ChildSpec) -> ModuleType:
    """Load the modules the spec's module builds on (importable by their names), then the module itself."""
    for used in spec.uses:
        try:
            _load_module(used.name, used.path, used.source)
        except BaseException as err:  # noqa: BLE001 - the learner's other file raised: say which one
            raise _UsedModuleFailed(_describe_failure(err, used.path, used.source)) from None
    return _load_module(spec.module_name, spec.module_path, spec.source)


def _load_module(name: str, path: Path, source: str) -> ModuleType:
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
    message = exception_text(err)[:2000]
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
    values: dict[str, object] = {"type": kind, "message": message[:2000]}
    lines = source.splitlines()
    frames: list[traceback.FrameSummary]
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

