"""The kit's own additions to nbgrader's gradebook schema: indexes the reports read through,
and the table of per-notebook scores its triggers keep (``score_table.py``).

nbgrader's ``grade`` table is indexed by (cell_id, notebook_id) only, so summing it per submitted
notebook — the report's one pass over the biggest table — makes the database sort every grade
row first. A covering index on (notebook_id, scores…) turns that into one ordered scan on SQLite
and lets PostgreSQL aggregate from the index. Adding indexes never changes nbgrader's tables or
data, and nbgrader's own (alembic) upgrades leave them alone. The score table is the kit's own
table beside nbgrader's; its triggers only read nbgrader's tables.

``upgrade(db_url)`` is idempotent: ``congvu init`` runs it on every new gradebook and
``congvu migrate DIR`` on an existing one (e.g. a gradebook made before this migration, or one
moved to PostgreSQL).
"""
from __future__ import annotations

import logging

import sqlalchemy as sa

from grading.course import score_table

log = logging.getLogger("congvu")

# name -> (table, columns). Names carry the kit's prefix so nobody mistakes them for nbgrader's.
INDEXES = {
    "congvu_grade_by_notebook": ("grade", ("notebook_id", "manual_score", "auto_score",
                                           "extra_credit", "needs_manual_grade")),
    "congvu_submitted_notebook_by_assignment": ("submitted_notebook", ("assignment_id",)),
}


def missing(db_url: str) -> list[str]:
    """The kit's indexes the gradebook does not have yet, and the score table if it is not
    whole (on a backend the kit keeps it on)."""
    engine = sa.create_engine(db_url)
    try:
        inspector = sa.inspect(engine)
        have = {ix["name"] for table in {t for t, _ in INDEXES.values()}
                for ix in inspector.get_indexes(table)}
        with engine.connect() as conn:
            kept = conn.dialect.name in score_table.BACKENDS
            table = [score_table.TABLE] if kept and not score_table.ready_on(conn) else []
    finally:
        engine.dispose()
    return [name for name in INDEXES if name not in have] + table


def upgrade(db_url: str) -> list[str]:
    """Create the kit's missing indexes and score table; returns the names created."""
    todo = missing(db_url)
    if not todo:
        return []
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            for name in todo:
                if name == score_table.TABLE:
                    log.info("gradebook: filling %s (one row per submitted notebook)", name)
                    score_table.install_on(conn)
                    continue
                table, cols = INDEXES[name]
                log.info("gradebook: creating index %s on %s", name, table)
                conn.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                                     f"({', '.join(cols)})"))
        if score_table.TABLE in todo and engine.dialect.name == "postgresql":
            # Visibility and statistics of the rows just filled, now rather than in the
            # first report (outside a transaction, as VACUUM must be).
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text(f"VACUUM ANALYZE {score_table.TABLE}"))
    finally:
        engine.dispose()
    return todo
