"""CSV text of a frame, byte for byte what ``frame.to_csv(index=False, lineterminator="\\n")``
writes, several times faster on the big tables (the learner × module CSV: millions of rows).

pandas formats every cell of every row; here each column is factorized and only its distinct
values are formatted — by pandas itself, so the text is the same: a one-column frame of the
distinct values (beside a constant column, so an empty field stays unquoted as in a row of
several fields) goes through ``to_csv``. A value's text never depends on the other rows,
except for datetimes, where pandas looks at the whole column (date only, or which fraction of a
second) — and a column and its distinct values give the same answer. Rows are then joined by
``str.join``. Anything unusual (a field with a line break, a negative zero, a value pandas
cannot factorize) falls back to pandas for the chunk.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def _fields(series: pd.Series) -> list[str] | None:
    """The CSV field of every value of ``series`` (missing: empty), or None to fall back."""
    values = series.array
    if series.dtype.kind == "f" and bool(np.any(np.signbit(series.to_numpy()) &
                                                (series.to_numpy() == 0))):
        return None  # -0.0 and 0.0 factorize as one value but print differently
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable values
        return None
    probe = pd.DataFrame({"v": pd.Series(uniques, dtype=series.dtype), "z": 0})
    text = probe.to_csv(index=False, header=False, lineterminator="\n")
    lines = text.split("\n")[:-1]
    if len(lines) != len(uniques) or not all(line.endswith(",0") for line in lines):
        return None  # a field with a line break: pandas quotes it across lines
    table = np.array([line[:-2] for line in lines] + [""], dtype=object)  # -1: missing
    return table[codes].tolist()


def csv_text(frame: pd.DataFrame, header: bool = True) -> str:
    """``frame.to_csv(index=False, header=header, lineterminator="\\n")``, faster."""
    if frame.empty or len(frame.columns) == 0 or not frame.columns.is_unique:
        return frame.to_csv(index=False, header=header, lineterminator="\n")
    columns = []
    for name in frame.columns:
        fields = _fields(frame[name])
        if fields is None:
            return frame.to_csv(index=False, header=header, lineterminator="\n")
        columns.append(fields)
    head = frame.iloc[:0].to_csv(index=False, lineterminator="\n") if header else ""
    return head + "\n".join(map(",".join, zip(*columns))) + "\n"
