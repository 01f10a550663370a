"""The report's one pass over the gradebook: grades summed per submitted notebook by the
database, read in chunks into compact columns (``gradebook.read_module_scores``).

Two queries run at once on two connections (sqlite3 releases the GIL while SQLite works;
PostgreSQL works in its own processes): the GROUP BY over ``grade`` (the biggest table, read
through the kit's covering index) and who/when per submitted notebook. Both come ordered by
submitted notebook; rows are fetched ``CHUNK`` at a time and each chunk is turned into
categories, numbers and datetimes at once, so memory holds compact columns and one chunk of
Python values, never millions of tuples or ids. The two results are paired by position after
checking that the notebook ids agree (through a 64-bit hash of each id, kept instead of the
id); if they do not (a notebook without grades), they are read again and joined by the ids
themselves. PostgreSQL (psycopg2) sends each result as CSV through ``COPY … TO STDOUT`` into a
temporary file that pandas' C reader parses chunk by chunk.
"""
from __future__ import annotations

import tempfile

import numpy as np
import pandas as pd
import sqlalchemy as sa

from grading import columns as C

CHUNK = 200_000  # rows converted at a time
KEY = "notebook_id"
LOCAL_TZ = "Asia/Ho_Chi_Minh"
TEXT = {KEY: str, C.LEARNER: str, C.MODULE: str, C.TIMESTAMP: str}


def local_time(values: pd.Series) -> pd.Series:
    """nbgrader stores naive UTC; HR reads naive Vietnam time."""
    stamps = pd.to_datetime(values, format="ISO8601")
    return stamps.dt.tz_localize("UTC").dt.tz_convert(LOCAL_TZ).dt.tz_localize(None)


def _key(frame: pd.DataFrame, exact: bool) -> pd.DataFrame:
    if not exact:  # a 64-bit hash per id: 8 bytes instead of a Python string
        frame[KEY] = pd.util.hash_array(frame[KEY].to_numpy(dtype=object))
    return frame


def scores_part(frame: pd.DataFrame, exact: bool = False) -> pd.DataFrame:
    frame[C.SCORE] = frame[C.SCORE].astype(float)
    frame[C.NEEDS_MANUAL] = frame[C.NEEDS_MANUAL].fillna(0).astype("int32")
    return _key(frame, exact)


def meta_part(frame: pd.DataFrame, exact: bool = False) -> pd.DataFrame:
    """Ids as categories (fast joins later), Vietnam time, penalties as floats."""
    frame[C.LEARNER] = frame[C.LEARNER].astype("category")
    frame[C.MODULE] = frame[C.MODULE].astype("category")
    frame[C.TIMESTAMP] = local_time(frame[C.TIMESTAMP])
    frame[C.PENALTY] = frame[C.PENALTY].astype(float)
    return _key(frame, exact)


def _concat(parts: list[pd.DataFrame], columns: list[str], post) -> pd.DataFrame:
    """Chunks in one frame; category columns get the union of the chunks' categories."""
    if not parts:
        return post(pd.DataFrame({c: pd.Series(dtype=object) for c in columns}))
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


def _sqlite(path: str, sql: str, post) -> pd.DataFrame:
    import sqlite3

    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        parts = []
        while rows := cur.fetchmany(CHUNK):
            parts.append(post(pd.DataFrame.from_records(rows, columns=names)))
            del rows
    finally:
        con.close()
    return _concat(parts, names, post)


def _postgres(db_url: str, sql: str, post) -> pd.DataFrame:
    engine = sa.create_engine(db_url)
    with tempfile.TemporaryFile() as spool:
        raw = engine.raw_connection()
        try:
            raw.cursor().copy_expert(
                f"COPY ({sql.strip()}) TO STDOUT WITH (FORMAT csv, HEADER)", spool)
        finally:
            raw.close()
            engine.dispose()
        spool.seek(0)
        names = pd.read_csv(spool, nrows=0).columns.tolist()
        spool.seek(0)
        parts = [post(chunk) for chunk in pd.read_csv(
            spool, dtype=TEXT, keep_default_na=False, na_values=[""], chunksize=CHUNK)]
    return _concat(parts, names, post)


def _generic(db_url: str, sql: str, post) -> pd.DataFrame:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            return post(pd.read_sql_query(sa.text(sql), conn))
    finally:
        engine.dispose()


def two_queries(db_url: str, scores_sql: str, meta_sql: str,
                exact: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(scores, meta) per submitted notebook, both queries at once; ``exact`` keeps the ids."""
    from concurrent.futures import ThreadPoolExecutor
    from functools import partial

    path = sqlite_path(db_url)
    if path is not None:
        query = partial(_sqlite, path)
    elif sa.engine.make_url(db_url).get_driver_name() == "psycopg2":
        query = partial(_postgres, db_url)
    else:
        query = partial(_generic, db_url)
    with ThreadPoolExecutor(2) as pool:
        scores = pool.submit(query, scores_sql, partial(scores_part, exact=exact))
        meta = pool.submit(query, meta_sql, partial(meta_part, exact=exact))
        return scores.result(), meta.result()


def per_notebook(db_url: str, scores_sql: str, meta_sql: str) -> pd.DataFrame:
    """Who, when, late penalty, summed score and items awaiting a trainer per submitted
    notebook (without its id)."""
    scores, meta = two_queries(db_url, scores_sql, meta_sql)
    if len(scores) == len(meta) and (scores[KEY].to_numpy() == meta[KEY].to_numpy()).all():
        return pd.concat([meta.drop(columns=KEY), scores.drop(columns=KEY)], axis=1)
    del scores, meta  # notebooks without grades (or an odd collation): join by the real ids
    scores, meta = two_queries(db_url, scores_sql, meta_sql, exact=True)
    per_nb = meta.merge(scores, on=KEY, how="left").drop(columns=KEY)
    per_nb[C.NEEDS_MANUAL] = per_nb[C.NEEDS_MANUAL].fillna(0).astype("int32")
    return per_nb
