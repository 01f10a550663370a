"""Grade one learner's submission in a worker process: nbgrader autograde, sandboxed executor.

A worker process holds one nbgrader API, one fork server and one sandbox *slot* (a pair of
unprivileged uids and a cgroup, unique on the machine while the worker lives, claimed with a
lock file), and grades learners one at a time. ``grade_one`` returns the learner's status row.
"""
from __future__ import annotations

import fcntl
import os
import re
import shutil
import time
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from grading import columns as C
from grading.engine import executor, lifeline
from grading.engine.precheck import answers_problem, precheck, tampered
from grading.engine.sandbox import Limits
from grading.status import Status

SLOTS = 256
_STATE: dict = {"api": None, "root": None, "slot_lock": None, "workers_lock": None, "cgroup": None,
                "parent": None, "limits": Limits()}

REASONS = {
    "timeout": "chạy quá thời gian cho phép ({detail}), đã bị dừng",
    "memory": "dùng quá bộ nhớ cho phép, đã bị dừng",
    "output": "in ra quá nhiều ({detail}), kernel đã bị dừng",
    "died": "kernel của bài làm dừng giữa chừng",
    "check": "một hàm chấm không trả lời được ({detail})",
    "check_crash": ("hàm chấm bị lỗi khi chạy ({detail}): giảng viên cần xem lại đề, bộ chấm "
                    "hoặc tệp nộp bất thường, rồi chấm lại"),
}
PRIORITY = ("memory", "timeout", "output", "died", "check_crash", "check")


def _claim_slot() -> int:
    """A sandbox slot no other live worker on this machine holds (uids must not be shared)."""
    from grading.engine.kernels import IPC_ROOT

    IPC_ROOT.mkdir(parents=True, exist_ok=True)
    os.chmod(IPC_ROOT, 0o711)
    for slot in range(SLOTS):
        fh = open(IPC_ROOT / f"slot-{slot}.lock", "w")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            continue
        _STATE["slot_lock"] = fh
        return slot
    raise RuntimeError("no free sandbox slot")


def init(root: str, isolate: bool, limits=None, die_with_parent: bool = True,
         parent: int | None = None) -> None:
    """Worker initializer: nbgrader API with the sandboxed executor, a slot, a fork server.

    A local worker (``die_with_parent``) dies with its batch process ``parent``, holds the
    workspace's ``workers.lock`` for its life and records itself in ``congvu/run/``; a Dask
    worker outlives batches and takes the lock per task instead (``lease``).
    """
    import warnings

    from sqlalchemy.exc import SAWarning

    from grading.course import runs
    from grading.course.workspace import open_workspace
    from grading.engine import cgroups

    if die_with_parent:
        lifeline.adopt(parent or os.getppid())
        _STATE["parent"] = parent or os.getppid()
    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's ORM, not ours
    ws = open_workspace(root)
    if not isinstance(limits, Limits):  # overrides of the workspace's own limits
        limits = Limits.of_workspace(ws.root, limits)
    if die_with_parent:
        lock = open(ws.kit / "workers.lock", "a")
        fcntl.flock(lock, fcntl.LOCK_SH)  # a new batch waits until every worker of this is gone
        _STATE["workers_lock"] = lock
        runs.register(ws.root, "worker", _STATE["parent"])
    clear_dead_ipc()
    slot = _claim_slot()
    _STATE["cgroup"] = cgroups.slot_cgroup(slot, limits) if isolate else None
    _STATE["limits"] = limits
    speed_up_nbgrader()
    _STATE["api"] = ws.api(
        Autograde={"autograde_preprocessors": autograde_steps(ws)},
        Exporter={"optimistic_validation": True},  # validate once per step list, not per step
        SandboxedExecute={"slot": slot, "isolate": isolate, "cgroup": _STATE["cgroup"],
                          "limits": asdict(limits)})
    _STATE["root"] = ws.root


