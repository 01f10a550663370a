"""Tests for grading.report: tiny frames through the real metrics, then the written files."""
from __future__ import annotations

import base64
import datetime as dt
import re
import stat
import subprocess
import sys
import unicodedata

import openpyxl
import pandas as pd
import pytest

from grading import columns as C
from grading.errors import KitError
from grading.report import labels
from grading.report import metrics as M
from grading.report import tables as summary
from grading.report import write as report

TITLES = {"m1": "Đạo đức công vụ", "m2": "An toàn thông tin"}
AS_OF = dt.date(2025, 4, 1)
SHEETS_VI = ["Tổng hợp theo đơn vị", "Theo học phần", "Theo đơn vị và học phần", "Theo chức vụ",
             "Theo mảng", "Chi tiết cán bộ", "Chưa hoàn thành", "Tiến độ theo ngày",
             "Trạng thái chấm"]


@pytest.fixture
def lm() -> pd.DataFrame:
    roster = pd.DataFrame({
        "learner_id": ["cb01", "cb02", "cb03", "cb04"],
        "full_name": ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung"],
        "ward_code": ["00123", "00123", "04567", "04567"],
        "ward_name": ["Phường Ba Đình", "Phường Ba Đình", "Xã Đông Anh", "Xã Đông Anh"],
        "position": ["Chủ tịch", "Công chức", "Công chức", "Công chức"]})
    modules = pd.DataFrame({
        "module_id": ["m1", "m2"], "module_title": [TITLES["m1"], TITLES["m2"]],
        "track": ["daoduc", "cntt"], "pass_mark": [50.0, 50.0],
        "required_for": [("all",), ("công chức",)],
        "duedate": [dt.date(2025, 3, 2), dt.date(2025, 3, 31)]})
    items = pd.DataFrame({"module_id": ["m1", "m1", "m2"], "notebook": ["bai", "bai", "bai"],
                          "item_id": ["q1", "q2", "q1"], "max_score": [5.0, 5.0, 10.0],
                          "kind": ["auto", "auto", "auto"]})
    grades = pd.DataFrame({
        "learner_id": ["cb01", "cb01", "cb02", "cb02", "cb02", "cb03", "cb03"],
        "module_id": ["m1", "m1", "m1", "m1", "m2", "m1", "m1"],
        "notebook": ["bai"] * 7, "item_id": ["q1", "q2", "q1", "q2", "q1", "q1", "q2"],
        "score": [5.0, 5.0, 5.0, 0.0, 8.0, 1.0, 1.0], "needs_manual_grade": [False] * 7})
    submissions = pd.DataFrame({
        "learner_id": ["cb01", "cb02", "cb02", "cb03"], "module_id": ["m1", "m1", "m2", "m1"],
        "timestamp": pd.to_datetime(["2025-03-01 09:30", "2025-03-02 10:00",
                                     "2025-03-03 11:15", "2025-03-04 08:05"]),
        "late_penalty": [0.0, 0.0, 0.0, 0.0]})
    return M.learner_module(M.enrolment(roster, modules),
                            M.module_scores(grades, items, submissions), as_of=AS_OF)


@pytest.fixture
def tables(lm) -> dict[str, pd.DataFrame]:
    status = pd.DataFrame({"learner_id": ["cb04"], "module_id": ["m1"],
                           "status": ["missing"], "reason": ["Chưa nộp bài"]})
    return summary.tables_from(lm, status, TITLES)


def _headers(sheet) -> list[str]:
    return [c.value for c in sheet[1]]


def _column(sheet, header: str) -> list:
    idx = _headers(sheet).index(header)
    return [row[idx] for row in sheet.iter_rows(min_row=2)]


def _values(sheet, header: str) -> list:
    return [c.value for c in _column(sheet, header)]


