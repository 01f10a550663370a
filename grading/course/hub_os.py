"""OS accounts for the hub: one system account per official, as The Littlest JupyterHub does.

JupyterHub's LocalProcessSpawner starts each official's JupyterLab as their own OS user, so the
kernel's code can read only what that user may read: their home (0700) and the exchange. The
workspace (answer keys in ``source/``, the gradebook, other learners' submissions) is closed to
them: ``protect_workspace`` leaves only the exchange reachable. Needs root (useradd, usermod,
chown); no personal data goes into /etc/passwd (no name in the comment field).
Leavers: ``usermod --lock --expiredate 1`` — no login, no cron, home and files kept.
"""
from __future__ import annotations

import logging
import os
import pwd
import shutil
import stat
import subprocess
from pathlib import Path

from grading.errors import WorkspaceError, problem

log = logging.getLogger("congvu")
HOME_ROOT = Path("/home")
SHELL = "/bin/bash"


def _run(argv: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode:
        raise WorkspaceError(problem(
            f"lệnh {' '.join(argv)} thất bại: {done.stderr.strip()}",
            "chạy `congvu hub sync` bằng tài khoản root trên máy chủ hub",
            message_en=f"{' '.join(argv)} failed: {done.stderr.strip()}",
            fix_en="run `congvu hub sync` as root on the hub server"))


def require_root() -> None:
    if os.geteuid() != 0 or shutil.which("useradd") is None:
        raise WorkspaceError(problem(
            "tạo tài khoản máy cho cán bộ cần quyền root (useradd)",
            "chạy lại bằng sudo trên máy chủ hub, hoặc thêm --no-os-accounts để chỉ ghi danh sách",
            message_en="creating OS accounts needs root (useradd)",
            fix_en="rerun with sudo on the hub server, or pass --no-os-accounts"))


def exists(username: str) -> bool:
    try:
        pwd.getpwnam(username)
        return True
    except KeyError:
        return False


def ensure_user(username: str, home_root: Path = HOME_ROOT) -> str:
    """Create or re-enable the account; its home is private (0700). Returns what was done."""
    if not exists(username):
        home = Path(home_root) / username
        # learner ids keep their case (CB0001): Debian's useradd needs --badname for that
        badname = ["--badname"] if username != username.lower() else []
        _run(["useradd", *badname, "--create-home", "--home-dir", str(home), "--shell", SHELL,
              "--user-group", username])
        home.chmod(0o700)
        return "created"
    entry = pwd.getpwnam(username)
    Path(entry.pw_dir).chmod(0o700)
    _run(["usermod", "--unlock", "--expiredate", "", username])
    return "kept"


def disable_user(username: str) -> bool:
    """Lock a leaver's account; keep the home. False if there is no such account."""
    if not exists(username):
        return False
    _run(["usermod", "--lock", "--expiredate", "1", username])
    return True


def protect_workspace(root: Path, exchange: Path) -> None:
    """Others may only traverse the workspace to reach the exchange: every entry but the
    exchange loses its permissions for others; the exchange follows nbgrader's layout
    (world-writable inbound, sticky, so a learner cannot remove another's submission)."""
    root, exchange = Path(root).resolve(), Path(exchange).resolve()
    if exchange.is_relative_to(root):
        root.chmod(0o711)
        for entry in root.iterdir():
            if entry.resolve() != exchange and not exchange.is_relative_to(entry.resolve()):
                mode = entry.lstat().st_mode
                if not stat.S_ISLNK(mode):
                    entry.chmod(stat.S_IMODE(mode) & ~0o007)
    else:
        root.chmod(stat.S_IMODE(root.stat().st_mode) & ~0o007)
    exchange.mkdir(parents=True, exist_ok=True)
    # nbgrader's exchange checks that its root is writable by every learner (its docs: ugo+rw);
    # sticky as /tmp, so nobody can remove or rename what they do not own.
    exchange.chmod(0o1777)
    for course in exchange.iterdir():
        if course.is_dir():
            course.chmod(0o755)
            if (course / "inbound").is_dir():
                (course / "inbound").chmod(0o1733 | stat.S_ISGID)
            if (course / "outbound").is_dir():
                (course / "outbound").chmod(0o755)
            if (course / "feedback").is_dir():
                (course / "feedback").chmod(0o711)
