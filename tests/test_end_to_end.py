"""The real pipeline on a small cohort: exchange fetch/submit, collect, autograde, report.

Cohort (tiny course: 3 autograded points + a 2-point free-text task = 5, pass mark 60 %):
  Phường Hòa Bình (90001): L1 clicks every right answer (free text graded 2/2 by hand) -> 100 %
                           L2 gets c1 wrong -> 2/5 = 40 %; L3 never submits
  Xã Tân Lập (90002):      L4 all right, free text not graded yet -> 3/5 = 60 %: "chờ chấm",
                           a provisional pass, not final until the trainer grades it
                           L5 submits blank -> 0 %; L6 submits a broken notebook
"""
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from grading import columns as C
from grading.course import exchange as learners
from grading.course import gradebook
from grading.engine import batch as autograde
from grading.report import tables as summary
from grading.roster import importer as roster

pytestmark = pytest.mark.kernel

ROSTER = """ma_can_bo,ho_ten,ma_don_vi,ten_don_vi,chuc_vu
L1,Nguyễn Văn An,90001,Phường Hòa Bình,Chuyên viên
L2,Trần Thị Bình,90001,Phường Hòa Bình,Chủ tịch UBND
L3,Lê Văn Cường,90001,Phường Hòa Bình,Chuyên viên
L4,Phạm Thị Dung,90002,Xã Tân Lập,Chuyên viên
L5,Hoàng Văn Em,90002,Xã Tân Lập,Chuyên viên
L6,Vũ Thị Giang,90002,Xã Tân Lập,Chuyên viên
"""
RIGHT = {"c1": "C", "c2": ["A", "B"], "c3": False, "c4": "Tôi báo cho lãnh đạo."}


def click_through(folder: Path, choices: dict) -> None:
    """Run the notebook's own item cells and set the widgets, as a learner's clicks do."""
    nb = nbformat.read(str(folder / "mini.ipynb"), as_version=4)
    here = os.getcwd()
    os.chdir(folder)  # the kernel's working directory is the notebook's folder
    try:
        env = {}
        for cell in nb.cells:
            if cell.cell_type != "code" or cell.metadata["nbgrader"].get("grade"):
                continue
            if "import" in cell.source:
                exec(cell.source, env)
            else:  # an item cell: keep the widget it displays
                box = eval(cell.source, env)
                value = choices.get(box._item_id)
                control = box.children[1]
                if isinstance(value, list):
                    for i, tick in enumerate(control.children):
                        tick.value = "ABCDEFGHIJ"[i] in value
                elif value is not None:
                    control.value = value
    finally:
        os.chdir(here)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from conftest import MINI

    from grading.course import workspace as W

    tmp = tmp_path_factory.mktemp("e2e")
    ws = W.init(directory=tmp / "ws", manifest_path=MINI)
    (tmp / "ds.csv").write_text(ROSTER, encoding="utf-8")
    roster.import_roster(workspace=ws.root, file=tmp / "ds.csv", db_url=ws.db_url,
                         course_id=ws.course_id)
    W.release(ws)
    home = tmp / "homes"
    for learner in ("L1", "L2", "L4", "L5", "L6"):
        folder = learners.fetch(ws, home / learner, "mini", learner)
        if learner == "L1":
            click_through(folder, RIGHT)
        elif learner == "L2":
            learners.answer(folder, {**RIGHT, "c1": "A"})
        elif learner == "L4":
            learners.answer(folder, RIGHT)
        elif learner == "L6":
            (folder / "mini.ipynb").write_text('{"cells": [', encoding="utf-8")
        learners.submit(ws, home / learner, "mini", learner)
    autograde.collect(ws, "mini")
    first = autograde.grade(workspace=ws, assignment="mini", jobs=2, progress=False)
    with gradebook.connect(ws.db_url, ws.course_id) as gb:
        gb.find_grade("c4", "mini", "mini", "L1").manual_score = 2.0
        gb.db.commit()
    second = autograde.grade(workspace=ws, assignment="mini", jobs=2, progress=False)
    return ws, first, second


def test_every_submission_has_a_status_and_the_batch_goes_on(graded):
    _, first, _ = graded
    st = first.set_index(C.LEARNER)[C.STATUS].to_dict()
    assert st == {"L1": "graded", "L2": "graded", "L4": "graded", "L5": "graded",
                  "L6": "invalid_notebook"}
    reason = first.set_index(C.LEARNER).loc["L6", C.REASON]
    assert "mini.ipynb" in reason and "nộp lại" in reason


def test_clicked_answers_are_what_nbgrader_graded(graded):
    ws, _, _ = graded
    grades = gradebook.read_grades(ws.db_url)
    l1 = grades[grades[C.LEARNER] == "L1"].set_index(C.ITEM)[C.SCORE].to_dict()
    assert l1 == {"c1": 1.0, "c2": 1.0, "c3": 1.0, "c4": 2.0}
    l2 = grades[grades[C.LEARNER] == "L2"].set_index(C.ITEM)[C.SCORE].to_dict()
    assert l2 == {"c1": 0.0, "c2": 1.0, "c3": 1.0, "c4": 0.0}
    l5 = grades[grades[C.LEARNER] == "L5"][C.SCORE].sum()
    assert l5 == 0.0


def test_regrading_keeps_manual_scores(graded):
    ws, _, second = graded
    assert (second[C.STATUS] != "error").all()
    grades = gradebook.read_grades(ws.db_url)
    c4 = grades[(grades[C.LEARNER] == "L1") & (grades[C.ITEM] == "c4")].iloc[0]
    assert c4[C.SCORE] == 2.0 and not c4[C.NEEDS_MANUAL]


