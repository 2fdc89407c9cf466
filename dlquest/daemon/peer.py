"""The peer's uid on a Unix socket: SO_PEERCRED on Linux, getpeereid (LOCAL_PEERCRED) on macOS."""

from __future__ import annotations

import os
import socket
import struct
import sys


def peer_uid(sock: socket.socket) -> int | None:
    if sys.platform.startswith("linux"):
        creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        return struct.unpack("3i", creds)[1]
    if sys.platform == "darwin":  # struct xucred: version, uid, ...; LOCAL_PEERCRED = 1 at SOL_LOCAL = 0
        creds = sock.getsockopt(0, 1, 76)
        return struct.unpack_from("Ii", creds)[1]
    return None


def same_user(uid: int | None) -> bool:
    """Only our own uid is trusted; an unknown peer (no credential API) is refused."""
    return uid is not None and uid == os.getuid()
