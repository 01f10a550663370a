"""Safe collect: submissions taken from the exchange's inbound without trusting the learner.

nbgrader's own ``collect`` believes the inbound folder's name (``learner+module+time+random``)
and ``timestamp.txt``, and copies with ``shutil`` as the trainer, following symbolic links.
Here, for every inbound entry of the module:

* the **learner** is the OS account that owns the entry (``identify(uid)``; a JupyterHub
  deployment maps its own users), never the folder name. A name that is not the owner's is
  refused with status ``forged``. Only entries owned by the collecting account itself (a
  single-account machine: demo, tests, ``make lab``) are taken by their name.
* the **time** is the latest change time (ctime) of the entry and everything in it, which a
  learner can only move later, never earlier. A ``timestamp.txt`` that claims a time further
  than ``SUBMIT_TIME_TOLERANCE_S`` from it is refused as ``forged``; the copy in ``submitted/``
  gets the true time, so nbgrader's late penalty and the report's days late use it.
* the **files** are read through directory descriptors with ``O_NOFOLLOW``, each checked with
  ``fstat`` on the open descriptor (no race between check and read): only regular files with one
  link, owned by the learner, within the size, count and depth limits of ``grading.settings``.
  Symbolic links, hard links, devices, FIFOs and sockets refuse the whole submission with status
  ``rejected_files`` and a Vietnamese reason. Entries owned by another account (dropped into the
  folder by someone else) are left out and named in the log. Run as root, each entry is read by
  a child process that has become its owner (``read_as_owner``): never with root's rights.

Every refused submission gets a status row; the others are copied and graded. The latest entry
of each learner (by true time) wins; an older valid copy already in ``submitted/`` stays. A first
pass keeps no file contents (memory stays small for thousands of learners); the chosen entries
are read again, with every check, when they are stored.

Size: over 330 lines, as one threat model (identity, time, files, reading rights) reads best
in one place.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import os
import pwd
import re
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from grading import columns as C
from grading import settings
from grading.status import Status

log = logging.getLogger("congvu")
LEARNER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
STAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f UTC"
_OPEN_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
_OPEN_DIR = os.O_RDONLY | os.O_NOFOLLOW | os.O_DIRECTORY
NOBODY_GID = 65534


class Refused(Exception):
    """A submission that must not be graded: (status, Vietnamese reason)."""

    def __init__(self, status: Status, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass
class Entry:
    """One inbound folder of the module, as read (never as claimed)."""

    name: str
    learner: str
    time: dt.datetime
    files: dict[str, bytes] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    refused: Refused | None = None


def owner_name(uid: int) -> str | None:
    """The account name of a uid (None if the uid has no account)."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return None


def _utc(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).replace(tzinfo=None)


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "liên kết tượng trưng (symlink)"
    if stat.S_ISFIFO(mode):
        return "đường ống (FIFO)"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "thiết bị"
    return "tệp đặc biệt"


class _Reader:
    """Reads one submission tree through descriptors, enforcing the intake limits."""

    def __init__(self, uid: int, entry: Entry, keep: bool) -> None:
        self.uid, self.entry, self.keep = uid, entry, keep
        self.total = self.count = 0
        self.ctime = 0.0

    def refuse(self, rel: str, what: str) -> None:
        raise Refused(Status.REJECTED_FILES,
                      f"bài nộp bị từ chối: '{rel}' là {what}; chỉ nhận tệp thường của chính "
                      "học viên — học viên cần xóa mục đó và nộp lại")

    def walk(self, dir_fd: int, prefix: str, depth: int) -> None:
        if depth > settings.INTAKE_MAX_DEPTH:
            self.refuse(prefix.rstrip("/"), f"thư mục lồng quá {settings.INTAKE_MAX_DEPTH} cấp")
        for name in sorted(os.listdir(dir_fd)):
            rel = prefix + name
            st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            self.count += 1
            if self.count > settings.INTAKE_MAX_FILES:
                self.refuse(rel, f"mục thứ {self.count}: quá {settings.INTAKE_MAX_FILES} tệp")
            if st.st_uid != self.uid:
                self.entry.skipped.append(rel)
                continue
            if stat.S_ISDIR(st.st_mode):
                fd = os.open(name, _OPEN_DIR, dir_fd=dir_fd)
                try:
                    self.ctime = max(self.ctime, os.fstat(fd).st_ctime)
                    self.walk(fd, rel + "/", depth + 1)
                finally:
                    os.close(fd)
            elif stat.S_ISREG(st.st_mode):
                self.read(dir_fd, name, rel)
            else:
                self.refuse(rel, _kind(st.st_mode))

    def read(self, dir_fd: int, name: str, rel: str) -> None:
        try:
            fd = os.open(name, _OPEN_FILE, dir_fd=dir_fd)
        except PermissionError:  # read with the learner's own rights (read_as_owner)
            self.refuse(rel, "tệp mà chính tài khoản nộp bài cũng không đọc được")
        except OSError:  # replaced by a link or a device between listing and opening
            self.refuse(rel, "mục thay đổi trong lúc thu bài")
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                self.refuse(rel, _kind(st.st_mode))
            if st.st_nlink != 1:
                self.refuse(rel, "liên kết cứng (hard link) tới tệp khác")
            if st.st_uid != self.uid:
                self.refuse(rel, "tệp của tài khoản khác")
            if st.st_size > settings.INTAKE_FILE_MB << 20:
                self.refuse(rel, f"tệp quá lớn (trên {settings.INTAKE_FILE_MB} MB)")
            self.total += st.st_size
            if self.total > settings.INTAKE_TOTAL_MB << 20:
                self.refuse(rel, f"bài nộp quá lớn (trên {settings.INTAKE_TOTAL_MB} MB)")
            with os.fdopen(os.dup(fd), "rb") as fh:
                data = fh.read(settings.INTAKE_FILE_MB * 2 ** 20 + 1)
            if len(data) > settings.INTAKE_FILE_MB << 20:
                self.refuse(rel, f"tệp quá lớn (trên {settings.INTAKE_FILE_MB} MB)")
            self.ctime = max(self.ctime, st.st_ctime)
            if self.keep or rel == "timestamp.txt":
                self.entry.files[rel] = data
        finally:
            os.close(fd)


