"""The grader's pytest plugin: fixtures for checks, and one TestResult per test collected through hooks.

It is registered as an object for one grading session (`pytest.main(..., plugins=[GraderPlugin(...)])`),
so that several sessions can run one after another in a warm process without sharing state.
"""

from __future__ import annotations

import atexit
import difflib
import os
import time
import traceback
import zlib
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest

from dlquest.grader import sandbox
from dlquest.grader.records import ERROR, FAILED, PASSED, SKIPPED, CheckFailed, Feedback, ReferenceFailed, TestResult
from dlquest.safe_text import exception_text

MAX_TIMEOUTS = 2  # learner time-outs in one grading before the remaining calls are not even started


class SandboxedModule:
    """The `learner` and `reference` fixtures: run a probe against one module, in the sandbox."""

    def __init__(self, plugin: GraderPlugin, path: Path, is_learner: bool):
        self._plugin = plugin
        self.path = path
        self.is_learner = is_learner
        # CPU seconds the last probe used in the learner's process, measured from outside it (see
        # sandbox.ProbeResult.cpu_seconds): what a time budget should be judged on. None when unknown.
        self.last_cpu_seconds: float | None = None

    def run(self, probe: Callable[..., object], *args: object, device: str = "cpu", **kwargs: object) -> object:
        if self.is_learner and self._plugin.learner_timeouts >= MAX_TIMEOUTS:
            # Code that hung twice hangs again: fail at once instead of waiting out every remaining test.
            raise CheckFailed(Feedback("timeout_skipped", {"count": self._plugin.learner_timeouts}))
        session = self._plugin.probe_session(self.is_learner, device)
        try:
            result = session.call(probe, args, kwargs)
        except sandbox.NotSessionable:  # a lambda or a closure as probe: a child of its own, by fork
            result = session.call_in_own_child(probe, args, kwargs)
        self._plugin.protections.update(result.protections)
        self.last_cpu_seconds = result.cpu_seconds
        if self.is_learner and result.output:
            self._plugin.current_output.append(result.output)
        if not result.ok:
            assert result.feedback is not None  # the sandbox says why whenever a probe is not ok
            if self.is_learner:
                if result.feedback.code == "timeout":
                    self._plugin.learner_timeouts += 1
                raise CheckFailed(result.feedback)
            raise ReferenceFailed(result.feedback)
        return result.value

    def note(self, *feedback: Feedback) -> None:
        self._plugin.current_notes.extend(feedback)

    @property
    def protections(self) -> dict:
        """Which protections hold in this module's child ("hidden_data": the check's HELD_OUT_DATA is hidden
        from it), starting the child if need be. A check that holds data out perturbs it when they are off."""
        session = self._plugin.probe_session(self.is_learner, self._plugin.devices()[0])
        if not session.protections:
            session.call(_report_nothing)
        return dict(session.protections)


