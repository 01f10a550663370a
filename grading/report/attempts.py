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

from pathlib import Path

import numpy as np
import pandas as pd

from grading import columns as C
from grading.learner.variants import split_assignment

ATTEMPT, ATTEMPTS = "attempt", "n_attempts"
ALLOWED_FILE = "retakes.csv"


def allowed(root: str | Path) -> pd.DataFrame:
    """Opened retakes: one row per (learner, module, attempt)."""
    path = Path(root) / "congvu" / ALLOWED_FILE
    if not path.exists():
        return pd.DataFrame({C.LEARNER: [], C.MODULE: [], ATTEMPT: []})
    frame = pd.read_csv(path, dtype={C.LEARNER: str, C.MODULE: str})
    return frame[[C.LEARNER, C.MODULE, ATTEMPT]].astype({ATTEMPT: int})


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
    if not later.any():  # no retake graded: already one row per (learner, module)
        return out.assign(**{ATTEMPTS: 1}).sort_values(keys, ignore_index=True)
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
    g = frame.groupby([C.WARD_CODE, C.MODULE], sort=True)
    return pd.DataFrame({"n_retook": g["_retook"].sum().astype(int),
                         ATTEMPTS: g[ATTEMPTS].sum().astype(int),
                         C.PASSED: g[C.PASSED].sum().astype(int)}).reset_index()

