"""Autograde every submission of an assignment: parallel, sandboxed, resumable.

Each learner is graded by nbgrader's own ``autograde`` in a worker process whose Execute step
runs the notebook in a sandboxed kernel forked from a warm server (``grading/worker.py``,
``grading/executor.py``). Work runs on local worker processes or on a Dask cluster
(``grading/dask_backend.py``). Every submission ends with a status and a Vietnamese reason,
appended to ``congvu/grading_log.csv`` as soon as it is known; a rerun skips what is already
graded (``grading/ledger.py``), so a killed batch resumes where it stopped.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

import pandas as pd

from grading import columns as C
from grading import settings
from grading.course import dbcheck, ledger, retakes
from grading.course.workspace import Workspace
from grading.engine.precheck import precheck  # noqa: F401  (public: used by other modules and tests)
from grading.engine.sandbox import Limits
from grading.errors import GradingError, problem
from grading.status import FINAL, OK, Status

log = logging.getLogger("congvu")

LOG_COLUMNS = ledger.PUBLIC_COLUMNS
UNSANDBOXED = C.UNSANDBOXED  # flag of rows graded without isolation (--no-sandbox)
UNSANDBOXED_VI = "chấm không cách ly (unsandboxed)"


def submissions(ws: Workspace, assignment: str) -> list[str]:
    """Learner ids with a folder in submitted/<learner>/<assignment>."""
    return sorted(p.parent.name for p in (ws.root / "submitted").glob(f"*/{assignment}")
                  if p.is_dir())


def collect(ws: Workspace, assignment: str, identify=None) -> list[dict]:
    """Copy the latest submissions from the exchange into submitted/, trusting nothing the
    learner wrote (grading/engine/intake.py); refused ones get a status line in the ledger.
    Returns the status rows of refused submissions. Takes the batch lock: submissions are
    never copied while a batch grades (``grade(collect_first=True)`` collects under its own)."""
    with ledger.BatchLock(ws.root):
        return _collect(ws, assignment, identify)


def _collect(ws: Workspace, assignment: str, identify=None) -> list[dict]:
    from grading.engine import intake

    ws.manifest.module(assignment)
    try:
        rows = intake.collect(ws, assignment, identify=identify or intake.owner_name)
    except OSError as exc:
        raise GradingError(problem(f"không thu được bài của {assignment}: {exc.strerror}",
                                   "kiểm tra thư mục kho trao đổi (congvu doctor)",
                                   file=str(intake.inbound_path(ws)),
                                   message_en="cannot read the exchange inbound")) from exc
    now = settings.vn_now().isoformat(timespec="seconds")
    for row in rows:
        folder = ws.root / "submitted" / row[C.LEARNER] / assignment
        mark = ledger.fingerprint(folder) if folder.is_dir() else ""
        ledger.append(ws.root, {**row, "graded_at": now, "fingerprint": mark})
    return rows


def _plan(ws: Workspace, assignment: str, learners: list[str] | None, force: bool):
    """Split learners into (to grade: {learner: fingerprint}, done rows, rows not graded:
    no submission, or a retake the learner was not allowed (course/retakes.py))."""
    done = ledger.latest(ws.root, assignment).set_index(C.LEARNER)
    module, opened = ws.manifest.module(assignment), retakes.allowed(ws.root)
    todo, kept, missing = {}, [], []
    for learner in learners or submissions(ws, assignment):
        folder = ws.root / "submitted" / learner / assignment
        if not folder.is_dir():
            missing.append({C.LEARNER: learner, C.MODULE: assignment, C.STATUS: Status.ERROR,
                            C.REASON: f"không có bài nộp trong {folder.relative_to(ws.root)}",
                            "seconds": 0.0})
            continue
        why = retakes.refusal(ws.root, module, learner, assignment, opened=opened)
        if why:  # a retake nobody opened for this learner: a status, never a grade
            missing.append({C.LEARNER: learner, C.MODULE: assignment,
                            C.STATUS: Status.RETAKE_REFUSED, C.REASON: why, "seconds": 0.0})
            continue
        mark = ledger.fingerprint(folder)
        if not force and learner in done.index and done.loc[learner, "fingerprint"] == mark \
                and done.loc[learner, C.STATUS] in FINAL:
            kept.append({C.LEARNER: learner, **done.loc[learner].to_dict()})
        else:
            todo[learner] = mark
    return todo, kept, missing


class Progress:
    """tqdm bar: graded / failed / left and the rate."""

    def __init__(self, total: int, initial: int, desc: str, enabled: bool) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=total, initial=initial, unit="bài", desc=desc,
                        disable=not enabled, smoothing=0.1)
        self.ok = self.failed = 0
        self.left = total - initial

    def update(self, status: str) -> None:
        self.ok += status in OK
        self.failed += status not in OK
        self.left -= 1
        self.bar.set_postfix_str(f"đã chấm {self.ok}, lỗi {self.failed}, còn {self.left}",
                                 refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


class _LocalPool:
    """A pool of local worker processes that start at once (each spawns, imports nbgrader and
    warms its fork server while the batch does its own checks); iterate it for status rows, as
    they finish. ``limits``: a ``Limits``, or overrides of the workspace's (workers read them)."""

    def __init__(self, ws: Workspace, jobs: int, isolate: bool, limits) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.pool = ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_local,
                                        initargs=(os.getpid(), str(ws.root), isolate, limits))
        for _ in range(jobs):  # a process is spawned per task until there are ``jobs``
            self.pool.submit(int)
        self.pending: dict = {}

    def run(self, assignment: str, todo: list[str]):
        from grading.engine import worker

        self.pending = {self.pool.submit(worker.grade_one, assignment, learner): learner
                        for learner in todo}
        while self.pending:
            finished, _ = wait(self.pending, return_when=FIRST_COMPLETED)
            for future in finished:
                learner = self.pending.pop(future)
                try:
                    row = future.result()
                except Exception as exc:  # a crashed worker: this learner only
                    row = worker.crash_row(learner, assignment, "tiến trình chấm bị lỗi", exc)
                yield row

    def close(self) -> None:
        """Stop: queued learners are not graded for nothing; running ones finish."""
        self.pool.shutdown(wait=True, cancel_futures=True)


