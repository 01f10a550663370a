"""The kit's indexes on nbgrader's gradebook: created once, idempotent, used by the report's
GROUP BY over the grade table (when the score table is missing) and by the score table's
triggers."""
from __future__ import annotations

import sqlite3

from grading.course import gradebook, migrate, score_table


def test_upgrade_adds_indexes_the_report_query_uses(tmp_path):
    db = tmp_path / "gradebook.db"
    url = f"sqlite:///{db}"
    with gradebook.connect(url, "c"):  # nbgrader's own schema, as an old workspace has it
        pass
    made = list(migrate.INDEXES) + [score_table.TABLE]
    assert migrate.missing(url) == made
    assert migrate.upgrade(url) == made
    assert migrate.missing(url) == [] and migrate.upgrade(url) == []
    con = sqlite3.connect(db)
    plan = " ".join(str(row) for row in con.execute(
        "EXPLAIN QUERY PLAN " + gradebook.NOTEBOOK_SCORES_SQL))
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    con.close()
    assert "COVERING INDEX congvu_grade_by_notebook" in plan
    # nbgrader's tables as they were; the kit's one table beside them (test_score_table.py)
    assert "grade" in tables and {t for t in tables if t.startswith("congvu")} == {
        score_table.TABLE}
