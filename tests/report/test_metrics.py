"""Aggregations on tiny hand-built frames; expected numbers worked out by hand in comments."""
import datetime as dt

import pandas as pd
import pytest

from grading import columns as C
from grading.report import metrics as M
from grading.report import people as P
from grading.report.joins import left_join

AS_OF = dt.date(2026, 12, 10)


@pytest.fixture
def parts():
    # Ward 00001: a (Chuyên viên), b (Chủ tịch UBND); ward 00004: c, d (Chuyên viên),
    # e (Chuyên viên, left on 2026-11-01), f (Chuyên viên, joined 2026-11-20).
    roster = pd.DataFrame({
        C.LEARNER: ["a", "b", "c", "d", "e", "f"], C.NAME: ["A", "B", "C", "D", "E", "F"],
        C.WARD_CODE: ["00001", "00001", "00004", "00004", "00004", "00004"],
        C.WARD_NAME: ["Phường Hòa Bình"] * 2 + ["Xã Tân Lập"] * 4,
        C.POSITION: ["Chuyên viên", "Chủ tịch UBND", "Chuyên viên", "Chuyên viên",
                     "Chuyên viên", "Chuyên viên"],
        C.JOINED: ["2026-09-01"] * 5 + ["2026-11-20"], C.LEFT: [""] * 4 + ["2026-11-01", ""]})
    # m1 required for all, pass 70 %, due 2026-12-01; m2 for Chuyên viên, pass 50 %, due
    # 2026-12-31 (not yet due on AS_OF).
    modules = pd.DataFrame({C.MODULE: ["m1", "m2"], C.MODULE_TITLE: ["M1", "M2"],
                            C.TRACK: ["t1", "t2"], C.PASS_MARK: [70.0, 50.0],
                            "required_for": [("all",), ("chuyên viên",)],
                            C.DUEDATE: [dt.date(2026, 12, 1), dt.date(2026, 12, 31)]})
    # m1: q1 (1) + q2 (1) + free (2) = 4 points; m2: q1 (2) = 2 points.
    items = pd.DataFrame({C.MODULE: ["m1", "m1", "m1", "m2"], C.NOTEBOOK: ["n"] * 4,
                          C.ITEM: ["q1", "q2", "free", "q1"], C.MAX_SCORE: [1., 1., 2., 2.],
                          "kind": ["auto", "auto", "manual", "auto"]})
    g = [("a", "m1", "q1", 1, False), ("a", "m1", "q2", 1, False), ("a", "m1", "free", 2, False),
         ("a", "m2", "q1", 1, False),
         ("b", "m1", "q1", 1, False), ("b", "m1", "q2", 1, False), ("b", "m1", "free", 0, True),
         ("c", "m1", "q1", 1, False), ("c", "m1", "q2", 1, False), ("c", "m1", "free", 1, False),
         ("e", "m1", "q1", 1, False), ("e", "m1", "q2", 1, False), ("e", "m1", "free", 2, False)]
    grades = pd.DataFrame(g, columns=[C.LEARNER, C.MODULE, C.ITEM, C.SCORE, C.NEEDS_MANUAL])
    grades[C.NOTEBOOK] = "n"
    # a/m1 on 2026-11-20 (on time), a/m2 on 2026-12-05, b/m1 on 2026-12-03 (2 days late),
    # c/m1 on 2026-11-30 with a 0.5 late penalty, e/m1 (a leaver) on 2026-10-01.
    subs = pd.DataFrame({C.LEARNER: ["a", "a", "b", "c", "e"],
                         C.MODULE: ["m1", "m2", "m1", "m1", "m1"],
                         C.TIMESTAMP: pd.to_datetime(["2026-11-20 09:00", "2026-12-05 10:00",
                                                      "2026-12-03 08:00", "2026-11-30 16:00",
                                                      "2026-10-01 07:00"]),
                         C.PENALTY: [0.0, 0.0, 0.0, 0.5, 0.0]})
    status = pd.DataFrame({C.LEARNER: ["d"], C.MODULE: ["m1"], C.STATUS: ["invalid_notebook"]})
    return roster, modules, items, grades, subs, status


