"""Isolation of learner code with what Linux gives: namespaces, a private root, uids, rlimits.

Size: one place for every step of building a sandbox (root and user-namespace variants), so a
reviewer reads the whole isolation in one file.

A sandbox is built in a process forked from the warm fork server (``grading/zygote.py``):

* ``enter``: new mount, network, IPC, UTS and PID namespaces; a fresh tmpfs becomes the root
  (``pivot_root``) holding only read-only binds of the Python runtime (``/usr``, the base
  interpreter, the venv, the ``grading`` package), a synthetic ``/etc``, a few device nodes, a
  size-limited ``/tmp`` and a size-limited home whose assignment folder is a fresh copy of the
  learner's submission. The gradebook, the course source, ``autograded/`` and every other
  learner's folder simply do not exist there. The network namespace has no interface up.
* ``become_learner``: the kernel process (PID 1 of the new PID namespace, so every process it
  starts dies with it) mounts its own ``/proc``, takes rlimits (CPU, address space, processes,
  file size, open files, no core) and drops to an unprivileged uid with ``no_new_privs``.
* without root (``userns.py``): the same, inside an unprivileged user namespace; the kernel
  keeps the namespace's uid 0 with no capability at all instead of a uid of its own.
* ``become_checker``: the supervisor drops to another unprivileged uid that keeps only
  ``CAP_DAC_READ_SEARCH`` (to read the learner's files whatever their mode) and is not
  dumpable, so the learner's uid can neither signal nor trace it.

Size: one file on purpose: every step of building the sandbox is read and reviewed together.
"""
from __future__ import annotations

import ctypes
import os
import platform
import resource
import shutil
import signal
import sys
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from grading.engine import userns
from grading.settings import GradingLimits, limit_default, workspace_limits

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_KEEPCAPS, PR_SET_NO_NEW_PRIVS = 1, 4, 8, 38
CAP_DAC_READ_SEARCH = 2
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}.get(platform.machine(), 155)
ROOT_MOUNTPOINT = "/tmp/.congvu-sandbox-root"
HOME = "/home/hocvien"
HOST_PROC = "/.hostproc"
UID_BASE = int(os.environ.get("CONGVU_SANDBOX_UID_BASE", "3900000"))
DEVICES = ("null", "zero", "full", "random", "urandom")

_libc = ctypes.CDLL(None, use_errno=True)


@dataclass
class Limits:
    """Per-notebook limits. Wall and output limits are enforced by the grader, the rest by the OS."""

    wall_seconds: int = limit_default("wall_seconds")
    cpu_seconds: int = limit_default("cpu_seconds")
    memory_mb: int = limit_default("memory_mb")
    processes: int = limit_default("processes")
    file_mb: int = limit_default("file_mb")
    disk_mb: int = limit_default("disk_mb")
    output_kb: int = limit_default("output_kb")
    check_seconds: int = limit_default("check_seconds")
    db_retry_seconds: int = limit_default("db_retry_seconds")

    @classmethod
    def of(cls, config: GradingLimits) -> Limits:
        """The limits a workspace's configuration sets (settings.workspace_limits)."""
        return cls(**{f.name: getattr(config, f.name) for f in fields(cls)})

    @classmethod
    def of_workspace(cls, root, overrides: dict | None = None) -> Limits:
        """A workspace's limits (its nbgrader_config.py) with ``overrides`` (None: kept)."""
        limits = cls.of(workspace_limits(root))
        for name, value in (overrides or {}).items():
            if value is not None:
                setattr(limits, name, value)
        return limits


@dataclass
class Spec:
    """What a sandbox for one notebook needs; sent to the fork server as JSON."""

    assignment: str
    files: list[tuple[str, str]]  # (host path, path relative to the assignment folder)
    ipc_dir: str
    slot: int = 0
    limits: Limits = field(default_factory=Limits)
    isolate: bool = True
    cgroup: str | None = None
    # Chosen by the grader (its environment), carried to the fork server (whose environment is
    # cleaned): both sides must agree on the uids.
    uid_base: int = field(default_factory=lambda: UID_BASE)
    learner: str = ""  # the gradebook's student id: picks the learner's option order

    @property
    def learner_uid(self) -> int:
        return self.uid_base + 2 * self.slot

    @property
    def checker_uid(self) -> int:
        return self.uid_base + 2 * self.slot + 1

    @property
    def workdir(self) -> str:
        return f"{HOME}/{self.assignment}" if self.isolate else self.ipc_dir + "/work"

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Spec:
        data = dict(data)
        data["limits"] = Limits(**data["limits"])
        data["files"] = [tuple(f) for f in data["files"]]
        return cls(**data)


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(src: str | None, dst: str, fstype: str | None, flags: int, data: str | None = None):
    _check(_libc.mount(src and src.encode(), dst.encode(), fstype and fstype.encode(),
                       ctypes.c_ulong(flags), data and data.encode()), f"mount {dst}")


def prctl(option: int, arg: int) -> None:
    _check(_libc.prctl(option, ctypes.c_ulong(arg), 0, 0, 0), f"prctl {option}")


