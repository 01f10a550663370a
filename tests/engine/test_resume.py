"""Kill -9 the grading process mid-batch, run the same command again: every submission ends
graded exactly once, with no lost, duplicated or half-written grades."""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from grading import columns as C
from grading.course import exchange as learners
from grading.course import ledger
from grading.engine import batch as autograde
from grading.engine import sandbox, worker

pytestmark = pytest.mark.kernel
KEYS = {"c1": "C", "c2": ["A", "B"], "c3": False}
N = 14


def answers(i: int) -> dict:
    """Learner i gets the first i % 4 items right, the rest wrong."""
    wrong = {"c1": "A", "c2": ["C"], "c3": True}
    return {k: (KEYS[k] if n < i % 4 else wrong[k]) for n, k in enumerate(KEYS)}


def _log_rows(root):
    return ledger.read(root)


def test_sigkill_then_rerun_grades_each_submission_exactly_once(tmp_path):
    from conftest import MINI

    from grading.course import workspace as W

    ws = W.init(directory=tmp_path / "ws", manifest_path=MINI)
    W.release(ws)
    ids = [f"R{i:02d}" for i in range(N)]
    for i, learner in enumerate(ids):
        folder = learners.fetch(ws, tmp_path / "homes" / learner, "mini", learner)
        learners.answer(folder, answers(i))
        learners.submit(ws, tmp_path / "homes" / learner, "mini", learner)
    autograde.collect(ws, "mini")

    cmd = [sys.executable, "-m", "grading.cli", "grade", str(ws.root), "mini", "--jobs", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(_log_rows(ws.root)) < 3:
        assert proc.poll() is None, "the batch ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)  # a real kill -9 of the real grading process
    proc.wait()
    done_before = _log_rows(ws.root)
    assert 3 <= len(done_before) < N, "killed mid-batch"
    stamps = {learner: os.stat(ws.root / "autograded" / learner / "mini" / "mini.ipynb").st_mtime_ns
              for learner in done_before[C.LEARNER]}

    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stdout[-2000:] + rerun.stderr[-2000:]

    log = _log_rows(ws.root)
    assert sorted(log[C.LEARNER]) == ids  # one line per submission: none lost, none twice
    assert set(log[C.STATUS]) == {"graded"}
    for learner, stamp in stamps.items():  # graded before the kill: not graded again
        path = ws.root / "autograded" / learner / "mini" / "mini.ipynb"
        assert os.stat(path).st_mtime_ns == stamp
    for learner in ids:  # every autograded notebook is whole
        json.loads((ws.root / "autograded" / learner / "mini" / "mini.ipynb").read_text())

    con = sqlite3.connect(str(ws.root / "gradebook.db"))
    rows = con.execute(
        "SELECT sa.student_id, bc.name, g.auto_score FROM grade g "
        "JOIN submitted_notebook sn ON g.notebook_id = sn.id "
        "JOIN submitted_assignment sa ON sn.assignment_id = sa.id "
        "JOIN base_cell bc ON g.cell_id = bc.id WHERE bc.name IN ('c1', 'c2', 'c3')").fetchall()
    assert con.execute("SELECT COUNT(*) FROM submitted_assignment").fetchone()[0] == N
    con.close()
    assert len(rows) == len(set((r[0], r[1]) for r in rows)) == 3 * N
    for i, learner in enumerate(ids):
        got = sum(r[2] for r in rows if r[0] == learner)
        assert got == i % 4, learner

    # the killed batch left nothing running (kernels die with their sandbox)
    uids = ",".join(str(sandbox.UID_BASE + i) for i in range(2 * worker.SLOTS))
    out = subprocess.run(["ps", "-o", "pid=,etimes=", "-u", uids], capture_output=True,
                         text=True).stdout.split("\n")
    assert [line for line in out if line.split() and int(line.split()[1]) > 5] == []
