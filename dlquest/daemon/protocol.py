"""The daemon's wire: JSON lines on a Unix socket, one request and one answer per connection.

The client sends one request line ("run" attaches its stdout and stderr to the first bytes, SCM_RIGHTS). The
daemon's loop answers at once, {"accepted": pid} (or, for status and stop, the answer itself); then, while the
request's child works, {"alive": 1} every ALIVE_EVERY seconds; then the answer. So a daemon that does not answer
at all is known in HELLO_TIMEOUT, and one that stops answering in ALIVE_TIMEOUT, however long a grading runs.

Light on purpose: `dlquest check`'s quick path imports this before anything else of dlquest.
"""

from __future__ import annotations

import json
import os
import socket
import time

from dlquest.daemon.peer import peer_uid, same_user

HELLO_TIMEOUT = 3.0  # the loop answers in milliseconds; seconds of slack for a busy machine
ALIVE_EVERY = 1.0
ALIVE_TIMEOUT = 10.0
MAX_FDS = 2


class NoAnswer(TimeoutError):
    """The daemon went quiet: bypass it (and kill it by its pid)."""


def connect(sock_path: str | os.PathLike[str], timeout: float = 2.0) -> socket.socket | None:
    """A connection to the socket at `sock_path`, or None when nobody (or someone else's process) is there."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(str(sock_path))
        if same_user(peer_uid(sock)):  # else someone else's socket answering in the daemon's place
            return sock
    except OSError:
        pass
    sock.close()
    return None


def encode(message: dict) -> bytes:
    return (json.dumps(message, ensure_ascii=False) + "\n").encode()


def send_request(sock: socket.socket, message: dict, fds: list[int] | None = None) -> None:
    data = encode(message)
    if fds:
        sent = socket.send_fds(sock, [data], fds)
        data = data[sent:]
    sock.sendall(data)


class Lines:
    """The lines a peer sends, one JSON object each."""

    def __init__(self, sock: socket.socket):
        self.sock, self.buffer = sock, b""

    def next(self, timeout: float) -> dict | None:
        """The next line, None at end of stream; socket.timeout (TimeoutError) past `timeout`."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)


def ask(sock: socket.socket, message: dict, *, fds: list[int] | None = None, bound: float | None = None,
        hello: float = HELLO_TIMEOUT, alive: float = ALIVE_TIMEOUT) -> dict | None:
    """Send `message`, wait for its answer. None when the daemon hung up without one; NoAnswer when it does not
    accept in `hello` seconds, goes quiet for `alive` seconds, or has not answered in `bound` seconds."""
    send_request(sock, message, fds)
    lines = Lines(sock)
    deadline = time.monotonic() + bound if bound is not None else None
    wait = hello
    while True:
        if deadline is not None:
            wait = min(wait, deadline - time.monotonic())
            if wait <= 0:
                raise NoAnswer("the daemon's grading took longer than its bound")
        try:
            line = lines.next(wait)
        except TimeoutError:
            raise NoAnswer("the daemon did not answer in time") from None
        if line is None:
            return None
        if "accepted" not in line and "alive" not in line:
            return line
        wait = alive