class GraderPlugin:
    def __init__(self, learner_path: Path, reference_path: Path, *, limits: sandbox.Limits,
                 hide: tuple[Path, ...] = (), devices: list[str] | None = None, seed: int = 0,
                 check_path: Path | None = None, learner_uses: dict[str, Path] | None = None,
                 reference_uses: dict[str, Path] | None = None):
        self.learner_path = Path(learner_path)
        self.reference_path = Path(reference_path)
        # The earlier exercises this one builds on (the manifest's `uses`), by importable name: the learner's own
        # files in the learner's child, the course's solutions in the reference's.
        self.learner_uses = dict(learner_uses or {})
        self.reference_uses = dict(reference_uses or {})
        self.check_path = Path(check_path) if check_path else None  # given: the reference's child may be kept
        self.limits = limits
        self.hide = tuple(hide)
        self._devices = devices
        self.seed_value = seed
        self.results: list[TestResult] = []
        self.protections: dict = {}
        self.collection_problem: Feedback | None = None
        self.learner_timeouts = 0
        self.current_output: list[str] = []
        self.current_notes: list[Feedback] = []
        self._started: dict[str, float] = {}
        self._probe_sessions: dict[tuple[bool, str], sandbox.ProbeSession] = {}
        # What the learner's child gets before its module loads: the check's RULE and HELD_OUT_DATA, and no
        # exec (see sandbox.Confinement); read from the check module once it is collected.
        self.confine = sandbox.Confinement()

    # --- probe sessions (sandboxed children), one per module and device ------------------------------------
    def probe_session(self, is_learner: bool, device: str) -> sandbox.ProbeSession:
        key = (is_learner, device)
        if key not in self._probe_sessions:
            if not is_learner and self.check_path is not None:
                self._probe_sessions[key] = _kept_reference(self.reference_path, self.check_path, self.limits, device,
                                                            self.reference_uses)
            else:
                self._probe_sessions[key] = sandbox.ProbeSession(
                    self.learner_path if is_learner else self.reference_path, limits=self.limits,
                    hide=self.hide if is_learner else (), device=device,
                    module_name="learner" if is_learner else "reference",
                    confine=self.confine if is_learner else None,
                    uses=self.learner_uses if is_learner else self.reference_uses)
        return self._probe_sessions[key]

    def close(self) -> None:
        """End every session's child, except the reference's kept for the next grading (grade() calls this when
        the pytest session is over, however it ended). Safe to call twice."""
        for session in self._probe_sessions.values():
            if session not in _KEPT_REFERENCES.values():
                session.close()

    def pytest_configure(self, config: pytest.Config) -> None:
        # pytest renders every failed test's traceback (its "long" style parses the source file of each frame)
        # into a report nobody reads here: verdicts come from the exception itself (_result). That rendering
        # was ~70% of the grader's CPU for a failing submission; "value" style renders the message alone.
        config.option.tbstyle = "value"

    # --- fixtures ----------------------------------------------------------------------------------
    @pytest.fixture
    def learner(self) -> SandboxedModule:
        return SandboxedModule(self, self.learner_path, is_learner=True)

    @pytest.fixture
    def reference(self) -> SandboxedModule:
        return SandboxedModule(self, self.reference_path, is_learner=False)

    @pytest.fixture
    def seed(self) -> int:
        """The session's seed: fixed per exercise for learners, chosen (secretly) by an instructor."""
        return self.seed_value

    def devices(self) -> list[str]:
        if self._devices is None:
            self._devices = available_devices()
        return self._devices

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "device" in metafunc.fixturenames:
            metafunc.parametrize("device", self.devices())

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        warm_up()
        self._read_declarations(session.items)
        if session.items:
            # Start both children now, before any test has computed an expected value, and while pytest goes on.
            device = self.devices()[0]
            self.probe_session(True, device).start()
            self.probe_session(False, device).start()

    def _read_declarations(self, items: list[pytest.Item]) -> None:
        """The check module's RULE and HELD_OUT_DATA, planned here (in this process, once) so that the learner's
        child only installs them. A rule that names nothing is the check's fault: the grading is an error."""
        from dlquest.grader import rules, seccomp

        module = next((getattr(item, "module", None) for item in items if getattr(item, "module", None)), None)
        rule = rules.declared_rule(module)
        held_out = tuple(Path(folder) for folder in getattr(module, "HELD_OUT_DATA", ()) or ())
        if rule is not None:
            problems = rule.problems()
            if problems and self.collection_problem is None:
                self.collection_problem = Feedback("check_error", {
                    "type": "bad rule", "message": "; ".join(problems), "phase": "load",
                    **({"file": str(self.check_path)} if self.check_path else {})})
            rules.prepare(rule)
        seccomp.available()  # imported here: the child cannot look for libseccomp itself
        self.confine = sandbox.Confinement(rule=rule, held_out=held_out)

    # --- results -----------------------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)  # before the test's fixtures are made
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self.current_output = []
        self.current_notes = []
        self._started[item.nodeid] = time.monotonic()
        # A probe starts from this process's random state (as a forked child would). In a warm worker that state
        # depends on every grading before; seeded per test, learner code that draws from the global generators
        # sees the same numbers in a warm worker, a cold `dlquest check` and on any machine of the class.
        seed_global_generators(zlib.crc32(f"{self.seed_value}:{item.nodeid}".encode()))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> Generator[None, Any, None]:
        outcome = yield
        report = outcome.get_result()
        result = None
        if report.when == "call" or (report.when == "setup" and not report.passed):
            result = self._result(item, call, report)
        elif report.when == "teardown" and report.failed and self.results and self.results[-1].test == item.name:
            self.results[-1].outcome = ERROR
            self.results[-1].feedback.append(self._check_error(call.excinfo.value if call.excinfo else None,
                                                               item, "teardown"))
        if result is not None:
            self.results.append(result)

    def _result(self, item: pytest.Item, call: pytest.CallInfo, report: pytest.TestReport) -> TestResult:
        device = getattr(getattr(item, "callspec", None), "params", {}).get("device")
        duration = time.monotonic() - self._started.get(item.nodeid, time.monotonic())
        outcome, feedback = PASSED, list(self.current_notes)
        if report.skipped:
            outcome = SKIPPED
        elif report.failed:
            error = call.excinfo.value if call.excinfo else None
            if isinstance(error, CheckFailed):
                outcome, feedback = FAILED, error.feedback + feedback
            elif isinstance(error, ReferenceFailed):
                outcome, feedback = ERROR, [_reference_failed(error.feedback, item.name)]
            elif isinstance(error, AssertionError):
                outcome, feedback = FAILED, [Feedback("assertion", {"message": _first_lines(str(error))})]
            else:
                outcome, feedback = ERROR, [self._check_error(error, item, report.when)]
        return TestResult(item.name, outcome, feedback, round(duration, 4), device, "".join(self.current_output))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_make_collect_report(self, collector: pytest.Collector) -> Generator[None, Any, None]:
        outcome = yield
        if outcome.excinfo is not None:  # SystemExit at the check's top level: pytest lets it end the session
            if self.collection_problem is None:
                self.collection_problem = self._check_error(outcome.excinfo[1], None, "load")
            return
        report = outcome.get_result()
        # The exception itself, not pytest's report of it: that shows pytest's own frames (importtestmodule,
        # rewrite.py) and, for a SyntaxError, never the check's line.
        call = report.__dict__.get("call")
        if report.failed and self.collection_problem is None:
            error = call.excinfo.value if call is not None and call.excinfo else None
            if error is None:
                self.collection_problem = Feedback("check_error", {
                    "type": "collection error", "message": _first_lines(str(report.longrepr), 6), "phase": "load"})
            else:
                self.collection_problem = self._check_error(error, None, "load")

    def _check_error(self, error: BaseException | None, item: pytest.Item | None, phase: str) -> Feedback:
        """An error in the check itself, as its author needs it: the exception, and the check's own file, line
        and source line (not pytest's frames), with the test it happened in."""
        folder = self.check_path.parent if self.check_path is not None else None
        values = check_error_values(error, folder)
        if item is not None:
            values["test"] = item.name
            if "line" not in values:  # nothing of the check's on the stack (a missing fixture): the test itself
                values.update(_definition(item))
        values["phase"] = phase
        return Feedback("check_error", values)


