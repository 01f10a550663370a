"""Manual grading of one free-text item across every learner, written as formgrader writes it.

The trainer's grading page (``grading/report/grading_page.py``) and ``congvu cham-tay`` stand on
this module. Scores go into nbgrader's gradebook through its own ORM, exactly as formgrader's
API handlers do: ``Grade.manual_score`` (``PUT /formgrader/api/grade/<id>``) and
``Comment.manual_comment`` (``PUT /formgrader/api/comment/<id>``), then one commit. So
formgrader, ``nbgrader export`` and the kit's reports all see the same score.

Every change appends one line to ``WS/nhat_ky_cham_tay.csv`` (the audit log): when (Vietnam
time), who, module, item, learner, old → new points, old → new comment. Nothing is written when
nothing changes; a score outside 0..max is refused with a Vietnamese message.
"""
from __future__ import annotations

import csv
import datetime as dt
import getpass
import logging
from pathlib import Path

import pandas as pd

from grading import columns as C
from grading.course import gradebook
from grading.course.workspace import Workspace
from grading.errors import GradingError, problem
from grading.learner.answers import ANSWERS_FILE, describe, load_answers
from grading.settings import LOCAL_TZ

log = logging.getLogger("congvu")
AUDIT_FILE = "nhat_ky_cham_tay.csv"
AUDIT_COLUMNS = ("thoi_gian", "nguoi_cham", "hoc_phan", "cau", "hoc_vien",
                 "diem_cu", "diem_moi", "nhan_xet_cu", "nhan_xet_moi")
ANSWER = "answer"
COMMENT = "comment"
MANUAL = "manual_score"

MANUAL_ITEMS_SQL = """
SELECT nb.name AS notebook, bc.name AS item_id, tc.max_score AS max_score
FROM task_cells tc JOIN base_cell bc ON tc.id = bc.id
JOIN notebook nb ON bc.notebook_id = nb.id JOIN assignment a ON nb.assignment_id = a.id
WHERE a.name = :module
UNION ALL
SELECT nb.name, bc.name, gc.max_score
FROM grade_cells gc JOIN base_cell bc ON gc.id = bc.id
JOIN solution_cells sc ON sc.id = bc.id
JOIN notebook nb ON bc.notebook_id = nb.id JOIN assignment a ON nb.assignment_id = a.id
WHERE a.name = :module
"""


def vietnamese_name(first_name: str | None, last_name: str | None) -> str:
    """nbgrader keeps the given name in first_name: "Lê Minh" + "Khoa" reads "Lê Minh Khoa"."""
    return " ".join(p for p in (last_name or "", first_name or "") if p).strip()


def manual_items(ws: Workspace, module: str) -> pd.DataFrame:
    """The items of ``module`` a trainer grades by hand (task cells, manually graded answers):
    notebook, item_id, max_score, in notebook order of names."""
    import sqlalchemy as sa

    ws.manifest.module(module)  # a clear error for an unknown module
    engine = sa.create_engine(ws.db_url)
    try:
        with engine.connect() as conn:
            frame = pd.read_sql_query(sa.text(MANUAL_ITEMS_SQL), conn, params={"module": module})
    finally:
        engine.dispose()
    return frame.sort_values([C.NOTEBOOK, C.ITEM], key=_natural).reset_index(drop=True)


def _natural(values: pd.Series) -> pd.Series:
    """c2 before c11."""
    return values.map(lambda s: (len(str(s)), str(s)))


def _unknown_item(module: str, item: str, known: list[str]) -> GradingError:
    return GradingError(problem(
        f"học phần {module} không có câu chấm tay '{item}'",
        f"chọn một trong: {', '.join(known) or '(không có câu nào)'}",
        message_en=f"module {module} has no manually graded item '{item}'",
        fix_en=f"choose one of: {', '.join(known) or '(none)'}"))


