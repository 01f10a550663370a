"""Retakes to mastery in the reports: attempts folded into one result per (learner, module).

Attempt 1 of a module is the nbgrader assignment of the module itself; attempt N is the
assignment ``<module>__lan<N>`` (learner/variants.py), so every attempt keeps its own
submission and grades in nbgrader's gradebook and nothing is overwritten. The module's
result follows the module's policy in course.yml (``retakes.result``): the best attempt
(highest percent, the earliest on a tie) or the last one. An attempt N > 1 counts only if the
learner was allowed to take it (``congvu/retakes.csv``, written when the retake is opened):
a submission to a retake nobody opened for that learner is left out (fail closed).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from grading import columns as C
from grading.course.retakes import ALLOWED_FILE, ATTEMPT, allowed  # noqa: F401  (re-exported)
from grading.learner.variants import split_assignment

ATTEMPTS = C.N_ATTEMPTS


def fold_attempts(scores: pd.DataFrame, policy: dict[str, str],
                  opened: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (learner, module) from per-assignment scores (pure).

    ``policy`` maps module -> "best" | "last"; ``opened`` lists allowed retakes. Adds the
    attempt that counts (``attempt``) and how many attempts were graded (``n_attempts``).
    """
    module, attempt = split_names(scores[C.MODULE])
    out = scores.assign(**{C.MODULE: module, ATTEMPT: attempt})
    later = out[ATTEMPT] > 1
    keys = [C.LEARNER, C.MODULE]
    if not later.any():  # no retake graded: already one row per (learner, module); left in
        return out.assign(**{ATTEMPTS: 1})  # the gradebook's order (callers join by keys)
    ok = pd.Series(False, index=out.index)
    if opened is not None and not opened.empty:
        granted = set(zip(opened[C.LEARNER].astype(str), opened[C.MODULE].astype(str),
                          opened[ATTEMPT].astype(int)))
        ok = pd.Series([k in granted for k in zip(out[C.LEARNER].astype(str), out[C.MODULE],
                                                    out[ATTEMPT])], index=out.index)
    out = out[~later | ok]
    counts = out.groupby(keys, sort=False)[ATTEMPT].size().rename(ATTEMPTS)
    best = out[C.MODULE].map(policy).fillna("best").eq("best")
    rank = pd.Series(out[ATTEMPT].astype(float), index=out.index)
    rank[best] = out.loc[best, C.PERCENT].fillna(-1.0) * 100 - out.loc[best, ATTEMPT] / 100
    chosen = out.assign(_rank=rank).sort_values("_rank").groupby(keys, sort=False).tail(1)
    chosen = chosen.drop(columns="_rank").join(counts, on=keys)
    return chosen.sort_values(keys, ignore_index=True)


def split_names(names: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(module as a category, attempt number) of every assignment name; each distinct name
    is split once (a gradebook has millions of rows but a few dozen assignments)."""
    values = names.astype("category")
    split = [split_assignment(str(name)) for name in values.cat.categories]
    codes = values.cat.codes.to_numpy()
    base = pd.Categorical([module for module, _ in split])
    module = pd.Categorical.from_codes(base.codes[codes], categories=base.categories)
    return (pd.Series(module, index=names.index),
            np.array([number for _, number in split], dtype=np.int64)[codes])


def per_ward(lm: pd.DataFrame) -> pd.DataFrame:
    """Attempts per commune and module: learners who retook, attempts graded, passed (pure)."""
    frame = lm.assign(**{ATTEMPTS: lm.get(ATTEMPTS, pd.Series(0, index=lm.index)).fillna(0)})
    frame["_retook"] = frame[ATTEMPTS] > 1
    keys = [c for c in (C.WARD_CODE, C.WARD_NAME) if c in frame] + [C.MODULE]
    g = frame.groupby(keys, sort=True, observed=True)
    return pd.DataFrame({C.N_RETOOK: g["_retook"].sum().astype(int),
                         ATTEMPTS: g[ATTEMPTS].sum().astype(int),
                         C.N_PASSED: g[C.PASSED].sum().astype(int)}).reset_index()
