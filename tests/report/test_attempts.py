"""Attempts fold into one result per (learner, module), by the module's policy."""
import pandas as pd

from grading import columns as C
from grading.report import attempts as A


def scores() -> pd.DataFrame:
    # a: attempt 1 50 %, attempt 2 90 %, attempt 3 80 % (m1). b: attempt 1 40 %, a forged
    # attempt 2 (never opened for b) 100 %. c: one attempt of m2, 70 %.
    rows = [("a", "m1", 50.0), ("a", "m1__lan2", 90.0), ("a", "m1__lan3", 80.0),
            ("b", "m1", 40.0), ("b", "m1__lan2", 100.0), ("c", "m2", 70.0)]
    return pd.DataFrame(rows, columns=[C.LEARNER, C.MODULE, C.PERCENT])


OPENED = pd.DataFrame({C.LEARNER: ["a", "a"], C.MODULE: ["m1", "m1"], A.ATTEMPT: [2, 3]})


def table(out):
    return out[[C.LEARNER, C.MODULE, C.PERCENT, A.ATTEMPT, A.ATTEMPTS]].values.tolist()


def test_best_attempt_counts_and_unopened_retakes_do_not():
    out = A.fold_attempts(scores(), {"m1": "best", "m2": "best"}, OPENED)
    assert table(out) == [["a", "m1", 90.0, 2, 3], ["b", "m1", 40.0, 1, 1],
                          ["c", "m2", 70.0, 1, 1]]


def test_last_attempt_counts_under_last_policy():
    out = A.fold_attempts(scores(), {"m1": "last"}, OPENED)
    assert table(out)[0] == ["a", "m1", 80.0, 3, 3]


def test_a_tie_keeps_the_earlier_attempt():
    tie = pd.DataFrame([("a", "m1", 90.0), ("a", "m1__lan2", 90.0)],
                       columns=[C.LEARNER, C.MODULE, C.PERCENT])
    out = A.fold_attempts(tie, {"m1": "best"}, OPENED)
    assert table(out) == [["a", "m1", 90.0, 1, 2]]


def test_attempts_per_ward():
    lm = pd.DataFrame({C.WARD_CODE: ["1", "1", "2"], C.MODULE: ["m1"] * 3,
                       A.ATTEMPTS: [3, 1, None], C.PASSED: [True, False, False]})
    out = A.per_ward(lm)
    assert out.values.tolist() == [["1", "m1", 1, 4, 1], ["2", "m1", 0, 0, 0]]
