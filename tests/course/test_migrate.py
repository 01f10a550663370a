"""The kit's indexes on nbgrader's gradebook: created once, idempotent, used by the report's
GROUP BY over the grade table."""
from __future__ import annotations

import sqlite3

from grading.course import gradebook, migrate


def test_upgrade_adds_indexes_the_report_query_uses(tmp_path):
    db = tmp_path / "gradebook.db"
    url = f"sqlite:///{db}"
    with gradebook.connect(url, "c"):  # nbgrader's own schema, as an old workspace has it
        pass
    assert migrate.missing(url) == list(migrate.INDEXES)
    assert migrate.upgrade(url) == list(migrate.INDEXES)
    assert migrate.missing(url) == [] and migrate.upgrade(url) == []
    con = sqlite3.connect(db)
    plan = " ".join(str(row) for row in con.execute(
        "EXPLAIN QUERY PLAN " + gradebook.NOTEBOOK_SCORES_SQL))
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    con.close()
    assert "COVERING INDEX congvu_grade_by_notebook" in plan
    assert "grade" in tables and not any(t.startswith("congvu") for t in tables)
