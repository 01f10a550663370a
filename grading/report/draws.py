"""Which pool items each learner was given, for the reports.

An assessment's pools ("draw 2 of these 4") are declared in its hidden tests
(``cv.score_pool(pool, slot, k, {item: key})``, read by ``course/assessment.pools``); a
learner's draw is the deterministic function of (learner, module, attempt, pool) that the
grader and the feedback use (``learner/variants.draw_for``), so the reports recompute it from
the workspace's source notebooks and gradebook ids — never from a file the learner wrote.
Reports show the draw of the attempt that counts.
"""
from __future__ import annotations

import logging

import pandas as pd

from grading import columns as C
from grading.learner.variants import draw_for

log = logging.getLogger("congvu")

Pools = dict[str, dict[str, tuple[list[str], int]]]  # module -> pool -> (items, k)
TIDY = [C.LEARNER, C.MODULE, C.ATTEMPT, C.POOL, C.SLOT, C.ITEM]
SHEET = (C.WARD_CODE, C.WARD_NAME, C.LEARNER, C.NAME, C.MODULE, C.MODULE_TITLE, C.ATTEMPT,
         C.N_ATTEMPTS, C.DRAWN)


def module_pools(ws) -> Pools:
    """The pools of every module of the workspace, read from ``source/<module>/``."""
    from grading.course import assessment
    from grading.errors import KitError

    found: Pools = {}
    for module in ws.manifest.modules:
        pools: dict[str, tuple[list[str], int]] = {}
        for notebook in assessment.source_notebooks(ws.root / "source" / module.id):
            try:
                pools.update(assessment.pools(notebook))
            except KitError as exc:  # the content tests name it; the report goes on
                log.warning("không đọc được phần rút câu của %s: %s", notebook, exc)
        if pools:
            found[module.id] = pools
    return found


def drawn(lm: pd.DataFrame, pools: Pools) -> pd.DataFrame:
    """One row per (learner, module, attempt, pool, slot): the item given there (pure).

    ``lm`` holds the learner × module rows to describe (C.LEARNER, C.MODULE and, with
    retakes, C.ATTEMPT); rows of modules without pools give nothing.
    """
    rows = lm[lm[C.MODULE].isin(list(pools))]
    attempts = rows[C.ATTEMPT] if C.ATTEMPT in rows else pd.Series(1, index=rows.index)
    out = []
    for learner, module, attempt in zip(rows[C.LEARNER].astype(str), rows[C.MODULE],
                                        attempts.fillna(1).astype(int)):
        for pool, (items, k) in sorted(pools[module].items()):
            for slot, item in enumerate(draw_for(learner, module, attempt, pool, items, k), 1):
                out.append((learner, module, attempt, pool, slot, item))
    return pd.DataFrame(out, columns=TIDY)


def drawn_text(learner: str, module: str, attempt: int, pools: Pools) -> str:
    """The items drawn for one (learner, module, attempt) as text: "p1: c5, c7; p2: c9"."""
    return "; ".join(f"{pool}: " + ", ".join(draw_for(learner, module, attempt, pool, items, k))
                     for pool, (items, k) in sorted(pools.get(module, {}).items()))


def with_drawn(lm: pd.DataFrame, pools: Pools) -> pd.DataFrame:
    """``lm`` with C.DRAWN on the submitted rows of modules with pools ("" elsewhere); the
    rows, their order, index and types are kept (pure)."""
    out = lm.assign(**{C.DRAWN: ""})
    if not pools or lm.empty:
        return out
    mask = lm[C.MODULE].isin(list(pools))
    if C.SUBMITTED in lm:
        mask &= lm[C.SUBMITTED].fillna(False).astype(bool)
    rows = lm[mask]
    attempts = rows[C.ATTEMPT].fillna(1).astype(int) if C.ATTEMPT in rows else [1] * len(rows)
    out.loc[mask, C.DRAWN] = [drawn_text(str(learner), str(module), int(attempt), pools)
                              for learner, module, attempt in zip(rows[C.LEARNER],
                                                                  rows[C.MODULE], attempts)]
    return out


def sheet(lm: pd.DataFrame) -> pd.DataFrame:
    """The report's per-learner sheet of attempts and draws: one row per (learner, module)
    with a pool draw or more than one attempt (pure)."""
    shown = pd.Series(False, index=lm.index)
    if C.DRAWN in lm:
        shown |= lm[C.DRAWN].astype(str) != ""
    if C.N_ATTEMPTS in lm:
        shown |= lm[C.N_ATTEMPTS].fillna(0) > 1
    rows = lm[shown].sort_values([c for c in (C.WARD_CODE, C.LEARNER, C.MODULE) if c in lm])
    cols = [c for c in SHEET if c in rows]
    if not cols:
        return pd.DataFrame(columns=list(SHEET))
    counts = {c: "Int64" for c in (C.ATTEMPT, C.N_ATTEMPTS) if c in rows}  # 2, not 2.0
    return rows[cols].astype(counts).reset_index(drop=True)
