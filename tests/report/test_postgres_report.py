"""The report's read path on PostgreSQL: the same cohort in a SQLite and in a PostgreSQL
gradebook gives the same report tables, dashboard figures and `congvu status`, cell by cell.

.ci/run starts Debian's PostgreSQL on loopback and sets CONGVU_TEST_PG (a superuser URL); the
test creates and drops its own database. Without the variable it is skipped locally and fails
in CI (as tests/engine/test_postgres.py)."""
from __future__ import annotations

import datetime as dt
import shutil
import sys

import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import REPO

from grading import api
from grading import columns as C
from grading.course import ledger, migrate, score_table
from grading.course import workspace as W
from grading.report import dashboard
from grading.report import tables as summary
from grading.status import Status

sys.path.insert(0, str(REPO / "benchmarks"))
pytestmark = pytest.mark.postgres
AS_OF = dt.date(2026, 11, 20)


def _same(left: pd.DataFrame, right: pd.DataFrame, name: str) -> None:
    """Every cell equal (categories compared as their values)."""
    def plain(frame):
        return frame.astype({c: object for c in frame.columns
                             if isinstance(frame[c].dtype, pd.CategoricalDtype)})

    assert list(left.columns) == list(right.columns), name
    assert len(left) == len(right), name
    pd.testing.assert_frame_equal(plain(left).reset_index(drop=True),
                                  plain(right).reset_index(drop=True), check_dtype=False,
                                  obj=name)


def test_postgresql_report_equals_sqlite(pg_url, tmp_path):
    import scale_data

    lite = scale_data.build(tmp_path / "lite", learners=90, modules=3, wards=4)
    # The same cohort in PostgreSQL: a workspace made by `congvu init --db-url`, its
    # gradebook then holding the SQLite gradebook's rows, with the same roster and log.
    pg = W.init(directory=tmp_path / "pg", manifest_path=tmp_path / "lite" / "course" /
                "course.yml", db_url=pg_url)
    assert migrate.missing(pg_url) == []  # init created the kit's indexes on the server too
    copied = scale_data.copy_gradebook(lite.root / "gradebook.db", pg_url)
    assert copied > 90 * 3 * 5
    shutil.copy2(lite.root / "congvu" / "roster.csv", pg.root / "congvu" / "roster.csv")
    people = pd.read_csv(lite.root / "congvu" / "roster.csv", dtype=str)
    for ws in (lite, pg):  # one broken notebook and one timeout in the grading log
        for learner, status in ((people.learner_id[3], Status.INVALID_NOTEBOOK),
                                (people.learner_id[7], Status.TIMEOUT)):
            ledger.append(ws.root, {C.LEARNER: learner, C.MODULE: "hp02", C.STATUS: status,
                                    C.REASON: "x", "graded_at": "2026-11-01T08:00:00"})

    a = summary.build_tables(lite, as_of=AS_OF)
    b = summary.build_tables(pg, as_of=AS_OF)
    assert a.keys() == b.keys()
    for key in a:
        _same(a[key], b[key], key)
    assert a["learners"][C.SUBMITTED].sum() > 0 and a["learners"][C.PENDING].sum() > 0
    # As on a large cohort: the gradebook read in two halves (the second by a child) and the
    # tables made by two processes — the same tables.
    from grading.course import score_scan
    from grading.report import fork

    with pytest.MonkeyPatch.context() as m:
        m.setattr(score_scan, "SPLIT_AT", 1)
        m.setattr(fork, "PARALLEL_ROWS", 0)
        m.setattr(fork, "usable", lambda: True)  # threads left by other tests: fork anyway
        halves = summary.build_tables(pg, as_of=AS_OF)
        for key in a:
            _same(a[key], halves[key], key)
        # Without the score table's triggers (a gradebook not yet migrated): the GROUP BY
        # over the grade table, in halves too, gives the same tables.
        engine = sa.create_engine(pg_url)
        with engine.begin() as conn:
            score_table.drop_on(conn)
        engine.dispose()
        summed = summary.build_tables(pg, as_of=AS_OF)
    for key in a:
        _same(a[key], summed[key], key)
    assert migrate.upgrade(pg_url) == [score_table.TABLE]
    assert (a["learners"][C.PERCENT].dropna() % 10 != 0).any()  # late penalties, manual halves
    # The dashboard's view of one ward, and `congvu status`.
    ward = a["per_ward"][C.WARD_CODE].iloc[1]
    for lm in (summary.learner_modules(lite, as_of=AS_OF)[0],
               summary.learner_modules(pg, as_of=AS_OF)[0]):
        part = summary.tables_from(dashboard.select(lm[lm[C.ACTIVE]], ward=ward))
        a.setdefault("dash", part["per_ward"])
        b["dash"] = part["per_ward"]
    _same(a["dash"], b["dash"], "dashboard")
    assert dashboard.figures(a["dash"]) == dashboard.figures(b["dash"])
    _same(api.status(workspace=lite), api.status(workspace=pg), "status")