@pytest.fixture
def lm(parts):
    roster, modules, items, grades, subs, status = parts
    return M.learner_module(M.enrolment(roster, modules), M.module_scores(grades, items, subs),
                            status, as_of=AS_OF)


def row(frame, **keys):
    sel = frame
    for k, v in keys.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, sel
    return sel.iloc[0]


def test_learner_module_scores(lm):
    # a/m1: 4/4 = 100 %; a/m2: 1/2 = 50 % (pass 50 -> passed)
    assert row(lm, learner_id="a", module_id="m1")[C.PERCENT] == 100.0
    assert bool(row(lm, learner_id="a", module_id="m2")[C.PASSED])
    # b/m1: 2/4 = 50 % < 70, one item awaiting manual grading
    b = row(lm, learner_id="b", module_id="m1")
    assert (b[C.PERCENT], bool(b[C.PASSED]), b[C.PENDING]) == (50.0, False, 1)
    # c/m1: 3 - 0.5 late penalty = 2.5/4 = 62.5 %
    assert row(lm, learner_id="c", module_id="m1")[C.PERCENT] == 62.5
    # d/m1: broken notebook: submitted, not passed, no score
    d = row(lm, learner_id="d", module_id="m1")
    assert bool(d[C.SUBMITTED]) and not bool(d[C.PASSED]) and pd.isna(d[C.PERCENT])
    assert not bool(row(lm, learner_id="b", module_id="m2")[C.REQUIRED])


def test_aggregated_grades_give_the_same_scores(parts, lm):
    # gradebook.read_module_scores sums per (learner, module) inside the database
    roster, modules, items, grades, subs, status = parts
    summed = grades.groupby([C.LEARNER, C.MODULE], as_index=False)[[C.SCORE, C.NEEDS_MANUAL]].sum()
    summed = summed.merge(subs, on=[C.LEARNER, C.MODULE])
    other = M.learner_module(M.enrolment(roster, modules), M.module_scores(summed, items),
                             status, as_of=AS_OF)
    pd.testing.assert_series_equal(lm[C.PERCENT], other[C.PERCENT])
    pd.testing.assert_series_equal(lm[C.PENDING], other[C.PENDING])


def test_due_overdue_and_days_late(lm):
    # b/m1: 50 % with the free text awaiting the trainer -> chờ chấm: not failed, not
    # overdue; days late to the submission (12-03), not to AS_OF: 2
    b = row(lm, learner_id="b", module_id="m1")
    assert bool(b[C.AWAITING]) and not bool(b[C.OVERDUE]) and b[C.DAYS_LATE] == 2
    assert not bool(b[C.PASSED]) and not bool(b[C.PROVISIONAL])
    # a/m1 passed on time -> 0; a/m2 passed on 12-05, due 12-31 -> 0
    assert row(lm, learner_id="a", module_id="m1")[C.DAYS_LATE] == 0
    assert not bool(row(lm, learner_id="a", module_id="m2")[C.OVERDUE])
    # f joined 2026-11-20: due max(12-01, 11-20 + 30 days = 12-20) -> not overdue yet
    f = row(lm, learner_id="f", module_id="m1")
    assert f[C.DUE] == pd.Timestamp("2026-12-20") and not bool(f[C.OVERDUE])
    # e left: never overdue, not active
    e = row(lm, learner_id="e", module_id="m1")
    assert not bool(e[C.ACTIVE]) and not bool(e[C.OVERDUE])


def test_passed_late_counts_days_late():
    frame = pd.DataFrame({C.LEARNER: ["x"], C.MODULE: ["m"], C.REQUIRED: [True],
                          C.PASS_MARK: [50.0], C.DUEDATE: [dt.date(2026, 12, 1)]})
    scores = pd.DataFrame({C.LEARNER: ["x"], C.MODULE: ["m"],
                           C.TIMESTAMP: pd.to_datetime(["2026-12-04 23:00"]), C.SCORE: [1.0],
                           C.PENDING: [0], C.MAX_SCORE: [1.0], C.PERCENT: [100.0]})
    out = M.learner_module(frame, scores, as_of=dt.date(2027, 1, 1))
    assert out.loc[0, C.DAYS_LATE] == 3 and not out.loc[0, C.OVERDUE]


