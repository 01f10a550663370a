"""Large sheets and CSV files are written in chunks: the same files as in one piece."""
from __future__ import annotations

import datetime as dt
import os

import numpy as np
import openpyxl
import pandas as pd
import pytest

from grading import columns as C
from grading.report import fork, write, xlsx


def _tables(n: int) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(1)
    sheet = pd.DataFrame({
        C.WARD_CODE: [f"{90000 + i % 3:05d}" for i in range(n)],
        C.WARD_NAME: pd.Categorical([f"Xã Hòa Bình {i % 3}" for i in range(n)]),
        C.LEARNER: [f"CB{i:06d}" for i in range(n)],
        C.NAME: ["Nguyễn Văn Ánh" if i % 2 else "Lê Thị <&> Hạnh" for i in range(n)],
        f"{C.PERCENT}:hp01": np.where(rng.random(n) < 0.2, np.nan, rng.random(n) * 100),
        C.N_COMPLETED: rng.random(n) < 0.5, C.DAYS_LATE: rng.integers(0, 30, n)})
    people = sheet[[C.LEARNER, C.NAME, C.WARD_CODE]].assign(
        completed_at=pd.Timestamp("2026-10-01 08:30") + pd.to_timedelta(np.arange(n), "h"))
    return {"learner_sheet": sheet, "people": people}


def _written(tmp, monkeypatch, chunk: int) -> tuple[list, str]:
    monkeypatch.setattr(xlsx, "ROW_CHUNK", chunk)
    monkeypatch.setattr(write, "CSV_CHUNK", chunk)
    monkeypatch.setattr(fork, "PARALLEL_ROWS", 0 if chunk < 10 else 10**9)
    monkeypatch.setattr(fork, "usable", lambda: True)  # threads left by other tests: fork anyway
    out = tmp / f"chunk_{chunk}"
    write.write_report(_tables(23), out, as_of=dt.date(2026, 12, 1))
    rows = list(openpyxl.load_workbook(out / "report.xlsx")["Chi tiết cán bộ"].iter_rows(
        values_only=True))
    return rows, (out / "learners.csv").read_text(encoding="utf-8")


def test_chunked_sheet_and_csv_equal_one_piece(tmp_path, monkeypatch):
    whole_rows, whole_csv = _written(tmp_path, monkeypatch, 10_000)
    children = []  # in chunks, and the CSV files by a forked child meanwhile
    real_fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: children.append(1) or real_fork())
    rows, csv = _written(tmp_path, monkeypatch, 4)
    assert children == [1]
    assert len(rows) == 24 and rows == whole_rows
    assert rows[1][3] == "Lê Thị <&> Hạnh" and rows[2][3] == "Nguyễn Văn Ánh"
    assert csv == whole_csv and csv.startswith("\ufeff") and csv.count("\n") == 24
    assert csv.count("\ufeff") == 1 and csv.count(C.LEARNER) == 1  # one BOM, one header


def test_kept_heap_restores_numpy_and_frees_on_leaving():
    """The tables are made with freed memory kept and numpy's huge-page advice off; both
    come back on leaving, even when the tables fail."""
    huge = getattr(np._core.multiarray, "_set_madvise_hugepage", None)
    if huge is None:
        pytest.skip("this numpy has no huge-page switch: kept_heap leaves it alone")
    before = huge(True)
    try:
        with fork.kept_heap():
            inside = huge(False)  # returns the setting in force inside the block
            huge(inside)
            arrays = [np.ones(2**20) for _ in range(4)]
            del arrays
        assert inside is False and huge(True) is True  # back to what it was
        try:
            with fork.kept_heap():
                raise ValueError("tables failed")
        except ValueError:
            pass
        assert huge(True) is True
    finally:
        huge(before)
