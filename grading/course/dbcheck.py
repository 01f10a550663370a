"""Is the gradebook reachable and sound? Bounded retries of transient database errors.

``check`` runs before a grading batch (and the report) touches the gradebook, so a database
that is down, unreadable or truncated ends in one Vietnamese message instead of an error per
learner. ``transient`` tells a short outage (a SQLite write lock held by formgrader, a
PostgreSQL restart) from a real failure; ``backoff`` yields the waits between retries.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from grading.errors import KitError, problem

log = logging.getLogger("congvu")
RETRY_WAITS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 15.0, 15.0)  # about a minute in all
PREFLIGHT_WAITS = (0.25, 0.5, 1.0, 2.0, 4.0)  # before a batch: fail within ~8 s when down
TRANSIENT = ("database is locked", "database table is locked", "could not connect",
             "connection refused", "server closed the connection", "terminating connection",
             "the database system is starting up", "the database system is shutting down",
             "connection to server", "ssl syscall error", "connection already closed",
             "could not receive data", "could not send data", "cannot connect now")
BROKEN = ("file is not a database", "database disk image is malformed", "no such table",
          "unable to open database file", "disk i/o error")


class DatabaseError(KitError):
    """The gradebook cannot be reached, read or written."""


def transient(text: str) -> bool:
    """True if an error (its text) looks like a short outage worth retrying."""
    low = str(text).lower()
    return any(t in low for t in TRANSIENT)


def database_fault(text: str) -> bool:
    """True if a failed learner's reason points at the database rather than the submission."""
    low = str(text).lower()
    return transient(low) or any(b in low for b in BROKEN) or any(
        k in low for k in ("operationalerror", "databaseerror", "interfaceerror"))


def backoff(waits: tuple[float, ...] | None = None, within: float | None = None
            ) -> Iterator[float]:
    """The waits between retries; with ``within``, only as many as fit in that many seconds."""
    spent = 0.0
    for wait in RETRY_WAITS if waits is None else waits:
        if within is not None and spent + wait > within:
            return
        spent += wait
        yield wait


def where(db_url: str) -> str:
    """The gradebook as a person would name it: its file, or the server without the password."""
    import sqlalchemy as sa

    try:
        url = sa.engine.make_url(db_url)
    except Exception:  # noqa: BLE001 - a malformed URL is named as written
        return db_url
    if url.get_backend_name() == "sqlite":
        return url.database or db_url
    return url.render_as_string(hide_password=True)


def explain(exc: BaseException, db_url: str) -> DatabaseError:
    """A Vietnamese error for a database failure."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200] if str(exc) \
        else type(exc).__name__
    name = where(db_url)
    if transient(str(exc)):
        return DatabaseError(problem(
            f"không kết nối được cơ sở dữ liệu gradebook ({text})",
            "kiểm tra máy chủ cơ sở dữ liệu đang chạy (PostgreSQL) hoặc chờ chương trình đang "
            "ghi gradebook (formgrader) xong, rồi chạy lại; bài đã chấm không bị mất",
            file=name, message_en=f"cannot reach the gradebook database ({text})",
            fix_en="check that the database server runs, then run again"))
    if any(b in str(exc).lower() for b in BROKEN):
        return DatabaseError(problem(
            f"gradebook không đọc được: hỏng hoặc bị cắt cụt ({text})",
            "khôi phục gradebook từ bản sao lưu gần nhất (hoặc kiểm tra quyền đọc tệp), rồi "
            "chạy lại", file=name, message_en=f"the gradebook is unreadable or truncated ({text})",
            fix_en="restore it from the latest backup, then run again"))
    return DatabaseError(problem(f"lỗi cơ sở dữ liệu gradebook ({text})",
                                 "kiểm tra gradebook và db_url trong nbgrader_config.py",
                                 file=name, message_en=f"gradebook database error ({text})",
                                 fix_en="check the gradebook and db_url in nbgrader_config.py"))


def database_errors() -> tuple[type[BaseException], ...]:
    import sqlite3

    import sqlalchemy.exc as sa_exc

    return (sa_exc.OperationalError, sa_exc.DatabaseError, sa_exc.InterfaceError,
            sqlite3.DatabaseError)


@contextmanager
def guard(db_url: str):
    """Turn database errors raised inside the block into a DatabaseError naming the gradebook."""
    try:
        yield
    except database_errors() as exc:
        raise explain(exc, db_url) from exc


def check(db_url: str, *, waits: tuple[float, ...] | None = None) -> None:
    """Raise DatabaseError unless the gradebook answers (retrying short outages)."""
    import sqlalchemy as sa

    from grading.course.gradebook import _sqlite_path

    path = _sqlite_path(db_url)
    if path is not None:
        from pathlib import Path

        if not Path(path).exists():
            return  # nbgrader creates it on first use
    tries = iter(PREFLIGHT_WAITS if waits is None else waits)
    while True:
        engine = sa.create_engine(db_url)
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT COUNT(*) FROM assignment")).scalar()
            return
        except database_errors() as exc:
            wait = next(tries, None) if transient(str(exc)) else None
            if wait is None:
                raise explain(exc, db_url) from exc
            log.info("gradebook chưa sẵn sàng (%s); thử lại sau %.1f s", exc, wait)
            time.sleep(wait)
        finally:
            engine.dispose()
