"""Rows of the gradebook scan (tuples from the database driver) into compact columns, chunk by
chunk, with as little work per row in Python as the job allows (score_scan.py).

Each chunk becomes one object array (one C loop); text ids get integer codes: the chunk is
factorized in C and its distinct values looked up in one dict per column kept across chunks
(each distinct id is stored once, never sorted); numbers become float arrays (copies: nothing
keeps a chunk's rows alive), and timestamps are parsed by numpy when they have nbgrader's shape
(``YYYY-MM-DD HH:MM:SS[.ffffff]``, checked on the bytes), else by pandas as before. The
frame made at the end has the same values and dtypes as ``compact`` (the other drivers'
chunk-by-chunk conversion) gives, with categories in order of first sight.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from grading import columns as C
from grading.settings import LOCAL_TZ

CODED = (C.LEARNER, C.MODULE)  # text ids: categories
NUMBERS = (C.PENALTY, C.SCORE)
# The byte positions of nbgrader's timestamps (SQLAlchemy's SQLite format), and the digits.
_SEPARATORS = {4: "-", 7: "-", 10: " ", 13: ":", 16: ":"}
_DIGITS = [i for i in range(19) if i not in _SEPARATORS]


def local_time(values: pd.Series) -> pd.Series:
    """nbgrader stores naive UTC; HR reads naive Vietnam time."""
    stamps = pd.to_datetime(values, format="ISO8601")
    return stamps.dt.tz_localize("UTC").dt.tz_convert(LOCAL_TZ).dt.tz_localize(None)


def compact(frame: pd.DataFrame) -> pd.DataFrame:
    """Ids as categories (fast joins later), Vietnam time, numbers as numbers; a notebook
    without grades keeps a missing score and counts no item awaiting a trainer."""
    frame[C.LEARNER] = frame[C.LEARNER].astype("category")
    frame[C.MODULE] = frame[C.MODULE].astype("category")
    frame[C.TIMESTAMP] = local_time(frame[C.TIMESTAMP])
    frame[C.PENALTY] = frame[C.PENALTY].astype(float)
    frame[C.SCORE] = frame[C.SCORE].astype(float)
    frame[C.NEEDS_MANUAL] = frame[C.NEEDS_MANUAL].fillna(0).astype("int32")
    return frame


class Columns:
    """Compact columns of the scan's rows, filled chunk by chunk (``add``), framed once."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.codes = {c: [] for c in CODED}
        self.ids = {c: {} for c in CODED}  # distinct values -> code, first seen first
        self.values = {c: [] for c in names if c not in CODED}
        self.labels: dict[str, dict] = {}  # per coded column: what its keys stand for

    def add(self, rows: list[tuple]) -> None:
        """A chunk of rows (tuples in ``names`` order)."""
        table = np.array(rows, dtype=object)
        if table.ndim != 2:  # a chunk of tuples always is; guard against a driver surprise
            table = table.reshape(len(rows), len(self.names))
        self.add_columns({name: table[:, i] for i, name in enumerate(self.names)})

    def add_columns(self, chunk: dict[str, np.ndarray]) -> None:
        """A chunk as one array per column (text columns: objects, None when missing)."""
        for name in self.names:
            col = chunk[name]
            if name in CODED:
                self.codes[name].append(self._code(name, col))
            elif name == C.TIMESTAMP:
                self.values[name].append(stamps(col))
            elif name in NUMBERS or name == C.NEEDS_MANUAL:  # None: NaN (0 items, later)
                self.values[name].append(np.asarray(col).astype(float))
            else:  # a copy: a view of the chunk's table would keep every row's objects
                self.values[name].append(np.array(col))

    def _code(self, name: str, col: np.ndarray) -> np.ndarray:
        """Codes of one chunk's values in the column's ids (first sight first; missing: -1):
        the chunk is factorized in C and only its distinct values are looked up."""
        local, uniques = pd.factorize(np.asarray(col, dtype=object))
        seen = self.ids[name]
        where = np.array([seen.setdefault(v, len(seen)) for v in uniques] + [-1],
                         dtype=np.int64)
        return where[local]  # local -1 (missing) takes the -1 appended

    def frame(self) -> pd.DataFrame:
        out = {}
        for name in self.names:
            if name in CODED:
                out[name] = categorical(self.codes[name], self.ids[name], self.labels.get(name))
            elif name == C.TIMESTAMP:
                parts = self.values[name]
                out[name] = local_time(pd.Series(
                    np.concatenate(parts) if parts else np.array([], dtype="datetime64[us]")))
            else:
                parts = self.values[name]
                out[name] = np.concatenate(parts) if parts else np.array([], dtype=object)
        frame = pd.DataFrame(out)
        if C.NEEDS_MANUAL in frame:  # None (no grade) -> 0, as compact() does
            frame[C.NEEDS_MANUAL] = frame[C.NEEDS_MANUAL].fillna(0).astype("int32")
        if frame.empty:
            return compact(frame.astype(object))
        return frame


