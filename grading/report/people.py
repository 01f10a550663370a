"""People-level tables for chasing and follow-up: completion over time, who has not completed,
one row per learner. Pure DataFrame -> DataFrame functions over ``metrics.learner_module``."""
from __future__ import annotations

import pandas as pd

from grading import columns as C
from grading.report.metrics import WARD_KEYS, learner_rollup
from grading.vntext import name_sort_key

TOTAL_CODE = ""  # ward_code of the all-wards rows of over_time
ORDER = "_name_order"


def _name_order(names: pd.Series) -> pd.Series:
    """Rank of each full name in Vietnamese list order (given name, then family name)."""
    unique = sorted(pd.unique(names.astype(str)), key=name_sort_key)
    return names.astype(str).map({n: i for i, n in enumerate(unique)}).astype(int)


def with_name_order(roll: pd.DataFrame) -> pd.DataFrame:
    """The rollup with each learner's rank in Vietnamese name order, unless it has one
    (tables_from ranks once for not_completed and learner_sheet; only the ranks' order
    matters there)."""
    if C.NAME not in roll or ORDER in roll:
        return roll
    return roll.assign(**{ORDER: _name_order(roll[C.NAME])})


def _mask_names(masks, titles: list[str]) -> dict[int, str]:
    """"title; title; …" of the modules whose bits a mask sets (module order), per mask;
    each mask is its highest module's title after the name of the rest (memoized)."""
    names = {0: ""}

    def name(v: int) -> str:
        if v not in names:
            top = v.bit_length() - 1
            rest = v & ~(1 << top)
            names[v] = f"{name(rest)}; {titles[top]}" if rest else titles[top]
        return names[v]

    return {int(v): name(int(v)) for v in masks}


def over_time(lm: pd.DataFrame, roll: pd.DataFrame | None = None) -> pd.DataFrame:
    """Cumulative completions per day, per ward and for all wards (ward_code ""): date,
    ward_code, ward_name, n_completed (that day), cum_completed, enrolled, completion_rate.
    A learner completes on the day of the last passing submission of a required module."""
    roll = learner_rollup(lm) if roll is None else roll
    act = roll[roll[C.ACTIVE] & roll["enrolled_in"]]
    enrolled = act.groupby(WARD_KEYS, observed=True).size()
    done = act[act["completed_at"].notna()]
    day = pd.to_datetime(done["completed_at"]).dt.normalize().rename(C.DATE)
    daily = done.assign(**{C.DATE: day}).groupby([*WARD_KEYS, C.DATE], observed=True).size(
    ).rename(
        C.N_COMPLETED).reset_index()
    total = daily.groupby(C.DATE, as_index=False)[C.N_COMPLETED].sum().assign(
        **{C.WARD_CODE: TOTAL_CODE, C.WARD_NAME: "Tất cả đơn vị"})
    out = pd.concat([daily, total], ignore_index=True).sort_values([C.WARD_CODE, C.DATE])
    out[C.CUM_COMPLETED] = out.groupby(C.WARD_CODE)[C.N_COMPLETED].cumsum()
    sizes = enrolled.reset_index(level=1, drop=True)
    out[C.ENROLLED] = out[C.WARD_CODE].map(sizes).fillna(len(act)).astype(int)
    out[C.COMPLETION_RATE] = (100.0 * out[C.CUM_COMPLETED] / out[C.ENROLLED]).round(1)
    cols = [C.DATE, *WARD_KEYS, C.N_COMPLETED, C.CUM_COMPLETED, C.ENROLLED, C.COMPLETION_RATE]
    return out[cols].reset_index(drop=True)


