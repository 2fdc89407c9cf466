"""The grader's results as plain records: what the CLI, the app, the progress store and every report share.

Feedback is a code plus values, never prose: `dlquest.i18n` renders it in the learner's language when shown.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from dlquest.safe_text import json_text

PASSED, FAILED, ERROR, SKIPPED = "passed", "failed", "error", "skipped"


@dataclass(frozen=True)
class Feedback:
    code: str  # a key of i18n.MESSAGES without the "fb." prefix: "value_mismatch", "timeout", …
    values: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"code": self.code, "values": self.values}

    @classmethod
    def from_dict(cls, data: dict) -> Feedback:
        return cls(str(data.get("code", "assertion")), dict(data.get("values") or {}))


class CheckFailed(AssertionError):
    """Raised inside a check: the learner's code does not meet the contract. Carries structured feedback."""

    def __init__(self, *feedback: Feedback):
        self.feedback = list(feedback)
        super().__init__("; ".join(f"{f.code} {f.values}" for f in feedback))


class ReferenceFailed(Exception):
    """The reference solution itself did not complete a probe: a bug in the course, not the learner's."""

    def __init__(self, feedback: Feedback):
        self.feedback = feedback
        super().__init__(f"{feedback.code} {feedback.values}")


@dataclass
class TestResult:
    __test__ = False  # a record, not a pytest test class
    test: str  # the test's name inside its check, with parameters: "test_forward[cpu-stride2]"
    outcome: str  # passed | failed | error | skipped
    feedback: list[Feedback] = field(default_factory=list)
    duration: float = 0.0
    device: str | None = None
    output: str = ""  # what the learner's code printed during this test (bounded)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["feedback"] = [f.to_dict() for f in self.feedback]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> TestResult:
        return cls(
            test=data["test"],
            outcome=data["outcome"],
            feedback=[Feedback.from_dict(f) for f in data.get("feedback", [])],
            duration=float(data.get("duration", 0.0)),
            device=data.get("device"),
            output=data.get("output", ""),
        )


@dataclass
class GradeRecord:
    exercise: str
    outcome: str  # passed | failed | error (not gradable: the check could not run at all)
    tests: list[TestResult]
    started_at: float
    duration: float
    devices: list[str]
    source_sha256: str
    check_sha256: str
    grader_version: str
    torch_version: str | None
    protections: dict = field(default_factory=dict)  # name -> active?  (network, pid namespace, …)
    problem: Feedback | None = None  # why the whole grading failed, when outcome is "error"

    @property
    def passed(self) -> bool:
        return self.outcome == PASSED

    @property
    def failed_tests(self) -> list[TestResult]:
        return [t for t in self.tests if t.outcome in (FAILED, ERROR)]

    def to_dict(self) -> dict:
        data = asdict(self)
        data["tests"] = [t.to_dict() for t in self.tests]
        data["problem"] = self.problem.to_dict() if self.problem else None
        return data

    def to_json(self) -> str:
        """JSON that is safe to print (learner text in it cannot steer a terminal); NaN stays a number, as
        dlquest itself reads this back (the progress store)."""
        return json_text(self.to_dict(), strict=False)

    @classmethod
    def from_dict(cls, data: dict) -> GradeRecord:
        fields = dict(data)
        fields["tests"] = [TestResult.from_dict(t) for t in data.get("tests", [])]
        fields["problem"] = Feedback.from_dict(data["problem"]) if data.get("problem") else None
        return cls(**fields)
