"""`congvu grade --scheduler tcp://...` on a real Dask scheduler and two workers on loopback."""
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grading import columns as C
from grading.course import exchange as learners
from grading.course import gradebook, ledger
from grading.engine import batch as autograde

pytestmark = [pytest.mark.kernel, pytest.mark.cluster]
KEYS = {"c1": "C", "c2": ["A", "B"], "c3": False}
BIN = Path(sys.executable).parent


@pytest.fixture
def cluster(tmp_path):
    from conftest import free_port

    port = free_port()
    common = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
    procs = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port",
                               str(port), "--no-dashboard"], **common)]
    address = f"tcp://127.0.0.1:{port}"
    procs.append(subprocess.Popen([str(BIN / "dask"), "worker", address, "--nworkers", "2",
                                   "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"],
                                  **common))
    from distributed import Client

    deadline = time.monotonic() + 60
    while True:
        try:
            with Client(address, timeout="2s") as client:
                if len(client.scheduler_info()["workers"]) == 2:
                    break
        except OSError:
            pass
        assert time.monotonic() < deadline, "Dask cluster did not start"
        time.sleep(0.5)
    yield address
    for proc in reversed(procs):
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_grade_on_a_dask_cluster(cluster, tmp_path):
    from conftest import MINI

    from grading.course import workspace as W

    ws = W.init(directory=tmp_path / "ws", manifest_path=MINI)
    W.release(ws)
    cohort = {"D1": KEYS, "D2": {**KEYS, "c2": ["A"]}, "D3": {}, "D4": KEYS}
    learners.submit_cohort(ws, tmp_path / "h", "mini", cohort)
    autograde.collect(ws, "mini")
    res = subprocess.run([str(BIN / "congvu"), "grade", str(ws.root), "mini", "--scheduler",
                          cluster], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    assert set(ledger.read(ws.root)[C.STATUS]) == {"graded"}
    grades = gradebook.read_grades(ws.db_url)
    auto = grades[grades[C.ITEM].isin(list(KEYS))]
    assert auto.groupby(C.LEARNER)[C.SCORE].sum().to_dict() == {"D1": 3.0, "D2": 2.0,
                                                                 "D3": 0.0, "D4": 3.0}



@pytest.mark.fault
def test_two_dask_batches_in_a_row_on_one_workspace(cluster, tmp_path):
    """The cluster's workers outlive a batch: they must not keep its workers.lock."""
    from conftest import MINI

    from grading.course import workspace as W

    ws = W.init(directory=tmp_path / "ws", manifest_path=MINI)
    W.release(ws)
    learners.submit_cohort(ws, tmp_path / "h", "mini", {"E1": KEYS, "E2": {}})
    cmd = [str(BIN / "congvu"), "-q", "grade", str(ws.root), "mini", "--collect", "--scheduler",
           cluster]
    for extra in ([], ["--force"]):
        res = subprocess.run(cmd + extra, capture_output=True, text=True, timeout=300)
        assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    rows = ledger.read(ws.root)
    assert len(rows) == 4 and set(rows[C.STATUS]) == {"graded"}  # each learner graded twice
    grades = gradebook.read_grades(ws.db_url)
    auto = grades[grades[C.ITEM].isin(list(KEYS))]
    assert auto.groupby(C.LEARNER)[C.SCORE].sum().to_dict() == {"E1": 3.0, "E2": 0.0}