def speed_up_nbgrader() -> None:
    """Remove repeated work from nbgrader's hot path without changing what it computes.

    Every ``Gradebook(...)`` nbgrader opens (about ten per submission) creates a database
    engine and re-checks all fifteen tables with ``create_all``; every cell's metadata check
    re-validates the JSON schema itself. Here an engine is created once per URL and reused,
    ``create_all`` runs once per URL and process, and the schema validator is built once;
    ``jsonschema.validate`` semantics (same checks, same best-match error) are kept.
    """
    import jsonschema
    import nbgrader.api as nbapi
    import nbgrader.nbgraderformat.common as fmt

    if getattr(nbapi, "_congvu_fast", False):
        return
    engines, created, validators = {}, set(), []
    real_engine, real_create_all = nbapi.create_engine, nbapi.Base.metadata.create_all

    def create_engine(url, **kw):
        key = (str(url), tuple(sorted(kw.items())))
        if key not in engines:
            engines[key] = real_engine(url, **kw)
        return engines[key]

    def create_all(bind=None, **kw):
        if str(bind.url) not in created:
            real_create_all(bind=bind, **kw)
            created.add(str(bind.url))

    def close(self):
        self.db.remove()  # the shared engine stays open for the next Gradebook

    class FastSchema:
        def validate(self, instance, schema):
            found = next((v for known, v in validators if known == schema), None)
            if found is None:
                cls = jsonschema.validators.validator_for(schema)
                cls.check_schema(schema)
                found = cls(schema)
                validators.append((schema, found))
            error = jsonschema.exceptions.best_match(found.iter_errors(instance))
            if error is not None:
                raise error

    nbapi.create_engine, nbapi.Base.metadata.create_all = create_engine, create_all
    nbapi.Gradebook.close = close
    fmt.jsonschema = FastSchema()
    nbapi._congvu_fast = True


