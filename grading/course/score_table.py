"""The kit's table of one row per submitted notebook — who, module, when, late penalty, summed
score and items awaiting a trainer — kept equal to nbgrader's tables by database triggers.

A report over a national gradebook (40 M grade rows) would otherwise sum the whole grade table
and join millions of submissions by their text ids on every run; on PostgreSQL those joins cost
more than the sums. The table holds exactly the rows ``gradebook.NOTEBOOK_SQL`` (and
``UNGRADED_SQL`` for notebooks without grades) would give, so the report reads it with no join
and no GROUP BY. Every write to ``grade``, ``submitted_notebook``, ``submitted_assignment`` or
``assignment`` — nbgrader's autograde, formgrader, ``nbgrader db`` or plain SQL — recomputes
the rows of the notebooks it touches, from nbgrader's tables (never by adding differences, so
the table cannot drift). On PostgreSQL the recomputations run when the writing transaction
commits (deferred triggers) and each first locks its notebook's row: two transactions grading
one notebook at once take turns only there, after all their own writes, so the later sees the
earlier's grades, neither fails on the other's new row, and an autograde and a trainer's
manual score on the same notebook cannot deadlock on the lock.

``install_on`` makes the table, its triggers and its rows in one transaction (``congvu init``,
``congvu migrate``; on PostgreSQL what writes the table runs as its owner, so a grader's role
needs rights on nbgrader's tables only); ``ready`` tells whether every trigger is in place
(the report reads the table only then: a gradebook made before this migration, or a table
rebuilt by somebody's upgrade, drops triggers and the report sums the grade table as before,
with a warning).
"""
from __future__ import annotations

import sqlalchemy as sa

TABLE = "congvu_notebook_score"
BACKENDS = ("sqlite", "postgresql")  # where the kit keeps it (elsewhere: the report sums)
VERSION = "v3"  # in every trigger's name: a changed definition is installed again
READ_SQL = f"""
SELECT learner_id, module_id, timestamp, late_penalty, score, needs_manual_grade
FROM {TABLE} {{where}}
"""
_SCORE = "SUM(COALESCE(g.manual_score, g.auto_score, 0) + COALESCE(g.extra_credit, 0))"
_NEEDS = "SUM(CASE WHEN g.needs_manual_grade AND g.manual_score IS NULL THEN 1 ELSE 0 END)"
_COLUMNS = ("notebook_id, learner_id, module_id, timestamp, late_penalty, score, "
            "needs_manual_grade")
_FROM = ("FROM submitted_notebook sn JOIN submitted_assignment sa ON sn.assignment_id = sa.id "
         "JOIN assignment a ON sa.assignment_id = a.id")
# The rows of some notebooks (``{cond}`` on sn.id), as the report's queries would give them.
ROWS_SQL = (f"INSERT INTO {TABLE} ({_COLUMNS}) SELECT sn.id, sa.student_id, a.name, "
            "sa.timestamp, COALESCE(sn.late_submission_penalty, 0), "
            f"(SELECT {_SCORE} FROM grade g WHERE g.notebook_id = sn.id), "
            f"(SELECT COALESCE({_NEEDS}, 0) FROM grade g WHERE g.notebook_id = sn.id) "
            f"{_FROM} WHERE {{cond}}")
# Every row at once (the migration): one GROUP BY instead of a sum per notebook.
FILL_SQL = (f"INSERT INTO {TABLE} ({_COLUMNS}) SELECT sn.id, sa.student_id, a.name, "
            "sa.timestamp, COALESCE(sn.late_submission_penalty, 0), g.score, "
            f"COALESCE(g.needs, 0) {_FROM} LEFT JOIN (SELECT g.notebook_id, {_SCORE} AS score, "
            f"{_NEEDS} AS needs FROM grade g GROUP BY g.notebook_id) g ON g.notebook_id = sn.id")
