"""Messy HR Excel files, built here, import exactly as HR means them or fail naming the row.

The units table is the shipped synthetic sample province (grading/data/units_sample.csv).
"""
import sqlite3
import stat
import unicodedata

import openpyxl
import pytest

from grading import columns as C
from grading import settings
from grading.cli import main
from grading.errors import RosterError
from grading.roster import importer as roster
from grading.roster import units


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def messy_workbook(path, extra_rows=()):
    """Two data sheets and an instructions sheet, as an HR system exports them."""
    book = openpyxl.Workbook()
    guide = book.active
    guide.title = "Hướng dẫn"
    guide.append(["Điền danh sách cán bộ ở các trang sau."])
    ward = book.create_sheet("P. Hòa Bình")
    ward.append(["ỦY BAN NHÂN DÂN TỈNH MẪU"])
    ward.append(["DANH SÁCH CÁN BỘ, CÔNG CHỨC THAM GIA BỒI DƯỠNG NĂM 2026"])
    ward.append([])
    ward.append(["STT", "Mã CB", "Họ và tên", "Đơn vị công tác", None, "Huyện (cũ)", "Chức vụ"])
    ward.append([None, None, None, "Mã", "Tên", None, None])
    for col in ("A", "B", "C", "F", "G"):
        ward.merge_cells(f"{col}4:{col}5")  # header cells spanning both header rows
    ward.merge_cells("D4:E4")  # "Đơn vị công tác" over its two sub-columns
    ward.append([1, "CB001", nfd("Nguyễn Văn An"), 90001, nfd("Phường Hoà Bình"), "",
                 "Chủ tịch UBND"])
    ward.append([2, "CB002", "  Trần   Thị Bình ", None, "P. Hòa Bình", "TP. Mẫu",
                 "Chuyên viên"])
    ward.append([])  # an empty row in the middle
    ward.append([3, 1003, "Lê Văn Cường", None, "X. Tân Lập", "H. Tây Sơn", "Chuyên viên"])
    ward.append([4, "CB004", "Phạm Thị Dung", None, "TT. Đông Hưng", "Huyện Đông Hưng",
                 "Chuyên viên"])
    for row in extra_rows:
        ward.append(row)
    ward.append(["Tổng cộng: 4 người"])
    other = book.create_sheet("Xã khác")
    other.append(["MA CAN BO", "HO VA TEN", "TEN DON VI", "CHUC DANH"])
    other.append(["CB005", "Hoàng Văn Em", "Phường Thuỷ Tiên", "Chuyên viên"])
    other.append(["CB006", "Vũ Thị Giang", "Xa Yen Thuy", "Phó Chủ tịch UBND"])
    other.append(["CB007", "Đỗ Văn Hải", "Đặc khu Hòn Ngọc", "Chuyên viên"])
    book.save(path)
    return path


def load_rows(path):
    frame = roster.validate(roster.read_table(path), str(path))
    return {r.learner_id: r for r in frame.itertuples()}


def test_messy_workbook_imports_as_meant(tmp_path):
    rows = load_rows(messy_workbook(tmp_path / "ds.xlsx"))
    assert sorted(rows) == ["1003", "CB001", "CB002", "CB004", "CB005", "CB006", "CB007"]
    assert (rows["CB001"].ward_code, rows["CB001"].ward_name) == ("90001", "Phường Hòa Bình")
    assert rows["CB001"].full_name == "Nguyễn Văn An"
    assert unicodedata.is_normalized("NFC", rows["CB001"].full_name)
    assert rows["CB002"].full_name == "Trần Thị Bình" and rows["CB002"].ward_code == "90001"
    assert rows["1003"].ward_code == "90005"  # the Tân Lập of the former Tây Sơn district
    assert rows["CB004"].ward_code == "90003"  # a former thị trấn, now part of Xã Đông Hưng
    assert (rows["CB005"].ward_code, rows["CB005"].ward_name) == ("90006", "Phường Thủy Tiên")
    assert rows["CB006"].ward_code == "90012"  # typed without diacritics, one unit matches
    assert rows["CB007"].ward_code == "90004" and rows["CB007"].position == "Chuyên viên"


