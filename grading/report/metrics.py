"""Aggregations: pure DataFrame -> DataFrame functions over the tidy tables.

Inputs (column names from ``columns``):
- roster: learner_id, full_name, ward_code, ward_name, position[, joined_on, left_on]
- modules: module_id, module_title, track, pass_mark, required_for (tuple of folded positions
  or ("all",))[, duedate (a date)]
- items: module_id, notebook, item_id, max_score, kind
- grades: learner_id, module_id, score, needs_manual_grade (per item, or already summed per
  learner and module with needs_manual_grade counting the items awaiting a trainer)
- submissions: learner_id, module_id, timestamp, late_penalty

Definitions (one row of ``learner_module`` per learner × module):
- submitted: nbgrader holds a submission, or the grading log has a status for it (a broken
  notebook counts as submitted, not passed). awaiting (chờ chấm): submitted with an item the
  trainer has not graded yet; it is neither passed nor failed, never overdue, and its days
  late count to the submission, not to ``as_of`` (the trainer's backlog blames no learner).
  passed (final): submitted, nothing awaiting, percent ≥ pass mark; provisional: awaiting and
  the marks so far already reach the pass mark.
- due: end of the module's deadline day; for a learner who joined the roster later, no
  earlier than ``JOINER_GRACE_DAYS`` after joining. overdue: required, not passed, not
  awaiting, and the due day is before ``as_of``. days_late: for a passed or awaiting module,
  days from the due day to the submission (0 if on time); for an overdue module, days from
  the due day to ``as_of``.
- Leavers (``left_on`` set) keep their rows with active = False; every count leaves them out
  and ``n_left`` counts them. Joiners count from the day they joined (``n_joined``).

Per learner (``learner_rollup``), over the modules required for their position: started =
submitted at least one module; submitted = submitted every required module; completed =
passed every required module.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from grading import columns as C
from grading import settings
from grading.course.manifest import ALL_POSITIONS, fold
from grading.report.joins import left_join

WARD_KEYS = [C.WARD_CODE, C.WARD_NAME]
JOINER_GRACE_DAYS = settings.JOINER_GRACE_DAYS
PERSON = [C.LEARNER, C.NAME, C.WARD_CODE, C.WARD_NAME, C.POSITION]


CATEGORIES = (C.LEARNER, C.NAME, C.WARD_CODE, C.WARD_NAME, C.POSITION, C.JOINED, C.LEFT,
              C.MODULE, C.MODULE_TITLE, C.TRACK)


def _categorical(frame: pd.DataFrame) -> pd.DataFrame:
    """Repeated text as pandas categories: grouping and joining 1.2 million rows then works on
    integer codes instead of strings."""
    return frame.astype({c: "category" for c in CATEGORIES if c in frame})


def enrolment(roster: pd.DataFrame, modules: pd.DataFrame) -> pd.DataFrame:
    """Every (learner, module) pair with whether the module is required for the position."""
    cols = [c for c in (C.MODULE, C.MODULE_TITLE, C.TRACK, C.PASS_MARK, C.DUEDATE)
            if c in modules]
    per_module = _categorical(modules[cols])
    if C.DUEDATE in per_module:  # one date per module: a category, not an object per pair
        per_module[C.DUEDATE] = per_module[C.DUEDATE].astype("category")
    pairs = _categorical(roster).merge(per_module, how="cross")
    folded = roster[C.POSITION].map({p: fold(p) for p in roster[C.POSITION].unique()})
    required = np.column_stack([
        np.full(len(roster), True) if ALL_POSITIONS in req else folded.isin(req).to_numpy()
        for req in modules["required_for"]]) if len(modules) else np.empty((len(roster), 0))
    pairs[C.REQUIRED] = required.reshape(-1).astype(bool)
    return pairs


def _same_keys(frame: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with learner and module ids as categories of ``like`` (fast merges)."""
    return frame.assign(**{  # no copy of the other columns (pandas copies on write)
        col: pd.Categorical(frame[col], categories=like[col].cat.categories)
        for col in (C.LEARNER, C.MODULE) if isinstance(like[col].dtype, pd.CategoricalDtype)})