def _walk(inbound_fd: int, name: str, reader: _Reader) -> None:
    fd = os.open(name, _OPEN_DIR, dir_fd=inbound_fd)
    try:
        reader.ctime = os.fstat(fd).st_ctime
        reader.walk(fd, "", 1)
    finally:
        os.close(fd)


def read_as_owner(inbound_fd: int, name: str, reader: _Reader) -> None:
    """Walk an inbound entry; as root, in a child that has become the entry's owner.

    Every read then has the learner's own rights, never root's: whatever slipped past the
    checks above (a race, a kernel trick) can yield only what the learner could read anyway.
    The child has no other privileges (no groups) and is not traceable by the learner (a
    process that changed uid is not dumpable). Its result comes back as JSON over a pipe.
    """
    if os.geteuid() != 0 or reader.uid == 0:
        _walk(inbound_fd, name, reader)
        return
    try:
        gid = pwd.getpwuid(reader.uid).pw_gid
    except KeyError:
        gid = NOBODY_GID
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        code = 0
        try:
            os.close(r)
            os.setgroups([])
            os.setgid(gid)
            os.setuid(reader.uid)
            try:
                _walk(inbound_fd, name, reader)
                out = {"ctime": reader.ctime, "skipped": reader.entry.skipped,
                       "files": {k: base64.b64encode(v).decode() for k, v in
                                 reader.entry.files.items()}}
            except Refused as exc:
                out = {"refused": [exc.status.value, exc.reason]}
            except OSError as exc:
                out = {"oserror": [exc.errno or 0, exc.strerror or str(exc)]}
            with os.fdopen(w, "w", encoding="utf-8") as fh:
                json.dump(out, fh)
        except BaseException:
            code = 1
        os._exit(code)
    os.close(w)
    with os.fdopen(r, encoding="utf-8") as fh:
        raw = fh.read()
    os.waitpid(pid, 0)
    try:
        out = json.loads(raw)
    except ValueError:  # the child died (the learner may signal it): nothing read
        raise OSError(0, "tiến trình đọc bài nộp dừng giữa chừng") from None
    if "refused" in out:
        raise Refused(Status(out["refused"][0]), out["refused"][1])
    if "oserror" in out:
        raise OSError(*out["oserror"])
    reader.ctime = out["ctime"]
    reader.entry.skipped[:] = out["skipped"]
    reader.entry.files.update({k: base64.b64decode(v) for k, v in out["files"].items()})


def _claimed_time(entry: Entry) -> dt.datetime | None:
    from nbgrader.utils import parse_utc

    raw = entry.files.get("timestamp.txt", b"").decode("utf-8", "replace").strip()
    try:
        return parse_utc(raw).replace(tzinfo=None) if raw else None
    except (ValueError, OverflowError):
        return None


