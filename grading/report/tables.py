"""Assemble the report tables of a workspace: gradebook (SQL) + roster + manifest -> metrics."""
from __future__ import annotations

import datetime as dt
import logging

import pandas as pd

from grading import columns as C
from grading.course import dbcheck, gradebook, ledger
from grading.course.workspace import Workspace
from grading.errors import KitError, problem
from grading.learner.variants import split_assignment
from grading.report import attempts, draws, fork, metrics
from grading.report import people as progress
from grading.roster import importer as roster

log = logging.getLogger("congvu")


def modules_frame(ws: Workspace, lang: str = "vi") -> pd.DataFrame:
    """The manifest's modules as a frame (one row per module)."""
    return pd.DataFrame([{C.MODULE: m.id, C.MODULE_TITLE: m.title.get(lang), C.TRACK: m.track,
                          C.PASS_MARK: m.pass_mark, "required_for": m.required_for,
                          C.DUEDATE: m.deadline} for m in ws.manifest.modules])


def learner_modules(ws: Workspace, lang: str = "vi", *,
                    as_of: dt.date | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(learner × module table of the whole workspace, grading status with names)."""
    people, modules, enrol = roster.load(ws.root), modules_frame(ws, lang), []
    db_url = ws.db_url  # nbgrader_config.py read once
    with dbcheck.guard(db_url):  # down, unreadable, truncated: a message naming it
        per_module = gradebook.read_module_scores(  # the roster side while a child reads
            db_url, meanwhile=lambda: enrol.append(metrics.enrolment(people, modules)))
        scores = metrics.module_scores(per_module, gradebook.read_items(db_url))
    scores = attempts.fold_attempts(  # retakes: the attempt that counts, and how many
        scores, {m.id: m.retakes.result for m in ws.manifest.modules},
        attempts.allowed(ws.root))
    enrol = enrol[0]
    _warn_orphans(ws, per_module)
    del per_module  # the sums per assignment: millions of rows, no longer needed
    status = ledger.statuses_with_flags(ws.root)
    lm = metrics.learner_module(enrol, scores, status, as_of=as_of)
    lm = draws.with_drawn(lm, draws.module_pools(ws))  # which pool items each learner saw
    if not status.empty:
        status = status.merge(people[[C.LEARNER, C.NAME, C.WARD_CODE, C.WARD_NAME]],
                              on=C.LEARNER, how="left")
    return lm, status


def orphaned(ws: Workspace, per_module: pd.DataFrame) -> pd.DataFrame:
    """Graded modules that course.yml no longer lists: (module_id, learners) — their grades
    are kept in the gradebook but count in no table, so they are named, never hidden."""
    known = {m.id for m in ws.manifest.modules}
    if per_module.empty:
        return pd.DataFrame(columns=[C.MODULE, "learners"])
    names = per_module[C.MODULE].astype("category")  # each distinct name looked at once
    lost = [n for n in names.cat.categories if split_assignment(str(n))[0] not in known]
    graded = per_module.loc[names.isin(lost), [C.LEARNER, C.MODULE]].astype(str)
    base = graded[C.MODULE].map(lambda name: split_assignment(name)[0])  # retakes: __lanN
    gone = graded[~base.isin(known)]
    return (gone.groupby(C.MODULE)[C.LEARNER].nunique().rename("learners").reset_index())


def _warn_orphans(ws: Workspace, per_module: pd.DataFrame) -> None:
    gone = orphaned(ws, per_module)
    for module, count in gone.itertuples(index=False, name=None):
        log.warning("Học phần %s có điểm của %d cán bộ trong gradebook nhưng không còn trong "
                    "course.yml: điểm này không được tính vào báo cáo (thêm lại học phần vào "
                    "course.yml nếu vẫn cần).", module, count)


# The tables in the order reports list them (the module-side ones come from a forked child
# on a large cohort, see report/fork.py).
TABLE_ORDER = ("per_ward", "per_module", "per_ward_module", "per_position", "per_track",
               "learner_sheet", "not_completed", "over_time", "people", "learners",
               "attempts_per_ward", "draws", "status")


def tables_from(lm: pd.DataFrame, status: pd.DataFrame | None = None,
                titles: dict[str, str] | None = None) -> dict[str, pd.DataFrame]:
    """Every table the reports show, from a learner × module table (pure). On a large cohort
    the per-learner tables and the per-module ones are computed at once (two cores)."""
    def per_learner() -> dict[str, pd.DataFrame]:
        roll = metrics.learner_rollup(lm)  # per learner, shared by the tables below
        ranked = progress.with_name_order(roll)  # one name sort for the two lists of people
        return {"per_ward": metrics.per_ward(lm, roll),
                "per_position": metrics.per_position(lm, roll),
                "learner_sheet": progress.learner_sheet(lm, ranked),
                "not_completed": progress.not_completed(lm, titles, ranked),
                "over_time": progress.over_time(lm, roll), "people": progress.people(lm, roll)}

    def per_module() -> dict[str, pd.DataFrame]:
        out = {"per_module": metrics.per_module(lm), "per_ward_module": metrics.per_ward_module(lm),
               "per_track": metrics.per_track(lm)}
        if C.WARD_CODE in lm and C.PASSED in lm:  # retakes per commune and module
            out["attempts_per_ward"] = attempts.per_ward(lm)
        if C.DRAWN in lm or attempts.ATTEMPTS in lm:  # per learner: attempts and pool draws
            out["draws"] = draws.sheet(lm)
        return out

    found = fork.both(per_learner, per_module, parallel=len(lm) >= fork.PARALLEL_ROWS)
    found["learners"] = lm
    if status is not None:
        found["status"] = status
    return {key: found[key] for key in TABLE_ORDER if key in found}


def only_wards(lm: pd.DataFrame, status: pd.DataFrame | None,
               codes: list[str]) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The rows of the given wards; an unknown code is an error naming the known ones."""
    known = set(lm[C.WARD_CODE])
    unknown = [c for c in codes if c not in known]
    if unknown:
        some = ", ".join(sorted(known)[:20])
        raise KitError(problem(f"không có đơn vị mã {', '.join(unknown)} trong danh sách cán bộ",
                               f"chọn mã đơn vị có trong danh sách, ví dụ: {some}",
                               message_en=f"no ward {', '.join(unknown)} in the roster",
                               fix_en=f"choose a ward code of the roster, e.g. {some}"))
    part = lm[lm[C.WARD_CODE].isin(codes)]
    if status is not None and not status.empty and C.LEARNER in status:
        status = status[status[C.LEARNER].isin(part[C.LEARNER])]
    return part, status


def build_tables(ws: Workspace, lang: str = "vi", *, as_of: dt.date | None = None,
                 wards: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """Every table the report shows, computed from the workspace's current state."""
    with fork.kept_heap():  # millions of rows: freed arrays reused, not mapped again
        lm, status = learner_modules(ws, lang, as_of=as_of)
        if wards:
            lm, status = only_wards(lm, status, wards)
        titles = {m.id: m.title.get(lang) for m in ws.manifest.modules}
        return tables_from(lm, status, titles)