# Per watched table: its key column, the columns whose change matters, and the notebooks rows
# with keys ``{keys}`` stand for (None: the keys are notebook ids).
WATCHED = {
    "grade": ("notebook_id", "notebook_id, auto_score, manual_score, extra_credit, "
              "needs_manual_grade", None),
    "submitted_notebook": ("id", "id, assignment_id, late_submission_penalty", None),
    "submitted_assignment": ("id", "id, student_id, assignment_id, timestamp",
                             "SELECT id FROM submitted_notebook WHERE assignment_id IN ({keys})"),
    "assignment": ("id", "id, name",
                   "SELECT sn.id FROM submitted_notebook sn JOIN submitted_assignment sa "
                   "ON sn.assignment_id = sa.id WHERE sa.assignment_id IN ({keys})"),
}
_OPS = {"ins": ("INSERT", ("NEW",)), "upd": ("UPDATE OF {cols}", ("OLD", "NEW")),
        "del": ("DELETE", ("OLD",))}


def _create_table(backend: str) -> str:
    stamp = "TIMESTAMP WITHOUT TIME ZONE" if backend == "postgresql" else "DATETIME"
    tail = "" if backend == "postgresql" else " WITHOUT ROWID"  # SQLite: stored in id order
    return (f"CREATE TABLE {TABLE} (notebook_id VARCHAR(32) NOT NULL PRIMARY KEY, "
            "learner_id VARCHAR(128), module_id VARCHAR(128), "
            f"timestamp {stamp}, late_penalty FLOAT NOT NULL, score FLOAT, "
            f"needs_manual_grade INTEGER NOT NULL){tail}")


def trigger_names(backend: str) -> list[str]:
    """The triggers the table needs on this backend."""
    if backend == "postgresql":
        return ([f"congvu_score_{VERSION}_{t}" for t in WATCHED]
                + [f"congvu_score_{VERSION}_{t}_truncate" for t in WATCHED])
    return [f"congvu_score_{VERSION}_{t}_{op}" for t in WATCHED for op in _OPS]


def _sqlite_ddl() -> list[str]:
    out = []
    for table, (key, cols, notebooks) in WATCHED.items():
        for op, (event, rows) in _OPS.items():
            keys = ", ".join(f"{r}.{key}" for r in rows)
            touched = "{col} IN (" + (notebooks.format(keys=keys) if notebooks else keys) + ")"
            out.append(
                f"CREATE TRIGGER congvu_score_{VERSION}_{table}_{op} AFTER "
                f"{event.format(cols=cols)} ON {table} FOR EACH ROW BEGIN "
                f"DELETE FROM {TABLE} WHERE {touched.format(col='notebook_id', keys=keys)}; "
                f"{ROWS_SQL.format(cond=touched.format(col='sn.id', keys=keys))}; END")
    return out


