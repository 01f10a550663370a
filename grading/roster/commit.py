"""All-or-nothing roster import across the gradebook, ``roster.csv`` and ``roster_changes.csv``.

The three cannot share one transaction, so the import writes ahead:

1. the whole outcome (the new roster, the people to create or rename in the gradebook, the
   history rows, and the history file's size before) goes atomically into
   ``congvu/roster_import.journal``;
2. it is applied: gradebook (one transaction), ``roster.csv`` (atomic rename), then the history
   (cut back to its size before, appended, fsynced) — each step can be repeated safely;
3. the journal is removed.

A crash before step 1 changes nothing; after it, the next ``roster import`` replays the journal
before anything else, so the three files always end up agreeing and no history is lost.
"""
from __future__ import annotations

import csv
import io
import json
import logging
import os
from pathlib import Path

import pandas as pd

from grading import columns as C
from grading.errors import RosterError, problem
from grading.files import crash_point, write_atomic
from grading.roster.diff import HISTORY_HEADER

log = logging.getLogger("congvu")
ROSTER_FILE = Path("congvu") / "roster.csv"  # the same file as importer.ROSTER_FILE
HISTORY_FILE = Path("congvu") / "roster_changes.csv"
JOURNAL_FILE = Path("congvu") / "roster_import.journal"


def commit(workspace: Path, db_url: str, course_id: str, *, roster_csv: str,
           people: pd.DataFrame, history: list[tuple[str, ...]]) -> None:
    """Write the journal of one import, apply it, remove it."""
    workspace = Path(workspace)
    path = workspace / HISTORY_FILE
    plan = {"roster": roster_csv, "history": [list(r) for r in history],
            "history_size": path.stat().st_size if path.exists() else None,
            "people": [[str(i), str(n)] for i, n in zip(people[C.LEARNER], people[C.NAME])]}
    (workspace / JOURNAL_FILE).parent.mkdir(parents=True, exist_ok=True)
    write_atomic(workspace / JOURNAL_FILE, json.dumps(plan, ensure_ascii=False).encode("utf-8"))
    crash_point("roster:journal")
    _apply(workspace, db_url, course_id, plan)


def replay(workspace: Path, db_url: str, course_id: str) -> bool:
    """Finish an import that a crash interrupted; clear its temporary files. True if one was."""
    workspace = Path(workspace)
    for tmp in (workspace / "congvu").glob(".roster*.tmp"):
        tmp.unlink(missing_ok=True)
    path = workspace / JOURNAL_FILE
    if not path.exists():
        return False
    try:
        plan = json.loads(path.read_text(encoding="utf-8"))
        plan["roster"], plan["people"], plan["history"]  # noqa: B018  (the keys must be there)
    except (ValueError, KeyError, TypeError) as exc:
        raise RosterError(problem(f"tệp nhật ký nhập danh sách bị hỏng ({exc})",
                                  "xóa tệp này rồi nhập lại danh sách", file=str(path),
                                  message_en="the roster import journal is damaged",
                                  fix_en="delete it and import the roster again")) from exc
    log.warning("Hoàn tất lượt nhập danh sách bị ngắt trước đó (%s).", path)
    _apply(workspace, db_url, course_id, plan)
    return True


def _apply(workspace: Path, db_url: str, course_id: str, plan: dict) -> None:
    from grading.course.gradebook import register_learners

    people = pd.DataFrame(plan["people"], columns=[C.LEARNER, C.NAME], dtype=str)
    register_learners(db_url, course_id, people)
    crash_point("roster:gradebook")
    write_atomic(workspace / ROSTER_FILE, plan["roster"].encode("utf-8"))
    crash_point("roster:roster")
    _append_history(workspace / HISTORY_FILE, plan["history"], plan["history_size"])
    crash_point("roster:history")
    (workspace / JOURNAL_FILE).unlink(missing_ok=True)


def _append_history(path: Path, rows: list, size_before: int | None) -> None:
    """Append ``rows`` to the history as it was before this import (repeatable)."""
    if not rows and size_before is None:
        return
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if not size_before:
        writer.writerow(HISTORY_HEADER)
    writer.writerows(rows)
    data = buf.getvalue().encode("utf-8")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if os.fstat(fd).st_size > (size_before or 0):
            os.ftruncate(fd, size_before or 0)  # a half-written append of an earlier try
        os.lseek(fd, 0, os.SEEK_END)
        os.write(fd, data[: len(data) // 2])
        crash_point("roster:history-half")
        os.write(fd, data[len(data) // 2:])
        os.fsync(fd)
    finally:
        os.close(fd)
