"""`congvu retake`: open the next attempt of a module for learners who may retake it."""
from __future__ import annotations

import pandas as pd

from grading import columns as C
from grading.report.attempts import ALLOWED_FILE, ATTEMPT, ATTEMPTS


def open_retake(ws, module_id: str, *, today=None) -> pd.DataFrame:
    """Open the next attempt of ``module_id`` for every learner who may retake it now.

    May retake: submitted, not passed (by the module's policy), fewer attempts than allowed,
    and feedback on their last attempt released at least ``wait_days`` days ago. The attempt
    is its own nbgrader assignment (``<module>__lan<N>``: generated from the module's source,
    released to the exchange; a new draw and order for the learner); the learners allowed are
    added to ``congvu/retakes.csv``. Returns one row per learner opened (learner, attempt).
    """
    import shutil

    from grading import settings
    from grading.course import retakes
    from grading.course import workspace as W
    from grading.errors import WorkspaceError, problem
    from grading.files import write_atomic
    from grading.learner.variants import attempt_name
    from grading.report import tables

    module = ws.manifest.module(module_id)
    today = today or settings.vn_today()
    lm, _ = tables.learner_modules(ws)
    # not passed, and not awaiting the trainer (free text not graded yet is not a failure)
    waiting = lm[C.AWAITING].astype(bool) if C.AWAITING in lm else False
    mine = lm[(lm[C.MODULE] == module.id) & lm[C.SUBMITTED] & ~lm[C.PASSED] & ~waiting
              & lm[C.ACTIVE]]
    tried = mine[ATTEMPTS].fillna(1).astype(int) if ATTEMPTS in mine else 1
    mine = mine.assign(**{ATTEMPT: tried + 1})
    mine = mine[mine[ATTEMPT] <= module.retakes.attempts]
    rows = []
    for learner, nxt in zip(mine[C.LEARNER].astype(str), mine[ATTEMPT]):
        released = retakes.released_on(ws.root, learner, attempt_name(module.id, nxt - 1))
        if released is not None and (today - released).days >= module.retakes.wait_days:
            rows.append({C.LEARNER: learner, C.MODULE: module.id, ATTEMPT: int(nxt),
                         "opened_on": today.isoformat()})
    opened = pd.DataFrame(rows, columns=[C.LEARNER, C.MODULE, ATTEMPT, "opened_on"])
    for nxt in sorted(set(opened[ATTEMPT])):
        name = attempt_name(module.id, nxt)
        if not (ws.root / "source" / name).exists():
            shutil.copytree(ws.root / "source" / module.id, ws.root / "source" / name)
            result = ws.api().generate_assignment(name, force=True, create=True)
            if not result["success"]:
                raise WorkspaceError(problem(f"nbgrader không tạo được lần làm bài {name}",
                                             "xem nhật ký bên dưới",
                                             message_en=f"nbgrader could not generate {name}"),
                                     detail=result.get("log", ""))
        W.release(ws, [name])
    if not opened.empty:
        path = ws.root / "congvu" / ALLOWED_FILE
        old = pd.read_csv(path, dtype=str) if path.exists() else None
        both = pd.concat([old, opened.astype(str)]) if old is not None else opened
        write_atomic(path, both.drop_duplicates([C.LEARNER, C.MODULE, ATTEMPT])
                     .to_csv(index=False).encode("utf-8"))
    return opened