def trusted_paths() -> list[str]:
    """Host folders the sandbox sees read-only: the Python runtime and the kit's package."""
    import grading

    paths = {"/usr", os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix),
             os.path.dirname(os.path.realpath(sys.executable)),
             os.path.dirname(os.path.realpath(grading.__file__))}
    paths |= {os.path.realpath(p) for p in sys.path if p.endswith(("site-packages", "dist-packages"))
              and os.path.isdir(p)}
    kept = sorted(p for p in paths if os.path.isdir(p))
    # drop folders already inside another kept folder
    return [p for p in kept if not any(p != q and p.startswith(q + "/") for q in kept)]


def _bind(root: str, path: str, *, writable: bool = False, is_file: bool = False) -> None:
    target = root + path
    if is_file:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    else:
        os.makedirs(target, exist_ok=True)
    _mount(path, target, None, MS_BIND | MS_REC)
    flags = MS_BIND | MS_REMOUNT | MS_NOSUID | (MS_NODEV if not is_file else 0)
    _mount(None, target, None, flags | (0 if writable else MS_RDONLY))


def _write_etc(root: str, spec: Spec) -> None:
    etc = root + "/etc"
    os.makedirs(etc, exist_ok=True)
    lu, cu = spec.learner_uid, spec.checker_uid
    Path(etc, "passwd").write_text(f"root:x:0:0::/:/usr/sbin/nologin\n"
                                   f"hocvien:x:{lu}:{lu}::{HOME}:/bin/sh\n"
                                   f"chamdiem:x:{cu}:{cu}::/:/usr/sbin/nologin\n")
    Path(etc, "group").write_text(f"root:x:0:\nhocvien:x:{lu}:\nchamdiem:x:{cu}:\n")
    Path(etc, "hosts").write_text("127.0.0.1 localhost\n")
    for name in ("ld.so.cache", "localtime", "mime.types"):
        if os.path.isfile("/etc/" + name):
            _bind(root, "/etc/" + name, is_file=True)


def _copy_work(spec: Spec, work: str) -> None:
    """A fresh copy of the learner's files (regular files only), owned by the learner's uid."""
    os.makedirs(work, exist_ok=True)
    for src, rel in spec.files:
        st = os.lstat(src)
        if not os.path.isfile(src) or os.path.islink(src) or st.st_size > spec.limits.file_mb << 20:
            continue
        dst = os.path.normpath(os.path.join(work, rel))
        if not dst.startswith(work + "/"):
            continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(src, dst)
        os.chmod(dst, 0o644)
    mine = not spec.isolate or _BASE.get("userns")  # the files stay ours (no uid to give)
    for dirpath, dirnames, filenames in os.walk(work) if not mine else ():
        for name in dirnames + filenames:
            os.lchown(os.path.join(dirpath, name), spec.learner_uid, spec.learner_uid)
    os.lchown(work, spec.learner_uid, spec.learner_uid) if not mine else None


_BASE = {"vsize": 0, "userns": False}