def test_xlsx_sheets_headers_percent_formats_and_chart(tables, tmp_path):
    paths = report.write_report(tables, tmp_path / "out", module_titles=TITLES, as_of=AS_OF)
    book = openpyxl.load_workbook(paths["xlsx"])
    assert book.sheetnames == SHEETS_VI
    ward = book["Tổng hợp theo đơn vị"]
    assert _headers(ward) == [
        "Mã đơn vị", "Đơn vị (xã/phường/đặc khu)", "Số cán bộ", "Đã bắt đầu", "Đã nộp bài",
        "Đạt: Đạo đức công vụ", "Đạt: An toàn thông tin", "Hoàn thành",
        "Tỷ lệ hoàn thành (%)", "Tỷ lệ đã nộp đủ (%)", "Quá hạn", "Số ngày trễ trung bình",
        "Điểm trung bình (%)", "Điểm trung vị (%)", "Vào giữa khóa", "Đã rời (không tính)",
        "Chờ chấm"]
    assert ward["A1"].font.bold and ward.freeze_panes == "A2"
    assert _values(ward, "Mã đơn vị") == ["00123", "04567"]
    assert ward["A2"].data_type == "s" and ward["A2"].number_format == "@"
    rate = _column(ward, "Tỷ lệ hoàn thành (%)")
    assert [c.value for c in rate] == [1.0, 0.0]  # 100 % and 0 %, stored as fractions
    assert rate[0].data_type == "n" and rate[0].number_format == "0.0%"
    mean = _column(ward, "Điểm trung bình (%)")
    assert mean[0].value == pytest.approx(0.767) and mean[0].number_format == "0.0%"
    assert _values(ward, "Quá hạn") == [0, 2]
    assert ward.column_dimensions["B"].width >= len("Phường Ba Đình")
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2" and len(sheet.title) <= 31
        assert all(unicodedata.is_normalized("NFC", c.value) for c in sheet[1])
    (chart,) = ward._charts  # a native Excel chart, not a picture
    assert type(chart).__name__ == "BarChart" and chart.type == "bar"
    assert chart.series[0].val.numRef.f == "'Tổng hợp theo đơn vị'!$I$2:$I$3"
    cat = chart.series[0].cat
    assert (cat.strRef or cat.numRef).f == "'Tổng hợp theo đơn vị'!$B$2:$B$3"


def test_xlsx_module_position_and_ward_module_sheets(tables, tmp_path):
    book = openpyxl.load_workbook(report.write_report(tables, tmp_path, as_of=AS_OF)["xlsx"])
    module = book["Theo học phần"]
    assert _values(module, "Học phần") == ["Đạo đức công vụ", "An toàn thông tin"]
    assert _column(module, "Tỷ lệ đạt (%)")[0].number_format == "0.0%"
    assert _values(book["Theo chức vụ"], "Chức vụ") == ["Chủ tịch", "Công chức"]
    sheet = book["Theo đơn vị và học phần"]
    rows = {(r[0].value, r[2].value): r for r in sheet.iter_rows(min_row=2)}
    idx = _headers(sheet).index("Điểm trung bình (%)")
    assert rows[("04567", "m2")][idx].value is None
    assert rows[("00123", "m2")][idx].value == 0.8


def test_xlsx_learner_sheet_one_row_per_official(tables, tmp_path):
    book = openpyxl.load_workbook(report.write_report(tables, tmp_path, module_titles=TITLES,
                                                      as_of=AS_OF)["xlsx"])
    sheet = book["Chi tiết cán bộ"]
    heads = _headers(sheet)
    assert heads[:5] == ["Mã đơn vị", "Đơn vị (xã/phường/đặc khu)", "Mã cán bộ", "Họ và tên",
                         "Chức vụ"]
    assert "Đạo đức công vụ (%)" in heads and "Hoàn thành" in heads
    rows = {r[2]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == 4
    assert rows["cb01"][heads.index("Đạo đức công vụ (%)")] == 1.0
    assert rows["cb01"][heads.index("Hoàn thành")] == "Có"
    assert rows["cb04"][heads.index("Đạo đức công vụ (%)")] is None
    assert rows["cb04"][heads.index("Quá hạn")] == "Có"
    letter = openpyxl.utils.get_column_letter(heads.index("Đạo đức công vụ (%)") + 1)
    ranges = [str(r.sqref) for r in sheet.conditional_formatting]
    assert f"{letter}2:{letter}5" in ranges  # green/red against the pass mark


def test_xlsx_not_completed_sheet(tables, tmp_path):
    book = openpyxl.load_workbook(report.write_report(tables, tmp_path, module_titles=TITLES,
                                                      as_of=AS_OF)["xlsx"])
    sheet = book["Chưa hoàn thành"]
    assert _values(sheet, "Mã cán bộ") == ["cb03", "cb04"]
    assert _values(sheet, "Học phần còn thiếu") == [
        "Đạo đức công vụ; An toàn thông tin", "Đạo đức công vụ; An toàn thông tin"]
    assert _values(sheet, "Số ngày trễ") == [30, 30]  # m1 due 2/3, judged on 1/4


def test_xlsx_status_sheet_is_optional(tables, tmp_path):
    book = openpyxl.load_workbook(report.write_report(tables, tmp_path / "a")["xlsx"])
    row = [c.value for c in book["Trạng thái chấm"][2]]
    assert "Chưa nộp bài" in row and "Đạo đức công vụ" in row
    del tables["status"]
    paths = report.write_report(tables, tmp_path / "b")
    assert "status_csv" not in paths and not (tmp_path / "b" / "status.csv").exists()
    assert "Trạng thái chấm" not in openpyxl.load_workbook(paths["xlsx"]).sheetnames
    tables["status"] = pd.DataFrame()
    paths = report.write_report(tables, tmp_path / "c")
    empty = openpyxl.load_workbook(paths["xlsx"])["Trạng thái chấm"]
    assert empty.max_row == 1 and "Lý do" in _headers(empty)


def test_files_are_owner_only(tables, tmp_path):
    paths = report.write_report(tables, tmp_path / "new" / "dir")
    assert set(paths) == {"xlsx", "html", "per_ward_csv", "per_module_csv", "per_position_csv",
                          "per_track_csv", "per_ward_module_csv", "learners_csv",
                          "learner_modules_csv", "not_completed_csv", "over_time_csv",
                          "status_csv", "attempts_csv"}
    for path in paths.values():
        assert path.parent == tmp_path / "new" / "dir"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "new" / "dir").stat().st_mode) == 0o700
    assert sorted(p.name for p in paths["xlsx"].parent.iterdir()) == sorted(
        p.name for p in paths.values())  # no temporary files left behind


