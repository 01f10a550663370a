"""Roster import: clean files go in whole; a file with any bad row is rejected whole."""
import sqlite3
import unicodedata

import openpyxl
import pytest

from grading import columns as C
from grading.cli import main
from grading.errors import RosterError
from grading.roster import importer as roster

HEADER = "ma_can_bo,ho_ten,ma_don_vi,ten_don_vi,chuc_vu\n"
GOOD = HEADER + ("CB01,Nguyễn Văn An,00123,Phường Hòa Bình,Chuyên viên\n"
                 "CB02,Trần Thị Bình,00123,Phường Hòa Bình,Chủ tịch UBND\n"
                 "CB03,Lê Văn Cường,26734,Xã Tân Lập,Chuyên viên\n")


def students(ws):
    with sqlite3.connect(ws.root / "gradebook.db") as db:
        return sorted(r[0] for r in db.execute("SELECT id FROM student"))


def test_csv_import_registers_in_gradebook_and_keeps_ward_codes(new_workspace, tmp_path):
    ws = new_workspace()
    path = tmp_path / "ds.csv"
    path.write_text(unicodedata.normalize("NFD", GOOD), encoding="utf-8")
    res = roster.import_roster(workspace=ws.root, file=path, db_url=ws.db_url,
                               course_id=ws.course_id)
    assert (res.added, res.updated, res.total) == (3, 0, 3)
    assert students(ws) == ["CB01", "CB02", "CB03"]
    kept = roster.load(ws.root)
    assert list(kept[C.WARD_CODE]) == ["00123", "00123", "26734"]
    assert all(unicodedata.is_normalized("NFC", s) for s in kept[C.NAME])
    assert kept.loc[0, C.WARD_NAME] == "Phường Hòa Bình"
    with sqlite3.connect(ws.root / "gradebook.db") as db:
        assert db.execute("SELECT first_name, last_name FROM student WHERE id='CB01'").fetchone() \
            == ("An", "Nguyễn Văn")
    # Re-import with a changed position updates, adds nothing.
    path.write_text(GOOD.replace("Chủ tịch UBND", "Phó Chủ tịch UBND"), encoding="utf-8")
    res = roster.import_roster(workspace=ws.root, file=path, db_url=ws.db_url,
                               course_id=ws.course_id)
    assert (res.added, res.updated, res.total) == (0, 3, 3)
    assert roster.load(ws.root).loc[1, C.POSITION] == "Phó Chủ tịch UBND"


def test_xlsx_import(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in GOOD.strip().split("\n"):
        ws.append(line.split(","))
    ws.append([None] * 5)  # an empty row at the end is not an error
    wb.save(tmp_path / "ds.xlsx")
    frame = roster.validate(roster.read_table(tmp_path / "ds.xlsx"), "ds.xlsx")
    assert list(frame[C.LEARNER]) == ["CB01", "CB02", "CB03"]
    assert frame.loc[0, C.WARD_CODE] == "00123"


@pytest.mark.parametrize("line, column, words", [
    ("CB04,,00123,Phường Hòa Bình,Chuyên viên", "ho_ten", "ô trống"),
    ("CB01,Đỗ Thị Hà,00123,Phường Hòa Bình,Chuyên viên", "ma_can_bo", "trùng với dòng 2"),
    ("CB04,Đỗ Thị Hà,123,Phường Hòa Bình,Chuyên viên", "ma_don_vi", "5 chữ số"),
    ("CB04,Đỗ Thị Hà,00123,Thị trấn Cũ,Chuyên viên", "ten_don_vi", "không phải tên xã"),
    ("CB/04,Đỗ Thị Hà,00123,Phường Hòa Bình,Chuyên viên", "ma_can_bo", "không hợp lệ"),
])
def test_bad_row_names_file_row_column_and_fix(tmp_path, line, column, words):
    path = tmp_path / "ds.csv"
    path.write_text(GOOD + line + "\n", encoding="utf-8")
    with pytest.raises(RosterError) as info:
        roster.validate(roster.read_table(path), str(path))
    text = info.value.render()
    assert f"{path}, dòng 5, cột {column}" in text
    assert words in text
    assert "chưa nhập gì" in text and " — " in text  # the fix follows the dash


def test_missing_column(tmp_path):
    path = tmp_path / "ds.csv"
    path.write_text("ma_can_bo,ho_ten\nCB01,A\n", encoding="utf-8")
    with pytest.raises(RosterError, match="thiếu cột ma_don_vi, ten_don_vi, chuc_vu"):
        roster.validate(roster.read_table(path), str(path))


def test_cli_rejects_bad_file_and_leaves_gradebook_untouched(new_workspace, tmp_path, capsys):
    ws = new_workspace()
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    assert main(["roster", "import", str(ws.root), str(good)]) == 0
    before = (ws.root / "gradebook.db").read_bytes(), roster.load(ws.root)
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD.replace("CB03", "CB09") + "CB10,Vũ Văn Nam,9999,Xã Tân Lập,Chuyên viên\n",
                   encoding="utf-8")
    assert main(["roster", "import", str(ws.root), str(bad)]) == 2
    err = capsys.readouterr().err
    assert "dòng 5, cột ma_don_vi" in err and "5 chữ số" in err
    assert (ws.root / "gradebook.db").read_bytes() == before[0]
    assert roster.load(ws.root).equals(before[1])
    assert students(ws) == ["CB01", "CB02", "CB03"]
    assert main(["--lang", "en", "roster", "import", str(ws.root), str(bad)]) == 2
    assert "row 5, column ma_don_vi" in capsys.readouterr().err
