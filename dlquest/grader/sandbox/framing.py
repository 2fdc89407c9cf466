"""Framing: how a child talks to the grader. Length-prefixed JSON frames on a pipe (the child's answers) and
length-prefixed pickles on another (a session's requests, from the trusted grader). A frame that is not what
the keeper or the runner writes (too large, too deep, not JSON, a forged field) is a BadFrame: learner code
holds the descriptor too, so nothing read here is trusted.
"""

from __future__ import annotations

import json
import os
import struct
from dataclasses import dataclass
from typing import Any

from dlquest.grader.records import Feedback
from dlquest.safe_text import encodable

FRAME_HEADER = struct.Struct(">Q")


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


def split_frames(data: bytes | bytearray, limit: int) -> tuple[list[dict | BadFrame], bytes | bytearray]:
    """The complete length-prefixed JSON frames at the start of `data`, and the bytes of an unfinished one
    (`data` itself, uncopied, when it holds no complete frame: a session calls this on every chunk it reads).
    A frame that is not JSON, nested deeper than json reads, malformed or announced larger than `limit` ends
    the list as a BadFrame (json.loads raises RecursionError, not ValueError, for a deep one)."""
    frames: list[dict | BadFrame] = []
    while len(data) >= FRAME_HEADER.size:
        (size,) = FRAME_HEADER.unpack_from(data)
        if size > limit:
            return [*frames, BadFrame(Feedback("frame_too_large", {"limit": limit}))], data[:0]
        if len(data) - FRAME_HEADER.size < size:
            break
        frame = _read_frame(data[FRAME_HEADER.size : FRAME_HEADER.size + size])
        data = data[FRAME_HEADER.size + size :]
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


def read_some(fd: int) -> bytes:
    try:
        return os.read(fd, 1 << 16)
    except BlockingIOError:
        return b""
    except OSError:
        return b""


def send_frame(fd: int, frame: dict) -> None:
    body = json.dumps(frame).encode()
    data = FRAME_HEADER.pack(len(body)) + body
    while data:
        data = data[os.write(fd, data):]


def receive_request(fd: int) -> bytes | None:
    """One length-prefixed request, or None when the grader closed the pipe."""
    header = read_exactly(fd, FRAME_HEADER.size)
    if header is None:
        return None
    (size,) = FRAME_HEADER.unpack(header)
    return read_exactly(fd, size)


def read_exactly(fd: int, size: int) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        chunk = os.read(fd, min(size - len(data), 1 << 20))
        if not chunk:
            return None
        data += chunk
    return bytes(data)
