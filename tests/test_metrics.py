"""Aggregations on tiny hand-built frames; expected numbers worked out by hand in comments."""
import pandas as pd
import pytest

from grading import columns as C
from grading import metrics as M


@pytest.fixture
def lm():
    # Ward 00001: a (Chuyên viên), b (Chủ tịch UBND); ward 00004: c (Chuyên viên), d (Chuyên viên)
    roster = pd.DataFrame({
        C.LEARNER: ["a", "b", "c", "d"], C.NAME: ["A", "B", "C", "D"],
        C.WARD_CODE: ["00001", "00001", "00004", "00004"],
        C.WARD_NAME: ["Phường Hòa Bình", "Phường Hòa Bình", "Xã Tân Lập", "Xã Tân Lập"],
        C.POSITION: ["Chuyên viên", "Chủ tịch UBND", "Chuyên viên", "Chuyên viên"]})
    # m1 required for all, pass 70 %; m2 required for Chuyên viên only, pass 50 %.
    modules = pd.DataFrame({C.MODULE: ["m1", "m2"], C.MODULE_TITLE: ["M1", "M2"],
                            C.TRACK: ["t", "t"], C.PASS_MARK: [70.0, 50.0],
                            "required_for": [("all",), ("chuyên viên",)]})
    # m1: q1 (1) + q2 (1) + free (2) = 4 points; m2: q1 (2) = 2 points.
    items = pd.DataFrame({C.MODULE: ["m1", "m1", "m1", "m2"], C.NOTEBOOK: ["n"] * 4,
                          C.ITEM: ["q1", "q2", "free", "q1"], C.MAX_SCORE: [1., 1., 2., 2.],
                          "kind": ["auto", "auto", "manual", "auto"]})
    g = [("a", "m1", "q1", 1, False), ("a", "m1", "q2", 1, False), ("a", "m1", "free", 2, False),
         ("a", "m2", "q1", 1, False),
         ("b", "m1", "q1", 1, False), ("b", "m1", "q2", 1, False), ("b", "m1", "free", 0, True),
         ("c", "m1", "q1", 1, False), ("c", "m1", "q2", 1, False), ("c", "m1", "free", 1, False)]
    grades = pd.DataFrame(g, columns=[C.LEARNER, C.MODULE, C.ITEM, C.SCORE, C.NEEDS_MANUAL])
    grades[C.NOTEBOOK] = "n"
    subs = pd.DataFrame({C.LEARNER: ["a", "a", "b", "c"], C.MODULE: ["m1", "m2", "m1", "m1"],
                         C.TIMESTAMP: pd.to_datetime(["2026-12-01"] * 4),
                         C.PENALTY: [0.0, 0.0, 0.0, 0.5]})
    status = pd.DataFrame({C.LEARNER: ["d"], C.MODULE: ["m1"], C.STATUS: ["invalid_notebook"]})
    return M.learner_module(M.enrolment(roster, modules), M.module_scores(grades, items, subs),
                            status)


def row(frame, **keys):
    sel = frame
    for k, v in keys.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1
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
    # b is not required to take m2
    assert not bool(row(lm, learner_id="b", module_id="m2")[C.REQUIRED])


def test_completion(lm):
    done = M.completion(lm).set_index(C.LEARNER)[C.N_COMPLETED]
    # a passed m1 and m2; b failed m1; c failed m1 and skipped m2; d broken
    assert done.to_dict() == {"a": True, "b": False, "c": False, "d": False}


def test_per_ward(lm):
    w = M.per_ward(lm)
    assert list(w[C.WARD_CODE]) == ["00001", "00004"]
    hb = row(w, ward_code="00001")
    assert (hb[C.ENROLLED], hb[C.N_SUBMITTED], hb[f"{C.N_PASSED}:m1"],
            hb[f"{C.N_PASSED}:m2"], hb[C.N_COMPLETED]) == (2, 2, 1, 1, 1)
    assert hb[C.COMPLETION_RATE] == 50.0
    # mean over graded submissions: (100 + 50 + 50) / 3 = 66.7
    assert hb[C.MEAN_SCORE] == 66.7
    tl = row(w, ward_code="00004")
    assert (tl[C.ENROLLED], tl[C.N_SUBMITTED], tl[C.N_COMPLETED]) == (2, 2, 0)
    assert tl[C.COMPLETION_RATE] == 0.0 and tl[C.MEAN_SCORE] == 62.5


def test_per_ward_module(lm):
    wm = M.per_ward_module(lm)
    hb1 = row(wm, ward_code="00001", module_id="m1")
    assert (hb1[C.ENROLLED], hb1[C.N_SUBMITTED], hb1[C.N_PASSED]) == (2, 2, 1)
    assert hb1[C.PASS_RATE] == 50.0 and hb1[C.MEAN_SCORE] == 75.0
    hb2 = row(wm, ward_code="00001", module_id="m2")  # only a must take m2
    assert (hb2[C.ENROLLED], hb2[C.N_PASSED], hb2[C.PASS_RATE]) == (1, 1, 100.0)
    tl2 = row(wm, ward_code="00004", module_id="m2")  # c and d must, neither submitted
    assert (tl2[C.ENROLLED], tl2[C.N_SUBMITTED], tl2[C.PASS_RATE]) == (2, 0, 0.0)
    assert pd.isna(tl2[C.MEAN_SCORE])
