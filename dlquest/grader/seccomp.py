"""No new process images in the learner's child: a seccomp filter that refuses execve and execveat.

Starting another program is the way around every guard of the learner's own process: a fresh interpreter
(`subprocess.run([sys.executable, ...])`, `os.exec*`, multiprocessing's spawn and forkserver, `os.system`)
has no rule installed. The filter is the kernel's, so neither Python nor ctypes can lift it; fork stays
allowed (a forked child keeps the filter and the rules). libseccomp does the work, through the `pyseccomp`
binding, which is imported in the grader's process (`available()`), since finding the library runs programs.
"""

from __future__ import annotations

import errno
import sys
from typing import Any

_MODULE: list[Any] = []  # pyseccomp, once imported; empty when unavailable
_CHECKED: list[bool] = []


def available() -> bool:
    """Whether seccomp filters can be loaded here (Linux, libseccomp and pyseccomp installed). Call it in the
    grader's process, before forking: it imports pyseccomp, which looks for libseccomp by running ldconfig."""
    if not _CHECKED:
        _CHECKED.append(True)
        if sys.platform.startswith("linux"):
            try:
                pyseccomp = _import_pyseccomp()
                pyseccomp.system_arch()
                _MODULE.append(pyseccomp)
            except Exception:  # noqa: BLE001 - missing library or binding: the protection is off, and said so
                pass
    return bool(_MODULE)


def _import_pyseccomp() -> Any:
    """Import pyseccomp, letting it find libc and libseccomp by their usual sonames first: its own search
    (ctypes.util.find_library) runs ldconfig and a compiler, ~50 ms in every grading process."""
    import ctypes
    import ctypes.util

    original = ctypes.util.find_library

    def find_library(name: str) -> str | None:
        for soname in ({"c": "libc.so.6", "seccomp": "libseccomp.so.2"}.get(name), f"lib{name}.so"):
            if soname:
                try:
                    ctypes.CDLL(soname)
                    return soname
                except OSError:
                    pass
        return original(name)

    ctypes.util.find_library = find_library
    try:
        import pyseccomp
    finally:
        ctypes.util.find_library = original
    return pyseccomp


def refuse_exec() -> None:
    """Refuse execve and execveat (EPERM) in this process, every thread and every child, for good."""
    if not available():
        raise OSError(errno.ENOSYS, "seccomp is not available")
    seccomp = _MODULE[0]
    allowed = seccomp.SyscallFilter(seccomp.ALLOW)
    for call in ("execve", "execveat"):
        allowed.add_rule(seccomp.ERRNO(errno.EPERM), call)
    # Threads that exist already get the filter too; system calls of a foreign ABI (x32, i386) kill the
    # process (libseccomp's default for an architecture the filter was not built for).
    allowed.set_attr(seccomp.Attr.CTL_TSYNC, 1)
    allowed.load()
