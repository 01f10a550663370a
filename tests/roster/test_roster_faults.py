"""Roster import is all-or-nothing across the gradebook, roster.csv and roster_changes.csv:
killed (SIGKILL) at each step and run again, the workspace equals a clean import's."""
import os
import shutil
import signal
import subprocess
import sys

import pytest
import sqlalchemy as sa

from grading.cli import main
from grading.roster import commit
from grading.roster import importer as roster

pytestmark = pytest.mark.fault
HEADER = "ma_can_bo,ho_ten,ma_don_vi,ten_don_vi,chuc_vu\n"
FIRST = HEADER + ("CB01,Nguyễn Văn An,00123,Phường Hòa Bình,Chuyên viên\n"
                  "CB02,Trần Thị Bình,00123,Phường Hòa Bình,Chủ tịch UBND\n"
                  "CB03,Lê Văn Cường,26734,Xã Tân Lập,Chuyên viên\n")
SECOND = HEADER + ("CB01,Nguyễn Văn An,00123,Phường Hòa Bình,Phó Chủ tịch UBND\n"
                   "CB03,Lê Văn Cường,26734,Xã Tân Lập,Chuyên viên\n"
                   "CB04,Phạm Thị Dung,26734,Xã Tân Lập,Chuyên viên\n"
                   "CB05,Hoàng Văn Em,00123,Phường Hòa Bình,Chuyên viên\n")
POINTS = ["write:roster_import.journal", "roster:journal", "roster:gradebook",
          "write:roster.csv", "roster:roster", "roster:history-half", "roster:history"]
KEPT = ["congvu/roster.csv", "congvu/roster_changes.csv"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def gradebook_url(request, tmp_path):
    """None (SQLite in the workspace) or a fresh PostgreSQL database (CONGVU_TEST_PG)."""
    if request.param == "sqlite":
        yield None
        return
    from conftest import fresh_pg_database

    with fresh_pg_database() as url:
        yield url


def students(db_url):
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            return sorted(tuple(r) for r in conn.execute(
                sa.text("SELECT id, first_name, last_name FROM student")))
    finally:
        engine.dispose()


def set_students(db_url, rows):
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM student"))
        for row in rows:
            conn.execute(sa.text("INSERT INTO student (id, first_name, last_name) "
                                 "VALUES (:i, :f, :l)"), {"i": row[0], "f": row[1], "l": row[2]})
    engine.dispose()


def state(root, db_url):
    people = students(db_url)
    return {"students": people,
            "roster": (root / "congvu/roster.csv").read_text(encoding="utf-8"),
            "history": (root / "congvu/roster_changes.csv").read_text(encoding="utf-8"),
            "leftovers": sorted(p.name for p in (root / "congvu").iterdir()
                                if p.name.endswith((".tmp", ".journal")))}


def run(ws, path):
    return roster.import_roster(workspace=ws.root, file=path, db_url=ws.db_url,
                                course_id=ws.course_id)


def test_killed_at_every_step_then_rerun_equals_a_clean_import(gradebook_url, tmp_path):
    from conftest import MINI

    from grading.course import workspace as W

    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(FIRST, encoding="utf-8")
    second.write_text(SECOND, encoding="utf-8")
    ws = W.init(directory=tmp_path / "ws", manifest_path=MINI, db_url=gradebook_url)
    run(ws, first)
    saved = tmp_path / "saved"
    for name in KEPT:
        (saved / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ws.root / name, saved / name)
    before = students(ws.db_url)
    run(ws, second)
    clean = state(ws.root, ws.db_url)
    assert len(clean["students"]) == 5 and clean["leftovers"] == []
    assert clean["history"].count("\n") == 1 + 3 + 1 + 1 + 2  # header, 3 added; changed, left, 2
    points = POINTS if gradebook_url is None else ["roster:gradebook", "roster:history-half"]
    for point in points:
        for name in KEPT:
            shutil.copy2(saved / name, ws.root / name)
        set_students(ws.db_url, before)
        env = {**os.environ, "CONGVU_CRASH_AT": point}
        res = subprocess.run([sys.executable, "-m", "grading.cli", "roster", "import",
                              str(ws.root), str(second)], env=env, capture_output=True,
                             text=True, timeout=120)
        assert res.returncode == -signal.SIGKILL, (point, res.stderr[-2000:])
        run(ws, second)  # the same command again
        assert state(ws.root, ws.db_url) == clean, point


def test_a_damaged_roster_file_is_named_with_its_row(new_workspace, tmp_path, capsys):
    ws = new_workspace()
    path = tmp_path / "ds.csv"
    path.write_text(FIRST, encoding="utf-8")
    run(ws, path)
    stored = ws.root / "congvu" / "roster.csv"
    lines = stored.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].rstrip("\n") + ",thừa,một cột,nữa\n"
    stored.write_text("".join(lines), encoding="utf-8")
    for argv in (["roster", "import", str(ws.root), str(path)],
                 ["report", str(ws.root), "--out", str(tmp_path / "out")]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "roster.csv" in err and "dòng 3" in err and "Traceback" not in err, err


def test_a_damaged_journal_is_an_error_naming_it(new_workspace, tmp_path, capsys):
    ws = new_workspace()
    path = tmp_path / "ds.csv"
    path.write_text(FIRST, encoding="utf-8")
    (ws.root / commit.JOURNAL_FILE).write_text("{không phải json", encoding="utf-8")
    assert main(["roster", "import", str(ws.root), str(path)]) == 2
    err = capsys.readouterr().err
    assert "roster_import.journal" in err and "Traceback" not in err
