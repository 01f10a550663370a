"""The report's one pass over the gradebook: per submitted notebook, who, when, late penalty
and the grades summed by the database, read in chunks into compact columns
(``gradebook.read_module_scores``).

The rows come from the kit's score table, kept by triggers (``score_table.READ_SQL``: no sum,
no join), or, on a gradebook without it, from one query that sums the grades per notebook
through the kit's covering index and joins each sum to its submission
(``gradebook.NOTEBOOK_SQL``; notebooks without any grade are then read apart, only when the row
count says some exist). Either way Python receives one compact row per notebook. Rows are
fetched ``CHUNK`` at a time and each chunk is turned into categories, numbers and datetimes
at once: memory holds compact columns and one chunk of Python values, never millions of
tuples. A large gradebook is read in two halves of notebook
ids at once, the second in a child process (a process, not a thread: turning rows into
Python values holds the GIL, so only a second process uses the second core) — forked when
this process runs no other thread, else a fresh interpreter; its part comes back pickled in
a private temporary file, and if it fails its half is read here. Row order is not kept
(every later step joins by learner and module). PostgreSQL (psycopg2) sends each
part as CSV through ``COPY … TO STDOUT`` into a temporary file that pandas' C reader parses
chunk by chunk.
"""
from __future__ import annotations

import tempfile
import threading

import numpy as np
import pandas as pd
import sqlalchemy as sa

from grading import columns as C
from grading.course.scan_columns import Columns, compact
from grading.files import Forked

CHUNK = 200_000  # rows converted at a time
# PostgreSQL, each of two halves read at once: one server process each, and hash joins (the
# planner, misled by the grouped sums' row estimate, would look up millions of submissions
# one by one) with the memory to build their tables at once.
PG_SETTINGS = ("SET max_parallel_workers_per_gather = 0", "SET enable_nestloop = off",
               "SET work_mem = '256MB'")
SPLIT_AT = 400_000  # notebooks from which the second half is read by a child process
TEXT = (C.LEARNER, C.MODULE, C.TIMESTAMP)  # read as text (objects), never guessed
COLUMNS = [C.LEARNER, C.MODULE, C.TIMESTAMP, C.PENALTY, C.SCORE, C.NEEDS_MANUAL]


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Chunks in one frame; category columns get the union of the chunks' categories."""
    if not parts:
        return compact(pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS}))
    out = {}
    for col in parts[0].columns:
        if isinstance(parts[0][col].dtype, pd.CategoricalDtype):
            out[col] = pd.api.types.union_categoricals([p[col] for p in parts])
        else:
            out[col] = np.concatenate([p[col].to_numpy() for p in parts])
    return pd.DataFrame(out)


def sqlite_path(db_url: str) -> str | None:
    url = sa.engine.make_url(db_url)
    return url.database if url.get_backend_name() == "sqlite" and url.database else None


def _bounds(lo: str | None, hi: str | None, mark, sqlite: bool = False) -> tuple[dict, list]:
    """The fillers of NOTEBOOK_SQL (or the score table's READ_SQL) for notebook ids in
    [lo, hi), and the values of one filler's placeholders in order (``mark(i)``: the
    driver's placeholder of the i-th value; ``_values`` repeats them per filler used)."""
    conds, values = [], []
    for op, value in ((">=", lo), ("<", hi)):
        if value is not None:
            conds.append(f"{{col}} {op} {mark(len(values))}")
            values.append(value)
    both = " AND ".join(conds)
    return {"where": "WHERE " + both.format(col="notebook_id") if conds else "",
            "outer": "WHERE " + both.format(col="sn.id") if conds else "",
            "join": "CROSS JOIN" if sqlite else "JOIN",
            "module": "a.rowid" if sqlite else "a.name"}, values


def _values(sql: str, values: list) -> list:
    """The placeholders' values of ``sql``: once per bounded filler it uses."""
    return values * (sql.count("{where}") + sql.count("{outer}"))


def _sqlite(path: str, sql: str, lo: str | None, hi: str | None) -> list[pd.DataFrame]:
    import sqlite3

    where, values = _bounds(lo, hi, lambda i: "?", sqlite=True)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        cur = con.execute(sql.format(**where), _values(sql, values))
        names = [d[0] for d in cur.description]
        columns = Columns(names)
        while rows := cur.fetchmany(CHUNK):
            columns.add(rows)
            del rows
        if "{module}" in sql:  # the module came as the assignment's rowid
            columns.labels[C.MODULE] = dict(con.execute("SELECT rowid, name FROM assignment"))
    finally:
        con.close()
    return [columns.frame()]


def _postgres(db_url: str, sql: str, lo: str | None, hi: str | None) -> list[pd.DataFrame]:
    where, values = _bounds(lo, hi, lambda i: "%s")
    engine = sa.create_engine(db_url)
    with tempfile.TemporaryFile() as spool:
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            for setting in PG_SETTINGS if values else ():
                cur.execute(setting)
            query = cur.mogrify(sql.format(**where).strip(), _values(sql, values)).decode()
            cur.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)", spool)
        finally:
            raw.close()
            engine.dispose()
        spool.seek(0)
        columns = None
        for chunk in pd.read_csv(spool, dtype=dict.fromkeys(TEXT, object),
                                 keep_default_na=False, na_values=[""], chunksize=CHUNK):
            columns = columns or Columns(list(chunk.columns))
            cols = {}
            for name in chunk.columns:
                col = chunk[name].to_numpy()
                if name == C.TIMESTAMP and col.dtype == object:  # ids: NaN is missing too
                    col = np.where(pd.isna(col), None, col)  # an empty field: SQL NULL
                cols[name] = col
            columns.add_columns(cols)
        return [columns.frame()] if columns else []


