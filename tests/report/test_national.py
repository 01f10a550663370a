"""National roll-up (`congvu report --merge`): conflicts resolved on a hand-built frame, then
two province workspaces sharing five learner ids merged through the CLI."""
from __future__ import annotations

import sys

import openpyxl
import pandas as pd
from conftest import REPO

from grading import columns as C
from grading.cli import main
from grading.report import national

sys.path.insert(0, str(REPO / "benchmarks"))


def test_conflicts_counted_once_where_active_else_first():
    lm = pd.DataFrame({C.LEARNER: ["x", "x", "y", "y", "z", "x", "x"],
                       C.MODULE: ["m1", "m2", "m1", "m1", "m1", "m1", "m2"],
                       C.PROVINCE: ["A", "A", "A", "B", "B", "B", "B"],
                       C.ACTIVE: [False, False, True, True, True, True, True],
                       national.ORDER: [0, 0, 0, 1, 1, 1, 1]})
    kept, conflicts = national.resolve_conflicts(lm)
    # x left province A and works in B: counted in B; y is active in both: the first given.
    assert sorted(zip(kept[C.LEARNER], kept[C.PROVINCE])) == [
        ("x", "B"), ("x", "B"), ("y", "A"), ("z", "B")]
    assert conflicts[[C.LEARNER, C.PROVINCE, C.COUNTED_IN]].values.tolist() == [
        ["x", "A", "B"], ["x", "B", "B"], ["y", "A", "A"], ["y", "B", "A"]]


def test_merge_two_provinces(tmp_path, capsys):
    import scale_data

    a = scale_data.build(tmp_path / "a", learners=30, modules=2, wards=2)
    b = scale_data.build(tmp_path / "b", learners=30, modules=2, wards=2, seed=7, first_id=26,
                         first_ward=100)
    listing = tmp_path / "tinh.txt"
    listing.write_text(f"# hai tỉnh\nTỉnh A={a.root}\n\nTỉnh B={b.root}\n", encoding="utf-8")
    out = tmp_path / "toan_quoc"
    assert main(["report", "--merge", str(listing), "--out", str(out),
                 "--as-of", "2026-12-15"]) == 0
    printed = capsys.readouterr().out
    assert "Tỉnh A" in printed and "5 mã cán bộ có ở nhiều tỉnh" in printed
    per_province = pd.read_csv(out / "per_province.csv", encoding="utf-8-sig")
    assert list(per_province[C.PROVINCE]) == ["Tỉnh A", "Tỉnh B"]
    # 55 distinct officials, each counted once (enrolled if active, else as a leaver).
    assert (per_province[C.ENROLLED] + per_province[C.N_LEFT]).sum() == 55
    conflicts = pd.read_csv(out / "conflicts.csv", encoding="utf-8-sig")
    assert sorted(conflicts[C.LEARNER].unique()) == [f"CB{i:06d}" for i in range(26, 31)]
    assert len(conflicts) == 10 and conflicts[C.COUNTED_IN].notna().all()
    # Province A (given first) keeps the shared ids its officials are active in: its figures
    # are those of its own report.
    people_a = pd.read_csv(a.root / "congvu" / "roster.csv", dtype=str, keep_default_na=False)
    assert (people_a["left_on"] == "").all()
    assert main(["report", str(a.root), "--out", str(tmp_path / "a_only"),
                 "--as-of", "2026-12-15"]) == 0
    own = pd.read_csv(tmp_path / "a_only" / "per_ward.csv", encoding="utf-8-sig")
    row = per_province.set_index(C.PROVINCE).loc["Tỉnh A"]
    assert row[C.ENROLLED] == own[C.ENROLLED].sum()
    assert row[C.N_COMPLETED] == own[C.N_COMPLETED].sum()
    per_ward = pd.read_csv(out / "per_ward.csv", encoding="utf-8-sig", dtype={C.WARD_CODE: str})
    assert per_ward[C.PROVINCE].tolist() == ["Tỉnh A"] * 2 + ["Tỉnh B"] * 2
    learners = pd.read_csv(out / "learners.csv", encoding="utf-8-sig")
    assert learners[C.LEARNER].is_unique and len(learners) == 55
    book = openpyxl.load_workbook(out / "report.xlsx", read_only=True)
    assert book.sheetnames[0] == "Theo tỉnh, thành phố"
    assert "Mã cán bộ trùng giữa các tỉnh" in book.sheetnames
    assert main(["report", "--merge", str(a.root), "--out", str(out)]) == 2
    assert "ít nhất hai" in capsys.readouterr().err