def read_entry(inbound_fd: int, name: str, claimed: str,
               identify: Callable[[int], str | None], keep: bool = False) -> Entry:
    """Read one inbound entry: who owns it, when it last changed, why refused; with ``keep``,
    also its files' contents (read once more, with every check, for the entry to be stored)."""
    st = os.stat(name, dir_fd=inbound_fd, follow_symlinks=False)
    self_owned = st.st_uid == os.geteuid()
    learner = claimed if self_owned else identify(st.st_uid)
    entry = Entry(name=name, learner=learner or f"uid{st.st_uid}", time=_utc(st.st_ctime))
    try:
        if learner is None:
            raise Refused(Status.FORGED, f"thư mục nộp '{name}' thuộc tài khoản không xác định "
                                         f"(uid {st.st_uid}); không chấm")
        if not stat.S_ISDIR(st.st_mode):
            raise Refused(Status.REJECTED_FILES, f"mục '{name}' trong kho nộp bài là "
                                                 f"{_kind(st.st_mode)}, không phải thư mục bài nộp")
        if claimed != learner:
            raise Refused(Status.FORGED, f"bài nộp mang tên '{claimed}' nhưng do tài khoản "
                                         f"'{learner}' nộp; không chấm và không ghi cho '{claimed}'")
        reader = _Reader(st.st_uid, entry, keep)
        read_as_owner(inbound_fd, name, reader)
        entry.time = _utc(reader.ctime)
        said = _claimed_time(entry)
        tolerance = dt.timedelta(seconds=settings.SUBMIT_TIME_TOLERANCE_S)
        if said is None or abs(said - entry.time) > tolerance:
            raise Refused(Status.FORGED, f"giờ nộp ghi trong timestamp.txt ({said or 'không đọc được'}) "
                                         f"khác giờ tệp được ghi thật ({entry.time:%Y-%m-%d %H:%M:%S} UTC); "
                                         "bài bị sửa sau khi nộp hoặc giả giờ nộp — học viên cần nộp lại")
    except Refused as exc:
        entry.refused, entry.files = exc, {}
    except OSError as exc:
        entry.refused, entry.files = Refused(Status.REJECTED_FILES, f"không đọc được bài nộp "
                                                                    f"'{name}': {exc.strerror}"), {}
    return entry


def inbound_path(ws) -> Path:
    return ws.exchange / ws.course_id / "inbound"


def scan(inbound: Path, assignment: str,
         identify: Callable[[int], str | None] = owner_name) -> list[Entry]:
    """Every inbound entry of ``assignment``, read safely (never raises for an odd entry)."""
    fd = os.open(inbound, _OPEN_DIR)
    entries = []
    try:
        for name in sorted(os.listdir(fd)):
            parts = name.rsplit("+", 3)
            if len(parts) < 3 or parts[1] != assignment:
                continue
            entries.append(read_entry(fd, name, parts[0], identify))
    finally:
        os.close(fd)
    return entries


def _existing_time(folder: Path) -> dt.datetime | None:
    from nbgrader.utils import parse_utc

    try:
        return parse_utc((folder / "timestamp.txt").read_text().strip()).replace(tzinfo=None)
    except (OSError, ValueError):
        return None


def store(entry: Entry, dest: Path) -> bool:
    """Write an accepted entry to submitted/<learner>/<module> (True if it replaced anything)."""
    old = _existing_time(dest)
    if old is not None and old >= entry.time:
        return False
    tmp = dest.parent / f".{dest.name}.intake"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True, mode=0o700)
    for rel, data in entry.files.items():
        if rel == "timestamp.txt":
            continue
        path = tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (tmp / "timestamp.txt").write_text(entry.time.strftime(STAMP_FORMAT))
    if dest.exists():
        shutil.rmtree(dest)
    os.replace(tmp, dest)
    return True


def collect(ws, assignment: str, *, identify: Callable[[int], str | None] = owner_name
            ) -> list[dict]:
    """Collect the module's latest submissions safely; return the status rows of refused ones."""
    inbound = inbound_path(ws)
    if not inbound.is_dir():
        log.warning("Chưa có kho nộp bài %s (chưa phát học phần?)", inbound)
        return []
    latest: dict[str, Entry] = {}
    refused: dict[str, Entry] = {}
    for entry in scan(inbound, assignment, identify):
        if entry.refused is None and not LEARNER_ID.match(entry.learner):
            entry.refused = Refused(Status.REJECTED_FILES,
                                    f"mã học viên '{entry.learner}' không hợp lệ; không chấm")
        if entry.refused is not None:
            log.warning("Từ chối bài nộp %s: %s", entry.name, entry.refused.reason)
            if entry.learner not in refused or entry.time > refused[entry.learner].time:
                refused[entry.learner] = entry
            continue
        if entry.skipped:
            log.warning("Bài nộp %s: bỏ qua các mục của tài khoản khác: %s", entry.name,
                        ", ".join(entry.skipped))
        if entry.learner not in latest or entry.time > latest[entry.learner].time:
            latest[entry.learner] = entry
    submitted = ws.root / "submitted"
    fd = os.open(inbound, _OPEN_DIR)
    try:
        for learner, seen in sorted(latest.items()):  # read again, checked again, then stored
            entry = read_entry(fd, seen.name, seen.name.rsplit("+", 3)[0], identify, keep=True)
            if entry.refused is not None or entry.learner != learner:
                refused[learner] = entry
                entry.refused = entry.refused or Refused(Status.FORGED, "bài nộp đổi chủ khi thu")
                del latest[learner]
            elif store(entry, submitted / learner / assignment):
                log.info("Đã thu bài %s của %s (%s UTC)", assignment, learner, entry.time)
    finally:
        os.close(fd)
    # A refusal counts when it is the learner's latest hand-in (an older one is history).
    return [{C.LEARNER: learner, C.MODULE: assignment, C.STATUS: entry.refused.status,
             C.REASON: entry.refused.reason, "seconds": 0.0}
            for learner, entry in sorted(refused.items())
            if learner not in latest or entry.time > latest[learner].time]