def _postgres_ddl(schema: str) -> list[str]:
    """The functions and triggers; the two that write the kit's table run as its owner (the
    role that installed it), so a role that may only write nbgrader's tables still grades."""
    owner = f"SECURITY DEFINER SET search_path = {schema}, pg_temp"
    out = [f"""CREATE OR REPLACE FUNCTION congvu_score_{VERSION}_refresh(nb text[])
RETURNS void LANGUAGE plpgsql {owner} AS $$
BEGIN
  -- one recomputation of a notebook at a time: a sum never misses another's grade (the
  -- lock that updating the row would take; foreign-key checks of new grades pass it)
  PERFORM 1 FROM submitted_notebook WHERE id = ANY(nb) ORDER BY id FOR NO KEY UPDATE;
  DELETE FROM {TABLE} WHERE notebook_id = ANY(nb);
  {ROWS_SQL.format(cond="sn.id = ANY(nb)")};
END $$""",
           f"""CREATE OR REPLACE FUNCTION congvu_score_{VERSION}_refill()
RETURNS trigger LANGUAGE plpgsql {owner} AS $$
BEGIN
  DELETE FROM {TABLE};
  {FILL_SQL};
  RETURN NULL;
END $$"""]
    for table, (key, cols, notebooks) in WATCHED.items():
        nb = f"ARRAY({notebooks.format(keys='SELECT unnest(k)')})" if notebooks else "k"
        out += [f"""CREATE OR REPLACE FUNCTION congvu_score_{VERSION}_{table}()
RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE k text[];
BEGIN
  IF TG_OP = 'INSERT' THEN k := ARRAY[NEW.{key}];
  ELSIF TG_OP = 'DELETE' THEN k := ARRAY[OLD.{key}];
  ELSE k := ARRAY[OLD.{key}, NEW.{key}];
  END IF;
  PERFORM congvu_score_{VERSION}_refresh({nb});
  RETURN NULL;
END $$""",
                f"CREATE CONSTRAINT TRIGGER congvu_score_{VERSION}_{table} AFTER INSERT OR "
                f"DELETE OR UPDATE OF {cols} ON {table} DEFERRABLE INITIALLY DEFERRED "
                f"FOR EACH ROW EXECUTE FUNCTION congvu_score_{VERSION}_{table}()",
                f"CREATE TRIGGER congvu_score_{VERSION}_{table}_truncate AFTER TRUNCATE ON "
                f"{table} FOR EACH STATEMENT EXECUTE FUNCTION congvu_score_{VERSION}_refill()"]
    return out


def _have(conn, backend: str) -> set[str]:
    if backend == "postgresql":
        rows = conn.execute(sa.text(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' "
            "AND tgname LIKE 'congvu_score_%'"))
    else:
        rows = conn.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                    "AND name LIKE 'congvu_score_%'"))
    return {name for (name,) in rows}


def ready_on(conn) -> bool:
    """Every trigger of the current version is in place (and so the table is whole)."""
    backend = conn.dialect.name
    if backend not in BACKENDS:
        return False
    return set(trigger_names(backend)) <= _have(conn, backend)


def ready(db_url: str) -> bool:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            return ready_on(conn)
    finally:
        engine.dispose()


def drop_on(conn) -> None:
    """Remove the table and every trigger of any version (a bulk load, or a reinstall)."""
    backend = conn.dialect.name
    for name in sorted(_have(conn, backend)):
        if backend == "postgresql":
            table = conn.execute(sa.text(
                "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = :n"),
                {"n": name}).scalar()
            conn.execute(sa.text(f'DROP TRIGGER IF EXISTS "{name}" ON {table}'))
        else:
            conn.execute(sa.text(f'DROP TRIGGER IF EXISTS "{name}"'))
    conn.execute(sa.text(f"DROP TABLE IF EXISTS {TABLE}"))
    if backend == "postgresql":
        for (fn,) in conn.execute(sa.text("SELECT proname FROM pg_proc "
                                          "WHERE proname LIKE 'congvu_score_%'")).all():
            conn.execute(sa.text(f'DROP FUNCTION IF EXISTS "{fn}" CASCADE'))


def install_on(conn) -> bool:
    """Make the table, its triggers and its rows (inside the caller's transaction); False,
    doing nothing, on a backend without triggers the kit knows."""
    backend = conn.dialect.name
    if backend not in BACKENDS:
        return False
    if backend == "postgresql":  # no write may slip between the triggers and the rows
        conn.execute(sa.text("LOCK TABLE " + ", ".join(WATCHED) + " IN SHARE ROW EXCLUSIVE "
                             "MODE"))
    drop_on(conn)
    conn.execute(sa.text(_create_table(backend)))
    schema = conn.execute(sa.text("SELECT quote_ident(current_schema())")).scalar() \
        if backend == "postgresql" else None
    for ddl in _postgres_ddl(schema) if backend == "postgresql" else _sqlite_ddl():
        conn.execute(sa.text(ddl))
    conn.execute(sa.text(FILL_SQL))
    return True