def categorical(codes: list[np.ndarray], seen: dict, labels: dict | None = None
                ) -> pd.Categorical:
    """Codes (-1: missing, SQL NULL) and their distinct values (each replaced by its label,
    if given: distinct labels) as a category column."""
    codes = np.concatenate(codes) if codes else np.array([], dtype=np.int64)
    values = list(seen)
    if labels is not None:
        values = [labels[v] for v in values]
    return pd.Categorical.from_codes(codes.astype(np.int32), categories=pd.Index(values))


def stamps(col: np.ndarray) -> np.ndarray:
    """naive datetime64[us] of nbgrader's timestamp strings (None: NaT); pandas parses
    anything of another shape, exactly as ``local_time`` would."""
    missing = col == None  # noqa: E711  (element-wise on an object array)
    text = col[~missing] if missing.any() else col
    try:
        raw = text.astype("S27")  # one byte more than the longest shape: longer is caught
    except (UnicodeEncodeError, ValueError, TypeError):
        raw = None
    if raw is not None and _nbgrader_shape(raw):
        parsed = raw.astype("datetime64[us]")
        if len(text) == len(col):
            return parsed
        out = np.full(len(col), np.datetime64("NaT", "us"))
        out[~missing] = parsed
        return out
    return pd.to_datetime(pd.Series(col), format="ISO8601").to_numpy()


def _nbgrader_shape(raw: np.ndarray) -> bool:
    """Every value is ``YYYY-MM-DD HH:MM:SS`` or that with ``.ffffff`` (checked on bytes)."""
    if not len(raw):
        return False
    grid = raw.view(np.uint8).reshape(len(raw), raw.dtype.itemsize)
    long = grid[:, 19] == ord(".")
    if not (long | (grid[:, 19] == 0)).all() or (grid[:, 26] != 0).any():
        return False
    if (grid[~long, 20:] != 0).any():
        return False
    if any((grid[:, pos] != ord(sep)).any() for pos, sep in _SEPARATORS.items()):
        return False
    digits = grid[:, _DIGITS]
    frac = grid[long, 20:26]
    return bool(((digits >= ord("0")) & (digits <= ord("9"))).all()
                and ((frac >= ord("0")) & (frac <= ord("9"))).all())


def repeated(frame: pd.DataFrame, keys: list[str]) -> bool:
    """``frame.duplicated(keys).any()``, counted on the category codes when it can be."""
    if not all(isinstance(frame[k].dtype, pd.CategoricalDtype) for k in keys):
        return bool(frame.duplicated(keys).any())
    sizes = [len(frame[key].cat.categories) + 1 for key in keys]  # code -1 (missing) too
    if not len(frame) or np.prod(sizes, dtype=float) > 4 * len(frame) + 1e6:
        return bool(frame.duplicated(keys).any())
    flat = np.zeros(len(frame), dtype=np.int64)
    for key, size in zip(keys, sizes):
        flat = flat * size + frame[key].cat.codes.to_numpy().astype(np.int64) + 1
    return int(np.bincount(flat).max()) > 1
