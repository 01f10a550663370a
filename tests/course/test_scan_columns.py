"""The scan's fast row conversion (scan_columns.Columns) gives the frame the pandas route
(compact) gives, on awkward values: NULLs, microseconds, other timestamp shapes."""
import pandas as pd
import pytest

from grading import columns as C
from grading.course import score_scan
from grading.course.scan_columns import Columns, compact, repeated

NAMES = [C.LEARNER, C.MODULE, C.TIMESTAMP, C.PENALTY, C.SCORE, C.NEEDS_MANUAL]


def _pandas(chunks):
    """The route before Columns: each chunk through compact, categories unioned."""
    parts = [compact(pd.DataFrame.from_records(rows, columns=NAMES)) for rows in chunks]
    return score_scan._concat(parts).astype({C.LEARNER: object, C.MODULE: object})


@pytest.mark.parametrize("stamp", ["2026-09-01 10:00:00", "2026-09-01 10:00:00.000005",
                                   "2026-09-01", "2026-09-01T10:00:00", "2026-09-01 10:00"])
def test_columns_equal_the_pandas_route(stamp):
    rows = [(f"CB{i:03d}", f"hp{i % 3}", f"2026-08-{1 + i % 28:02d} 0{i % 10}:15:00"
             + (".250000" if i % 4 == 0 else ""), None if i % 5 else 0.5, float(i), i % 2)
            for i in range(40)]
    rows[3] = ("CB003", None, None, None, None, None)  # NULLs: missing, no score, 0 awaiting
    rows[7] = ("CB007", "hp1", stamp, 0.0, 1.0, 0)
    chunks = [rows[:25], rows[25:]]
    columns = Columns(NAMES)
    for chunk in chunks:
        columns.add(chunk)
    fast = columns.frame()
    assert [str(t) for t in fast.dtypes] == ["category", "category", "datetime64[us]",
                                             "float64", "float64", "int32"]
    fast = fast.astype({C.LEARNER: object, C.MODULE: object})
    pd.testing.assert_frame_equal(fast, _pandas(chunks))
    assert fast.loc[7, C.TIMESTAMP] == pd.Timestamp(stamp) + pd.Timedelta(hours=7)
    assert pd.isna(fast.loc[3, C.MODULE]) and fast.loc[3, C.NEEDS_MANUAL] == 0
    assert not repeated(columns.frame(), [C.LEARNER, C.MODULE])
    columns.add([("CB001", "hp1", None, 0.0, 1.0, 0)])
    assert repeated(columns.frame(), [C.LEARNER, C.MODULE])


def test_columns_keep_no_object_of_a_read_chunk():
    """Only the compact columns (and each distinct id once) outlive a chunk: a column kept
    as a view of the chunk's table held every row's objects (350 bytes a row, 1 GB per half
    at national scale)."""
    import sys

    penalty = float("0.25")  # objects of this test alone: their references can be counted
    stamp = "".join(["2026-09-01 ", "10:00:00"])
    columns = Columns(NAMES)
    rows = [("CB001", "hp1", stamp, penalty, 1.0, 0)]
    held = sys.getrefcount(stamp), sys.getrefcount(penalty)
    columns.add(rows)
    del rows
    assert (sys.getrefcount(stamp), sys.getrefcount(penalty)) == (held[0] - 1, held[1] - 1)
    assert columns.frame()[C.NEEDS_MANUAL].tolist() == [0]
