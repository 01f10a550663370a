"""gradebook.read_module_scores (aggregated in SQL) against the per-item reader, on a gradebook
made with nbgrader's own API: an assignment with two notebooks, manual and extra credit,
a late penalty, a learner without submissions."""
import datetime as dt
import os
import sqlite3

import pandas as pd
import pytest
from nbgrader.api import Notebook

from grading import columns as C
from grading.course import gradebook, score_scan
from grading.report import metrics


@pytest.fixture
def db_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with gradebook.connect(url, "thu") as gb:
        gb.add_assignment("hp1", duedate=dt.datetime(2026, 12, 1))
        gb.add_assignment("hp2")
        for nb in ("phan_a", "phan_b"):
            gb.db.add(Notebook(name=nb, assignment=gb.find_assignment("hp1")))
        gb.db.add(Notebook(name="bai", assignment=gb.find_assignment("hp2")))
        gb.db.commit()
        gb.add_grade_cell("c1", "phan_a", "hp1", max_score=1, cell_type="code")
        gb.add_grade_cell("c2", "phan_b", "hp1", max_score=2, cell_type="code")
        gb.add_task_cell("t1", "phan_b", "hp1", max_score=3, cell_type="markdown")
        gb.add_grade_cell("c1", "bai", "hp2", max_score=1, cell_type="code")
        for learner in ("A", "B", "C"):
            gb.add_student(learner)
        gb.add_submission("hp1", "A", timestamp=dt.datetime(2026, 11, 30, 10))
        gb.add_submission("hp1", "B", timestamp=dt.datetime(2026, 12, 3, 9))
        gb.add_submission("hp2", "A", timestamp=dt.datetime(2026, 12, 2, 1))
        for learner, cell, nb, auto, manual, extra in [
                ("A", "c1", "phan_a", 1, None, None), ("A", "c2", "phan_b", 2, None, 0.5),
                ("A", "t1", "phan_b", None, 2, None), ("B", "c1", "phan_a", 0, None, None),
                ("B", "c2", "phan_b", 2, 1, None), ("A", "c1", "bai", 1, None, None)]:
            grade = gb.find_grade(cell, nb, "hp1" if nb != "bai" else "hp2", learner)
            grade.auto_score, grade.manual_score, grade.extra_credit = auto, manual, extra
        gb.find_submission_notebook("phan_b", "hp1", "B").late_submission_penalty = 1.0
        gb.db.commit()
    return url


def test_aggregated_equals_per_item(db_url, monkeypatch, caplog):
    fast = gradebook.read_module_scores(db_url)
    items = gradebook.read_items(db_url)
    slow = metrics.module_scores(gradebook.read_grades(db_url), items,
                                 gradebook.read_submissions(db_url))
    fast = metrics.module_scores(fast, items)
    key = [C.LEARNER, C.MODULE]
    fast = fast.astype({C.LEARNER: str, C.MODULE: str}).sort_values(key, ignore_index=True)
    slow = slow.sort_values(key, ignore_index=True)
    pd.testing.assert_frame_equal(fast, slow, check_dtype=False)
    a1 = fast.set_index(key).loc[("A", "hp1")]
    # 1 + (2 + 0.5) + manual 2 = 5.5 of 6 points; B: 0 + manual 1 (over auto 2) - 1 penalty
    assert a1[C.SCORE] == 5.5 and a1[C.MAX_SCORE] == 6.0
    assert fast.set_index(key).loc[("B", "hp1"), C.SCORE] == 0.0
    assert fast.set_index(key).loc[("B", "hp1"), C.PENDING] >= 1  # t1 not graded by hand
    assert fast.set_index(key).loc[("A", "hp1"), C.TIMESTAMP] == pd.Timestamp("2026-11-30 17:00")
    # A submitted notebook with no grade rows keeps its submission (LEFT JOIN of the sums).
    con = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    con.execute("DELETE FROM grade WHERE notebook_id IN (SELECT sn.id FROM submitted_notebook sn "
                "JOIN notebook nb ON sn.notebook_id = nb.id JOIN submitted_assignment sa ON "
                "sn.assignment_id = sa.id WHERE nb.name = 'phan_a' AND sa.student_id = 'A')")
    con.commit()
    con.close()
    fast = gradebook.read_module_scores(db_url).astype({C.LEARNER: str, C.MODULE: str})
    a1 = fast.set_index([C.LEARNER, C.MODULE]).loc[("A", "hp1")]
    assert a1[C.SCORE] == 4.5 and len(fast) == 3  # c1's 1 point gone, the rest kept
    # A large gradebook is read in two halves, the second by a child process (forked, or a
    # fresh interpreter when other threads run): same rows, same order (forced here by
    # lowering the threshold).
    monkeypatch.setattr(score_scan, "SPLIT_AT", 1)
    halves = gradebook.read_module_scores(db_url).astype({C.LEARNER: str, C.MODULE: str})
    pd.testing.assert_frame_equal(halves, fast)
    with monkeypatch.context() as m:
        m.setattr(score_scan.threading, "active_count", lambda: 2)
        spawned = gradebook.read_module_scores(db_url).astype({C.LEARNER: str, C.MODULE: str})
    pd.testing.assert_frame_equal(spawned, fast)
    # A child that fails (forked or not): its half is read here, and the log says why.
    parent, real = os.getpid(), score_scan.read_part
    monkeypatch.setattr(score_scan, "read_part", lambda *a: real(*a) if os.getpid() == parent
                        else 1 / 0)
    monkeypatch.setattr("sys.executable", "/bin/false")
    with caplog.at_level("WARNING", logger="congvu"):
        again = gradebook.read_module_scores(db_url).astype({C.LEARNER: str, C.MODULE: str})
    pd.testing.assert_frame_equal(again, fast)
    assert "reading it here" in caplog.text