def not_completed(lm: pd.DataFrame, titles: dict[str, str] | None = None,
                  roll: pd.DataFrame | None = None) -> pd.DataFrame:
    """Active learners who have not passed every required module, most overdue first within
    each ward (then by name): the modules still to pass (titles), awaiting (chờ chấm: some
    module waits for the trainer, not the learner), overdue, days late."""
    titles = dict(titles or {})
    if C.MODULE_TITLE in lm:
        pairs = lm[[C.MODULE, C.MODULE_TITLE]].drop_duplicates(C.MODULE)
        titles = {**dict(zip(pairs[C.MODULE], pairs[C.MODULE_TITLE])), **titles}
    modules = sorted(pd.unique(lm[C.MODULE]))
    todo = lm[lm[C.REQUIRED] & ~lm[C.PASSED] & lm[C.ACTIVE]]
    # The set of missing modules as a bit mask per learner; each distinct mask named once.
    bit = {m: 1 << i for i, m in enumerate(modules)}
    bits = todo[C.MODULE].map(bit).astype("int64")
    mask = bits.groupby(todo[C.LEARNER], observed=True, sort=False).sum()  # ids as categories
    mask.index = mask.index.astype(str)  # one string per learner, not per missing module
    names = _mask_names(pd.unique(mask), [str(titles.get(m, m)) for m in modules])
    roll = with_name_order(learner_rollup(lm) if roll is None else roll)
    out = roll[roll[C.ACTIVE] & ~roll[C.N_COMPLETED]].copy()
    out[C.MISSING] = out[C.LEARNER].astype(str).map(mask).map(names).fillna("")
    cols = [*WARD_KEYS, C.LEARNER, C.NAME, C.POSITION, C.MISSING, C.STARTED, C.AWAITING,
            C.OVERDUE, C.DAYS_LATE]
    if C.NAME in out:
        keys, ascending = [C.WARD_CODE, C.DAYS_LATE, ORDER, C.LEARNER], [True, False, True, True]
    else:
        keys, ascending = [C.WARD_CODE, C.DAYS_LATE, C.LEARNER], [True, False, True]
    out = out.sort_values(keys, ascending=ascending)
    return out[[c for c in cols if c in out]].reset_index(drop=True)


def learner_sheet(lm: pd.DataFrame, roll: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per learner, by ward, then in Vietnamese name order (given name first),
    leavers last: percent per module (blank when not submitted), completed, overdue, days
    late, items awaiting manual grading."""
    roll = with_name_order(learner_rollup(lm) if roll is None else roll).set_index(C.LEARNER)
    pct = lm.pivot(index=C.LEARNER, columns=C.MODULE, values=C.PERCENT)
    pct = pct.round(1)
    pct.columns = [f"{C.PERCENT}:{m}" for m in pct.columns]
    pending = (lm.groupby(C.LEARNER, observed=True)[C.PENDING].sum() if C.PENDING in lm
               else None)
    cols = [c for c in (*WARD_KEYS, C.NAME, C.POSITION, C.JOINED, C.LEFT, ORDER) if c in roll]
    out = roll[cols].join(pct)
    out[C.N_COMPLETED] = roll[C.N_COMPLETED]
    out[C.OVERDUE] = roll[C.OVERDUE]
    out[C.DAYS_LATE] = roll[C.DAYS_LATE]
    if C.AWAITING in roll:
        out[C.AWAITING] = roll[C.AWAITING]
    if pending is not None:
        out[C.PENDING] = pending.fillna(0).astype(int)
    out = out.reset_index()
    front = [*WARD_KEYS, C.LEARNER]
    out = out[[*front, *[c for c in out.columns if c not in front]]]
    order = [C.WARD_CODE, *([C.LEFT] if C.LEFT in out else []),
             *([ORDER] if C.NAME in out else []), C.LEARNER]
    return out.sort_values(order, ignore_index=True).drop(columns=ORDER, errors="ignore")


def people(lm: pd.DataFrame, roll: pd.DataFrame | None = None) -> pd.DataFrame:
    """One tidy row per learner: who, where, and the rollup (started, submitted, completed,
    completed_at, overdue, days late)."""
    roll = learner_rollup(lm) if roll is None else roll
    cols = [C.LEARNER, C.NAME, *WARD_KEYS, C.POSITION, C.JOINED, C.LEFT, C.ACTIVE, C.STARTED,
            C.SUBMITTED, C.N_COMPLETED, "completed_at", C.AWAITING, C.PROVISIONAL, C.OVERDUE,
            C.DAYS_LATE]
    out = roll[[c for c in cols if c in roll]].rename(columns={C.N_COMPLETED: "completed"})
    return out.sort_values([C.WARD_CODE, C.LEARNER], ignore_index=True)