def module_scores(grades: pd.DataFrame, items: pd.DataFrame,
                  submissions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per (learner, module) with a graded submission: score after penalty, max, percent.

    ``submissions`` None: ``grades`` already has one row per (learner, module) with
    timestamp and late_penalty (``gradebook.read_module_scores``).
    """
    if submissions is None:
        per = grades.rename(columns={C.NEEDS_MANUAL: C.PENDING})
    else:
        per = (grades.groupby([C.LEARNER, C.MODULE], as_index=False)
               .agg(**{C.SCORE: (C.SCORE, "sum"), C.PENDING: (C.NEEDS_MANUAL, "sum")}))
        per = submissions[[C.LEARNER, C.MODULE, C.TIMESTAMP, C.PENALTY]].merge(
            per, on=[C.LEARNER, C.MODULE], how="left")
    maxima = items.groupby(C.MODULE)[C.MAX_SCORE].sum()
    per = per.assign(**{
        C.SCORE: (per[C.SCORE].fillna(0.0) - per[C.PENALTY].fillna(0.0)).clip(lower=0.0),
        C.PENDING: per[C.PENDING].fillna(0).astype(int),
        C.MAX_SCORE: per[C.MODULE].map(maxima).astype(float)})
    per[C.PERCENT] = (100.0 * per[C.SCORE] / per[C.MAX_SCORE]).where(per[C.MAX_SCORE] > 0, 0.0)
    return per[[C.LEARNER, C.MODULE, C.TIMESTAMP, C.SCORE, C.PENDING, C.MAX_SCORE, C.PERCENT]]


def _due(out: pd.DataFrame) -> pd.Series:
    """The due day (midnight) of every row: module deadline, or joined + grace if later."""
    if C.DUEDATE not in out:
        return pd.Series(pd.NaT, index=out.index, dtype="datetime64[us]")
    per_module = out[[C.MODULE, C.DUEDATE]].drop_duplicates(C.MODULE)
    days = dict(zip(per_module[C.MODULE], pd.to_datetime(per_module[C.DUEDATE])))
    due = pd.Series(out[C.MODULE].map(days), index=out.index).astype("datetime64[us]")
    if C.JOINED in out:
        starts = {j: pd.Timestamp(j) + pd.Timedelta(days=JOINER_GRACE_DAYS)
                  for j in pd.unique(out[C.JOINED]) if isinstance(j, str) and j}
        late_start = pd.Series(out[C.JOINED].map(starts), index=out.index).astype(
            "datetime64[us]")
        due = due.where(~(late_start > due), late_start)
    return due


def learner_module(enrol: pd.DataFrame, scores: pd.DataFrame,
                   status: pd.DataFrame | None = None, *,
                   as_of: dt.date | None = None) -> pd.DataFrame:
    """One row per enrolled (learner, module): submitted, score, percent, passed, due,
    overdue, days late, active. ``status`` (learner_id, module_id, status) marks submissions
    that could not be graded. ``as_of``: the day overdue is judged on (default: today)."""
    out = left_join(enrol, _same_keys(scores, enrol), [C.LEARNER, C.MODULE])  # merge, left
    out[C.SUBMITTED] = out[C.TIMESTAMP].notna() | out[C.SCORE].notna()
    if status is not None and not status.empty:
        tried = status[[C.LEARNER, C.MODULE, C.STATUS]].drop_duplicates([C.LEARNER, C.MODULE])
        out = out.merge(_same_keys(tried, out), on=[C.LEARNER, C.MODULE], how="left")
        out[C.SUBMITTED] = out[C.SUBMITTED] | out[C.STATUS].notna()
    pending = out[C.PENDING].fillna(0) if C.PENDING in out else pd.Series(0, index=out.index)
    out[C.AWAITING] = out[C.SUBMITTED] & (pending > 0)
    reaches = out[C.SUBMITTED] & (out[C.PERCENT].fillna(0.0) >= out[C.PASS_MARK])
    out[C.PASSED] = reaches & ~out[C.AWAITING]
    out[C.PROVISIONAL] = reaches & out[C.AWAITING]
    out[C.ACTIVE] = (out[C.LEFT] == "") if C.LEFT in out else True
    as_of = pd.Timestamp(as_of or settings.vn_today())
    due_day = _due(out).dt.normalize()
    out[C.DUE] = due_day
    done_day = pd.to_datetime(out[C.TIMESTAMP]).dt.normalize()
    waiting = out[C.REQUIRED] & ~out[C.PASSED] & ~out[C.AWAITING]
    out[C.OVERDUE] = waiting & (due_day < as_of) & out[C.ACTIVE]
    late = np.where(out[C.PASSED] | out[C.AWAITING], (done_day - due_day).dt.days,
                    np.where(out[C.OVERDUE], (as_of - due_day).dt.days, 0))
    out[C.DAYS_LATE] = pd.Series(late, index=out.index).fillna(0).clip(lower=0).astype(int)
    return out


def _any(frame: pd.DataFrame, keys: list, col: str) -> pd.Series:
    return frame.groupby(keys, sort=False)[col].any()


def learner_rollup(lm: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """Per learner (× ``by``, e.g. track): enrolled (has a required module), started,
    submitted (every required one), completed (passed every required one, final), awaiting
    (a required module waits for the trainer: not completed, not failed), provisional (every
    required module passed or provisionally passed, some awaiting), overdue, days late,
    completed_at (last passing submission of a completer)."""
    keys = [C.LEARNER, *(by or [])]
    req = lm[C.REQUIRED]
    awaiting = lm[C.AWAITING] if C.AWAITING in lm else pd.Series(False, index=lm.index)
    provisional = lm[C.PROVISIONAL] if C.PROVISIONAL in lm else awaiting
    frame = lm[[*keys, C.REQUIRED, C.SUBMITTED, C.OVERDUE]].assign(
        _sub_req=~req | lm[C.SUBMITTED], _pass_req=~req | lm[C.PASSED],
        _await=req & awaiting, _prov_req=~req | lm[C.PASSED] | provisional,
        _done_at=lm[C.TIMESTAMP].where(req & lm[C.PASSED]), _late=lm[C.DAYS_LATE].where(req, 0))
    g = frame.groupby(keys, sort=False, observed=True)
    out = pd.DataFrame({"enrolled_in": g[C.REQUIRED].any(), C.STARTED: g[C.SUBMITTED].any(),
                        C.SUBMITTED: g["_sub_req"].all(), C.N_COMPLETED: g["_pass_req"].all(),
                        C.AWAITING: g["_await"].any(), C.PROVISIONAL: g["_prov_req"].all(),
                        C.OVERDUE: g[C.OVERDUE].any(), C.DAYS_LATE: g["_late"].max(),
                        "completed_at": g["_done_at"].max()})
    out[C.PROVISIONAL] = out[C.PROVISIONAL] & out[C.AWAITING]
    out["completed_at"] = out["completed_at"].where(out[C.N_COMPLETED])
    people = lm.drop_duplicates(C.LEARNER).set_index(C.LEARNER)
    extra = [c for c in (C.NAME, *WARD_KEYS, C.POSITION, C.ACTIVE, C.JOINED, C.LEFT)
             if c in people and c not in keys]
    return out.reset_index().join(people[extra], on=C.LEARNER)


def completion(lm: pd.DataFrame) -> pd.DataFrame:
    """Per learner: completed = passed every module required for their position."""
    roll = learner_rollup(lm)
    return roll[[*PERSON, C.N_COMPLETED]]


def _rate(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (100.0 * part / whole.where(whole > 0)).round(1)


def funnel(roll: pd.DataFrame, lm: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Counts and rates per ``keys`` over active learners of ``learner_rollup``; mean and
    median score (%) over the (learner, module) submissions in ``lm``."""
    act = roll[roll[C.ACTIVE] & roll["enrolled_in"]]
    late = act[C.DAYS_LATE].where(act[C.DAYS_LATE] > 0)
    g = act.assign(_late=late).groupby(keys, sort=True, observed=True)
    out = pd.DataFrame({C.ENROLLED: g.size(), C.N_STARTED: g[C.STARTED].sum(),
                        C.N_SUBMITTED: g[C.SUBMITTED].sum(),
                        C.N_COMPLETED: g[C.N_COMPLETED].sum(), C.N_OVERDUE: g[C.OVERDUE].sum(),
                        C.N_AWAITING: g[C.AWAITING].sum() if C.AWAITING in act else 0,
                        C.MEAN_DAYS_LATE: g["_late"].mean().round(1)})
    done = lm.loc[lm[C.SUBMITTED] & lm[C.ACTIVE], [*keys, C.PERCENT]].groupby(
        keys, observed=True)[C.PERCENT]
    out = out.join(done.mean().round(1).rename(C.MEAN_SCORE)).join(
        done.median().round(1).rename(C.MEDIAN_SCORE))
    out[C.SUBMIT_RATE] = _rate(out[C.N_SUBMITTED], out[C.ENROLLED])
    out[C.COMPLETION_RATE] = _rate(out[C.N_COMPLETED], out[C.ENROLLED])
    left = roll[~roll[C.ACTIVE]].groupby(keys, observed=True).size().rename(C.N_LEFT)
    out = out.join(left, how="outer")
    for col in (C.ENROLLED, C.N_STARTED, C.N_SUBMITTED, C.N_COMPLETED, C.N_OVERDUE, C.N_LEFT,
                C.N_AWAITING):
        out[col] = out[col].fillna(0).astype(int)
    return out.reset_index()


def _joined(roll: pd.DataFrame) -> pd.Series:
    """Active learners who joined after the first import (the course start)."""
    if C.JOINED not in roll:
        return pd.Series(False, index=roll.index)
    joined = roll[C.JOINED].astype(str).replace("nan", "")
    if not (joined != "").any():
        return pd.Series(False, index=roll.index)
    return roll[C.ACTIVE] & (joined > joined[joined != ""].min())


LEARNER_ORDER = [C.ENROLLED, C.N_STARTED, C.N_SUBMITTED, "<passed>", C.N_COMPLETED,
                 C.COMPLETION_RATE, C.SUBMIT_RATE, C.N_OVERDUE, C.MEAN_DAYS_LATE, C.MEAN_SCORE,
                 C.MEDIAN_SCORE, C.N_JOINED, C.N_LEFT, C.N_AWAITING]


def _by_learner_group(lm: pd.DataFrame, keys: list[str], passed: bool,
                      roll: pd.DataFrame | None = None) -> pd.DataFrame:
    roll = learner_rollup(lm) if roll is None else roll
    out = funnel(roll, lm, keys)
    joined = roll[_joined(roll)].groupby(keys, observed=True).size().rename(C.N_JOINED)
    out = out.join(joined, on=keys)
    out[C.N_JOINED] = out[C.N_JOINED].fillna(0).astype(int)
    cols = []
    if passed:
        ok = lm.loc[lm[C.PASSED] & lm[C.ACTIVE], [*keys, C.MODULE]]
        grid = ok.groupby([*keys, C.MODULE], observed=True).size().unstack(C.MODULE)
        modules = sorted(pd.unique(lm[C.MODULE]))
        grid = grid.reindex(columns=modules).fillna(0).astype(int)
        grid.columns = [f"{C.N_PASSED}:{m}" for m in modules]
        out = out.join(grid, on=keys)
        cols = list(grid.columns)
        out[cols] = out[cols].fillna(0).astype(int)
    order = [c for o in LEARNER_ORDER for c in (cols if o == "<passed>" else [o])]
    return out[[*keys, *order]].sort_values(keys[0], ignore_index=True)


def per_ward(lm: pd.DataFrame, roll: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per ward: enrolled, started, submitted, passed per module, completed, rates,
    overdue, mean days late, mean and median score (%), joiners, leavers.
    ``roll``: ``learner_rollup(lm)`` if already computed."""
    return _by_learner_group(lm, WARD_KEYS, passed=True, roll=roll)


def per_position(lm: pd.DataFrame, roll: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ward table's figures per position."""
    return _by_learner_group(lm, [C.POSITION], passed=True, roll=roll)


def per_track(lm: pd.DataFrame) -> pd.DataFrame:
    """Per track: learners with a required module in the track; completed = passed every
    required module of the track."""
    roll = learner_rollup(lm, [C.TRACK])
    out = funnel(roll, lm, [C.TRACK])
    return out[[C.TRACK, *[c for c in LEARNER_ORDER if c in out]]]


def module_funnel(lm: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per ``keys`` (which include module_id): enrolled (required, or took it anyway),
    submitted, passed, pass rate, mean/median score, overdue, mean days late."""
    lm = lm if C.AWAITING in lm else lm.assign(**{C.AWAITING: False})
    taking = lm.loc[(lm[C.REQUIRED] | lm[C.SUBMITTED]) & lm[C.ACTIVE],
                    [*keys, C.SUBMITTED, C.PASSED, C.OVERDUE, C.DAYS_LATE, C.PERCENT, C.AWAITING]]
    taking = taking.assign(_pct=taking[C.PERCENT].where(taking[C.SUBMITTED]),
                           _late=taking[C.DAYS_LATE].where(taking[C.DAYS_LATE] > 0))
    g = taking.groupby(keys, sort=True, observed=True)
    out = pd.DataFrame({C.ENROLLED: g.size(), C.N_SUBMITTED: g[C.SUBMITTED].sum(),
                        C.N_PASSED: g[C.PASSED].sum(), C.N_OVERDUE: g[C.OVERDUE].sum(),
                        C.MEAN_DAYS_LATE: g["_late"].mean().round(1),
                        C.MEAN_SCORE: g["_pct"].mean().round(1),
                        C.MEDIAN_SCORE: g["_pct"].median().round(1),
                        C.N_AWAITING: g[C.AWAITING].sum()}).reset_index()
    out[C.PASS_RATE] = _rate(out[C.N_PASSED], out[C.ENROLLED])
    for col in (C.N_SUBMITTED, C.N_PASSED, C.N_OVERDUE, C.N_AWAITING):
        out[col] = out[col].astype(int)
    order = [C.ENROLLED, C.N_SUBMITTED, C.N_PASSED, C.PASS_RATE, C.N_OVERDUE, C.MEAN_DAYS_LATE,
             C.MEAN_SCORE, C.MEDIAN_SCORE, C.N_AWAITING]
    return out[[*keys, *order]]


def per_module(lm: pd.DataFrame) -> pd.DataFrame:
    return module_funnel(lm, [C.MODULE, C.MODULE_TITLE, C.TRACK])


def per_ward_module(lm: pd.DataFrame) -> pd.DataFrame:
    """Per ward × module: enrolled (required, or took it anyway), submitted, passed, rates."""
    return module_funnel(lm, [*WARD_KEYS, C.MODULE, C.MODULE_TITLE]).sort_values(
        [C.WARD_CODE, C.MODULE], ignore_index=True)
