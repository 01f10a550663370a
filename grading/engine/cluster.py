"""Run the same per-learner grading on an existing Dask distributed cluster.

``congvu grade DIR MODULE --scheduler tcp://HOST:PORT`` submits one task per learner. A task
runs ``grading.worker.grade_one`` in the Dask worker process, exactly as a local worker would:
nbgrader's autograde with the sandboxed executor. Workers need the workspace at the same path
(shared storage, e.g. NFS) because nbgrader reads ``submitted/`` and writes ``autograded/`` and
the gradebook there; with workers on several machines use a PostgreSQL gradebook (SQLite on
network storage is fragile). Sandboxes need each worker to run as root on Linux. The status
log is written only by the machine that runs ``congvu grade``, as results arrive.
"""
from __future__ import annotations

import threading
import uuid

_LOCK = threading.Lock()
_READY: dict = {}


def _grade_task(root: str, assignment: str, learner: str, isolate: bool, limits) -> dict:
    """Runs on a Dask worker; one grading at a time per worker process (nbgrader chdirs)."""
    from grading.engine import worker

    with _LOCK:
        if _READY.get("root") != (root, isolate):
            if _READY:
                worker.shutdown()
            worker.init(root, isolate, limits, die_with_parent=False)
            _READY["root"] = (root, isolate)
        with worker.lease(root):  # released when the task ends: the next batch may start
            return worker.grade_one(assignment, learner)


def run(scheduler: str, ws, assignment: str, learners: list[str], isolate: bool, limits):
    """Yield one status row per learner as the cluster finishes them."""
    from distributed import Client, as_completed

    from grading.errors import GradingError, problem

    try:
        client = Client(scheduler, timeout="20s")
    except OSError as exc:
        raise GradingError(problem(f"không kết nối được bộ lập lịch Dask {scheduler} ({exc})",
                                   "kiểm tra địa chỉ tcp://MÁY:CỔNG và mạng",
                                   message_en="cannot reach the Dask scheduler")) from exc
    try:
        batch = uuid.uuid4().hex[:8]
        futures = {client.submit(_grade_task, str(ws.root), assignment, learner, isolate,
                                 limits, pure=False, key=f"congvu-{assignment}-{learner}-{batch}"):
                   learner for learner in learners}
        for future in as_completed(futures):
            learner = futures[future]
            try:
                yield future.result()
            except Exception as exc:  # a failed task: this learner only
                from grading.engine import worker

                yield worker.crash_row(learner, assignment, "máy chấm Dask báo lỗi", exc)
    finally:
        client.close()