def enter(spec: Spec) -> None:
    """Supervisor side, as root: new namespaces and a private root holding only what is needed."""
    _BASE["vsize"] = int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
    if not spec.isolate:
        _copy_work(spec, spec.workdir)
        os.chdir(spec.workdir)
        return
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWPID
    _BASE["userns"] = userns.active()  # a normal user: a user namespace maps us to its uid 0
    if _BASE["userns"]:
        userns.unshare_mapped(flags)
    else:
        _check(_libc.unshare(flags), "unshare")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    root = ROOT_MOUNTPOINT
    os.makedirs(root, mode=0o700, exist_ok=True)
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,mode=0755")
    for link in ("bin", "lib", "lib64", "sbin", "lib32"):
        if os.path.islink("/" + link):
            os.symlink(os.readlink("/" + link), f"{root}/{link}")
    # Scratch /tmp and /dev/shm first: a checkout or venv that lives under /tmp (a CI clone)
    # is then bound on top of the fresh /tmp instead of being hidden by it.
    size = f"size={spec.limits.disk_mb}m"
    for path, mode in (("/dev/shm", "1777"), ("/tmp", "1777")):
        os.makedirs(root + path, exist_ok=True)
        _mount("tmpfs", root + path, "tmpfs", MS_NOSUID | MS_NODEV, f"{size},mode={mode}")
    for path in trusted_paths():
        _bind(root, path)
    for hidden in ("/usr/local/etc", "/usr/etc"):
        if os.path.isdir(root + hidden):  # site-wide config could hold a database password
            _mount("tmpfs", root + hidden, "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "size=4k")
    _write_etc(root, spec)
    os.makedirs(root + "/dev", exist_ok=True)
    for dev in DEVICES:
        _bind(root, "/dev/" + dev, writable=True, is_file=True)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{root}/dev/{name}")
    os.makedirs(root + HOME, exist_ok=True)
    uid = 0 if _BASE["userns"] else spec.learner_uid
    _mount("tmpfs", root + HOME, "tmpfs", MS_NOSUID | MS_NODEV, f"{size},mode=0755,uid={uid},gid={uid}")
    _copy_work(spec, root + spec.workdir)
    _bind(root, spec.ipc_dir, writable=True)
    os.makedirs(root + "/proc", exist_ok=True)
    if _BASE["userns"]:  # a new proc mounts in a user namespace only where one is visible
        os.makedirs(root + HOST_PROC)
        _mount("/proc", root + HOST_PROC, None, MS_BIND | MS_REC)
    os.makedirs(root + "/.old", exist_ok=True)
    os.chdir(root)
    _check(_libc.syscall(SYS_PIVOT_ROOT, b".", b".old"), "pivot_root")
    os.chdir("/")
    _check(_libc.umount2(b"/.old", MNT_DETACH), "umount old root")
    os.rmdir("/.old")
    _mount(None, "/", None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    _libc.sethostname(b"congvu", 6)
    os.chdir(spec.workdir)


def _die_with_parent() -> None:
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # after setuid: a credential change clears it


def _set_limits(limits: Limits, *, processes: bool = True) -> None:
    mem = _BASE["vsize"] + (limits.memory_mb << 20)
    plan = {resource.RLIMIT_CPU: (limits.cpu_seconds, limits.cpu_seconds + 2),
            resource.RLIMIT_AS: (mem, mem), resource.RLIMIT_CORE: (0, 0),
            resource.RLIMIT_FSIZE: (limits.file_mb << 20, limits.file_mb << 20),
            resource.RLIMIT_NOFILE: (1024, 1024)}
    if processes:
        plan[resource.RLIMIT_NPROC] = (limits.processes, limits.processes)
    for which, value in plan.items():
        resource.setrlimit(which, value)


def _drop_to(uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def mount_proc(spec: Spec) -> None:
    """In the sandbox's PID 1: a /proc that shows only the sandbox's processes."""
    if spec.isolate:
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        if _BASE["userns"]:  # gone before any learner code runs
            _check(_libc.umount2(HOST_PROC.encode(), MNT_DETACH), "umount host proc")


def become_learner(spec: Spec, keep_fds: tuple[int, ...] = ()) -> None:
    """Kernel side: limits, unprivileged uid, clean fds and environment."""
    devnull = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    for name in os.listdir("/proc/self/fd"):  # nothing of the grader's stays open
        if int(name) > 2 and int(name) not in keep_fds:
            try:
                os.close(int(name))
            except OSError:
                pass
    if spec.isolate:
        _set_limits(spec.limits)
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        userns.drop_capabilities() if _BASE["userns"] else _drop_to(spec.learner_uid)
    _die_with_parent()
    os.umask(0o022)
    os.environ.clear()
    os.environ.update({"PATH": f"{os.path.dirname(sys.executable)}:/usr/local/bin:/usr/bin:/bin",
                       "HOME": HOME if spec.isolate else spec.workdir, "USER": "hocvien",
                       "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "MPLBACKEND": "Agg",
                       "IPYTHONDIR": "/tmp/.ipython" if spec.isolate else spec.ipc_dir + "/ipy",
                       "JUPYTER_PLATFORM_DIRS": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
                       **learner_env(spec)})


def learner_env(spec: Spec) -> dict[str, str]:
    """Who and what is graded, for per-learner variants (learner/variants.py): the option
    order and the items drawn from pools are a function of them. ``CONGVU_GRADING`` tells
    the items that no one will click (learner/items.py draws them without widgets)."""
    return {"CONGVU_LEARNER": spec.learner, "CONGVU_ASSIGNMENT": spec.assignment,
            "CONGVU_GRADING": "1"}


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def become_checker(spec: Spec) -> None:
    """Supervisor side after the kernel is forked: another uid, only CAP_DAC_READ_SEARCH."""
    if not spec.isolate:
        return
    _set_limits(spec.limits, processes=False)
    if _BASE["userns"]:  # same uid as the learner; outside its PID namespace, not dumpable
        userns.drop_capabilities(keep=CAP_DAC_READ_SEARCH)
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        prctl(PR_SET_DUMPABLE, 0)
        return _die_with_parent()
    prctl(PR_SET_KEEPCAPS, 1)
    _drop_to(spec.checker_uid)
    data = (_CapData * 2)()
    data[0].effective = data[0].permitted = 1 << CAP_DAC_READ_SEARCH
    _check(_libc.capset(ctypes.byref(_CapHeader(0x20080522, 0)), data), "capset")
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    prctl(PR_SET_DUMPABLE, 0)
    _die_with_parent()


def available() -> tuple[bool, str]:
    """Can this process build sandboxes? (root, or a kernel that allows user namespaces)."""
    pid = os.fork()
    if pid == 0:
        try:
            flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWPID
            userns.unshare_mapped(flags) if userns.active() else _check(_libc.unshare(flags),
                                                                        "unshare")
            _mount(None, "/", None, MS_REC | MS_PRIVATE)
            os.makedirs(ROOT_MOUNTPOINT, exist_ok=True)
            _mount("tmpfs", ROOT_MOUNTPOINT, "tmpfs", 0, "size=1m")
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return False, ("nhân Linux không cho tạo namespaces (unshare) trong máy này"
                       + (" cho người dùng thường (user namespaces bị tắt)" if userns.active()
                          else ""))
    return True, ""

