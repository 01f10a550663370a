"""Read the nbgrader gradebook with SQL into tidy pandas frames; register learners.

Reading goes straight to the tables (one query per frame) instead of ``nbgrader export``,
which issues several ORM queries per learner × assignment. The score rule is nbgrader's:
manual score if set, else auto score, else 0, plus extra credit; a submission's late penalty
is subtracted at the assignment level (see metrics.module_scores). ``needs_manual_grade`` here
means "still awaiting a trainer": nbgrader raises its flag again on every re-autograde even
when a manual score exists (the score itself is kept).
"""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from grading import columns as C
from grading.settings import LOCAL_TZ

ITEMS_SQL = """
SELECT a.name AS module_id, nb.name AS notebook, bc.name AS item_id,
       COALESCE(gc.max_score, tc.max_score) AS max_score,
       CASE WHEN tc.id IS NOT NULL THEN 'manual' ELSE 'auto' END AS kind
FROM base_cell bc
JOIN notebook nb ON bc.notebook_id = nb.id
JOIN assignment a ON nb.assignment_id = a.id
LEFT JOIN grade_cells gc ON gc.id = bc.id
LEFT JOIN task_cells tc ON tc.id = bc.id
WHERE gc.id IS NOT NULL OR tc.id IS NOT NULL
"""

GRADES_SQL = """
SELECT sa.student_id AS learner_id, a.name AS module_id, nb.name AS notebook,
       bc.name AS item_id,
       COALESCE(g.manual_score, g.auto_score, 0) + COALESCE(g.extra_credit, 0) AS score,
       CASE WHEN g.needs_manual_grade AND g.manual_score IS NULL THEN 1 ELSE 0 END
           AS needs_manual_grade
FROM grade g
JOIN submitted_notebook sn ON g.notebook_id = sn.id
JOIN submitted_assignment sa ON sn.assignment_id = sa.id
JOIN assignment a ON sa.assignment_id = a.id
JOIN base_cell bc ON g.cell_id = bc.id
JOIN notebook nb ON bc.notebook_id = nb.id
"""

SUBMISSIONS_SQL = """
SELECT sa.student_id AS learner_id, a.name AS module_id, sa.timestamp AS timestamp,
       a.duedate AS duedate,
       (SELECT COALESCE(SUM(sn.late_submission_penalty), 0) FROM submitted_notebook sn
        WHERE sn.assignment_id = sa.id) AS late_penalty
FROM submitted_assignment sa
JOIN assignment a ON sa.assignment_id = a.id
"""


# The one pass over the big grade table: the grades summed per submitted notebook (the kit's
# covering index read in order, like a bare GROUP BY), each sum joined to who and when.
# Scores follow nbgrader: manual if set, else auto, else 0, plus extra credit. ``{where}``
# and ``{outer}`` bound the notebook ids of one part on both sides of the join (score_scan
# reads two parts at once; PostgreSQL then scans only that part of submitted_notebook);
# ``{join}`` is CROSS JOIN on SQLite (keeps the ordered scan as the outer loop), JOIN elsewhere;
# ``{module}`` is the assignment's name, or on SQLite its rowid (a small integer per row instead
# of a string; the names are read apart).
NOTEBOOK_SQL = """
SELECT sa.student_id AS learner_id, {module} AS module_id, sa.timestamp AS timestamp,
       COALESCE(sn.late_submission_penalty, 0) AS late_penalty,
       g.score AS score, g.needs_manual_grade AS needs_manual_grade
FROM (
  SELECT notebook_id,
         SUM(COALESCE(manual_score, auto_score, 0) + COALESCE(extra_credit, 0)) AS score,
         SUM(CASE WHEN needs_manual_grade AND manual_score IS NULL THEN 1 ELSE 0 END)
             AS needs_manual_grade
  FROM grade {where} GROUP BY notebook_id) g
{join} submitted_notebook sn ON sn.id = g.notebook_id
JOIN submitted_assignment sa ON sn.assignment_id = sa.id
JOIN assignment a ON sa.assignment_id = a.id
{outer}
"""
# Submitted notebooks without any grade row (rare): read only when NOTEBOOK_SQL returned
# fewer rows than there are submitted notebooks. No score, nothing awaiting a trainer.
UNGRADED_SQL = """
SELECT sa.student_id AS learner_id, {module} AS module_id, sa.timestamp AS timestamp,
       COALESCE(sn.late_submission_penalty, 0) AS late_penalty,
       NULL AS score, 0 AS needs_manual_grade
FROM submitted_notebook sn
JOIN submitted_assignment sa ON sn.assignment_id = sa.id
JOIN assignment a ON sa.assignment_id = a.id
WHERE NOT EXISTS (SELECT 1 FROM grade g WHERE g.notebook_id = sn.id)
"""
# The bare GROUP BY over grade the kit's covering index serves (tests/course/test_migrate.py).
NOTEBOOK_SCORES_SQL = NOTEBOOK_SQL.format(where="", outer="", join="CROSS JOIN",
                                          module="a.name")


def ensure_tools_on_path() -> None:
    """nbgrader shells out to ``alembic`` when it opens a gradebook: put our venv's bin first."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def connect(db_url: str, course_id: str):
    """nbgrader's Gradebook (a context manager), usable from any PATH."""
    from nbgrader.api import Gradebook

    ensure_tools_on_path()
    return Gradebook(db_url, course_id)


