"""Who may read and write what in a workspace and its exchange; ``congvu doctor`` checks it.

The trainer's (grading) account owns the workspace. Learner accounts on the same machine may
only pass through its root (mode 0711, not list it) to reach the exchange; everything that holds
keys, grades or other learners' work is the trainer's alone:

    DIR/                       0711  pass-through only
    DIR/source, release, submitted, autograded, feedback, congvu   0700
    DIR/gradebook.db, nbgrader_config.py                           0600
    EXCHANGE/                  1777  sticky: nobody replaces another account's folder
    EXCHANGE/<course>/         0755  the trainer's; outbound 0755
    EXCHANGE/<course>/inbound  3733  writable, not listable, sticky, group of the trainer

This is the layout nbgrader's multi-user exchange expects (it checks ``mode & 0o777`` only, so
the sticky bits stay). The exchange may live outside the workspace (``congvu init --exchange``).
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from grading.errors import Problem, problem

PRIVATE_DIRS = ("source", "release", "submitted", "autograded", "feedback", "congvu")
PRIVATE_FILES = ("gradebook.db", "nbgrader_config.py")
ROOT_MODE, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE = 0o711, 0o700, 0o600
EXCHANGE_MODE, COURSE_MODE, INBOUND_MODE = 0o1777, 0o755, 0o3733


@dataclass(frozen=True)
class Rule:
    """A path, the mode it should have, and the bits that must never be set."""

    path: Path
    mode: int
    forbidden: int
    required: int = 0

    def wrong(self) -> str | None:
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            return None
        if stat.S_ISLNK(st.st_mode):
            return "là liên kết tượng trưng (symlink)"
        if st.st_uid != os.geteuid() and os.geteuid() != 0:
            return f"thuộc tài khoản khác (uid {st.st_uid})"
        mode = stat.S_IMODE(st.st_mode)
        if mode & self.forbidden or (mode & self.required) != self.required:
            return f"có quyền {mode:04o}"
        return None


def rules(root: Path, exchange: Path, course_id: str) -> list[Rule]:
    root, exchange = Path(root), Path(exchange)
    course = exchange / course_id
    out = [Rule(root, ROOT_MODE, 0o066)]
    out += [Rule(root / d, PRIVATE_DIR_MODE, 0o077) for d in PRIVATE_DIRS]
    out += [Rule(root / f, PRIVATE_FILE_MODE, 0o077) for f in PRIVATE_FILES]
    out += [Rule(exchange, EXCHANGE_MODE, 0, required=stat.S_ISVTX),
            Rule(course, COURSE_MODE, 0o022), Rule(course / "outbound", COURSE_MODE, 0o022),
            Rule(course / "inbound", INBOUND_MODE, 0o044, required=stat.S_ISVTX)]
    return out


def secure_workspace(root: Path) -> None:
    """Create the private folders and set the workspace's modes (``congvu init``)."""
    root = Path(root)
    os.chmod(root, ROOT_MODE)
    for name in PRIVATE_DIRS:
        (root / name).mkdir(exist_ok=True)
        os.chmod(root / name, PRIVATE_DIR_MODE)
    for name in PRIVATE_FILES:
        if (root / name).is_file():
            os.chmod(root / name, PRIVATE_FILE_MODE)


def secure_exchange(exchange: Path, course_id: str | None = None) -> None:
    """Set the exchange's modes; with ``course_id``, also the course, inbound and outbound."""
    exchange = Path(exchange)
    exchange.mkdir(parents=True, exist_ok=True)
    os.chmod(exchange, EXCHANGE_MODE)
    if course_id and (exchange / course_id).is_dir():
        course = exchange / course_id
        os.chmod(course, COURSE_MODE)
        for name, mode in (("outbound", COURSE_MODE), ("inbound", INBOUND_MODE)):
            if (course / name).is_dir():
                os.chmod(course / name, mode)


def check(root: Path, exchange: Path, course_id: str) -> list[Problem]:
    """Every path with a wrong mode or owner, each with the command that fixes it."""
    found = []
    for rule in rules(root, exchange, course_id):
        why = rule.wrong()
        if why:
            found.append(problem(
                f"{why}; cần {rule.mode:04o} để học viên không đọc được đáp án, điểm hay bài "
                "của người khác", f"chmod {rule.mode:04o} '{rule.path}' (hoặc: congvu doctor "
                f"--fix '{root}')", file=str(rule.path), message_en=f"wrong mode or owner ({why})",
                fix_en=f"chmod {rule.mode:04o} '{rule.path}'"))
    return found


def fix(root: Path, exchange: Path, course_id: str) -> None:
    """Set every mode ``check`` looks at (the trainer's own paths only)."""
    secure_workspace(root)
    secure_exchange(exchange, course_id)