def _init_local(parent: int, root: str, isolate: bool, limits) -> None:
    from grading.engine import lifeline

    lifeline.adopt(parent)  # first: a worker whose batch died while it started must not live
    from multiprocessing.util import Finalize

    from grading.engine import kernels

    kernels.fork_server()  # warms in its own process while this one imports nbgrader
    from grading.engine import worker

    worker.init(root, isolate, limits, parent=parent)
    Finalize(None, worker.shutdown, exitpriority=10)


def sandbox_mode(sandbox: bool | None) -> bool:
    """True to isolate learner code; None = isolate when the machine allows it."""
    from grading.engine import sandbox as sb

    if sandbox is False:
        log.warning("CẢNH BÁO: chấm không cách ly (--no-sandbox); mã của học viên chạy với quyền "
                    "của người chấm; mọi dòng chấm được đánh dấu 'unsandboxed'.")
        return False
    ok, why = sb.available()
    if not ok:  # fail closed: never run learner code unisolated unless told to
        raise GradingError(problem(f"không tạo được sandbox: {why}",
                                   "chạy với quyền root trên Linux (máy cho phép namespaces); "
                                   "hoặc, chỉ khi chấp nhận rủi ro, thêm --no-sandbox (mã học "
                                   "viên sẽ đọc được đáp án và sửa được điểm)",
                                   message_en=f"cannot build the sandbox: {why}",
                                   fix_en="run as root, or accept the risk with --no-sandbox"))
    return True


def grade(*, workspace: Workspace, assignment: str, jobs: int | None = None,
          learners: list[str] | None = None, progress: bool = True, force: bool = False,
          scheduler: str | None = None, sandbox: bool | None = None, limits=None,
          details: list | None = None, collect_first: bool = False,
          overrides: dict | None = None) -> pd.DataFrame:
    """Autograde submissions in parallel; return one status row per learner.

    Limits: ``limits`` if given, else the workspace's (``c.GradingLimits``) with ``overrides``
    (e.g. ``{"wall_seconds": 600}``) applied; local workers read them themselves, so this
    process never loads nbgrader before its workers start. Submissions already graded with
    their current content are skipped unless ``force``; ``details`` (a list) receives every
    new row with its timings (for benchmarks).
    """
    ws = workspace
    ws.manifest.module(assignment)
    isolate = sandbox_mode(sandbox)
    with ledger.BatchLock(ws.root):
        # under the lock: never copy submissions while a batch grades
        refused = _collect(ws, assignment) if collect_first else []
        todo, kept, rows = _plan(ws, assignment, learners, force)
        jobs = max(1, min(jobs or settings.workspace_workers(ws.root) or os.cpu_count() or 1,
                          len(todo) or 1))
        pool = _LocalPool(ws, jobs, isolate, limits or overrides or {}) \
            if todo and not scheduler else None  # workers start during the database check
        try:  # a database that is down: one clear error, before anyone is graded
            dbcheck.check(ws.db_url)
        except BaseException:
            if pool is not None:
                pool.close()
            raise
        bar = Progress(len(todo) + len(kept) + len(rows), len(kept) + len(rows),
                       f"Chấm {assignment}", progress)
        now = settings.vn_now().isoformat(timespec="seconds")
        for row in rows:
            ledger.append(ws.root, {**row, "graded_at": now})
        if scheduler:
            from grading.engine.cluster import run as source

            limits = limits or Limits.of_workspace(ws.root, overrides)
            stream = source(scheduler, ws, assignment, list(todo), isolate, limits)
        else:
            stream = pool.run(assignment, list(todo)) if pool is not None else iter(())
        no_cgroup = 0
        try:
            for row in stream:
                row.update({"graded_at": settings.vn_now().isoformat(timespec="seconds"),
                            "fingerprint": todo.get(row[C.LEARNER], "")})
                if not isolate:
                    row["flags"] = UNSANDBOXED
                    row[C.REASON] = "; ".join(filter(None, [UNSANDBOXED_VI, row.get(C.REASON)]))
                ledger.append(ws.root, row)
                rows.append(row)
                if details is not None:
                    details.append(dict(row))
                bar.update(row[C.STATUS])
                if row[C.STATUS] == Status.ERROR and dbcheck.database_fault(row[C.REASON]):
                    dbcheck.check(ws.db_url)  # the database is gone: stop, do not fail everyone
                no_cgroup += isolate and row.get("memory_cgroup") is False
        finally:
            bar.close()
            close = getattr(pool or stream, "close", None)
            if close is not None:
                close()  # the pool or the cluster's tasks stop with the batch
    if no_cgroup:  # logged by each worker too; here once, in the batch summary
        log.warning("%d bài được chấm không có cgroup bộ nhớ (không tạo được: cần root hoặc "
                    "cgroup được ủy quyền); bộ nhớ chỉ được giới hạn bằng rlimit.", no_cgroup)
    graded = {row[C.LEARNER] for row in rows + kept}
    rows += [row for row in refused if row[C.LEARNER] not in graded]  # refused at intake
    frame = pd.DataFrame(rows + kept, columns=LOG_COLUMNS)
    frame["seconds"] = pd.to_numeric(frame["seconds"], errors="coerce").fillna(0.0)
    return frame.sort_values(C.LEARNER, ignore_index=True)