# --- reference children kept between gradings ------------------------------------------------------------
# The learner's child is new for every grading: nothing of one submission may reach the next. The reference is
# the course's own code, the same for every submission of an exercise, so a warm worker keeps its child (a fork
# and a module load saved per grading). Keyed by the solution's and the check's path, size and modification
# time, the limits and the device: an edited solution or check gets a new child. The check's probes reach a
# kept child by name; the child resolves them in the check module it was forked with, which is unchanged.
KEEP_REFERENCES = 8
_KEPT_REFERENCES: dict[tuple, sandbox.ProbeSession] = {}


def _kept_reference(reference: Path, check: Path, limits: sandbox.Limits, device: str,
                    uses: dict[str, Path] | None = None) -> sandbox.ProbeSession:
    def stamp(path: Path) -> tuple:
        status = path.stat()
        return str(path.resolve()), status.st_mtime_ns, status.st_size

    used = tuple((name, stamp(path)) for name, path in (uses or {}).items())
    key = (stamp(reference), stamp(check), limits, device, used)
    session = _KEPT_REFERENCES.pop(key, None)
    if session is None:
        # It remembers its answers: the next student's grading sends the same probes with the same inputs.
        session = sandbox.ProbeSession(reference, limits=limits, device=device, module_name="reference", uses=uses,
                                       remember=device == "cpu")
    _KEPT_REFERENCES[key] = session  # most recently used last
    while len(_KEPT_REFERENCES) > KEEP_REFERENCES:
        _KEPT_REFERENCES.pop(next(iter(_KEPT_REFERENCES))).close()
    return session


def close_kept_references() -> None:
    while _KEPT_REFERENCES:
        _KEPT_REFERENCES.popitem()[1].close()


atexit.register(close_kept_references)


def _report_nothing(module: object) -> None:
    """A probe that does nothing: run to learn a child's protections."""


def seed_global_generators(seed: int) -> None:
    """Seed Python's, numpy's and torch's global random generators (those this process has loaded)."""
    import random
    import sys

    random.seed(seed)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(seed % 2**32)
    if "torch" in sys.modules:
        # The CPU generator only: its state is what a probe takes over (torch.manual_seed would also queue a
        # CUDA seeding, recording the call stack each time: ~0.8 ms per test).
        sys.modules["torch"].default_generator.manual_seed(seed)