def test_completion(lm):
    done = M.completion(lm).set_index(C.LEARNER)[C.N_COMPLETED]
    # a passed m1 and m2; b failed m1 (m2 not required); c failed m1; d broken; e passed m1
    # but not m2; f nothing
    assert done.to_dict() == {"a": True, "b": False, "c": False, "d": False, "e": False,
                              "f": False}


def test_per_ward(lm):
    w = M.per_ward(lm)
    assert list(w[C.WARD_CODE]) == ["00001", "00004"]
    hb = row(w, ward_code="00001")
    assert (hb[C.ENROLLED], hb[C.N_STARTED], hb[C.N_SUBMITTED], hb[f"{C.N_PASSED}:m1"],
            hb[f"{C.N_PASSED}:m2"], hb[C.N_COMPLETED]) == (2, 2, 2, 1, 1, 1)
    assert hb[C.COMPLETION_RATE] == 50.0 and hb[C.N_OVERDUE] == 0 and hb[C.MEAN_DAYS_LATE] == 2
    assert hb[C.N_AWAITING] == 1  # b waits for the trainer
    # mean over submissions: (100 + 50 + 50) / 3 = 66.7; median 50
    assert hb[C.MEAN_SCORE] == 66.7 and hb[C.MEDIAN_SCORE] == 50.0
    tl = row(w, ward_code="00004")
    # active: c, d, f (e left). started: c, d. submitted every required module: nobody
    # (m2 is required for Chuyên viên). overdue: c (62.5 % < 70), d (broken) -> 9 days each
    assert (tl[C.ENROLLED], tl[C.N_STARTED], tl[C.N_SUBMITTED], tl[C.N_COMPLETED]) == (3, 2, 0, 0)
    assert (tl[C.N_OVERDUE], tl[C.MEAN_DAYS_LATE], tl[C.N_LEFT], tl[C.N_JOINED]) == (2, 9.0, 1, 1)
    assert tl[C.COMPLETION_RATE] == 0.0 and tl[C.MEAN_SCORE] == 62.5  # e's 100 % not counted


def test_per_ward_module(lm):
    wm = M.per_ward_module(lm)
    hb1 = row(wm, ward_code="00001", module_id="m1")
    assert (hb1[C.ENROLLED], hb1[C.N_SUBMITTED], hb1[C.N_PASSED]) == (2, 2, 1)
    assert hb1[C.PASS_RATE] == 50.0 and hb1[C.MEAN_SCORE] == 75.0
    hb2 = row(wm, ward_code="00001", module_id="m2")  # only a must take m2
    assert (hb2[C.ENROLLED], hb2[C.N_PASSED], hb2[C.PASS_RATE]) == (1, 1, 100.0)
    tl2 = row(wm, ward_code="00004", module_id="m2")  # c, d, f must; nobody submitted
    assert (tl2[C.ENROLLED], tl2[C.N_SUBMITTED], tl2[C.PASS_RATE]) == (3, 0, 0.0)
    assert pd.isna(tl2[C.MEAN_SCORE])