def test_per_ward_figures_match_hand_computation(graded):
    ws, _, _ = graded
    tables = summary.build_tables(ws)
    w = tables["per_ward"].set_index(C.WARD_CODE)
    assert w.loc["90001", [C.ENROLLED, C.N_SUBMITTED, "n_passed:mini", C.N_COMPLETED]].tolist() \
        == [3, 2, 1, 1]
    assert w.loc["90001", C.COMPLETION_RATE] == 33.3 and w.loc["90001", C.MEAN_SCORE] == 70.0
    assert w.loc["90002", [C.ENROLLED, C.N_SUBMITTED, "n_passed:mini", C.N_COMPLETED,
                           C.N_AWAITING]].tolist() == [3, 3, 0, 0, 2]  # L4, L5: free text
    # not graded yet (nbgrader leaves even a blank answer to the trainer)
    l4 = tables["learners"].set_index(C.LEARNER).loc["L4"]
    assert bool(l4[C.PROVISIONAL]) and not bool(l4[C.PASSED]) and not bool(l4[C.OVERDUE])
    assert w.loc["90002", C.MEAN_SCORE] == 30.0


def test_sql_scores_equal_nbgrader_export(graded, tmp_path):
    ws, _, _ = graded
    out = tmp_path / "grades.csv"
    subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "export", "--to", str(out)],
                   cwd=ws.root, check=True, capture_output=True)
    exported = pd.read_csv(out, dtype={"student_id": str})
    exported = exported[exported["timestamp"].notna()]
    ours = summary.build_tables(ws)["learners"]
    ours = ours[ours[C.TIMESTAMP].notna()].set_index(C.LEARNER)
    assert len(exported) == len(ours) == 4
    for rec in exported.itertuples():
        assert ours.loc[rec.student_id, C.SCORE] == pytest.approx(rec.score)
        assert ours.loc[rec.student_id, C.MAX_SCORE] == pytest.approx(rec.max_score)


def test_workspace_is_a_standard_nbgrader_course(graded):
    ws, _, _ = graded
    for sub in ("source/mini/mini.ipynb", "release/mini/mini.ipynb", "submitted/L1/mini",
                "autograded/L1/mini/mini.ipynb", "gradebook.db", "nbgrader_config.py"):
        assert (ws.root / sub).exists(), sub
    assert "cv.score" not in (ws.root / "release/mini/mini.ipynb").read_text(encoding="utf-8")
    res = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "generate_feedback",
                          "mini", "--force"], cwd=ws.root, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    html = (ws.root / "feedback/L2/mini/mini.html").read_text(encoding="utf-8")
    assert "Câu trả lời đã lưu: A" in html  # the learner's own answer
    assert "bạn chọn: A" in html
    assert "cv.score" not in html and "HIDDEN" not in html  # no answer key leaks


def test_cli_report_opens_offline_in_a_browser(graded, tmp_path, page, capsys):
    from grading.cli import main

    ws, _, _ = graded
    assert main(["report", str(ws.root), "--out", str(tmp_path / "bc")]) == 0
    printed = capsys.readouterr().out
    import openpyxl

    sheet = openpyxl.load_workbook(tmp_path / "bc" / "report.xlsx")["Trạng thái chấm"]
    rows = {r[2]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["L6"][6] == "Notebook hỏng" and "nộp lại" in rows["L6"][7]
    assert rows["L1"][6] == "Đã chấm"
    assert "Phường Hòa Bình" in printed and "Xã Tân Lập" in printed
    page.route("http*://**", lambda route: route.abort())  # offline: nothing may be fetched
    page.goto((tmp_path / "bc" / "report.html").as_uri())
    assert "Phường Hòa Bình" in page.inner_text("body")
    widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(widths) >= 1 and all(w > 0 for w in widths)


def test_formgrader_shows_the_same_scores(graded):
    """formgrader reads the gradebook through NbGraderAPI: its scores equal the report's."""
    ws, _, _ = graded
    subs = ws.api().get_submissions("mini")
    shown = {s["student"]: (s["score"], s["max_score"], s["needs_manual_grade"])
             for s in subs if s["autograded"]}
    broken = [s for s in subs if s["student"] == "L6"][0]
    assert broken["submitted"] and not broken["autograded"]  # visible to the trainer as such
    ours = summary.build_tables(ws)["learners"]
    ours = ours[ours[C.TIMESTAMP].notna()].set_index(C.LEARNER)
    assert set(shown) == set(ours.index) == {"L1", "L2", "L4", "L5"}
    for learner, (score, max_score, _) in shown.items():
        assert ours.loc[learner, C.SCORE] == pytest.approx(score)
        assert ours.loc[learner, C.MAX_SCORE] == pytest.approx(max_score)
    assert shown["L1"][0] == 5.0


def test_certificates_only_for_completers_and_codes_verify(graded, tmp_path, capsys):
    from grading import cli

    ws, _, _ = graded
    assert cli.main(["certificates", str(ws.root), "--out", str(tmp_path / "cn")]) == 0
    issued = pd.read_csv(ws.root / "congvu" / "certificates.csv", dtype=str)
    # L1 passed mini; L4's automatic marks reach the pass mark but the free text awaits the
    # trainer: a provisional pass is not a completion, so no certificate yet
    assert sorted(issued[C.LEARNER]) == ["L1"]
    assert sorted(p.name for p in (tmp_path / "cn").glob("*.pdf")) == ["chung_nhan_90001.pdf"]
    assert len(list((tmp_path / "cn").glob("*/*.pdf"))) == 1  # one file per completer
    capsys.readouterr()
    assert cli.main(["verify", issued["code"][0], "--dir", str(ws.root)]) == 0
    assert "HỢP LỆ" in capsys.readouterr().out
    assert cli.main(["verify", "ZZZZZ-ZZZZZ", "--dir", str(ws.root)]) == 2
