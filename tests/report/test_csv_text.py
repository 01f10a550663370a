"""csv_text writes what pandas' to_csv writes, byte for byte, on awkward values."""
import numpy as np
import pandas as pd

from grading.report.csv_text import csv_text


def _same(frame: pd.DataFrame) -> None:
    for header in (True, False):
        assert csv_text(frame, header) == frame.to_csv(index=False, header=header,
                                                       lineterminator="\n")


def test_csv_text_equals_pandas():
    n = 7
    frame = pd.DataFrame({
        "id": pd.Categorical(["a", "b, c", 'say "hi"', "a", "", "đ", "a"]),
        "score": [1.0, 0.1 + 0.2, np.nan, 1e-7, 12345678901.5, 2.0, 1.0],
        "ok": [True, False, True, True, False, False, True],
        "n": pd.array([1, None, 3, 3, 1, None, 2], dtype="Int64"),
        "day": pd.to_datetime(["2026-10-08", None, "2026-10-09", "2026-10-08", "2026-10-08",
                               "2026-01-01", "2026-10-08"]),
        "at": pd.to_datetime(format="ISO8601", arg=["2026-09-05 18:09:00", "2026-09-05 18:09:00.250", None,
                              "2026-09-05", "2026-09-06 01:00", "2026-09-07", "2026-09-08"]),
        "text": pd.array(["x", None, "", " lead", "a\tb", "x", "'=1"], dtype="string"),
        "days": np.arange(n) - 3})
    _same(frame)
    _same(frame.iloc[:0])
    _same(frame[["day"]].dropna())  # dates only: pandas prints no time
    _same(frame.assign(score=[0.0, -0.0, 1.0, 1.0, 1.0, 1.0, 1.0]))  # negative zero
    _same(frame.assign(text=["one\ntwo", "x", "y", "z", "x", "x", "x"]))  # a line break
