"""A new batch clears what dead batches left: orphan workers (by pid and start time), their
records, per-learner lock files and kernel socket folders."""
import json
import subprocess

import pytest

from grading.course import ledger, runs

pytestmark = pytest.mark.fault


def record(root, name, pid, start, parent, parent_start):
    folder = root / runs.RUN_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(
        {"pid": pid, "start": start, "parent": parent, "parent_start": parent_start,
         "role": "worker"}))


def test_orphans_of_a_dead_batch_are_killed_and_records_cleared(tmp_path):
    (tmp_path / "congvu" / "locks").mkdir(parents=True)
    (tmp_path / "congvu" / "locks" / "mini.L1.lock").touch()
    batch = subprocess.Popen(["sleep", "30"])
    batch_start = runs.start_time(batch.pid)
    orphan = subprocess.Popen(["sleep", "60"])
    healthy = subprocess.Popen(["sleep", "60"])
    batch.kill()
    batch.wait()
    assert runs.start_time(batch.pid) is None and batch_start
    import os

    me = os.getpid()
    record(tmp_path, "worker-orphan", orphan.pid, runs.start_time(orphan.pid), batch.pid,
           batch_start)
    record(tmp_path, "worker-dead", batch.pid, batch_start, me, runs.start_time(me))
    record(tmp_path, "worker-live", healthy.pid, runs.start_time(healthy.pid), me,
           runs.start_time(me))
    # a reused pid: same number, another start time -> not the recorded process, never killed
    record(tmp_path, "worker-reused", healthy.pid, "1", batch.pid, batch_start)
    try:
        with ledger.BatchLock(tmp_path, wait=5):
            assert orphan.wait(timeout=10) == -9
            assert healthy.poll() is None
            left = sorted(p.stem for p in (tmp_path / runs.RUN_DIR).glob("*.json"))
            assert left == ["worker-live"]
            assert not list((tmp_path / "congvu" / "locks").glob("*.lock"))
    finally:
        healthy.kill()
        healthy.wait()
        orphan.kill()
        orphan.wait()


def test_a_reused_pid_is_not_alive_for_the_record():
    import os

    assert runs.alive(os.getpid(), runs.start_time(os.getpid()))
    assert not runs.alive(os.getpid(), "1")
    assert not runs.alive(os.getpid(), None)
