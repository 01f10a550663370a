"""HR files that would import wrong data are refused or read right: legacy encodings per cell,
hidden and instruction sheets, ids that change form, invisible and look-alike characters,
files that are not what their name says, formulas without values, column-number rows,
positions, and a partial file that would mark many officials as leavers."""
import openpyxl
import pytest
from conftest import REPO

from grading import columns as C
from grading.cli import main
from grading.course.manifest import load as load_manifest
from grading.errors import RosterError
from grading.roster import importer as roster
from grading.roster.positions import Positions

HEADER = ["ma_can_bo", "ho_ten", "ma_don_vi", "ten_don_vi", "chuc_vu"]
ROWS = [["CB01", "Nguyễn Văn An", "00123", "Phường Hòa Bình", "Chuyên viên"],
        ["CB02", "Trần Thị Bình", "00123", "Phường Hòa Bình", "Chủ tịch UBND"],
        ["CB03", "Lê Văn Cường", "26734", "Xã Tân Lập", "Chuyên viên"]]


def csv(tmp_path, rows, name="ds.csv"):
    path = tmp_path / name
    path.write_text("\n".join(",".join(r) for r in [HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def read(path, **kw):
    return roster.validate(roster.read_table(path, kw.pop("sheet", None)), str(path), **kw)


def refused(path, **kw) -> str:
    with pytest.raises(RosterError) as info:
        read(path, **kw)
    return info.value.render("vi")


@pytest.mark.parametrize("names", [
    # VNI names beside Unicode ward/position columns (from drop-down lists)
    ["Nguyeãn Vaên An", "Traàn Thò Bình", "Leâ Vaên Cöôøng"],
    # one pasted VNI row in a Unicode file
    ["Nguyễn Văn An", "Trần Thị Bình", "Leâ Vaên Cöôøng"],
    # a short TCVN3 (ABC) file: one name
    ["NguyÔn V¨n An"],
])
def test_legacy_encoded_cells_are_refused(tmp_path, names):
    rows = [[r[0], n, *r[2:]] for r, n in zip(ROWS, names)]
    text = refused(csv(tmp_path, rows))
    assert "bảng mã cũ" in text and "ho_ten" in text and "Unicode" in text


def test_unicode_names_are_not_taken_for_legacy(tmp_path):
    names = ["Nguyễn Thị Thanh Thuỷ", "Hoàng Văn Hoá", "Ông Ích Khiêm", "Lê Hoàng Oanh",
             "Phạm Thị Khuê", "Trương Quý Toản", "Đoàn Thị Huyền"]
    rows = [[f"CB{i}", n, "00123", "Phường Hòa Bình", "Chuyên viên"] for i, n in enumerate(names)]
    assert list(read(csv(tmp_path, rows))[C.NAME]) == names


def test_invisible_characters_and_look_alike_letters_are_cleaned(tmp_path):
    rows = [["CB\u200b01\ufeff", "\u00d0ỗ Văn\u00a0An", "00123", "Phường Hòa Bình",
             "Chuyên\u200c viên"], ["CB02", "\u0189inh Thị \u00f0ào", "00123", "Phường Hòa Bình",
                                    "Chuyên viên"]]
    frame = read(csv(tmp_path, rows))
    assert list(frame[C.LEARNER]) == ["CB01", "CB02"]
    assert list(frame[C.NAME]) == ["Đỗ Văn An", "Đinh Thị đào"]
    assert list(frame[C.POSITION]) == ["Chuyên viên"] * 2


def test_ids_differing_in_case_spaces_or_zeros_are_one_person_twice(tmp_path):
    rows = [["cb001", *ROWS[0][1:]], ["CB001 ", *ROWS[1][1:]], ["CB1", *ROWS[2][1:]]]
    text = refused(csv(tmp_path, rows))
    assert text.count("trùng với dòng 2") == 2 and "'cb001'" in text


def _book(path, sheets):
    """sheets: [(title, state, rows)]"""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, state, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.sheet_state = state
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_hidden_very_hidden_and_instruction_sheets_are_skipped(tmp_path):
    old = [["CB09", "Vũ Văn Cũ", "00123", "Phường Hòa Bình", "Chuyên viên"]]
    path = _book(tmp_path / "ds.xlsx", [
        ("Hướng dẫn", "visible", [["Điền mỗi cán bộ một dòng, ví dụ:"], HEADER,
                                  ["VD01", "Nguyễn Văn Mẫu", "00123", "Phường Hòa Bình",
                                   "Chuyên viên"]]),
        ("DS 2026", "visible", [HEADER, *ROWS]),
        ("DS 2025", "hidden", [HEADER, *old]),
        ("tmp", "veryHidden", [HEADER, ["CB08", "Bí Mật", "00123", "Phường Hòa Bình",
                                        "Chuyên viên"]])])
    table = roster.read_table(path)
    frame = roster.validate(table, str(path))
    assert list(frame[C.LEARNER]) == ["CB01", "CB02", "CB03"]
    notes = " ".join(n.render("vi") for n in frame.attrs["notes"])
    assert "trang ẩn 'DS 2025'" in notes and "ẩn sâu" in notes and "hướng dẫn 'Hướng dẫn'" in notes
    assert list(read(path, sheet="DS 2025")[C.LEARNER]) == ["CB09"]  # --sheet picks one
    assert "không có trang 'DS 2024'" in refused(path, sheet="DS 2024")


@pytest.mark.parametrize("content, words", [
    (b"", "tệp rỗng"),
    (b"<html><body><table><tr><td>ma_can_bo</td></tr></table></body></html>", "trang web"),
    ("ma_can_bo,ho_ten\nCB01,Nguyễn Văn An\n".encode(), "tệp văn bản (CSV)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le"),
     "mật khẩu"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024, "Excel 97-2003"),
    (b"%PDF-1.7\n", "tệp PDF"),
])
def test_files_that_are_not_xlsx_are_named(tmp_path, content, words):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(content)
    text = refused(path)
    assert words in text and "chưa nhập gì" in text


def test_formula_without_value_and_column_number_row(tmp_path):
    path = tmp_path / "ds.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["DANH SÁCH CÁN BỘ"])
    sheet.append(["Mã cán bộ", "Họ và tên", "Mã đơn vị", "Tên đơn vị", "Chức vụ"])
    sheet.append(["(1)", "(2)", "(3)", "(4)", "(5)"])  # official forms number their columns
    sheet.append(ROWS[0])
    sheet.append(["CB02", '=CONCATENATE("Trần ","Thị Bình")', "00123", "Phường Hòa Bình",
                  "Chủ tịch UBND"])  # written by a program: no value Excel computed
    book.save(path)
    text = refused(path)
    assert "dòng 5, cột ho_ten: công thức =CONCATENATE" in text and "ô trống" not in text
    assert "(1)" not in text  # the column-number row is not read as data


def test_positions_are_mapped_onto_course_yml_or_refused(tmp_path):
    table = Positions(load_manifest(REPO / "course.yml").positions)
    rows = [["CB01", "Nguyễn Văn An", "00123", "Phường Hòa Bình", "Chủ tịch UBND xã"],
            ["CB02", "Trần Thị Bình", "00123", "Phường Hòa Bình",
             "Phó Chủ tịch Ủy ban nhân dân phường"],
            ["CB03", "Lê Văn Cường", "26734", "Xã Tân Lập", "chuyên viên phòng văn hoá – xã hội"]]
    frame = read(csv(tmp_path, rows), positions=table)
    assert list(frame[C.POSITION]) == ["Chủ tịch UBND", "Phó Chủ tịch UBND",
                                       "Chuyên viên Phòng Văn hóa - Xã hội"]
    assert "'Chủ tịch UBND xã' được hiểu là 'Chủ tịch UBND'" in frame.attrs["notes"][0].render()
    rows[2][4] = "Chuyên viên Văn hoá"
    text = refused(csv(tmp_path, rows), positions=table)
    assert "chức vụ 'Chuyên viên Văn hoá' không có" in text and "dòng 4" in text
    assert "Chuyên viên Phòng Văn hóa - Xã hội" in text  # a candidate, not a guess


def test_reimport_matches_ids_that_changed_form_and_asks_before_many_leavers(
        new_workspace, tmp_path, capsys):
    ws = new_workspace()
    people = [[f"{i:05d}" if i % 2 else f"CB{i:03d}", f"Nguyễn Văn {chr(65 + i)}", "00123",
               "Phường Hòa Bình", "Chuyên viên"] for i in range(1, 9)]
    assert main(["roster", "import", str(ws.root), str(csv(tmp_path, people, "a.csv"))]) == 0
    # The next export lost the leading zeros and changed case: same people, no leaver.
    changed = [[str(int(p[0])) if p[0].isdigit() else p[0].lower(), *p[1:]] for p in people]
    capsys.readouterr()
    assert main(["roster", "import", str(ws.root), str(csv(tmp_path, changed, "b.csv"))]) == 0
    out = capsys.readouterr().out
    assert "0 mới" in out and "0 rời danh sách" in out and "1 → 00001" in out
    assert "cb002 → CB002" in out
    assert sorted(roster.load(ws.root)[C.LEARNER]) == sorted(p[0] for p in people)
    # A file with 2 of the 8 would mark 6 as leavers: refused without --yes.
    part = csv(tmp_path, people[:2], "c.csv")
    assert main(["roster", "import", str(ws.root), str(part)]) == 2
    err = capsys.readouterr().err
    assert "6/8 cán bộ (75%) là đã rời" in err and "--add-only" in err
    assert (roster.load(ws.root)[C.LEFT] == "").all()  # nothing written
    assert main(["roster", "import", str(ws.root), str(part), "--yes"]) == 0
    assert (roster.load(ws.root)[C.LEFT] != "").sum() == 6