def test_per_module_position_track(lm):
    pm = M.per_module(lm).set_index(C.MODULE)
    # m1 active takers: a, b, c, d, f -> passed a only; overdue c, d (b awaits the trainer)
    assert (pm.loc["m1", C.ENROLLED], pm.loc["m1", C.N_PASSED], pm.loc["m1", C.N_OVERDUE],
            pm.loc["m1", C.N_AWAITING]) == (5, 1, 2, 1)
    assert pm.loc["m1", C.PASS_RATE] == 20.0 and pm.loc["m1", C.MEDIAN_SCORE] == 62.5
    pp = M.per_position(lm).set_index(C.POSITION)
    assert (pp.loc["Chủ tịch UBND", C.ENROLLED], pp.loc["Chuyên viên", C.ENROLLED]) == (1, 4)
    assert pp.loc["Chuyên viên", C.N_COMPLETED] == 1 and pp.loc["Chuyên viên", C.N_LEFT] == 1
    pt = M.per_track(lm).set_index(C.TRACK)
    # t1 = m1 (everyone active: 5, completed by a); t2 = m2 (a, c, d, f: completed by a)
    assert (pt.loc["t1", C.ENROLLED], pt.loc["t1", C.N_COMPLETED]) == (5, 1)
    assert (pt.loc["t2", C.ENROLLED], pt.loc["t2", C.N_COMPLETED]) == (4, 1)


def test_over_time_not_completed_and_learner_sheet(lm):
    ot = P.over_time(lm)
    # a completes on 2026-12-05 (last passing submission of a required module)
    total = ot[ot[C.WARD_CODE] == P.TOTAL_CODE]
    assert list(total[C.DATE]) == [pd.Timestamp("2026-12-05")]
    assert list(total[C.CUM_COMPLETED]) == [1] and list(total[C.ENROLLED]) == [5]
    todo = P.not_completed(lm)
    assert list(todo[C.LEARNER]) == ["b", "c", "d", "f"]  # ward order, most days late first
    assert row(todo, learner_id="c")[C.MISSING] == "M1; M2"
    assert not bool(row(todo, learner_id="f")[C.OVERDUE])
    sheet = P.learner_sheet(lm)
    assert list(sheet[C.LEARNER]) == ["a", "b", "c", "d", "f", "e"]  # leavers last
    assert row(sheet, learner_id="a")[f"{C.PERCENT}:m2"] == 50.0
    assert pd.isna(row(sheet, learner_id="d")[f"{C.PERCENT}:m1"])


def test_free_text_awaiting_the_trainer_blames_no_one():
    # The case: 61.5 % automatic marks, free text not graded, pass mark 70, due
    # 2026-12-01, submitted on time, judged 15 days after the deadline.
    enrol = pd.DataFrame({C.LEARNER: ["x", "y"], C.MODULE: ["m", "m"], C.REQUIRED: [True] * 2,
                          C.PASS_MARK: [70.0] * 2, C.DUEDATE: [dt.date(2026, 12, 1)] * 2,
                          C.NAME: ["X", "Y"], C.WARD_CODE: ["00001"] * 2,
                          C.WARD_NAME: ["Xã A"] * 2, C.POSITION: ["Chuyên viên"] * 2,
                          C.LEFT: [""] * 2})
    # x: 8/13 = 61.5 % so far; y: full automatic marks 10/13 = 76.9 % (free text 3 pending)
    scores = pd.DataFrame({C.LEARNER: ["x", "y"], C.MODULE: ["m", "m"],
                           C.TIMESTAMP: pd.to_datetime(["2026-11-28 09:00"] * 2),
                           C.SCORE: [8.0, 10.0], C.PENDING: [1, 1], C.MAX_SCORE: [13.0] * 2,
                           C.PERCENT: [61.5, 76.9]})
    lm = M.learner_module(enrol, scores, as_of=dt.date(2026, 12, 16))
    x, y = row(lm, learner_id="x"), row(lm, learner_id="y")
    for r in (x, y):
        assert bool(r[C.AWAITING]) and not bool(r[C.PASSED]) and not bool(r[C.OVERDUE])
        assert r[C.DAYS_LATE] == 0
    assert not bool(x[C.PROVISIONAL]) and bool(y[C.PROVISIONAL])  # đạt tạm, not final
    roll = M.learner_rollup(lm).set_index(C.LEARNER)
    assert not roll[C.N_COMPLETED].any() and not roll[C.OVERDUE].any()
    assert roll[C.AWAITING].all() and list(roll[C.PROVISIONAL]) == [False, True]
    ward = M.per_ward(lm).iloc[0]
    assert (ward[C.N_COMPLETED], ward[C.N_OVERDUE], ward[C.N_AWAITING]) == (0, 0, 2)
    todo = P.not_completed(lm)
    assert todo[C.AWAITING].all() and not todo[C.OVERDUE].any()
    # Once the trainer grades the free text (x: 1/3 -> 9/13 = 69.2 %), x fails for real.
    graded = scores.assign(**{C.PENDING: [0, 0], C.PERCENT: [69.2, 100.0]})
    lm2 = M.learner_module(enrol, graded, as_of=dt.date(2026, 12, 16))
    assert bool(row(lm2, learner_id="x")[C.OVERDUE]) and bool(row(lm2, learner_id="y")[C.PASSED])


