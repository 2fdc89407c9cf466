"""What a contained child is asked to run under, and what comes back: the limits, the confinement on top of
the sandbox, the result of one probe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlquest.grader.records import Feedback

if TYPE_CHECKING:  # rules.py imports the sandbox (ForbiddenCall): for the annotation only
    from dlquest.grader.rules import Rule

MiB = 1024 * 1024
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

    rule: Rule | None = None
    refuse_exec: bool = True
    # Folders with the data a check judges by (held-out images, a data generator): hidden like the solutions.
    held_out: tuple[Path, ...] = ()


class ForbiddenCall(Exception):
    """Raised in the runner when learner code calls something the exercise forbids (see checklib.forbid)."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(f"{name} is not allowed in this exercise")


class NotSessionable(Exception):
    """A probe or its arguments cannot be pickled by reference: run it with `run_probe` instead."""


@dataclass(frozen=True)
class UsedModule:
    """A module loaded into the child before its own, under an importable name: an earlier exercise that this
    one builds on (the manifest's `uses`), so `from transformer_block import ...` finds the learner's own file
    (or, in the reference's child, the course's solution). Its bytes travel like the module's own."""

    name: str
    path: Path
    source: str

    @classmethod
    def of(cls, name: str, path: Path) -> UsedModule:
        path = Path(path).resolve()
        return cls(name, path, path.read_bytes().decode("utf-8", "replace"))


@dataclass(frozen=True)
class ChildSpec:
    """What one child is started with: the module it loads (its bytes, read by the grader before any folder is
    hidden: the child may not see the file itself), under which limits and name, on which device, with which
    folders hidden and which confinement on top of the sandbox; and the modules it builds on, loaded first."""

    module_path: Path
    source: str
    module_name: str = "learner"
    limits: Limits = Limits()
    device: str = "cpu"
    hide: tuple[Path, ...] = ()
    confine: Confinement | None = None
    uses: tuple[UsedModule, ...] = ()
    # A session's child answers a request it has answered before from memory (the course's reference only: its
    # answer depends on the request alone, and every student's grading sends the same probes with the same inputs
    # and random state). Never for a learner's child: nothing of one probe may stand in for another's run.
    remember: bool = False

    @classmethod
    def of(cls, module_path: Path, *, uses: dict[str, Path] | None = None, **options: Any) -> ChildSpec:
        path = Path(module_path).resolve()
        used = tuple(UsedModule.of(name, used_path) for name, used_path in (uses or {}).items())
        return cls(path, path.read_bytes().decode("utf-8", "replace"), uses=used, **options)

    @property
    def hidden(self) -> tuple[Path, ...]:
        """Every folder the child's mount namespace covers: `hide`, and the check's held-out data."""
        return (*self.hide, *(self.confine.held_out if self.confine else ()))


@dataclass(frozen=True)
class ChildPipes:
    """The write ends a child answers on, and (for a session) the read end its requests come down."""

    frames_w: int
    output_w: int
    request_r: int | None = None