def test_html_is_self_contained_with_three_charts(tables, tmp_path):
    text = report.write_report(tables, tmp_path, module_titles=TITLES)["html"].read_text(
        encoding="utf-8")
    assert '<html lang="vi">' in text and '<meta charset="utf-8">' in text
    assert "<title>Báo cáo kết quả bồi dưỡng</title>" in text
    assert unicodedata.is_normalized("NFC", text)
    for needle in ("Phường Ba Đình", "Xã Đông Anh", "<th>Tỷ lệ hoàn thành (%)</th>",
                   "<th>Đạt: Đạo đức công vụ</th>", "Ngày lập báo cáo", "76,7",
                   "Tỷ lệ đạt theo đơn vị và học phần", "theo thời gian", "Chưa hoàn thành",
                   "<h2>Cách tính</h2>", "chờ chấm&quot;: không tính là không đạt, không tính quá hạn"):
        assert needle in text, needle
    assert '<td class="num">—</td>' in text  # Xã Đông Anh × m2: nobody submitted
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    assert len(images) == 3
    assert all(base64.b64decode(img).startswith(b"\x89PNG") for img in images)
    outside_images = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)
    assert "http" not in outside_images and "<script" not in outside_images
    assert "<link" not in outside_images and "url(" not in outside_images


def test_csv_round_trip_keeps_ward_code_text(tables, tmp_path):
    paths = report.write_report(tables, tmp_path)
    raw = paths["per_ward_csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(paths["per_ward_csv"], encoding="utf-8-sig", dtype={"ward_code": str})
    assert list(back.columns) == list(tables["per_ward"].columns)
    assert list(back["ward_code"]) == ["00123", "04567"]
    assert list(back["ward_name"]) == ["Phường Ba Đình", "Xã Đông Anh"]
    learners = pd.read_csv(paths["learners_csv"], encoding="utf-8-sig",
                           dtype={"ward_code": str})
    assert list(learners["ward_code"]) == ["00123", "00123", "04567", "04567"]
    assert list(learners["completed"]) == [True, True, False, False]
    pairs = pd.read_csv(paths["learner_modules_csv"], encoding="utf-8-sig")
    assert list(pairs.columns)[:3] == ["learner_id", "module_id", "required"]
    assert len(pairs) == 7  # 4 × m1 + 3 officials required to take m2 (not the chairman)
    assert "full_name" not in pairs and "overdue" in pairs
    status = pd.read_csv(paths["status_csv"], encoding="utf-8-sig")
    assert list(status.columns) == ["learner_id", "module_id", "status", "reason"]


def test_english(tables, tmp_path):
    paths = report.write_report(tables, tmp_path, lang="en", module_titles={
        "m1": "Public service ethics", "m2": "Information security"})
    book = openpyxl.load_workbook(paths["xlsx"])
    assert book.sheetnames == ["By ward", "By module", "By ward and module", "By position",
                               "By track", "Learners", "Not completed", "Progress by day",
                               "Grading status"]
    heads = _headers(book["By ward"])
    assert heads[:2] == ["Commune code", "Commune/ward"]
    assert "Passed: Public service ethics" in heads and "Completion rate (%)" in heads
    assert "Yes" in _values(book["Learners"], "Completed")
    text = paths["html"].read_text(encoding="utf-8")
    assert '<html lang="en">' in text and "<title>Training results report</title>" in text
    assert "76.7" in text and "Information security" in text
    csv = pd.read_csv(paths["per_ward_csv"], encoding="utf-8-sig", dtype={"ward_code": str})
    assert "completion_rate" in csv.columns  # CSV keeps internal names in every language


def test_format_table(tables):
    text = report.format_table(tables["per_ward"], module_titles=TITLES)
    assert "Tỷ lệ hoàn thành (%)" in text and "Đạt: An toàn thông tin" in text
    assert "00123" in text and "Phường Ba Đình" in text and "76,7" in text
    assert "Đạt: m1" in report.format_table(tables["per_ward"])  # no titles: the id
    english = report.format_table(tables["per_ward"], lang="en")
    assert "Completion rate (%)" in english and "Passed: m1" in english and "76.7" in english


def test_nan_shown_as_dash(tables):
    frame = tables["per_ward"].copy()
    frame.loc[1, "mean_percent"] = float("nan")
    assert "—" in report.format_table(frame)


def test_unknown_language_is_a_kit_error(tables, tmp_path):
    with pytest.raises(KitError, match="ngôn ngữ 'fr'"):
        report.write_report(tables, tmp_path, lang="fr")
    assert list(tmp_path.iterdir()) == []


def test_labels_are_nfc():
    for table in labels.LABELS.values():
        assert all(unicodedata.is_normalized("NFC", v) for v in table.values())


def test_decomposed_input_is_normalised(lm, tmp_path):
    nfd = unicodedata.normalize("NFD", "Xã Đông Anh")
    names = lm["ward_name"].astype(str).replace("Xã Đông Anh", nfd)
    tables = summary.tables_from(lm.assign(ward_name=names))
    paths = report.write_report(tables, tmp_path)
    assert "Xã Đông Anh" in paths["html"].read_text(encoding="utf-8")
    names = _values(openpyxl.load_workbook(paths["xlsx"])["Tổng hợp theo đơn vị"],
                    "Đơn vị (xã/phường/đặc khu)")
    assert names == ["Phường Ba Đình", "Xã Đông Anh"]


def test_import_does_no_work():
    code = ("import sys, grading.report; "
            "assert not {'matplotlib', 'openpyxl'} & set(sys.modules), sorted(sys.modules)")
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True)


