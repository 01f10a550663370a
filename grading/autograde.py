"""Autograde every submission of an assignment through nbgrader, one learner per task.

nbgrader's own batch stops at the first broken submission; here each learner is graded by a
separate ``NbGraderAPI.autograde`` call in a pool of worker processes, after a pre-check that
names what is wrong with a broken notebook. Every submission ends with a status and a reason,
appended to ``congvu/grading_log.csv`` (the last line per learner and module counts).
"""
from __future__ import annotations

import csv
import datetime as dt
import multiprocessing
import os
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import pandas as pd

from . import columns as C
from .errors import GradingError, problem
from .workspace import Workspace, open_workspace

LOG_FILE = Path("congvu") / "grading_log.csv"
LOG_COLUMNS = [C.LEARNER, C.MODULE, C.STATUS, C.REASON, "graded_at", "seconds"]
STATUS_VI = {"graded": "Đã chấm", "invalid_notebook": "Notebook hỏng", "error": "Lỗi khi chấm"}
STATUS_EN = {"graded": "graded", "invalid_notebook": "invalid notebook", "error": "error"}


def precheck(folder: Path) -> tuple[str, str] | None:
    """Find what would break nbgrader in a submission folder: (status, Vietnamese reason)."""
    import nbformat

    notebooks = sorted(folder.glob("*.ipynb"))
    if not notebooks:
        return "invalid_notebook", "bài nộp không có notebook nào; học viên cần nộp lại"
    for path in notebooks:
        try:
            nb = nbformat.read(str(path), as_version=4)
        except Exception as exc:  # nbformat raises several unrelated types for bad files
            kind = type(exc).__name__
            return ("invalid_notebook", f"{path.name}: tệp hỏng, không đọc được ({kind}); "
                    "học viên cần tải lại bài (fetch), làm lại và nộp lại")
        ids = Counter(c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells
                      if c.metadata.get("nbgrader", {}).get("grade_id"))
        dupes = sorted(gid for gid, n in ids.items() if n > 1)
        if dupes:
            return ("invalid_notebook", f"{path.name}: ô chấm điểm bị nhân đôi ({', '.join(dupes)}); "
                    "học viên cần xóa ô bị chép thêm hoặc tải lại bài rồi nộp lại")
    return None


_API = None


def _init_worker(root: str) -> None:
    global _API
    import warnings

    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's ORM, not ours
    _API = open_workspace(root).api()


def _grade_one(assignment: str, learner: str) -> dict:
    start = time.monotonic()
    result = _API.autograde(assignment, learner, force=True, create=True)
    if result["success"]:
        status, reason = "graded", ""
    else:
        tail = (result.get("error") or result.get("log") or "").strip().splitlines()[-3:]
        status, reason = "error", "nbgrader báo lỗi khi chấm: " + " | ".join(tail)
    return {C.LEARNER: learner, C.STATUS: status, C.REASON: reason,
            "seconds": round(time.monotonic() - start, 2)}


def _append_log(ws: Workspace, rows: list[dict]) -> None:
    path = ws.root / LOG_FILE
    new = not path.exists()
    with open(path, "a", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=LOG_COLUMNS)
        if new:
            writer.writeheader()
        writer.writerows(rows)
        fh.flush()
        os.fsync(fh.fileno())


def read_status(ws: Workspace, assignment: str | None = None) -> pd.DataFrame:
    """Latest status per (learner, module)."""
    path = ws.root / LOG_FILE
    if not path.exists():
        return pd.DataFrame(columns=LOG_COLUMNS)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = frame.drop_duplicates([C.LEARNER, C.MODULE], keep="last")
    if assignment:
        frame = frame[frame[C.MODULE] == assignment]
    return frame.sort_values([C.MODULE, C.LEARNER], ignore_index=True)


def submissions(ws: Workspace, assignment: str) -> list[str]:
    """Learner ids with a folder in submitted/<learner>/<assignment>."""
    return sorted(p.parent.name for p in (ws.root / "submitted").glob(f"*/{assignment}")
                  if p.is_dir())


def collect(ws: Workspace, assignment: str) -> None:
    """Copy the latest submissions from the exchange into submitted/ (nbgrader collect)."""
    ws.manifest.module(assignment)
    result = ws.api().collect(assignment, update=True)
    if not result["success"]:
        raise GradingError(problem(f"nbgrader không thu được bài của {assignment}",
                                   "kiểm tra thư mục exchange", file=str(ws.root / "exchange")),
                           detail=result.get("log", ""))


def grade(*, workspace: Workspace, assignment: str, jobs: int | None = None,
          learners: list[str] | None = None, progress: bool = True) -> pd.DataFrame:
    """Autograde submissions in parallel; return one status row per learner."""
    ws = workspace
    ws.manifest.module(assignment)
    todo = learners or submissions(ws, assignment)
    rows, ready = [], []
    for learner in todo:
        folder = ws.root / "submitted" / learner / assignment
        if not folder.is_dir():
            rows.append({C.LEARNER: learner, C.STATUS: "error", "seconds": 0.0,
                         C.REASON: f"không có bài nộp trong {folder.relative_to(ws.root)}"})
            continue
        bad = precheck(folder)
        if bad:
            rows.append({C.LEARNER: learner, C.STATUS: bad[0], C.REASON: bad[1], "seconds": 0.0})
        else:
            ready.append(learner)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(ready) or 1))
    from tqdm import tqdm

    bar = tqdm(total=len(todo), unit="bài", desc=f"Chấm {assignment}", disable=not progress,
               initial=len(rows))
    if ready:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker,
                                 initargs=(str(ws.root),)) as pool:
            futures = [pool.submit(_grade_one, assignment, learner) for learner in ready]
            for future in as_completed(futures):
                rows.append(future.result())
                failed = sum(r[C.STATUS] != "graded" for r in rows)
                bar.set_postfix_str(f"lỗi {failed}")
                bar.update(1)
    bar.close()
    now = dt.datetime.now().isoformat(timespec="seconds")
    for row in rows:
        row.update({C.MODULE: assignment, "graded_at": now})
    _append_log(ws, rows)
    return pd.DataFrame(rows, columns=LOG_COLUMNS).sort_values(C.LEARNER, ignore_index=True)
