"""What the score table's triggers cost the writers: nbgrader's own writes of N submissions
(``add_submission``, then every grade scored and committed one notebook at a time, as autograde
does; then a trainer's manual score on each task) into a gradebook without the kit's score
table (the peer) and into one with it, in the same run, on SQLite and (with --db-url) on
PostgreSQL. Prints wall and CPU seconds per notebook of each and the ratio.

    .venv/bin/python benchmarks/score_table_writes.py [--submissions 300] [--db-url URL]

The URL names a server database this script may drop and create tables in (two fresh
databases are made beside it and dropped afterwards).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
CELLS, TASKS = 8, 1


def write_cohort(url: str, submissions: int, with_table: bool) -> tuple[float, float]:
    """(wall s, CPU s of this process) for nbgrader's writes of ``submissions`` notebooks."""
    from grading.course import gradebook, migrate, score_table

    with gradebook.connect(url, "c") as gb:
        gb.add_assignment("m1", duedate=dt.datetime(2026, 12, 1))
        gb.add_notebook("bai", "m1")
        for i in range(CELLS):
            gb.add_grade_cell(f"c{i}", "bai", "m1", max_score=1, cell_type="code")
        for i in range(TASKS):
            gb.add_task_cell(f"t{i}", "bai", "m1", max_score=2, cell_type="markdown")
        for s in range(submissions):
            gb.add_student(f"hv{s:05d}")
    migrate.upgrade(url)
    if not with_table:
        import sqlalchemy as sa

        engine = sa.create_engine(url)
        with engine.begin() as conn:
            score_table.drop_on(conn)
        engine.dispose()
    assert score_table.ready(url) == with_table
    wall, cpu = time.perf_counter(), time.process_time()
    with gradebook.connect(url, "c") as gb:
        for s in range(submissions):
            student = f"hv{s:05d}"
            gb.add_submission("m1", student, timestamp=dt.datetime(2026, 11, 2, 8, s % 60))
            for i in range(CELLS):
                grade = gb.find_grade(f"c{i}", "bai", "m1", student)
                grade.auto_score = float((s + i) % 2)
                grade.needs_manual_grade = False
            gb.db.commit()
        for s in range(submissions):  # the trainer, one task at a time
            grade = gb.find_grade("t0", "bai", "m1", f"hv{s:05d}")
            grade.manual_score = 1.5
            gb.db.commit()
    return time.perf_counter() - wall, time.process_time() - cpu


def server_databases(url: str):
    """Two fresh databases on the server of ``url``, dropped on exit."""
    import contextlib
    import uuid

    import sqlalchemy as sa

    @contextlib.contextmanager
    def made():
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        names = [f"congvu_writes_{uuid.uuid4().hex[:8]}" for _ in range(2)]
        with admin.connect() as conn:
            for name in names:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            yield [url.rsplit("/", 1)[0] + "/" + name for name in names]
        finally:
            with admin.connect() as conn:
                for name in names:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    return made()


def report(backend: str, n: int, peer: tuple[float, float], kit: tuple[float, float]) -> None:
    print(f"[{backend}] without the score table: {peer[0] / n * 1000:.2f} ms/notebook "
          f"({peer[1] / n * 1000:.2f} ms CPU here); with it: {kit[0] / n * 1000:.2f} ms/notebook "
          f"({kit[1] / n * 1000:.2f} ms CPU here)")
    print(f"backend: {backend} writes_ratio: {kit[0] / peer[0]:.2f} "
          f"extra_ms_per_notebook: {(kit[0] - peer[0]) / n * 1000:.2f}", flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--submissions", type=int, default=300)
    p.add_argument("--db-url", help="a PostgreSQL database URL (fresh databases made beside it)")
    args = p.parse_args(argv)
    n = args.submissions
    # nbgrader's add_submission makes SQLAlchemy warn about its own autoflush, every time
    warnings.filterwarnings("ignore", message="Object of type <Submitted")
    with tempfile.TemporaryDirectory(prefix="congvu-writes-") as tmp:
        peer = write_cohort(f"sqlite:///{tmp}/peer.db", n, with_table=False)
        kit = write_cohort(f"sqlite:///{tmp}/kit.db", n, with_table=True)
        report("sqlite", n, peer, kit)
    if args.db_url:
        with server_databases(args.db_url) as (a, b):
            peer = write_cohort(a, n, with_table=False)
            kit = write_cohort(b, n, with_table=True)
            report("postgresql", n, peer, kit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
