"""The score table (one row per submitted notebook, kept by triggers) always equals what the
report's GROUP BY over nbgrader's tables gives: after nbgrader's own writes (submissions,
autograde and manual scores, late penalties, new timestamps, removals), after a migration of
a gradebook that already holds grades, on SQLite and on PostgreSQL, and when two PostgreSQL
transactions grade one notebook at once. Without its triggers the report sums as before."""
from __future__ import annotations

import datetime as dt
import logging
import threading

import pytest
import sqlalchemy as sa

from grading.course import gradebook, migrate, score_table

VIEW = (gradebook.NOTEBOOK_SQL.format(where="", outer="", join="JOIN", module="a.name")
        + " UNION ALL " + gradebook.UNGRADED_SQL.format(module="a.name"))
COLS = "learner_id, module_id, timestamp, late_penalty, score, needs_manual_grade"


def _rows(url: str, sql: str) -> list[tuple]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(sql)).all()
    finally:
        engine.dispose()
    return sorted((str(r[0]), str(r[1]), str(r[2]), float(r[3]),
                   None if r[4] is None else round(float(r[4]), 9), int(r[5])) for r in rows)


def assert_kept(url: str) -> list[tuple]:
    kept = _rows(url, f"SELECT {COLS} FROM {score_table.TABLE}")
    assert kept == _rows(url, f"SELECT {COLS} FROM ({VIEW}) v")
    return kept


def _course(gb, modules=("m1", "m2")) -> None:
    for m in modules:
        gb.add_assignment(m, duedate=dt.datetime(2026, 12, 1))
        gb.add_notebook("bai", m)
        for cell in ("c1", "c2"):
            gb.add_grade_cell(cell, "bai", m, max_score=2, cell_type="code")
        gb.add_task_cell("tl", "bai", m, max_score=3, cell_type="markdown")
    for s in ("hv1", "hv2", "hv3"):
        gb.add_student(s)


def _grade(gb, m, s, cell, **scores) -> None:
    grade = gb.find_grade(cell, "bai", m, s)
    for name, value in scores.items():
        setattr(grade, name, value)
    gb.db.commit()


def _scenario(url: str) -> None:
    with gradebook.connect(url, "c") as gb:
        _course(gb)
        gb.add_submission("m1", "hv1", timestamp=dt.datetime(2026, 11, 2, 8, 0, 0, 123456))
    assert migrate.upgrade(url)[-1] == score_table.TABLE  # a gradebook with rows already
    assert score_table.ready(url) and assert_kept(url)
    with gradebook.connect(url, "c") as gb:
        _grade(gb, "m1", "hv1", "c1", auto_score=2.0)
        _grade(gb, "m1", "hv1", "c2", auto_score=0.5, extra_credit=0.25)
        assert_kept(url)
        gb.add_submission("m1", "hv2", timestamp=dt.datetime(2026, 11, 3, 9, 0))
        gb.add_submission("m2", "hv2", timestamp=dt.datetime(2026, 11, 4, 9, 0))
        _grade(gb, "m1", "hv2", "c1", auto_score=1.0)
        grade = gb.find_grade("tl", "bai", "m1", "hv2")
        grade.needs_manual_grade = True
        gb.db.commit()
        waiting = [r[5] for r in assert_kept(url) if r[0] == "hv2" and r[1] == "m1"]
        _grade(gb, "m1", "hv2", "tl", manual_score=2.5)  # the trainer grades the task
        sub = gb.find_submission_notebook("bai", "m1", "hv2")
        sub.late_submission_penalty = 0.5
        gb.db.commit()
        gb.update_or_create_submission("m1", "hv2", timestamp=dt.datetime(2026, 11, 5, 7, 30))
        kept = assert_kept(url)
        assert [(r[2][:19],) + r[3:] for r in kept if r[0] == "hv2" and r[1] == "m1"] == [
            ("2026-11-05 07:30:00", 0.5, 3.5, waiting[0] - 1)]
        gb.remove_submission("m2", "hv2")
        assert_kept(url)
    with gradebook.connect(url, "c") as gb:  # a raw-SQL write counts as much as nbgrader's
        gb.db.execute(sa.text("UPDATE grade SET manual_score = 1.75 WHERE needs_manual_grade"))
        gb.db.execute(sa.text("DELETE FROM grade WHERE notebook_id IN (SELECT sn.id FROM "
                              "submitted_notebook sn JOIN submitted_assignment sa ON "
                              "sn.assignment_id = sa.id WHERE sa.student_id = 'hv1')"))
        gb.db.commit()
        kept = assert_kept(url)
        assert [r[4:] for r in kept if r[0] == "hv1"] == [(None, 0)]  # no grades: no score
        gb.add_submission("m2", "hv3")
        gb.remove_assignment("m2")
    kept = assert_kept(url)
    assert {r[:2] for r in kept} == {("hv1", "m1"), ("hv2", "m1")}


def test_sqlite_table_follows_nbgrader(tmp_path):
    _scenario(f"sqlite:///{tmp_path / 'gradebook.db'}")


@pytest.mark.postgres
def test_postgresql_table_follows_nbgrader(pg_url):
    _scenario(pg_url)


