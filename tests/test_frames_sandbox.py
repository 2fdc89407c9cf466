"""Learner code that writes to the grader's result channel (a descriptor its process holds) gets a failing
test with a clear message, never a grader traceback, never a pass: a frame nested 100,000 levels deep, one
larger than the limit, bytes that are not JSON, a forged frame the grader does not understand.

Before: a deep frame raised RecursionError out of the grader (json.loads raises it, not ValueError); bytes that
were not JSON were skipped and the probe's real answer taken; an announced 2**62-byte frame swallowed the rest
and ended as "killed by SIGKILL" (or a time-out in a session).
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from dlquest.grader import sandbox
from dlquest.render import record_lines

# Every test here starts sandboxed children.
pytestmark = pytest.mark.grading

HEADER = struct.Struct(">Q")
DEEP = b"[" * 100_000 + b"]" * 100_000


def frame(body: bytes) -> bytes:
    return HEADER.pack(len(body)) + body


HOSTILE = {
    "deep": (frame(DEEP), "frame_too_deep"),
    "deep_value": (frame(json.dumps({"kind": "value", "data": "[" * 100_000 + "]" * 100_000}).encode()),
                   "bad_result"),
    "too_large": (HEADER.pack(2**62) + b"{", "frame_too_large"),
    "not_json": (frame(b"\xff\xfe this is not JSON"), "frame_not_json"),
    # A frame begun and never finished: the keeper's own last word (how the runner ended) is swallowed by it.
    "unfinished": (HEADER.pack(1000) + b'{"kind": "value", "data": "', "frame_not_json"),
    "forged_status": (frame(b'{"kind": "status", "status": 100000000000000000000000}'), "frame_malformed"),
}

FORGER = '''
import os


def forge(payload):
    """Write `payload` to every descriptor this process holds beyond stdio: the result channel among them."""
    for fd in range(3, 256):
        try:
            os.write(fd, payload)
        except OSError:
            pass
    if payload.startswith((1000).to_bytes(8, "big")):
        os._exit(0)  # leave the frame unfinished: nothing but the keeper writes after it
    return 1
'''


def attack(module, payload: bytes) -> int:
    """The probe: by reference from this module, so that a session can run it too."""
    return module.forge(payload)


@pytest.fixture
def forger(tmp_path) -> Path:
    path = tmp_path / "forger.py"
    path.write_text(FORGER)
    return path


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_forged_frame_fails_the_probe_in_a_child_of_its_own(forger, name):
    payload, code = HOSTILE[name]
    result = sandbox.run_probe(attack, forger, (payload,), limits=sandbox.Limits(wall_time=5))
    assert not result.ok and result.feedback.code == code, result.feedback


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_forged_frame_fails_the_probe_in_a_session_and_the_next_probe_starts_clean(forger, name):
    payload, code = HOSTILE[name]
    with sandbox.ProbeSession(forger, limits=sandbox.Limits(wall_time=5)) as session:
        result = session.call(attack, (payload,))
        assert not result.ok and result.feedback.code == code, result.feedback
        after = session.call(attack, (b"",))  # a new child: the old channel was out of step
    assert after.ok and after.value == 1


def test_sending_more_than_the_limit_fails_with_the_limit_named(forger):
    limits = sandbox.Limits(wall_time=5, result=1 << 20)
    payload = frame(b'{"kind": "value", "data": "' + b"1" * (2 << 20) + b'"}')
    assert sandbox.run_probe(attack, forger, (payload,), limits=limits).feedback.values == {"limit": 1 << 20}
    with sandbox.ProbeSession(forger, limits=limits) as session:
        assert session.call(attack, (payload,)).feedback.code == "frame_too_large"


def big_frame(module, size: int) -> int:
    return module.forge(HEADER.pack(size) + b"x" * size)


def test_a_session_reads_a_frame_just_under_the_limit_in_one_pass(forger):
    # It used to copy its whole buffer for every 64 KiB it read: 32 MiB took 18 s, and a frame near the
    # 256 MiB limit ran out the clock as a "time-out" instead of failing for what it is.
    limits = sandbox.Limits(wall_time=10, result=96 << 20)
    with sandbox.ProbeSession(forger, limits=limits) as session:
        result = session.call(big_frame, (90 << 20,))
    assert result.feedback.code == "frame_not_json" and result.duration < 5, (result.feedback, result.duration)


@pytest.mark.parametrize("name", ["deep", "too_large", "not_json"])
def test_a_submission_that_forges_frames_while_loading_fails_every_test_with_the_reason(grade_source, name):
    payload, code = HOSTILE[name]
    source = FORGER + f"\nforge({payload[:64]!r} + {payload[64:]!r})\n\nclass Perceptron:\n    pass\n"
    record = grade_source("perceptron", source, wall_time=5)
    assert record.outcome == "failed" and record.tests
    assert all(t.outcome == "failed" for t in record.tests)
    assert {f.code for t in record.tests for f in t.feedback} == {code}
    text = "\n".join(record_lines(record, "en"))
    assert "result channel" in text or "result may have" in text
