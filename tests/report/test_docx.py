"""The ward report a commune chairman signs: figures from a hand-built cohort, and the kit's own
letter checks (Nghị định 30/2020/NĐ-CP) run on the written .docx."""
import datetime as dt

import pandas as pd
from docx import Document

from grading import columns as C
from grading.learner.checks import letter_docx
from grading.report import docx as D
from grading.report import metrics as M

AS_OF = dt.date(2026, 2, 5)


def cohort() -> pd.DataFrame:
    # Xã Phú Lộc: Bình (Chủ tịch UBND) passed m1; An's free text awaits the trainer; Cường
    # failed m1 (40 %); Dũng never submitted. m1 for all, pass 70 %, due 2026-01-31.
    roster = pd.DataFrame({
        C.LEARNER: ["b", "a", "c", "d"],
        C.NAME: ["Trần Văn Bình", "Nguyễn Văn An", "Lê Văn Cường", "Phạm Văn Dũng"],
        C.WARD_CODE: ["00001"] * 4, C.WARD_NAME: ["Xã Phú Lộc"] * 4,
        C.POSITION: ["Chủ tịch UBND", "Chuyên viên Văn phòng HĐND và UBND",
                     "Chuyên viên Văn phòng HĐND và UBND", "Chuyên viên Phòng Kinh tế"],
        C.JOINED: ["2025-12-01"] * 4, C.LEFT: [""] * 4})
    modules = pd.DataFrame({C.MODULE: ["m1"], C.MODULE_TITLE: ["An toàn thông tin"],
                            C.TRACK: ["t"], C.PASS_MARK: [70.0], "required_for": [("all",)],
                            C.DUEDATE: [dt.date(2026, 1, 31)]})
    scores = pd.DataFrame({C.LEARNER: ["b", "a", "c"], C.MODULE: ["m1"] * 3,
                           C.TIMESTAMP: pd.to_datetime(["2026-01-20"] * 3),
                           C.SCORE: [9.0, 8.0, 4.0], C.PENDING: [0, 1, 0],
                           C.MAX_SCORE: [10.0] * 3, C.PERCENT: [90.0, 80.0, 40.0]})
    return M.learner_module(M.enrolment(roster, modules), scores, as_of=AS_OF)


def test_ward_figures_blame_no_one_for_the_trainers_backlog():
    fig = D.ward_figures(cohort())
    assert (fig["total"], fig["completed"], fig["awaiting"], fig["overdue"]) == (4, 1, 1, 2)
    assert fig["chairman"] == "Trần Văn Bình"
    todo = fig["todo"].set_index(C.LEARNER)
    assert list(todo.index) == ["c", "d", "a"]  # overdue 5 days first, the awaiting one last
    assert bool(todo.loc["a", C.AWAITING]) and not bool(todo.loc["a", C.OVERDUE])
    pos = fig["by_position"].set_index(C.POSITION)
    assert pos.loc["Chuyên viên Văn phòng HĐND và UBND", [C.ENROLLED, C.N_AWAITING,
                                                          C.N_OVERDUE]].tolist() == [2, 1, 1]


def test_docx_passes_the_kits_letter_checks_and_lists_who_to_chase(tmp_path):
    path = D.write_ward_docx(tmp_path / "bc.docx", ward_code="00001", ward_name="Xã Phú Lộc",
                             figures=D.ward_figures(cohort(), {"m1": "An toàn thông tin"}),
                             as_of=AS_OF)
    rules = {"page": "A4", "margins_mm": {"top": [20, 25], "bottom": [20, 25],
                                          "left": [30, 35], "right": [15, 20]},
             "font": "Times New Roman", "body_size_pt": [13, 14], "date": [2026, 2, 5],
             "letterhead_without": ["huyện", "quận", "thị xã", "thị trấn"],
             "letterhead_has": "xã Phú Lộc"}
    assert letter_docx.problems(path, rules) == []
    doc = Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [line for t in doc.tables for row in t.rows for c in row.cells
             for line in c.text.split("\n")]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells and "Độc lập - Tự do - Hạnh phúc" in cells
    assert "Số:       /BC-UBND" in cells and "Phú Lộc, ngày 05 tháng 02 năm 2026" in cells
    assert "BÁO CÁO" in text and "chờ chấm" in text and "Nơi nhận:" in cells
    assert "TM. ỦY BAN NHÂN DÂN" in cells and "Trần Văn Bình" in cells
    assert "đã hoàn thành 1 (25,0%)" in text and "quá hạn 2" in text
    people = doc.tables[2]
    rows = [[c.text for c in r.cells] for r in people.rows[1:]]
    assert rows[0] == ["1", "Lê Văn Cường", "Chuyên viên Văn phòng HĐND và UBND",
                       "An toàn thông tin", "5"]
    assert rows[2][3] == "An toàn thông tin (chờ chấm)" and rows[2][4] == "—"
