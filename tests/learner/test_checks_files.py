"""Hands-on checks on real files: .xlsx (openpyxl) and .pptx (python-pptx), partial credit per
criterion scored by nbgrader's own rule, from the outputs the grader's check runner produces."""
from datetime import datetime

import pytest
from nbformat import from_dict
from nbformat.v4 import new_code_cell
from nbgrader.utils import determine_grade

from grading.engine import checkrun
from grading.learner.checks import slides, spreadsheet
from grading.learner.checks.spreadsheet import write_workbook
from grading.learner.checks.spreadsheet_form import read_table

HEADER = ["Mã hồ sơ", "Lĩnh vực", "Ngày nhận", "Hạn trả", "Số ngày xử lý"]
ROWS = [["HS-101", "Hộ tịch", "01/10/2026", "06/10/2026", 4],
        ["HS-102", "Chứng thực", "02/10/2026", "05/10/2026", 1],
        ["HS-103", "Hộ tịch", "05/10/2026", "19/10/2026", 12]]
XLSX = {"sheet": "Thang10", "header": HEADER, "rows": ROWS, "sort": "D", "countif": "Hộ tịch",
        "formulas": {"H2": ["SUM", "E2:E4", 17], "H3": ["COUNTIF", "B2:B4", 2]}, "chart": "bar"}
PPTX = {"slides": [4, 6], "titles": True, "fit": {"max_words": 50}, "visual": True,
        "contains": ["95,9", "95.9"]}


def grade(outputs, points):
    cell = new_code_cell(outputs=[from_dict(o) for o in outputs], metadata={"nbgrader": {
        "grade": True, "solution": False, "grade_id": "x", "points": points}})
    return determine_grade(cell)[0]


def as_dates(rows):
    return [[r[0], r[1], *(datetime.strptime(d, "%d/%m/%Y") for d in r[2:4]), r[4]] for r in rows]


def test_xlsx_solution_full_missing_zero_partial_counts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    call = [("xlsx", ["c13", "bang.xlsx", XLSX], {})]
    assert grade(checkrun.run(call), 3) == 0  # no file: 0, reason on stderr
    spreadsheet.solve(tmp_path, "c13", "bang.xlsx", XLSX)
    out = checkrun.run(call)
    assert out[0]["text"] == "Đúng.\n" and grade(out, 3) == 3
    # sorted and a right SUM, but COUNTIF over the wrong range and a pie chart: 1 of 3
    rows = sorted(as_dates(ROWS), key=lambda r: r[3])
    write_workbook(tmp_path / "bang.xlsx", HEADER, rows,
                   {"H2": "=SUM($E$2:$E$4)", "H3": '=COUNTIF(B2:B3; "Hộ tịch")'},
                   chart="pie", sheet="Thang10")
    out = checkrun.run(call)
    assert grade(out, 3) == 1
    text = out[0]["text"]
    assert "1/3" in text and "Ô H3" in text and "Ô H2" not in text  # names the learner's cells


def test_xlsx_sort_must_keep_every_row_and_formulas_must_compute(tmp_path):
    rows = sorted(as_dates(ROWS), key=lambda r: r[3])
    rows[0][4] = 99  # a changed value is not a sort
    write_workbook(tmp_path / "a.xlsx", HEADER, rows, {"H2": "=SUM(E2:E4)",
                                                        "H3": "=COUNTIF(B2:B4,B2)"},
                   chart="bar", sheet="Thang10")
    met, given, reasons = spreadsheet.problems(tmp_path / "a.xlsx", XLSX)
    assert (met, given) == (1, 3)  # chart only: the SUM now gives 112, the rows changed
    assert any("không còn đủ" in r for r in reasons)


def test_xlsx_form_reads_the_shipped_table(tmp_path):
    write_workbook(tmp_path / "goc.xlsx", HEADER, as_dates(ROWS), {}, sheet="Thang10")
    header, rows = read_table(tmp_path / "goc.xlsx", "Thang10")
    assert header == HEADER and len(rows) == 3 and rows[0][2] == datetime(2026, 10, 1)
    box = spreadsheet_form_box(tmp_path)
    assert len(box.children) >= 5


def spreadsheet_form_box(tmp_path):
    import os

    from grading.learner.checks.spreadsheet_form import xlsx_form

    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        return xlsx_form("goc.xlsx", "ket_qua.xlsx", {"H2": "Tổng số ngày"}, sheet="Thang10")
    finally:
        os.chdir(old)


def test_pptx_solution_full_and_bad_deck_partial(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    call = [("pptx", ["c12", "bao_cao.pptx", PPTX], {})]
    slides.solve(tmp_path, "c12", "bao_cao.pptx", PPTX)
    assert grade(checkrun.run(call), 5) == 5
    # 4 slides with titles and the figure, but a wall of text and no chart: 3 of 5
    wall = ["Trung tâm đã tiếp nhận và giải quyết rất nhiều hồ sơ trong tháng chín " * 6]
    slides.write_deck(tmp_path / "bao_cao.pptx",
                      [("Báo cáo", ["Tháng 9/2026"]), ("Đúng hạn 95,9%", wall),
                       ("Trễ hạn", ["7 hồ sơ đất đai"]), ("Kiến nghị", ["Đôn đốc"])])
    out = checkrun.run(call)
    assert grade(out, 5) == 3
    assert "biểu đồ" in out[0]["text"] and "quá nhiều chữ" in out[0]["text"]


@pytest.mark.parametrize("name", ["khong_phai.pptx", "khong_phai.xlsx"])
def test_a_renamed_non_office_file_scores_zero_without_a_traceback(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text("không phải tệp Office", encoding="utf-8")
    check = "pptx" if name.endswith("pptx") else "xlsx"
    out = checkrun.run([(check, ["c1", name, PPTX if check == "pptx" else XLSX], {})])
    assert grade(out, 3) == 0
    assert all(o["output_type"] == "stream" for o in out) and "Traceback" not in str(out)
