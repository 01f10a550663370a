"""Aggregations: pure DataFrame -> DataFrame functions over the tidy tables.

Inputs (column names from ``columns``):
- roster: learner_id, full_name, ward_code, ward_name, position
- modules: module_id, module_title, track, pass_mark, required_for (tuple of folded positions
  or ("all",))
- items: module_id, notebook, item_id, max_score, kind
- grades: learner_id, module_id, notebook, item_id, score, needs_manual_grade
- submissions: learner_id, module_id, timestamp, late_penalty
"""
from __future__ import annotations

import pandas as pd

from . import columns as C
from .manifest import ALL_POSITIONS, fold

WARD_KEYS = [C.WARD_CODE, C.WARD_NAME]


def enrolment(roster: pd.DataFrame, modules: pd.DataFrame) -> pd.DataFrame:
    """Every (learner, module) pair with whether the module is required for the position."""
    pairs = roster.merge(modules[[C.MODULE, C.MODULE_TITLE, C.TRACK, C.PASS_MARK,
                                  "required_for"]], how="cross")
    pairs[C.REQUIRED] = [ALL_POSITIONS in req or fold(pos) in req
                         for pos, req in zip(pairs[C.POSITION], pairs["required_for"])]
    return pairs.drop(columns="required_for")


def module_scores(grades: pd.DataFrame, items: pd.DataFrame,
                  submissions: pd.DataFrame) -> pd.DataFrame:
    """Per (learner, module) with a graded submission: score after penalty, max, percent."""
    maxima = items.groupby(C.MODULE, as_index=False)[C.MAX_SCORE].sum()
    per = (grades.groupby([C.LEARNER, C.MODULE], as_index=False)
           .agg(**{C.SCORE: (C.SCORE, "sum"), C.PENDING: (C.NEEDS_MANUAL, "sum")}))
    per = submissions[[C.LEARNER, C.MODULE, C.TIMESTAMP, C.PENALTY]].merge(
        per, on=[C.LEARNER, C.MODULE], how="left")
    per[C.SCORE] = (per[C.SCORE].fillna(0.0) - per[C.PENALTY].fillna(0.0)).clip(lower=0.0)
    per[C.PENDING] = per[C.PENDING].fillna(0).astype(int)
    per = per.merge(maxima, on=C.MODULE, how="left")
    per[C.PERCENT] = (100.0 * per[C.SCORE] / per[C.MAX_SCORE]).where(per[C.MAX_SCORE] > 0, 0.0)
    return per.drop(columns=C.PENALTY)


def learner_module(enrol: pd.DataFrame, scores: pd.DataFrame,
                   status: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per enrolled (learner, module): submitted, score, percent, passed.

    ``status`` (learner_id, module_id, status) marks submissions that could not be graded
    (a broken notebook): they count as submitted, not passed, with no score.
    """
    out = enrol.merge(scores, on=[C.LEARNER, C.MODULE], how="left")
    out[C.SUBMITTED] = out[C.TIMESTAMP].notna() | out[C.SCORE].notna()
    if status is not None and not status.empty:
        tried = status[[C.LEARNER, C.MODULE, C.STATUS]].drop_duplicates([C.LEARNER, C.MODULE])
        out = out.merge(tried, on=[C.LEARNER, C.MODULE], how="left")
        out[C.SUBMITTED] = out[C.SUBMITTED] | out[C.STATUS].notna()
    out[C.PASSED] = out[C.SUBMITTED] & (out[C.PERCENT].fillna(0.0) >= out[C.PASS_MARK])
    return out


def completion(lm: pd.DataFrame) -> pd.DataFrame:
    """Per learner: completed = passed every module required for their position."""
    keys = [C.LEARNER, C.NAME, *WARD_KEYS, C.POSITION]
    req = lm.assign(_ok=~lm[C.REQUIRED] | lm[C.PASSED])
    out = req.groupby(keys, as_index=False).agg(completed=("_ok", "all"))
    return out.rename(columns={"completed": C.N_COMPLETED})


def per_ward(lm: pd.DataFrame) -> pd.DataFrame:
    """Per ward: enrolled, submitted (at least one module), passed per module, completed,
    completion rate and mean score (%) over graded submissions."""
    done = completion(lm)
    base = done.groupby(WARD_KEYS, as_index=False).agg(
        **{C.ENROLLED: (C.LEARNER, "nunique"), C.N_COMPLETED: (C.N_COMPLETED, "sum")})
    sub = (lm[lm[C.SUBMITTED]].groupby(WARD_KEYS)[C.LEARNER].nunique()
           .rename(C.N_SUBMITTED).reset_index())
    passed = (lm[lm[C.PASSED]].pivot_table(index=WARD_KEYS, columns=C.MODULE,
                                          values=C.LEARNER, aggfunc="nunique")
              .rename(columns=lambda m: f"{C.N_PASSED}:{m}").reset_index())
    passed.columns.name = None
    mean = (lm[lm[C.SUBMITTED]].groupby(WARD_KEYS)[C.PERCENT].mean()
            .rename(C.MEAN_SCORE).reset_index())
    out = base.merge(sub, on=WARD_KEYS, how="left").merge(passed, on=WARD_KEYS, how="left")
    out = out.merge(mean, on=WARD_KEYS, how="left")
    for module in sorted(lm[C.MODULE].unique()):
        col = f"{C.N_PASSED}:{module}"
        out[col] = out[col].fillna(0).astype(int) if col in out else 0
    out[C.N_SUBMITTED] = out[C.N_SUBMITTED].fillna(0).astype(int)
    out[C.N_COMPLETED] = out[C.N_COMPLETED].astype(int)
    out[C.COMPLETION_RATE] = (100.0 * out[C.N_COMPLETED] / out[C.ENROLLED]).round(1)
    out[C.MEAN_SCORE] = out[C.MEAN_SCORE].round(1)
    order = [*WARD_KEYS, C.ENROLLED, C.N_SUBMITTED,
             *sorted(c for c in out.columns if c.startswith(f"{C.N_PASSED}:")),
             C.N_COMPLETED, C.COMPLETION_RATE, C.MEAN_SCORE]
    return out[order].sort_values(C.WARD_CODE, ignore_index=True)


def per_ward_module(lm: pd.DataFrame) -> pd.DataFrame:
    """Per ward × module: enrolled (required, or took it anyway), submitted, passed, rates."""
    taking = lm[lm[C.REQUIRED] | lm[C.SUBMITTED]]
    out = taking.groupby([*WARD_KEYS, C.MODULE, C.MODULE_TITLE], as_index=False).agg(
        **{C.ENROLLED: (C.LEARNER, "nunique"), C.N_SUBMITTED: (C.SUBMITTED, "sum"),
           C.N_PASSED: (C.PASSED, "sum")})
    mean = (taking[taking[C.SUBMITTED]].groupby([*WARD_KEYS, C.MODULE])[C.PERCENT].mean()
            .rename(C.MEAN_SCORE).reset_index())
    out = out.merge(mean, on=[*WARD_KEYS, C.MODULE], how="left")
    out[C.PASS_RATE] = (100.0 * out[C.N_PASSED] / out[C.ENROLLED]).round(1)
    out[C.MEAN_SCORE] = out[C.MEAN_SCORE].round(1)
    for col in (C.N_SUBMITTED, C.N_PASSED):
        out[col] = out[col].astype(int)
    return out.sort_values([C.WARD_CODE, C.MODULE], ignore_index=True)
