"""The register of opened retakes (``congvu/retakes.csv``) and why a retake is refused.

Attempt N > 1 of a module is the nbgrader assignment ``<module>__lan<N>``; the exchange
releases it to every learner, so who may submit it is the kit's own record: `congvu retake`
adds a row (learner, module, attempt) for each learner it opens the attempt for. `congvu grade`
grades a retake only for a learner in this register (fail closed) and says why otherwise;
the reports count only registered attempts.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from grading import columns as C
from grading import settings
from grading.learner.variants import attempt_name, split_assignment

ALLOWED_FILE = "retakes.csv"
ATTEMPT = C.ATTEMPT


def allowed(root: str | Path) -> pd.DataFrame:
    """Opened retakes: one row per (learner, module, attempt)."""
    path = Path(root) / "congvu" / ALLOWED_FILE
    if not path.exists():
        return pd.DataFrame({C.LEARNER: [], C.MODULE: [], ATTEMPT: []})
    frame = pd.read_csv(path, dtype={C.LEARNER: str, C.MODULE: str})
    return frame[[C.LEARNER, C.MODULE, ATTEMPT]].astype({ATTEMPT: int})


def released_on(root: str | Path, learner: str, assignment: str) -> dt.date | None:
    """The day (Vietnam time) feedback of ``assignment`` was written for ``learner``, or None."""
    folder = Path(root) / "feedback" / learner / assignment
    if not folder.is_dir():
        return None
    stamp = dt.datetime.fromtimestamp(folder.stat().st_mtime, settings.LOCAL_TZ)
    return stamp.date()


def refusal(root: str | Path, module, learner: str, assignment: str, *,
            opened: pd.DataFrame | None = None, today: dt.date | None = None) -> str:
    """Why ``learner`` may not submit ``assignment`` (a Vietnamese sentence), '' if they may.

    ``module`` is the manifest's Module (its ``retakes``). Attempt 1 is always allowed; a
    later attempt only if the register lists it. The reason names the first rule that fails:
    attempts used up, feedback of the previous attempt not released, waiting time not over;
    otherwise the learner passed, awaits the trainer, or the trainer has not opened it yet.
    """
    base, attempt = split_assignment(assignment)
    if attempt <= 1:
        return ""
    opened = allowed(root) if opened is None else opened
    if ((opened[C.LEARNER].astype(str) == str(learner)) & (opened[C.MODULE] == base)
            & (opened[ATTEMPT].astype(int) == attempt)).any():
        return ""
    rules = module.retakes
    if attempt > rules.attempts:
        return (f"học phần {base} cho làm tối đa {rules.attempts} lần; bài nộp là lần "
                f"{attempt}: không được chấm")
    previous = attempt_name(base, attempt - 1)
    released = released_on(root, learner, previous)
    if released is None:
        return (f"chưa phát phản hồi lần làm bài {attempt - 1} ({previous}) cho học viên: "
                f"chưa được làm lần {attempt}, bài nộp không được chấm")
    today = today or settings.vn_today()
    ready = released + dt.timedelta(days=rules.wait_days)
    if today < ready:
        return (f"chưa hết thời gian chờ {rules.wait_days} ngày sau khi phát phản hồi lần "
                f"{attempt - 1} (được làm lại từ ngày {ready:%d/%m/%Y}): bài nộp không được chấm")
    return (f"lần làm bài {attempt} chưa được mở cho học viên này (đã đạt, bài trước còn chờ "
            f"giảng viên chấm, hoặc giảng viên chưa chạy 'congvu retake {base}'): bài nộp "
            "không được chấm")
