"""Containment: the keeper, the first process forked for a child. It enters new namespaces (PID, network,
mount, …), makes the file system read-only, hides the solutions and the learner's own state, joins a pids
cgroup, then forks the runner and reports its wait status. `protections()` (children.py) says which of these
hold on this system.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from dlquest.grader import wire
from dlquest.grader.process_exit import die_with_parent, load_libc
from dlquest.grader.sandbox.cgroup import PidsCgroup
from dlquest.grader.sandbox.framing import send_frame
from dlquest.grader.sandbox.spec import SCRATCH, ChildPipes, ChildSpec, Limits

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


def keeper(spec: ChildSpec, pipes: ChildPipes, body: Callable[[dict[str, bool]], object],
           cgroup: PidsCgroup | None) -> NoReturn:
    """Contain this process, then fork the runner, which calls `body(active)` and never returns."""
    os.setsid()
    die_with_parent()  # if the grader is killed, the keeper goes too, and with it the runner (the same, below)
    limits, device, confine, frames_w = spec.limits, spec.device, spec.confine, pipes.frames_w
    active = {"pid_namespace": False, "network_namespace": False, "mount_namespace": False,
              "read_only_files": False, "hidden_solutions": False, "private_tmp": False, "process_limit": False,
              "memory_limit": False, "time_limit": True, "no_capabilities": False}
    try:
        if sys.platform.startswith("linux"):
            contain(active, limits, spec.hidden, cgroup)
    except Exception as err:  # noqa: BLE001 - a protection we expected failed half-way: refuse to grade, say why
        send_frame(frames_w, {"kind": "setup_error", "message": f"sandbox setup failed: {err}"})
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
    send_frame(frames_w, {"kind": "protections", "active": active})
    runner = os.fork()
    if runner == 0:
        body(active)
        os._exit(0)
    os.close(pipes.output_w)
    if pipes.request_r is not None:  # the runner's alone
        os.close(pipes.request_r)
    while True:
        try:
            _, status = os.waitpid(runner, 0)
            break
        except ChildProcessError:
            status = 0
            break
        except InterruptedError:
            continue
    send_frame(frames_w, {"kind": "status", "status": status})
    os._exit(0)


def contain(active: dict, limits: Limits, hide: tuple[Path, ...], cgroup: PidsCgroup | None) -> None:
    libc = load_libc()
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

    def mount(source: bytes | None, target: bytes, fstype: bytes | None, mflags: int, data: bytes | None = None
              ) -> None:
        if libc.mount(source, target, fstype, mflags, data) != 0:
            code = ctypes.get_errno()
            raise OSError(code, f"mount {os.fsdecode(target)}: {os.strerror(code)}")

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


def _python_locations() -> set[str]:
    """Where this Python finds its modules: these must stay visible to the runner."""
    import site

    locations = {sys.prefix, sys.base_prefix, str(Path(wire.__file__).resolve().parents[2])}
    try:
        locations.update(site.getsitepackages())
    except AttributeError:  # some virtualenv implementations lack it
        pass
    return {p for p in locations if p and os.path.exists(p)}


def drop_capabilities(libc: ctypes.CDLL) -> None:
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
