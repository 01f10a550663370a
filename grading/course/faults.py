"""Faults of the machine and of workspace files, as Vietnamese errors instead of tracebacks.

``explain`` maps what the operating system, the database or a file parser raised (disk full,
no permission, database down or damaged, a broken CSV) to a ``KitError`` naming what failed and
what to do; the CLI prints it and exits non-zero (``-v`` shows the original traceback).
Anything it does not recognise is a bug of the kit and keeps its traceback.
"""
from __future__ import annotations

import errno
from pathlib import Path

from grading.errors import KitError, problem

DISK_FULL = {errno.ENOSPC, errno.EDQUOT}
NO_RIGHTS = {errno.EACCES, errno.EPERM, errno.EROFS}


class MachineError(KitError):
    """The machine refused: disk full, no permission, an input/output error."""


def _db_url(workspace: str | Path | None) -> str:
    if workspace is None:
        return ""
    try:
        from grading.course.workspace import open_workspace

        return open_workspace(workspace).db_url
    except Exception:  # noqa: BLE001 - only used to name the gradebook in a message
        return str(Path(workspace) / "gradebook.db")


def explain(exc: BaseException, workspace: str | Path | None = None) -> KitError | None:
    """A KitError for a known fault, or None (a bug: let it show its traceback)."""
    from grading.course import dbcheck

    if isinstance(exc, KitError):
        return exc
    if isinstance(exc, OSError) and exc.errno is not None:
        name = exc.filename or (str(workspace) if workspace else None)
        if exc.errno in DISK_FULL:
            return MachineError(problem(
                "ổ đĩa đã đầy, không ghi được", "giải phóng dung lượng ổ đĩa rồi chạy lại lệnh; "
                "những gì đã ghi xong trước đó vẫn được giữ nguyên", file=name,
                message_en="the disk is full", fix_en="free some disk space and run again"))
        if exc.errno in NO_RIGHTS:
            return MachineError(problem(
                f"không có quyền ghi hoặc đọc ({exc.strerror})",
                "chạy bằng tài khoản quản lý thư mục làm việc, hoặc sửa quyền của tệp", file=name,
                message_en=f"permission denied ({exc.strerror})",
                fix_en="run as the workspace's owner or fix the file's permissions"))
        if exc.errno == errno.EIO:
            return MachineError(problem("lỗi đọc/ghi ổ đĩa", "kiểm tra ổ đĩa rồi chạy lại",
                                        file=name, message_en="input/output error"))
    if isinstance(exc, dbcheck.database_errors()):
        return dbcheck.explain(exc, _db_url(workspace))
    return None