def test_text_never_becomes_a_formula_in_xlsx_or_csv(lm, tmp_path):
    """A name or reason that starts like a formula stays text in every file HR opens."""
    evil = ['=HYPERLINK("http://127.0.0.1/x","Bấm")', "+1+1", "@SUM(1)", "-2+3"]
    lm = lm.copy()
    lm[C.NAME] = lm[C.LEARNER].map(dict(zip(["cb01", "cb02", "cb03", "cb04"], evil)))
    status = pd.DataFrame({"learner_id": ["cb04"], "module_id": ["m1"], "status": ["error"],
                           "reason": ["=cmd|' /C calc'!A0"]})
    paths = report.write_report(summary.tables_from(lm, status, TITLES), tmp_path)
    book = openpyxl.load_workbook(paths["xlsx"])
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert {v for v in evil} <= {c.value for c in cells}  # shown exactly as typed
    names = pd.read_csv(paths["learners_csv"], encoding="utf-8-sig")["full_name"]
    assert set(names) >= {"'" + v for v in evil}
    reasons = pd.read_csv(paths["status_csv"], encoding="utf-8-sig")["reason"]
    assert list(reasons) == ["'=cmd|' /C calc'!A0"]


def test_rows_graded_without_isolation_have_their_own_column_and_a_warning(lm, tmp_path):
    from grading.course import ledger

    (tmp_path / "ws" / "congvu").mkdir(parents=True)
    for learner, flags in (("cb01", "unsandboxed"), ("cb02", "")):
        ledger.append(tmp_path / "ws", {C.LEARNER: learner, C.MODULE: "m1", C.STATUS: "graded",
                                        C.REASON: "", "graded_at": "", "seconds": "1",
                                        "fingerprint": "x", "flags": flags})
    status = ledger.statuses_with_flags(tmp_path / "ws")
    assert status.set_index(C.LEARNER)[C.UNSANDBOXED].to_dict() == {"cb01": True, "cb02": False}
    paths = report.write_report(summary.tables_from(lm, status, TITLES), tmp_path / "out")
    sheet = openpyxl.load_workbook(paths["xlsx"])["Trạng thái chấm"]
    flags = dict(zip(_values(sheet, "Mã cán bộ"), _values(sheet, "Chấm không cách ly")))
    assert flags == {"cb01": "Có", "cb02": "Không"}
    assert "⚠ 1 bài được chấm không cách ly" in paths["html"].read_text(encoding="utf-8")
    clean = report.write_report(summary.tables_from(lm, status.iloc[1:], TITLES), tmp_path / "b")
    assert "không cách ly" not in clean["html"].read_text(encoding="utf-8")
