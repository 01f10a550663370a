"""Sandboxes without root: an unprivileged user namespace (Debian's kernel allows it by default).

As a normal user, ``sandbox.enter`` creates a user namespace together with the others and maps
the grader's own uid to uid 0 inside, which may then mount the private root exactly as root
does. Only one uid can be mapped without privileged helpers, so the learner's kernel cannot get a
uid of its own: instead it keeps uid 0 *of the namespace* with **no capabilities at all** (bounding
and ambient sets cleared, securebits locked so that ``execve`` of anything gives none back,
``no_new_privs``). Every host path it can see is a read-only bind, which it cannot remount; the
supervisor sits outside its PID namespace and is not dumpable, so it can neither signal nor trace
it. What root mode adds and this mode lacks: a separate uid per slot (the processes limit counts
per namespace) and the memory cgroup (a normal user cannot create one: logged, rlimits remain).
"""
from __future__ import annotations

import ctypes
import errno
import os

CLONE_NEWUSER = 0x10000000
PR_CAPBSET_DROP, PR_SET_SECUREBITS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 24, 28, 47, 4
# NOROOT, NO_SETUID_FIXUP, KEEP_CAPS and NO_CAP_AMBIENT_RAISE, each with its lock bit
SECUREBITS_LOCKED = 0xFF & ~(1 << 4)

_libc = ctypes.CDLL(None, use_errno=True)


def active() -> bool:
    """True when sandboxes must be built in a user namespace (the grader is not root)."""
    return os.geteuid() != 0


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def unshare_mapped(flags: int) -> None:
    """Unshare ``flags`` plus a user namespace where the caller's uid and gid become 0."""
    uid, gid = os.geteuid(), os.getegid()
    _check(_libc.unshare(CLONE_NEWUSER | flags), "unshare (user namespace)")
    for name, text in (("setgroups", "deny"), ("uid_map", f"0 {uid} 1"),
                       ("gid_map", f"0 {gid} 1")):
        with open(f"/proc/self/{name}", "w") as fh:
            fh.write(text)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def drop_capabilities(keep: int = -1) -> None:
    """Keep capability number ``keep`` (-1: none) in the effective and permitted sets only;
    nothing can be regained, by ``execve`` of a setuid file or of anything as uid 0."""
    _check(_libc.prctl(PR_SET_SECUREBITS, ctypes.c_ulong(SECUREBITS_LOCKED), 0, 0, 0),
           "securebits")
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    for cap in range(64):  # /proc (cap_last_cap) is not mounted here: EINVAL past the last
        if cap != keep and _libc.prctl(PR_CAPBSET_DROP, ctypes.c_ulong(cap), 0, 0, 0) != 0 \
                and ctypes.get_errno() != errno.EINVAL:
            _check(-1, "capbset")
    data = (_CapData * 2)()
    if keep >= 0:
        data[keep // 32].effective = data[keep // 32].permitted = 1 << (keep % 32)
    _check(_libc.capset(ctypes.byref(_CapHeader(0x20080522, 0)), data), "capset")