def check_error_values(error: BaseException | None, folder: Path | None) -> dict:
    """type, message and, where the check's own code is on the stack, file (absolute), line and source of
    an error raised by a check (or a module it imports from `folder`) while loading or running."""
    if error is None:
        return {"type": "unknown error", "message": ""}
    # pytest wraps what importing a check raised (a SyntaxError, an ImportError) in a CollectError of its
    # own words and frames; the original is its cause.
    if isinstance(error, pytest.Collector.CollectError) and error.__cause__ is not None:
        error = error.__cause__
    values: dict = {"type": type(error).__name__}
    if isinstance(error, SyntaxError):
        values["message"] = error.msg or str(error)
        if error.filename and error.lineno:
            values.update(file=str(Path(error.filename).resolve()), line=error.lineno,
                          source=(error.text or _source_line(error.filename, error.lineno)).strip())
            return values
    elif isinstance(error, pytest.FixtureLookupError):
        values["message"] = _missing_fixture(error)
    else:
        values["message"] = _first_lines(exception_text(error))[:1000]
    frame = _own_frame(error, folder)
    if frame is not None:
        values.update(file=str(Path(frame.filename).resolve()), line=frame.lineno,
                      source=(frame.line or _source_line(frame.filename, frame.lineno or 0)).strip())
    return values


_ENGINE = (str(Path(pytest.__file__).resolve().parent.parent), str(Path(__file__).resolve().parent.parent))


def _own_frame(error: BaseException, folder: Path | None) -> traceback.FrameSummary | None:
    """The innermost frame of `error`'s traceback in the check's folder; without one, the innermost outside
    pytest, pluggy and dlquest itself."""
    try:
        frames = traceback.extract_tb(error.__traceback__)
    except Exception:  # noqa: BLE001 - an odd traceback must not hide the error
        return None
    inside = str(folder.resolve()) + os.sep if folder is not None else None
    for frame in reversed(frames):
        if inside is not None and frame.lineno and str(Path(frame.filename).resolve()).startswith(inside):
            return frame
    for frame in reversed(frames):
        name = str(Path(frame.filename).resolve())
        if frame.lineno and not name.startswith(_ENGINE) and not frame.filename.startswith("<"):
            return frame
    return None


def _missing_fixture(error: pytest.FixtureLookupError) -> str:
    """"no fixture named 'lerner'; did you mean 'learner'?" (pytest's own text lists every fixture it knows,
    its own among them, over dozens of lines)."""
    if not error.argname:
        return _first_lines(str(error.msg or error))
    near = difflib.get_close_matches(error.argname, FIXTURES, n=1, cutoff=0.6)
    return f"no fixture named {error.argname!r}" + (f"; did you mean {near[0]!r}?" if near else
                                                      f" (the grader's are {', '.join(FIXTURES)})")


FIXTURES = ("learner", "reference", "device", "seed")


def _definition(item: pytest.Item) -> dict:
    function = getattr(item, "function", None)
    code = getattr(function, "__code__", None)
    if code is None:
        return {}
    return {"file": str(Path(code.co_filename).resolve()), "line": code.co_firstlineno,
            "source": _source_line(code.co_filename, code.co_firstlineno).strip()}


def _source_line(filename: str, line: int) -> str:
    import linecache

    return linecache.getline(filename, line)



def _reference_failed(feedback: Feedback, test: str) -> Feedback:
    """The reference solution did not complete a probe: a course bug. Its own feedback's values (an exception's
    type, message, line and source in the solution; a time-out's seconds), flat, with what kind it was."""
    values = {key: value for key, value in feedback.values.items() if isinstance(value, (str, int, float))}
    values["reason"] = feedback.code
    values["test"] = test
    return Feedback("reference_failed", values)


def _first_lines(text: str, count: int = 6) -> str:
    return "\n".join(text.strip().splitlines()[:count])


def available_devices() -> list[str]:
    """cpu always; cuda when a GPU is present. Asks NVML, so this process never initialises CUDA and stays
    safe to fork from."""
    import os

    os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")
    import torch

    return ["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"]


_WARM = False


def warm_up() -> None:
    """Do once, in this process, the lazy first-time work every child would otherwise repeat after fork:
    torch's autograd engine start and the imports behind function modes."""
    global _WARM
    import sys

    torch = sys.modules.get("torch")
    if _WARM or torch is None:
        return
    _WARM = True
    from dlquest.grader.checklib import forbid_ops

    x = torch.ones(2, 2, requires_grad=True)
    with forbid_ops(r"^$", "nothing"):  # matches no function
        (x * 2).sum().backward()
    # Some backward passes (a matmul that broadcasts a weight over a batch, as im2col convolutions do) import
    # torch's symbolic-shape machinery and sympy on first use: ~0.6 s in every child unless done here.
    import torch.fx.experimental.symbolic_shapes
