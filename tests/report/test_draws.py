"""Reports list which pool items each learner was given (pure functions on a tiny cohort)."""
import openpyxl
import pandas as pd

from grading import columns as C
from grading.learner.variants import draw_for
from grading.report import draws
from grading.report import write as report

POOLS = {"m1": {"p1": (["a1", "a2", "a3", "a4"], 2), "p2": (["b1", "b2", "b3"], 1)}}


def cohort() -> pd.DataFrame:
    """cb1 did attempt 2 of m1 (it counts) and three of m2 (no pool; the first counts); cb2
    attempt 1; cb3 did not submit."""
    return pd.DataFrame({
        C.WARD_CODE: ["00123", "00123", "04567", "04567"],
        C.WARD_NAME: ["Phường Ba Đình", "Phường Ba Đình", "Xã Đông Anh", "Xã Đông Anh"],
        C.LEARNER: ["cb1", "cb2", "cb3", "cb1"], C.NAME: ["An", "Bình", "Cường", "An"],
        C.MODULE: ["m1", "m1", "m1", "m2"], C.MODULE_TITLE: ["Một", "Một", "Một", "Hai"],
        C.SUBMITTED: [True, True, False, True], C.ATTEMPT: [2, 1, 1, 1],
        C.N_ATTEMPTS: [2.0, 1.0, None, 3.0]})


def test_each_slot_is_the_learners_own_draw_of_the_attempt_that_counts():
    tidy = draws.drawn(cohort()[cohort()[C.SUBMITTED]], POOLS)
    assert list(tidy.columns) == draws.TIDY
    assert len(tidy) == 2 * (2 + 1)  # cb1 and cb2: 2 from p1, 1 from p2; m2 has no pool
    for (learner, attempt, pool), part in tidy.groupby([C.LEARNER, C.ATTEMPT, C.POOL]):
        items, k = POOLS["m1"][pool]
        assert part.sort_values(C.SLOT)[C.ITEM].tolist() == draw_for(learner, "m1", attempt,
                                                                     pool, items, k)
    assert set(tidy[tidy[C.LEARNER] == "cb1"][C.ATTEMPT]) == {2}


def test_summary_column_keeps_rows_and_marks_only_submitted_pool_modules():
    lm = cohort()
    out = draws.with_drawn(lm, POOLS)
    assert out.index.equals(lm.index) and out[C.LEARNER].tolist() == lm[C.LEARNER].tolist()
    want = {who: "; ".join(f"{pool}: " + ", ".join(draw_for(who, "m1", attempt, pool, *POOLS["m1"][pool]))
                           for pool in ("p1", "p2"))
            for who, attempt in (("cb1", 2), ("cb2", 1))}
    assert out[C.DRAWN].tolist() == [want["cb1"], want["cb2"], "", ""]
    assert draws.with_drawn(lm, {})[C.DRAWN].eq("").all()
    sheet = draws.sheet(out)  # rows with a draw or a retake
    assert sheet[[C.LEARNER, C.MODULE]].values.tolist() == [["cb1", "m1"], ["cb2", "m1"],
                                                            ["cb1", "m2"]]
    assert list(sheet.columns) == list(draws.SHEET)


def test_the_report_shows_the_draws_in_the_workbook_and_csv(tmp_path):
    lm = draws.with_drawn(cohort(), POOLS)
    paths = report.write_report({"learners": lm, "draws": draws.sheet(lm)}, tmp_path)
    sheet = openpyxl.load_workbook(paths["xlsx"])["Lần làm bài và đề đã rút"]
    heads = [c.value for c in sheet[1]]
    assert "Câu được rút (theo phần)" in heads
    rows = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] is not None]
    shown = [r[heads.index("Câu được rút (theo phần)")] for r in rows]
    assert shown == [*lm[C.DRAWN].tolist()[:2], None]
    assert [r[heads.index("Số lần làm bài")] for r in rows] == [2, 1, 3]
    csv = pd.read_csv(paths["pool_draws_csv"], encoding="utf-8-sig", dtype=str,
                      keep_default_na=False)
    assert csv[C.DRAWN].tolist() == [*lm[C.DRAWN].tolist()[:2], ""]
    assert csv[C.N_ATTEMPTS].tolist() == ["2", "1", "3"]  # counts, not 2.0
    # and no sheet at all in a course without pools or retakes
    plain = cohort().assign(**{C.DRAWN: "", C.N_ATTEMPTS: 1})
    paths = report.write_report({"learners": plain, "draws": draws.sheet(plain)}, tmp_path / "b")
    assert "Lần làm bài và đề đã rút" not in openpyxl.load_workbook(paths["xlsx"]).sheetnames
