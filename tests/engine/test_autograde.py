"""congvu grade gives nbgrader's own grades, cell by cell, and keeps manual scores.

The same submissions are graded twice: by plain ``nbgrader autograde`` in one copy of the
workspace and by ``congvu grade`` (sandboxed, forked kernels, checks outside the kernel) in
another. Every grade row (auto_score, manual_score, needs_manual_grade) and every late penalty
must be equal. Submissions are late on purpose (penalty method 'zero')."""
import datetime as dt
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grading import columns as C
from grading.course import exchange as learners
from grading.course import gradebook, ledger
from grading.engine import batch as autograde

pytestmark = pytest.mark.kernel
RIGHT = {"c1": "C", "c2": ["A", "B"], "c3": False, "c4": "Báo lãnh đạo."}
COHORT = {
    "L_full": RIGHT,
    "L_part": {**RIGHT, "c2": ["A"], "c3": True},
    "L_wrong": {"c1": "A", "c2": ["C"], "c3": True},
    "L_blank": {},
    "L_extra": RIGHT,      # adds a harmless cell of their own
    "L_tamper": RIGHT,     # edits a locked question cell (nbgrader restores it)
}

GRADES_SQL = """
SELECT sa.student_id, bc.name, g.auto_score, g.manual_score, g.extra_credit,
       g.needs_manual_grade, sn.late_submission_penalty
FROM grade g JOIN submitted_notebook sn ON g.notebook_id = sn.id
JOIN submitted_assignment sa ON sn.assignment_id = sa.id
JOIN base_cell bc ON g.cell_id = bc.id ORDER BY 1, 2"""


def _edit(folder: Path, learner: str) -> None:
    path = folder / "mini.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    if learner == "L_extra":
        nb.cells.insert(3, nbformat.v4.new_code_cell("x = sum(range(10))\nprint(x)"))
    if learner == "L_tamper":
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "c1_de":
                cell.source = "print('sửa câu hỏi')"
    nbformat.write(nb, str(path))


def _rows(root: Path):
    con = sqlite3.connect(str(root / "gradebook.db"))
    try:
        return con.execute(GRADES_SQL).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def twins(tmp_path_factory):
    from conftest import MINI

    from grading.course import workspace as W

    tmp = tmp_path_factory.mktemp("twins")
    ws = W.init(directory=tmp / "congvu", manifest_path=MINI)
    with open(ws.root / "nbgrader_config.py", "a", encoding="utf-8") as fh:
        fh.write("c.LateSubmissionPlugin.penalty_method = 'zero'\n")
    with gradebook.connect(ws.db_url, ws.course_id) as gb:  # everyone submits late
        gb.update_or_create_assignment("mini", duedate=dt.datetime(2020, 1, 1))
    W.release(ws)
    for learner, answers in COHORT.items():
        folder = learners.fetch(ws, tmp / "homes" / learner, "mini", learner)
        learners.answer(folder, answers)
        _edit(folder, learner)
        learners.submit(ws, tmp / "homes" / learner, "mini", learner)
    autograde.collect(ws, "mini")
    plain = tmp / "plain"
    shutil.copytree(ws.root, plain)
    res = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde", "mini",
                          "--force"], cwd=plain, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
    status = autograde.grade(workspace=ws, assignment="mini", jobs=2, progress=False)
    return ws, plain, status


def test_grades_equal_plain_nbgrader_cell_by_cell(twins):
    ws, plain, _ = twins
    ours, theirs = _rows(ws.root), _rows(plain)
    assert len(ours) == len(COHORT) * 4
    assert ours == theirs
    assert any(row[6] > 0 for row in ours)  # late penalties were applied, identically


def test_statuses(twins):
    _, _, status = twins
    st = status.set_index(C.LEARNER)[C.STATUS].to_dict()
    assert st.pop("L_tamper") == "tampered"
    assert set(st.values()) == {"graded"}


def test_regrading_is_idempotent_and_keeps_manual_scores(twins, tmp_path):
    from grading.course import workspace as W

    shutil.copytree(twins[0].root, tmp_path / "copy")  # the other tests keep the fixture as is
    ws = W.open_workspace(tmp_path / "copy")
    with gradebook.connect(ws.db_url, ws.course_id) as gb:
        gb.find_grade("c4", "mini", "mini", "L_full").manual_score = 2.0
        gb.find_grade("c1", "mini", "mini", "L_part").extra_credit = 0.5
        gb.db.commit()
    before = _rows(ws.root)
    lines = len(ledger.read(ws.root))
    again = autograde.grade(workspace=ws, assignment="mini", progress=False)
    assert len(ledger.read(ws.root)) == lines  # nothing changed: nothing graded again
    assert set(again[C.STATUS]) <= {"graded", "tampered"}
    forced = autograde.grade(workspace=ws, assignment="mini", jobs=2, progress=False, force=True)
    assert len(forced) == len(COHORT)
    after = _rows(ws.root)
    # late penalties follow the new manual score (nbgrader's rule); grades themselves are equal
    assert [r[:5] for r in after] == [r[:5] for r in before]
    manual = [r for r in after if r[0] == "L_full" and r[1] == "c4"][0]
    assert manual[3] == 2.0


def test_status_command_shows_reasons(twins, capsys):
    from grading.cli import main

    ws, _, _ = twins
    assert main(["status", str(ws.root), "mini"]) == 0
    out = capsys.readouterr().out
    assert "L_tamper" in out and "c1_de" in out and "Đã chấm" in out
    # free text the trainer has not graded yet is said so, beside the automatic grading status
    assert "mini\tL_wrong\tĐã chấm, chờ chấm tự luận\t" in out