@pytest.mark.parametrize("row, column, words", [
    ([5, "CB010", "Ngô Thị Lan", None, "Xã Tân Lập", None, "Chuyên viên"], "ten_don_vi",
     ["khớp nhiều đơn vị", "90002 Xã Tân Lập", "90005 Xã Tân Lập", "Huyện Tây Sơn",
      "huyện cũ"]),
    ([5, "CB010", "Ngô Thị Lan", None, "Xã Hòa Bìnhh", None, "Chuyên viên"], "ten_don_vi",
     ["không tìm thấy đơn vị 'Xã Hòa Bìnhh'", "gần giống", "90009 Xã Hòa Bình"]),
    ([5, "CB010", "Ngô Thị Lan", 90002, "Phường Hòa Bình", None, "Chuyên viên"], "ten_don_vi",
     ["mã đơn vị 90002 là 'Xã Tân Lập'", "không khớp"]),
    ([5, "CB001", "Ngô Thị Lan", 90001, "Phường Hòa Bình", None, "Chuyên viên"], "ma_can_bo",
     ["trùng với dòng 6"]),
    ([5, "CB010", "Ngô Thị Lan", None, None, None, "Chuyên viên"], "ma_don_vi",
     ["cả mã và tên đơn vị"]),
])
def test_bad_row_is_named_with_sheet_row_and_candidates(tmp_path, row, column, words):
    path = messy_workbook(tmp_path / "ds.xlsx", extra_rows=[row])
    with pytest.raises(RosterError) as info:
        load_rows(path)
    text = info.value.render()
    assert f"{path}, trang 'P. Hòa Bình', dòng 11, cột {column}" in text, text
    for word in words:
        assert word in text, text
    assert "chưa nhập gì" in text and " — " in text