def test_report_sums_the_grades_without_the_triggers(tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with gradebook.connect(url, "c") as gb:
        _course(gb, modules=("m1",))
        for s in ("hv1", "hv2"):
            gb.add_submission("m1", s, timestamp=dt.datetime(2026, 11, 2, 8, 0))
        _grade(gb, "m1", "hv1", "c1", auto_score=2.0)
    migrate.upgrade(url)
    kept = gradebook.read_module_scores(url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # as a table rebuilt by somebody's upgrade loses them
        conn.execute(sa.text(f"DROP TRIGGER congvu_score_{score_table.VERSION}_grade_upd"))
    engine.dispose()
    assert not score_table.ready(url) and migrate.missing(url) == [score_table.TABLE]
    with caplog.at_level(logging.WARNING, logger="congvu"):
        summed = gradebook.read_module_scores(url)
    assert "score table is missing" in caplog.text
    order = ["learner_id", "module_id"]
    assert kept.sort_values(order).astype(str).values.tolist() == \
        summed.sort_values(order).astype(str).values.tolist()
    assert sorted(kept["score"]) == [0.0, 2.0]  # hv2: grade rows, none scored yet
    assert migrate.upgrade(url) == [score_table.TABLE] and score_table.ready(url)
    assert_kept(url)


def _one_submission(url: str):
    """A migrated gradebook with one learner's submission of a one-module course: an engine
    on it and the submission's grade ids by cell name."""
    with gradebook.connect(url, "c") as gb:
        _course(gb, modules=("m1",))
        gb.add_submission("m1", "hv1")
    migrate.upgrade(url)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        ids = dict(conn.execute(sa.text(
            "SELECT gc.name, g.id FROM grade g JOIN base_cell gc ON gc.id = g.cell_id")).all())
    return engine, ids


@pytest.mark.postgres
def test_postgresql_grading_one_notebook_at_once(pg_url):
    """An autograde and a trainer write grades of one notebook at once, the autograde then
    waiting for a grade the trainer holds: no deadlock, no lost grade. (With recomputations
    run at each write, the trainer's first write waited for the autograde's lock on the
    notebook while the autograde waited for the trainer's grade.)"""
    engine, ids = _one_submission(pg_url)
    auto, trainer = engine.connect(), engine.connect()
    errors = []

    def run(conn, *steps):
        def go():
            try:
                for sql, cell in steps:
                    conn.execute(sa.text(sql), {"i": ids[cell]})
            except Exception as exc:  # noqa: BLE001 (a deadlock: reported below)
                errors.append(exc)
        thread = threading.Thread(target=go, daemon=True)
        thread.start()
        return thread

    try:
        auto.execute(sa.text("UPDATE grade SET auto_score = 2 WHERE id = :i"), {"i": ids["c1"]})
        saves = run(trainer, ("UPDATE grade SET auto_score = 1.5 WHERE id = :i", "c2"),
                    ("UPDATE grade SET manual_score = 2 WHERE id = :i", "tl"))
        saves.join(10)
        assert not saves.is_alive() and not errors  # the trainer's writes wait for nobody
        last = run(auto, ("UPDATE grade SET manual_score = 1 WHERE id = :i", "tl"))
        last.join(1.5)
        assert last.is_alive()  # the autograde waits for the trainer's grade row
        trainer.commit()
        last.join(10)
        assert not last.is_alive() and not errors
        auto.commit()
    finally:
        auto.close()
        trainer.close()
        engine.dispose()
    assert [r[4] for r in assert_kept(pg_url)] == [4.5]  # 2 + 1.5 + the autograde's 1


@pytest.mark.postgres
def test_postgresql_recomputations_of_one_notebook_take_turns(pg_url):
    """Two transactions recompute one notebook at the same time (forced early with SET
    CONSTRAINTS … IMMEDIATE, as at two commits at once): the second waits for the first's
    lock, then sees its grade. Without the lock it failed on the first's new row."""
    engine, ids = _one_submission(pg_url)
    first = engine.connect()
    first.execute(sa.text("UPDATE grade SET auto_score = 2 WHERE id = :i"), {"i": ids["c1"]})
    first.execute(sa.text("SET CONSTRAINTS ALL IMMEDIATE"))
    done, errors = threading.Event(), []

    def second():
        try:
            with engine.begin() as conn:
                conn.execute(sa.text("UPDATE grade SET auto_score = 1.5 WHERE id = :i"),
                             {"i": ids["c2"]})
                conn.execute(sa.text("SET CONSTRAINTS ALL IMMEDIATE"))
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        done.set()

    worker = threading.Thread(target=second, daemon=True)
    worker.start()
    assert not done.wait(1.5)  # waits for the first transaction's lock on the notebook
    first.commit()
    first.close()
    worker.join(10)
    assert done.is_set() and not errors
    assert [r[4] for r in assert_kept(pg_url)] == [3.5]
    engine.dispose()


@pytest.mark.postgres
def test_postgresql_role_that_may_only_write_nbgraders_tables_still_grades(pg_url):
    """A grader's database role with rights on nbgrader's tables alone (none on the kit's
    table) saves a grade, and the kit's table follows: its recomputation runs as its owner."""
    import uuid

    admin, _ = _one_submission(pg_url)
    role = f"congvu_grader_{uuid.uuid4().hex[:8]}"
    url = sa.engine.make_url(pg_url).set(username=role, password="grader")
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE ROLE {role} LOGIN PASSWORD 'grader'"))
        conn.execute(sa.text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "
                             f"public TO {role}"))
        conn.execute(sa.text(f"REVOKE ALL ON {score_table.TABLE} FROM {role}"))
    grader = sa.create_engine(url)
    try:
        with grader.begin() as conn:
            with pytest.raises(sa.exc.ProgrammingError):  # the kit's table is not theirs
                with conn.begin_nested():
                    conn.execute(sa.text(f"SELECT * FROM {score_table.TABLE}"))
            conn.execute(sa.text("UPDATE grade SET auto_score = 2 WHERE cell_id IN "
                                 "(SELECT id FROM base_cell WHERE name = 'c1')"))
    finally:
        grader.dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP OWNED BY {role}"))
            conn.execute(sa.text(f"DROP ROLE {role}"))
        admin.dispose()
    assert [r[4] for r in assert_kept(pg_url)] == [2.0]