GOLDEN = __import__("pathlib").Path(__file__).parents[1] / "data" / "golden"


@pytest.mark.parametrize("table", ["per_ward", "per_ward_module", "per_module", "per_position"])
def test_golden_tables(lm, table):
    """The whole table, compared as CSV text with tests/data/golden/<table>.csv.
    Regenerate after an intended change with CONGVU_UPDATE_GOLDEN=1 and review the diff."""
    import os

    got = getattr(M, table)(lm).to_csv(index=False, lineterminator="\n")
    path = GOLDEN / f"{table}.csv"
    if os.environ.get("CONGVU_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8")


def test_tables_from_a_forked_child_equal_those_made_here(lm, monkeypatch):
    # On a large cohort the per-module tables come from a forked child (report/fork.py).
    from grading.report import fork
    from grading.report import tables as summary

    here = summary.tables_from(lm)
    monkeypatch.setattr(fork, "PARALLEL_ROWS", 0)
    monkeypatch.setattr(fork, "usable", lambda: True)  # threads left by other tests: fork anyway
    forks = []
    real_fork = fork.os.fork
    monkeypatch.setattr(fork.os, "fork", lambda: forks.append(1) or real_fork())
    forked = summary.tables_from(lm)
    assert forks == [1] and list(forked) == list(here)
    for key, frame in here.items():
        pd.testing.assert_frame_equal(forked[key], frame)


def test_left_join_by_position_equals_merge():
    left = pd.DataFrame({"k": pd.Categorical(["a", "b", "c", "a"], categories=["c", "b", "a"]),
                         "m": pd.Categorical(["x", "x", "y", "y"]), "v": [1, 2, 3, 4]})
    right = pd.DataFrame({"k": pd.Categorical(["a", "z", "c", "b"], categories=["c", "b", "a"]),
                          "m": pd.Categorical(["y", "x", "y", None], categories=["x", "y"]),
                          "n": [10, 20, 30, 40], "ok": [True, False, True, True]})
    expected = left.merge(right, on=["k", "m"], how="left")
    got = left_join(left, right, ["k", "m"])
    pd.testing.assert_frame_equal(got, expected)
    assert got["n"].tolist()[2:] == [30, 10] and pd.isna(got.loc[0, "n"])
    twice = pd.concat([right, right], ignore_index=True)  # repeated keys: merge itself
    pd.testing.assert_frame_equal(left_join(left, twice, ["k", "m"]),
                                  left.merge(twice, on=["k", "m"], how="left"))


@pytest.mark.parametrize("left_cats", [[], ["a"]])
def test_left_join_with_an_empty_side_equals_merge(left_cats):
    """No one enrolled yet (an empty roster) while the gradebook has scores, and the reverse."""
    empty = pd.DataFrame({"k": pd.Categorical([], categories=left_cats), "v": []})
    scores = pd.DataFrame({"k": pd.Categorical(["a", "b"]), "n": [1.0, 2.0]})
    pd.testing.assert_frame_equal(left_join(empty, scores, ["k"]),
                                  empty.merge(scores, on=["k"], how="left"))
    one = pd.DataFrame({"k": pd.Categorical(["a"]), "v": [1]})
    pd.testing.assert_frame_equal(left_join(one, scores.iloc[:0], ["k"]),
                                  one.merge(scores.iloc[:0], on=["k"], how="left"))