def test_numbers_that_lost_leading_zeros(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã cán bộ", "Họ tên", "Mã đơn vị", "Tên đơn vị", "Chức vụ"])
    sheet.append(["CB1", "Lý Văn Phúc", 123, "Xã Xuân Hòa", "Chuyên viên"])  # Excel: 00123
    sheet.append(["CB2", "Lý Thị Ngân", 4567.0, "Phường Bến Thành", "Chuyên viên"])
    book.save(tmp_path / "so.xlsx")
    rows = load_rows(tmp_path / "so.xlsx")
    assert (rows["CB1"].ward_code, rows["CB2"].ward_code) == ("00123", "04567")


def test_legacy_encoding_is_named(tmp_path):
    path = tmp_path / "tcvn3.csv"
    path.write_text("ma_can_bo,ho_ten,ma_don_vi,ten_don_vi,chuc_vu\n"
                    "CB1,NguyÔn V¨n An,00123,Ph­êng Hßa B×nh,Chuyªn viªn\n", encoding="utf-8")
    with pytest.raises(RosterError, match="TCVN3"):
        load_rows(path)


def test_header_not_found_lists_columns(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["Báo cáo quý"])
    book.active.append(["Số liệu", 12])
    book.save(tmp_path / "khong.xlsx")
    with pytest.raises(RosterError, match="thiếu cột ma_can_bo, ho_ten, ma_don_vi, ten_don_vi, "
                                          "chuc_vu"):
        load_rows(tmp_path / "khong.xlsx")


def test_tone_and_abbreviation_keys():
    table = units.sample()
    for name in ("Phường Hoà Bình", nfd("Phường Hòa Bình"), "P.Hòa Bình", "p. hòa   bình",
                 "PHƯỜNG HÒA BÌNH"):
        assert table.match(name).unit.code == "90001", name
    assert table.match("Phường Hoa Bình").unit is None  # mixed: "Hoa" is another syllable
    assert [u.code for u in table.match("Hòa Bình").candidates] == ["90001", "90009"]
    assert table.match("ĐK Hòn Ngọc").unit.code == "90004"


def test_reimport_reports_joiners_changes_and_leavers(new_workspace, tmp_path, capsys):
    ws = new_workspace()
    first = tmp_path / "dot1.csv"
    first.write_text("ma_can_bo,ho_ten,ten_don_vi,chuc_vu\n"
                     "A1,Nguyễn Văn An,Phường Hòa Bình,Chuyên viên\n"
                     "A2,Trần Thị Bình,Phường Hòa Bình,Chủ tịch UBND\n"
                     "A3,Lê Văn Cường,Xã Đông Hưng,Chuyên viên\n", encoding="utf-8")
    assert main(["roster", "import", str(ws.root), str(first)]) == 0
    second = tmp_path / "dot2.csv"
    second.write_text("ma_can_bo,ho_ten,ten_don_vi,chuc_vu\n"
                      "A1,Nguyễn Văn An,Phường Thủy Tiên,Chuyên viên\n"
                      "A2,Trần Thị Bình,Phường Hòa Bình,Phó Chủ tịch UBND\n"
                      "A4,Phạm Thị Dung,Xã Đông Hưng,Chuyên viên\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["roster", "import", str(ws.root), str(second)]) == 0
    out = capsys.readouterr().out
    assert "1 mới, 2 thay đổi, 0 giữ nguyên, 1 rời danh sách" in out
    assert "Mã đơn vị: 90001 → 90006" in out and "Chức vụ: Chủ tịch UBND → Phó Chủ tịch" in out
    assert "A3 Lê Văn Cường" in out and "A4 Phạm Thị Dung" in out
    kept = roster.load(ws.root).set_index(C.LEARNER)
    assert kept.loc["A3", C.LEFT] == settings.vn_today().isoformat()  # recorded, not deleted
    assert kept.loc["A4", C.LEFT] == "" and kept.loc["A1", C.WARD_NAME] == "Phường Thủy Tiên"
    with sqlite3.connect(ws.root / "gradebook.db") as db:  # nbgrader keeps the leaver
        assert sorted(r[0] for r in db.execute("SELECT id FROM student")) == \
            ["A1", "A2", "A3", "A4"]
    log = (ws.root / "congvu" / "roster_changes.csv")
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert ",A3,left," in log.read_text(encoding="utf-8")
    assert stat.S_IMODE((ws.root / "congvu" / "roster.csv").stat().st_mode) == 0o600
    # A3 comes back
    res = roster.import_roster(workspace=ws.root, file=first, db_url=ws.db_url,
                               course_id=ws.course_id)
    assert res.rejoined == ["A3"] and res.left == ["A4"]


def test_official_unit_list_is_kept_and_enforced(new_workspace, tmp_path):
    ws = new_workspace()
    official = tmp_path / "danh_muc.csv"
    official.write_text("Mã,Tên,Mã TP,Tỉnh / Thành Phố\n"
                        "123,Xã Xuân Hòa,01,Tỉnh Thử\n"
                        "00124,Phường Xuân Hoà,01,Tỉnh Thử\n", encoding="utf-8")
    path = tmp_path / "ds.csv"
    path.write_text("ma_can_bo,ho_ten,ma_don_vi,ten_don_vi,chuc_vu\n"
                    "B1,Lý Văn Phúc,123,Xã Xuân Hoà,Chuyên viên\n"
                    "B2,Lý Thị Ngân,,P. Xuân Hòa,Chuyên viên\n", encoding="utf-8")
    res = roster.import_roster(workspace=ws.root, file=path, db_url=ws.db_url,
                               course_id=ws.course_id, units_file=official)
    assert res.added == 2
    codes = roster.load(ws.root).set_index(C.LEARNER)[C.WARD_CODE].to_dict()
    assert codes == {"B1": "00123", "B2": "00124"}  # CSV text '123' fixed by the list
    assert units.for_workspace(ws.root).official
    bad = tmp_path / "bad.csv"
    bad.write_text("ma_can_bo,ho_ten,ma_don_vi,ten_don_vi,chuc_vu\n"
                   "B3,Lý Văn Quân,90001,Phường Hòa Bình,Chuyên viên\n", encoding="utf-8")
    with pytest.raises(RosterError, match="dòng 2, cột ma_don_vi: mã đơn vị 90001 không có "
                                          "trong danh mục"):
        roster.import_roster(workspace=ws.root, file=bad, db_url=ws.db_url,
                             course_id=ws.course_id)


def test_columns_hr_does_not_need_are_not_stored(new_workspace, tmp_path):
    ws = new_workspace()
    path = tmp_path / "ds.csv"
    path.write_text("STT;Mã cán bộ;Họ và tên;Số CCCD;Email;Điện thoại;Tên đơn vị;Chức vụ\n"
                    "1;C1;Nguyễn Văn An;001234567890;an@example.vn;0912345678;Xã Tân Phú;"
                    "Chuyên viên\n", encoding="utf-8")
    roster.import_roster(workspace=ws.root, file=path, db_url=ws.db_url, course_id=ws.course_id)
    stored = (ws.root / "congvu" / "roster.csv").read_text(encoding="utf-8")
    assert "001234567890" not in stored and "example" not in stored and "0912" not in stored
    assert "Xã Tân Lập" in stored  # Tân Phú merged into 90002 Xã Tân Lập
