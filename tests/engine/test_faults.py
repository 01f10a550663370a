"""Faults around a grading batch end in a clear state: a Vietnamese message naming what failed,
exit code 2, no traceback; orphans of a killed batch cleared; short database outages retried.
After each fault and a rerun, the grades equal a clean run's."""
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from grading import columns as C
from grading.cli import main
from grading.course import dbcheck, gradebook, ledger, runs
from grading.course import exchange as learners
from grading.engine import batch as autograde

pytestmark = pytest.mark.fault
KEYS = {"c1": "C", "c2": ["A", "B"], "c3": False}
COHORT = {"F1": KEYS, "F2": {**KEYS, "c2": ["A"]}, "F3": {}, "F4": {**KEYS, "c1": "A"}}
EXPECTED = {"F1": 3.0, "F2": 2.0, "F3": 0.0, "F4": 2.0}
ROSTER = ("ma_can_bo,ho_ten,ma_don_vi,ten_don_vi,chuc_vu\n" + "".join(
    f"{i},Nguyễn Văn {i},00123,Phường Hòa Bình,Chuyên viên\n" for i in COHORT))


def workspace(tmp_path, cohort=COHORT, roster=False):
    from conftest import MINI

    from grading.course import workspace as W

    ws = W.init(directory=tmp_path / "ws", manifest_path=MINI)
    if roster:
        (tmp_path / "ds.csv").write_text(ROSTER, encoding="utf-8")
        assert main(["-q", "roster", "import", str(ws.root), str(tmp_path / "ds.csv")]) == 0
    W.release(ws)
    learners.submit_cohort(ws, tmp_path / "h", "mini", cohort)
    autograde.collect(ws, "mini")
    return ws


def auto_scores(ws):
    grades = gradebook.read_grades(ws.db_url)
    return grades[grades[C.ITEM].isin(list(KEYS))].groupby(C.LEARNER)[C.SCORE].sum().to_dict()


def refused(capsys, argv, *words):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    for word in words:
        assert word in err, err
    return err


def set_db_url(ws, url):
    config = ws.root / "nbgrader_config.py"
    lines = [f"c.CourseDirectory.db_url = {url!r}" if line.startswith(
        "c.CourseDirectory.db_url") else line for line in config.read_text().splitlines()]
    config.write_text("\n".join(lines) + "\n")


def test_database_down_stops_before_the_batch(tmp_path, capsys, monkeypatch):
    from conftest import MINI, free_port

    from grading.course import workspace as W

    monkeypatch.setattr(dbcheck, "PREFLIGHT_WAITS", (0.1,))
    ws = W.init(directory=tmp_path / "ws", manifest_path=MINI)
    (ws.root / "submitted" / "F1" / "mini").mkdir(parents=True)
    set_db_url(ws, f"postgresql+psycopg2://congvu:secret@127.0.0.1:{free_port()}/congvu")
    for argv in (["grade", str(ws.root), "mini", "--no-sandbox"],
                 ["report", str(ws.root), "--out", str(tmp_path / "out")]):
        err = refused(capsys, argv, "không kết nối được cơ sở dữ liệu", "127.0.0.1")
        assert "secret" not in err
    assert ledger.read(ws.root).empty  # nobody was marked as failed


@pytest.mark.parametrize("size", [0, 3000])
def test_truncated_gradebook_is_named(tmp_path, capsys, size):
    from conftest import MINI

    from grading.course import workspace as W

    ws = W.init(directory=tmp_path / "ws", manifest_path=MINI)
    os.truncate(ws.root / "gradebook.db", size)
    for argv in (["grade", str(ws.root), "mini", "--no-sandbox"],
                 ["report", str(ws.root), "--out", str(tmp_path / "out")]):
        refused(capsys, argv, "gradebook", "gradebook.db", "sao lưu")


@pytest.mark.root
def test_disk_full_while_writing_the_report(tmp_path, capsys):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    from conftest import MINI

    from grading.course import workspace as W

    ws = W.init(directory=tmp_path / "ws", manifest_path=MINI)
    (tmp_path / "ds.csv").write_text(ROSTER, encoding="utf-8")
    assert main(["-q", "roster", "import", str(ws.root), str(tmp_path / "ds.csv")]) == 0
    full = tmp_path / "full"
    full.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(full)], check=True)
    try:
        fd = os.open(full / "filler", os.O_WRONLY | os.O_CREAT)
        with pytest.raises(OSError):
            while True:
                os.write(fd, b"\0" * 4096)
        os.close(fd)
        refused(capsys, ["report", str(ws.root), "--out", str(full / "bao_cao")],
                "ổ đĩa đã đầy", "full")
        assert main(["-v", "report", str(ws.root), "--out", str(full / "bao_cao")]) == 2
        assert "Traceback" in capsys.readouterr().err  # -v shows the original error
    finally:
        subprocess.run(["umount", str(full)], check=True)