def _generic(db_url: str, sql: str, lo: str | None, hi: str | None) -> list[pd.DataFrame]:
    where, values = _bounds(lo, hi, lambda i: f":v{i}")
    params = {f"v{i}": v for i, v in enumerate(values)}
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [compact(pd.read_sql_query(sa.text(sql.format(**where)), conn,
                                              params=params))]
    finally:
        engine.dispose()


def read_part(db_url: str, sql: str, lo: str | None = None,
              hi: str | None = None) -> pd.DataFrame:
    """The rows of NOTEBOOK_SQL for notebook ids in [lo, hi) (None: unbounded), compact."""
    path = sqlite_path(db_url)
    if path is not None:
        parts = _sqlite(path, sql, lo, hi)
    elif sa.engine.make_url(db_url).get_driver_name() == "psycopg2":
        parts = _postgres(db_url, sql, lo, hi)
    else:
        parts = _generic(db_url, sql, lo, hi)
    return _concat(parts)


# The number of submitted notebooks as the database already knows it (no scan): SQLite's
# largest rowid, PostgreSQL's planner estimate (-1 or 0 before the table's first ANALYZE).
ESTIMATES = {"sqlite": "SELECT MAX(rowid) FROM submitted_notebook",
             "postgresql": "SELECT reltuples::bigint FROM pg_class "
                           "WHERE oid = 'submitted_notebook'::regclass"}


def split(db_url: str) -> str | None:
    """The id that splits the submitted notebooks in halves, or None (too few to split, as
    far as the database's estimate of their number tells). Both halves use the database's
    own order of ids; the exact count comes later (``count``), while the halves are read."""
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            guess = ESTIMATES.get(sa.engine.make_url(db_url).get_backend_name())
            n = conn.execute(sa.text(guess)).scalar() if guess else None
            if not n or n < 0:
                n = conn.execute(sa.text("SELECT COUNT(*) FROM submitted_notebook")).scalar()
            if n < SPLIT_AT:
                return None
            return conn.execute(sa.text("SELECT id FROM submitted_notebook ORDER BY id "
                                        "LIMIT 1 OFFSET :n"), {"n": n // 2}).scalar()
    finally:
        engine.dispose()


def count(db_url: str) -> int:
    """Submitted notebooks (those without grades are read apart when the halves hold fewer)."""
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT COUNT(*) FROM submitted_notebook")).scalar()
    finally:
        engine.dispose()


def _child_main() -> None:
    """In the child: read the part named on stdin, pickled into the file named there too."""
    import pickle
    import sys

    db_url, sql, lo, hi, out = pickle.load(sys.stdin.buffer)
    part = read_part(db_url, sql, lo, hi)
    with open(out, "wb") as handle:
        pickle.dump(part, handle, protocol=5)


def _start_child(db_url: str, sql: str, lo: str | None, hi: str | None):
    """(a child reading one part, the file it leaves it in): forked when this process runs
    no other thread (no start-up cost), else a fresh interpreter (no main module run again,
    no copied locks of other threads)."""
    import os
    import pickle
    import subprocess
    import sys
    from pathlib import Path

    handle, out = tempfile.mkstemp(prefix="congvu-scan-", suffix=".pickle")
    os.close(handle)  # owner-only (mkstemp): the part holds learner ids and scores
    errors = tempfile.TemporaryFile()  # the child's traceback, if any: logged, not shown
    if hasattr(os, "fork") and threading.active_count() == 1:
        return Forked(lambda: read_part(db_url, sql, lo, hi), out, errors), out
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (root, os.environ.get("PYTHONPATH")) if p)}
    child = subprocess.Popen(
        [sys.executable, "-c", "from grading.course.score_scan import _child_main; "
         "_child_main()"], stdin=subprocess.PIPE, stderr=errors, env=env)
    child.errors = errors
    try:
        child.stdin.write(pickle.dumps((db_url, sql, lo, hi, out)))
        child.stdin.close()
    except BrokenPipeError:  # the child died at once: _child_result says so
        pass
    return child, out


def _child_result(child, out: str) -> pd.DataFrame | None:
    """The child's part, or None (logged) if it failed."""
    import logging
    import os
    import pickle

    try:
        if child.wait() == 0:
            with open(out, "rb") as handle:
                return pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError):
        pass
    finally:
        os.unlink(out)
        child.errors.seek(0)
        said = child.errors.read().decode("utf-8", "replace").strip().splitlines()
        child.errors.close()
    logging.getLogger("congvu").warning(
        "gradebook: the child reading half of the notebooks failed (%s); reading it here",
        said[-1] if said else f"exit {child.returncode}")
    return None


def per_notebook(db_url: str, sql: str, ungraded_sql: str | None,
                 meanwhile=None) -> pd.DataFrame:
    """Who, when, late penalty, summed score and items awaiting a trainer per submitted
    notebook (those without grades last, by ``ungraded_sql``; None: ``sql`` gives them).
    ``meanwhile()`` runs once this process has read its part, while the child may still
    read the other."""
    import os

    mid = split(db_url)
    if mid is None:
        parts = [read_part(db_url, sql)]
        if meanwhile:
            meanwhile()
        n = count(db_url) if ungraded_sql else 0
    else:
        child, out = _start_child(db_url, sql, mid, None)
        try:
            first = read_part(db_url, sql, None, mid)
            if meanwhile:
                meanwhile()
            n = count(db_url) if ungraded_sql else 0
        except BaseException:
            child.kill()
            child.wait()
            child.errors.close()
            os.unlink(out)
            raise
        second = _child_result(child, out)
        parts = [first, read_part(db_url, sql, mid, None) if second is None else second]
    if sum(len(p) for p in parts) < n:  # notebooks without grades: no sum to join
        parts.append(read_part(db_url, ungraded_sql))
    return _concat(parts)
