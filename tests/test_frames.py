"""The grader's frame reader and wire decoder take any bytes: what learner code could write to the result
channel (a descriptor its process holds) ends as a BadFrame or a WireError, never another exception.

Here the reader itself, over crafted bytes (no child process); tests/test_frames_sandbox.py writes the same
bytes from learner code in a real sandboxed child and grades it.
"""

from __future__ import annotations

import json
import struct

import pytest

from dlquest.grader import wire
from dlquest.grader.sandbox import BadFrame, split_frames
from dlquest.i18n import t

HEADER = struct.Struct(">Q")
LIMIT = 1 << 20
DEEP = b"[" * 100_000 + b"]" * 100_000  # json.loads raises RecursionError, which is not a ValueError


def frame(body: bytes | dict) -> bytes:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return HEADER.pack(len(data)) + data


GOOD = frame({"kind": "protections", "active": {"pid_namespace": True}})


@pytest.mark.parametrize(("data", "code"), [
    (frame(DEEP), "frame_too_deep"),
    (frame(b'{"kind": "failure", "feedback": {"code": "x", "values": {"v": ' + DEEP + b"}}}"), "frame_too_deep"),
    (HEADER.pack(LIMIT + 1) + b"{}", "frame_too_large"),
    (HEADER.pack(2**63) + b"", "frame_too_large"),
    (b"hello, grader: no frame at all", "frame_too_large"),  # its first eight bytes read as a length
    (frame(b"\xff\xfe not json"), "frame_not_json"),
    (frame(b"{'kind': 'value'}"), "frame_not_json"),
    (frame(b"[1, 2]"), "frame_malformed"),
    (frame({"kind": "exploit"}), "frame_malformed"),
    (frame({"kind": "status", "status": 10**30}), "frame_malformed"),  # os.WIFSIGNALED would overflow
    (frame({"kind": "status", "status": True}), "frame_malformed"),
    (frame({"kind": "value", "data": [[1]]}), "frame_malformed"),
    (frame({"kind": "protections", "active": ["all"]}), "frame_malformed"),
    (frame({"kind": "failure", "feedback": {"code": "x", "values": {"v": [[[[[1]]]]]}}}), "frame_malformed"),
    (frame({"kind": "failure", "feedback": {"code": 3}}), "frame_malformed"),
    (frame({"kind": "setup_error", "message": {"a": 1}}), "frame_malformed"),
])
def test_what_the_reader_cannot_read_is_a_bad_frame_with_its_reason(data, code):
    frames, rest = split_frames(GOOD + data + GOOD, LIMIT)
    assert frames[0] == json.loads(GOOD[HEADER.size:])
    assert isinstance(frames[-1], BadFrame) and frames[-1].feedback.code == code
    assert len(frames) == 2 and rest == b""  # nothing after it is read: the framing is in doubt
    for lang in ("en", "zh"):  # a message of its own, in both languages
        text = t(f"fb.{code}", lang, **frames[-1].feedback.values)
        assert not text.startswith("fb.") and "{" not in text


def test_the_runner_frames_still_read_as_they_are_written():
    written = [{"kind": "protections", "active": {"network_namespace": True}}, {"kind": "loaded"},
               {"kind": "failure", "feedback": {"code": "exception", "values": {"type": "ValueError",
                                                                               "message": "m", "line": 3}},
                "cpu": 0.5},
               {"kind": "value", "data": wire.encode([1, 2.5]).decode(), "cpu": 1},
               {"kind": "setup_error", "message": "sandbox setup failed"}, {"kind": "status", "status": 9}]
    data = b"".join(frame(f) for f in written)
    frames, rest = split_frames(data + data[:5], LIMIT)
    assert frames == written and rest == data[:5]  # an unfinished frame waits for the rest


def test_a_lone_surrogate_in_a_message_arrives_as_a_replacement_character():
    failure = {"kind": "failure", "feedback": {"code": "exception", "values": {"message": "a \ud800 b"}}}
    (read,), _ = split_frames(frame(failure), LIMIT)  # json.dumps writes it as the six characters \ud800
    assert read["feedback"]["values"]["message"] == "a \ufffd b"
    json.dumps(read, ensure_ascii=False).encode("utf-8")  # what a progress store does with it


@pytest.mark.parametrize("payload", [
    b"[" * 100_000 + b"]" * 100_000,
    json.dumps({"~": "list", "v": []}).encode().replace(b"[]", b"[" * 50_000 + b"]" * 50_000),
    b"\xff\xfe\x00",
])
def test_wire_decode_raises_only_wire_errors(payload):
    with pytest.raises(wire.WireError):
        wire.decode(payload)