def _children(pid):
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.mark.kernel
def test_kill_during_start_up_leaves_no_orphans_and_the_rerun_grades_all(tmp_path):
    ws = workspace(tmp_path)
    cmd = [sys.executable, "-m", "grading.cli", "-q", "grade", str(ws.root), "mini", "--jobs", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(_children(proc.pid)) < 2:  # the pool's workers are starting (importing)
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    kids = {pid: runs.start_time(pid) for pid in _children(proc.pid)}
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 60
    while any(runs.alive(pid, start) for pid, start in kids.items()):
        assert time.monotonic() < deadline, "workers outlived their batch"
        time.sleep(0.1)
    path = ws.root / ledger.LOG_FILE
    if path.exists() and path.stat().st_size > 10:  # a torn last line must not hurt the rerun
        os.truncate(path, path.stat().st_size - 5)
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    assert set(ledger.statuses(ws.root)[C.STATUS]) == {"graded"}
    assert auto_scores(ws) == EXPECTED
    assert not list((ws.root / "congvu" / "run").glob("*.json"))  # workers unregistered


@pytest.mark.kernel
def test_a_write_lock_on_the_gradebook_is_waited_out(tmp_path):
    ws = workspace(tmp_path, {k: COHORT[k] for k in ("F1", "F2", "F3")})
    held = {}

    def formgrader_saving():  # holds SQLite's write lock longer than its busy timeout
        deadline = time.monotonic() + 300
        while ledger.read(ws.root).empty and time.monotonic() < deadline:
            time.sleep(0.02)
        db = sqlite3.connect(ws.root / "gradebook.db", isolation_level=None)
        db.execute("BEGIN EXCLUSIVE")
        held["rows"] = len(ledger.read(ws.root))
        time.sleep(8)
        db.execute("COMMIT")
        db.close()

    holder = threading.Thread(target=formgrader_saving)
    holder.start()
    status = autograde.grade(workspace=ws, assignment="mini", jobs=1, progress=False)
    holder.join()
    assert held["rows"] < 3, "the lock came after the batch"
    assert set(status[C.STATUS]) == {"graded"}, status[C.REASON].tolist()
    assert auto_scores(ws) == {k: EXPECTED[k] for k in ("F1", "F2", "F3")}


@pytest.mark.postgres
def test_postgres_gradebook_gone_stops_before_the_batch(tmp_path, capsys, monkeypatch):
    from conftest import MINI, fresh_pg_database

    from grading.course import workspace as W

    monkeypatch.setattr(dbcheck, "PREFLIGHT_WAITS", (0.1,))
    with fresh_pg_database() as db_url:  # dropped when the block ends
        ws = W.init(directory=tmp_path / "ws", manifest_path=MINI, db_url=db_url)
        (ws.root / "submitted" / "F1" / "mini").mkdir(parents=True)
    name = db_url.rsplit("/", 1)[1]
    for argv in (["grade", str(ws.root), "mini", "--no-sandbox"],
                 ["report", str(ws.root), "--out", str(tmp_path / "out")]):
        err = refused(capsys, argv, "cơ sở dữ liệu", "127.0.0.1", name)
        assert "congvu:congvu@" not in err  # the password is never shown
    assert ledger.read(ws.root).empty


@pytest.mark.kernel
@pytest.mark.postgres
def test_a_batch_whose_database_vanished_stops_early(tmp_path, monkeypatch):
    import sqlalchemy as sa
    from conftest import MINI, fresh_pg_database

    from grading.course import workspace as W

    monkeypatch.setattr(dbcheck, "PREFLIGHT_WAITS", (0.1,))
    cohort = {f"V{i}": KEYS for i in range(6)}
    with fresh_pg_database() as db_url:
        name = db_url.rsplit("/", 1)[1]
        ws = W.init(directory=tmp_path / "ws", manifest_path=MINI, db_url=db_url)
        W.release(ws)
        learners.submit_cohort(ws, tmp_path / "h", "mini", cohort)
        autograde.collect(ws, "mini")

        def drop_when_one_is_graded():
            deadline = time.monotonic() + 300
            while ledger.read(ws.root).empty and time.monotonic() < deadline:
                time.sleep(0.02)
            admin = sa.create_engine(os.environ["CONGVU_TEST_PG"], isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

        dropper = threading.Thread(target=drop_when_one_is_graded)
        dropper.start()
        with pytest.raises(dbcheck.DatabaseError) as caught:
            # a worker waits out a short outage; this one is permanent: 2 s, not a minute
            autograde.grade(workspace=ws, assignment="mini", jobs=1, progress=False,
                            overrides={"db_retry_seconds": 2})
        dropper.join()
        assert name in caught.value.render()
        rows = ledger.read(ws.root)
        assert len(rows) < len(cohort)  # stopped early, the rest were not failed one by one
        assert (rows[C.STATUS] == "graded").sum() >= 1