def autograde_steps(ws) -> list:
    """The workspace's autograde preprocessors with nbgrader's Execute swapped for ours, and
    the autograded notebook made safe to render (htmlsafe) once its scores are saved."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    cfg = ws.config()
    steps = list(cfg.Autograde.autograde_preprocessors) if "autograde_preprocessors" in \
        cfg.Autograde else list(Autograde.class_traits()["autograde_preprocessors"].default())
    from nbgrader.preprocessors import SaveAutoGrades

    from grading.engine.htmlsafe import SafeOutputs
    from grading.engine.nbspeed import SaveAutoGradesOnce

    ours = {Execute: executor.SandboxedExecute, SaveAutoGrades: SaveAutoGradesOnce}
    steps = [ours.get(step, step) for step in steps]
    return steps + ([] if SafeOutputs in steps else [SafeOutputs])  # last: scores are saved


def _status(incidents: list, tamper: str) -> tuple[str, str]:
    kinds = {kind: detail for kind, detail in reversed(incidents)}
    for kind in PRIORITY:
        if kind in kinds:
            status = {"died": Status.KERNEL_DIED, "check": Status.CHECK_TIMEOUT,
                      "check_crash": Status.ERROR}.get(kind) or Status(kind)
            reason = REASONS[kind].format(detail=kinds[kind])
            note = ("; các câu khác vẫn được chấm" if kind == "check_crash"
                    else "; các câu trả lời đã lưu vẫn được chấm")
            return status, reason + note + (f"; {tamper}" if tamper else "")
    if tamper:
        return Status.TAMPERED, tamper
    return Status.GRADED, ""


def _cause(result: dict) -> str:
    """The most telling error line of a failed nbgrader run."""
    text = (result.get("log") or "") + "\n" + (result.get("error") or "")
    lines = [line.strip() for line in text.splitlines()
             if re.match(r"^\s*[\w.]+(Error|Exception)\b", line) and "NbGraderException" not in line]
    return (lines[-1] if lines else text.strip().splitlines()[-1] if text.strip() else "?")[:300]


@contextmanager
def lease(root: str | Path):
    """Hold the workspace's workers.lock (shared) for one task: a Dask worker outlives batches,
    so it must not keep a later batch waiting once its task is done."""
    with open(Path(root) / "congvu" / "workers.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_SH)
        yield


def clear_dead_ipc() -> None:
    """Remove kernel socket folders of worker processes that died without cleaning up."""
    from grading.course.runs import start_time
    from grading.engine.kernels import IPC_ROOT

    for folder in IPC_ROOT.glob("[0-9]*"):
        if folder.is_dir() and folder.name.isdigit() and start_time(int(folder.name)) is None:
            shutil.rmtree(folder, ignore_errors=True)


def grade_one(assignment: str, learner: str) -> dict:
    """Grade one submission; never raises for a problem of the submission itself."""
    if _STATE.get("parent") and os.getppid() != _STATE["parent"]:
        os._exit(0)  # the batch died: its results would be thrown away
    start = time.monotonic()
    root: Path = _STATE["root"]
    folder = root / "submitted" / learner / assignment
    row = {C.LEARNER: learner, C.MODULE: assignment}
    bad = precheck(folder)
    if bad:
        return {**row, C.STATUS: bad[0], C.REASON: bad[1], "seconds": 0.0}
    tamper = tampered(root / "release" / assignment, folder)
    executor.RUN.update(incidents=[], kernel_s=0.0, cells_s=0.0, checks=0)
    locks = root / "congvu" / "locks"
    locks.mkdir(exist_ok=True)
    with open(locks / f"{assignment}.{learner}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # never two graders on one submission
        result = _autograde(assignment, learner)
    if result["success"]:
        status, reason = _status(executor.RUN["incidents"], tamper)
        corrupt = answers_problem(folder)
        if corrupt and status in (Status.GRADED, Status.TAMPERED):
            status, reason = Status.CORRUPT_ANSWERS, "; ".join(filter(None, [corrupt, reason]))
    else:
        status, reason = Status.ERROR, "nbgrader báo lỗi khi chấm: " + _cause(result)
    return {**row, C.STATUS: status, C.REASON: reason,
            "seconds": round(time.monotonic() - start, 3),
            "kernel_s": round(executor.RUN["kernel_s"], 4),
            "cells_s": round(executor.RUN["cells_s"], 4),
            "memory_cgroup": _STATE["cgroup"] is not None}


def _autograde(assignment: str, learner: str) -> dict:
    """nbgrader's autograde, retried with backoff while the database has a short outage
    (a SQLite write lock held by formgrader, a PostgreSQL restart); force=True makes it safe
    to repeat."""
    from grading.course import dbcheck

    waits = dbcheck.backoff(within=_STATE["limits"].db_retry_seconds)
    while True:
        executor.RUN.update(incidents=[], kernel_s=0.0, cells_s=0.0, checks=0)
        result = _STATE["api"].autograde(assignment, learner, force=True, create=True)
        text = (result.get("log") or "") + (result.get("error") or "")
        wait = None if result["success"] or not dbcheck.transient(text) else next(waits, None)
        if wait is None:
            return result
        time.sleep(wait)


def crash_row(learner: str, assignment: str, where_vi: str, exc: BaseException) -> dict:
    """The status row of a learner whose grading task itself failed (the batch goes on)."""
    return {C.LEARNER: learner, C.MODULE: assignment, C.STATUS: Status.ERROR,
            C.REASON: f"{where_vi}: {type(exc).__name__}: {exc}", "seconds": 0.0}


def shutdown() -> None:
    from grading.course import runs
    from grading.engine import cgroups
    from grading.engine.kernels import close_fork_server

    if _STATE.get("workers_lock") is not None and _STATE.get("root") is not None:
        runs.unregister(_STATE["root"], "worker")
    close_fork_server()
    executor.cleanup_ipc()
    cgroups.remove_cgroup(_STATE.get("cgroup"))