def answers_for(ws: Workspace, module: str, item: str) -> pd.DataFrame:
    """Every submitted learner's answer to ``item``, one row each, sorted by learner id:
    learner_id, full_name, answer (text as saved), manual_score (None = not graded yet),
    max_score, comment, notebook."""
    from nbgrader.api import SubmittedAssignment, SubmittedNotebook

    items = manual_items(ws, module)
    row = items[items[C.ITEM] == item]
    if row.empty:
        raise _unknown_item(module, item, list(items[C.ITEM]))
    notebook, max_score = row.iloc[0][C.NOTEBOOK], float(row.iloc[0][C.MAX_SCORE])
    rows = []
    with gradebook.connect(ws.db_url, ws.course_id) as gb:
        subs = (gb.db.query(SubmittedAssignment).join(SubmittedAssignment.assignment)
                .filter_by(name=module).all())
        for sub in sorted(subs, key=lambda s: s.student.id):
            nb = gb.db.query(SubmittedNotebook).filter_by(assignment_id=sub.id).join(
                SubmittedNotebook.notebook).filter_by(name=notebook).one_or_none()
            if nb is None:
                continue
            grade = next((g for g in nb.grades if g.name == item), None)
            note = next((c for c in nb.comments if c.name == item), None)
            folder = ws.root / "submitted" / sub.student.id / module
            saved = load_answers(folder).get(item)
            rows.append({C.LEARNER: sub.student.id,
                         C.NAME: vietnamese_name(sub.student.first_name, sub.student.last_name),
                         ANSWER: "" if saved is None else describe(saved),
                         MANUAL: None if grade is None else grade.manual_score,
                         C.MAX_SCORE: max_score,
                         COMMENT: (note.manual_comment or "") if note is not None else "",
                         C.NOTEBOOK: notebook})
    return pd.DataFrame(rows, columns=[C.LEARNER, C.NAME, ANSWER, MANUAL, C.MAX_SCORE, COMMENT,
                                       C.NOTEBOOK])


def _check_points(points: float | None, max_score: float, learner: str) -> float | None:
    if points is None:
        return None
    try:
        value = float(points)
    except (TypeError, ValueError):
        value = float("nan")
    if not 0 <= value <= max_score:
        raise GradingError(problem(
            f"điểm '{points}' của {learner} không hợp lệ", f"nhập một số từ 0 đến {max_score:g}",
            message_en=f"invalid points '{points}' for {learner}",
            fix_en=f"enter a number from 0 to {max_score:g}"))
    return value


def set_grade(ws: Workspace, module: str, item: str, learner: str, *,
              points: float | None, comment: str | None = None,
              who: str | None = None) -> bool:
    """Write a manual score (and comment, unless None) as formgrader does; audit the change.

    Returns True if something changed. ``points=None`` clears the manual score (formgrader's
    empty box). The comment is stored only where nbgrader keeps comments (task and answer
    cells).
    """
    from nbgrader.api import MissingEntry

    items = manual_items(ws, module)
    row = items[items[C.ITEM] == item]
    if row.empty:
        raise _unknown_item(module, item, list(items[C.ITEM]))
    notebook, max_score = row.iloc[0][C.NOTEBOOK], float(row.iloc[0][C.MAX_SCORE])
    value = _check_points(points, max_score, learner)
    with gradebook.connect(ws.db_url, ws.course_id) as gb:
        try:
            grade = gb.find_grade(item, notebook, module, learner)
        except MissingEntry:
            raise GradingError(problem(
                f"{learner} chưa có bài {module} đã chấm tự động",
                "thu và chấm bài trước (congvu grade --collect), rồi chấm tay",
                message_en=f"{learner} has no autograded submission of {module}",
                fix_en="collect and grade first (congvu grade --collect)")) from None
        try:
            note = gb.find_comment(item, notebook, module, learner)
        except MissingEntry:
            note = None
        old_points, old_comment = grade.manual_score, (note.manual_comment or "") if note else ""
        new_comment = old_comment if comment is None or note is None else comment.strip()
        if old_points == value and old_comment == new_comment:
            return False
        grade.manual_score = value
        if note is not None:
            note.manual_comment = new_comment
        gb.db.commit()
    _audit(ws.root, who or getpass.getuser(), module, item, learner,
           old_points, value, old_comment, new_comment)
    log.info("chấm tay %s/%s/%s: %s → %s", module, item, learner, old_points, value)
    return True


def _fmt(points: float | None) -> str:
    return "" if points is None else f"{points:g}"


def _audit(root: Path, who: str, module: str, item: str, learner: str,
           old: float | None, new: float | None, old_comment: str, new_comment: str) -> None:
    path = root / AUDIT_FILE
    fresh = not path.exists()
    with open(path, "a", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        if fresh:
            writer.writerow(AUDIT_COLUMNS)
        writer.writerow([dt.datetime.now(LOCAL_TZ).isoformat(timespec="seconds"), who, module,
                         item, learner, _fmt(old), _fmt(new), old_comment, new_comment])


def audit_log(root: str | Path) -> pd.DataFrame:
    """Every manual-grading change of the workspace, oldest first (empty frame if none)."""
    path = Path(root) / AUDIT_FILE
    if not path.exists():
        return pd.DataFrame(columns=list(AUDIT_COLUMNS))
    return pd.read_csv(path, dtype=str, keep_default_na=False)


__all__ = ["ANSWERS_FILE", "answers_for", "audit_log", "manual_items", "set_grade",
           "vietnamese_name"]
