"""A left join on category keys by position: ``left.merge(right, on=keys, how="left")``
without hashing millions of key pairs (the learner × module table: 5 M rows at national scale).

Both frames' keys are category codes; the left rows are found in a table indexed by the
codes, so each right row costs one array lookup. The result has the merge's rows, columns and
dtypes (missing values fill and promote as ``reindex`` does, which is what ``merge`` does).
Whenever the shortcut does not apply (keys not categories, missing or repeated keys, shared
column names), it is ``merge`` itself.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

MAX_CELLS = 200_000_000  # key combinations from which the lookup table would be too large


def left_join(left: pd.DataFrame, right: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``left.merge(right, on=keys, how="left")`` (pure)."""
    rows = _positions(left, right, keys)
    if rows is None:
        return left.merge(right, on=keys, how="left")
    others = right.drop(columns=keys).reset_index(drop=True)
    filled = others.reindex(rows).reset_index(drop=True)  # -1: no match, a missing value
    return pd.concat([left.reset_index(drop=True), filled], axis=1)


def _codes(frame: pd.DataFrame, key: str, categories: pd.Index) -> np.ndarray:
    col = frame[key]
    if not col.cat.categories.equals(categories):
        col = pd.Categorical(col, categories=categories)
        return np.asarray(col.codes, dtype=np.int64)
    return col.cat.codes.to_numpy().astype(np.int64)


def _positions(left: pd.DataFrame, right: pd.DataFrame, keys: list[str]) -> np.ndarray | None:
    """For each left row, the position of its right row (-1: none); None: use merge."""
    if not keys or set(left.columns) & set(right.columns) - set(keys):
        return None
    if not all(isinstance(left[k].dtype, pd.CategoricalDtype) and
               isinstance(right[k].dtype, pd.CategoricalDtype) for k in keys):
        return None
    sizes = [len(left[k].cat.categories) for k in keys]
    if not len(left) or not len(right) or int(np.prod(sizes, dtype=float)) > MAX_CELLS:
        return None  # (no rows: nothing to gain, and no table to look up in)
    flat_left = np.zeros(len(left), dtype=np.int64)
    flat_right = np.zeros(len(right), dtype=np.int64)
    found = np.ones(len(right), dtype=bool)
    for key, size in zip(keys, sizes):
        cats = left[key].cat.categories
        lc, rc = _codes(left, key, cats), _codes(right, key, cats)
        if (lc < 0).any():  # a missing key on the left: merge matches missing with missing
            return None
        flat_left = flat_left * size + lc
        found &= rc >= 0
        flat_right = flat_right * size + np.maximum(rc, 0)
    table = np.full(int(np.prod(sizes, dtype=np.int64)), -1, dtype=np.int64)
    table[flat_left] = np.arange(len(left))
    if (table >= 0).sum() != len(left):  # a key pair twice on the left
        return None
    where = np.where(found, table[flat_right], -1)
    hit = where >= 0
    if hit.any() and np.bincount(where[hit], minlength=len(left)).max() > 1:
        return None  # a key pair twice on the right: merge repeats left rows
    rows = np.full(len(left), -1, dtype=np.int64)
    rows[where[hit]] = np.flatnonzero(hit)
    return rows