def _read(db_url: str, sql: str) -> pd.DataFrame:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            return pd.read_sql_query(sa.text(sql), conn)
    finally:
        engine.dispose()


def read_items(db_url: str) -> pd.DataFrame:
    """One row per graded item (autograded test cell or manually graded task) of each module."""
    frame = _read(db_url, ITEMS_SQL)
    frame[C.MAX_SCORE] = frame[C.MAX_SCORE].astype(float)
    return frame.sort_values([C.MODULE, C.NOTEBOOK, C.ITEM], ignore_index=True)


def read_grades(db_url: str) -> pd.DataFrame:
    """Tidy grades: one row per (learner, module, notebook, item)."""
    frame = _read(db_url, GRADES_SQL)
    frame[C.SCORE] = frame[C.SCORE].astype(float)
    frame[C.NEEDS_MANUAL] = frame[C.NEEDS_MANUAL].astype(bool)
    return frame.sort_values([C.LEARNER, C.MODULE, C.NOTEBOOK, C.ITEM], ignore_index=True)


def read_submissions(db_url: str) -> pd.DataFrame:
    """One row per (learner, module) that nbgrader has graded, with timestamp and penalty."""
    frame = _read(db_url, SUBMISSIONS_SQL)
    for col in (C.TIMESTAMP, C.DUEDATE):  # nbgrader stores naive UTC; HR reads Vietnam time
        frame[col] = (pd.to_datetime(frame[col]).dt.tz_localize("UTC")
                      .dt.tz_convert(LOCAL_TZ).dt.tz_localize(None))
    frame[C.PENALTY] = frame[C.PENALTY].astype(float)
    return frame.sort_values([C.LEARNER, C.MODULE], ignore_index=True)


def _sqlite_path(db_url: str) -> str | None:
    from grading.course.score_scan import sqlite_path

    return sqlite_path(db_url)


def read_module_scores(db_url: str, meanwhile=None) -> pd.DataFrame:
    """One row per graded (learner, module): summed score before the late penalty, number of
    items awaiting manual grading, timestamp (Vietnam time) and late penalty.

    Same numbers as ``read_grades`` + ``read_submissions`` (and ``nbgrader export``), but the
    grade table is aggregated inside the database — ahead of time, by the score table's
    triggers (``score_table.py``), or else by one GROUP BY: a gradebook of 100,000 learners
    × 12 modules has about 10 million grade rows and only 1.2 million (learner, module) pairs.
    ``meanwhile()``: other work done while a child reads half of a large gradebook.
    """
    from grading.course import score_table
    from grading.course.scan_columns import repeated
    from grading.course.score_scan import per_notebook

    if score_table.ready(db_url):  # kept by triggers: no sum, no join
        per_nb = per_notebook(db_url, score_table.READ_SQL, None, meanwhile)
    else:
        if sa.engine.make_url(db_url).get_backend_name() in score_table.BACKENDS:
            logging.getLogger("congvu").warning(
                "gradebook: the kit's score table is missing or incomplete (a gradebook made "
                "before it, or its triggers dropped); summing the grade table instead — "
                "`congvu migrate` makes it again")
        per_nb = per_notebook(db_url, NOTEBOOK_SQL, UNGRADED_SQL, meanwhile)
    keys = [C.LEARNER, C.MODULE]
    if repeated(per_nb, keys):  # assignments with several notebooks
        per_nb = per_nb.groupby(keys, as_index=False, sort=False, observed=True).agg(
            **{C.TIMESTAMP: (C.TIMESTAMP, "first"), C.PENALTY: (C.PENALTY, "sum"),
               C.SCORE: (C.SCORE, lambda s: s.sum(min_count=1)),
               C.NEEDS_MANUAL: (C.NEEDS_MANUAL, "sum")})
    return per_nb


# nbgrader's formgrader prints student names into its pages unescaped: markup characters are
# replaced by look-alikes before a name reaches its gradebook (no real name has them).
_MARKUP = str.maketrans({"<": "‹", ">": "›", "&": "＆", '"': "”", "'": "’", "`": "ˋ"})


def split_name(full_name: str) -> tuple[str, str]:
    """Vietnamese order: family (and middle) names first, given name last (markup-free, as
    nbgrader's pages print it unescaped)."""
    parts = full_name.translate(_MARKUP).split()
    return (parts[-1], " ".join(parts[:-1])) if parts else ("", "")


def register_learners(db_url: str, course_id: str, people: pd.DataFrame) -> None:
    """Create or rename nbgrader students in one transaction (fast for large rosters)."""
    from nbgrader.api import Student

    with connect(db_url, course_id) as gb:
        known = {s.id: s for s in gb.db.query(Student)}
        for learner, full in zip(people[C.LEARNER], people[C.NAME]):
            first, last = split_name(full)
            student = known.get(learner)
            if student is None:
                gb.db.add(Student(id=learner, first_name=first, last_name=last))
            elif (student.first_name, student.last_name) != (first, last):
                student.first_name, student.last_name = first, last
        gb.db.commit()
