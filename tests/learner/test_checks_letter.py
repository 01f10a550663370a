"""Hands-on letter check: a .docx formatted per Nghị định 30/2020/NĐ-CP, graded on the file."""
import unicodedata

import pytest
from conftest import REPO
from docx import Document
from docx.shared import Mm, Pt

from grading.course import assessment
from grading.learner import checks
from grading.learner.checks import letter as vanban

PAGE = {"file": "cong_van.docx", "page": "A4",
        "margins_mm": {"top": [20, 25], "bottom": [20, 25], "left": [30, 35], "right": [15, 20]}}
FONT = {"file": "cong_van.docx", "font": "Times New Roman", "body_size_pt": [13, 14]}
DATE = {"file": "cong_van.docx", "date": [2026, 2, 5],
        "letterhead_without": ["huyện", "quận", "thị xã", "thị trấn"], "letterhead_has": "Phú Lộc"}
ALL = (PAGE, FONT, DATE)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(rules, capsys):
    vanban.letter("c9", rules)
    return capsys.readouterr()


def write(folder, **changes):
    vanban.build_letter(folder / "cong_van.docx", {**vanban.CORRECT, **changes})


def assert_fails(out, *words):
    assert out.out == ""
    assert out.err.startswith("Công văn chưa đạt")
    for word in words:
        assert word in out.err, out.err


def test_registered_with_its_solution():
    assert "letter" in checks.names()


def test_correct_letter_passes_every_rule(folder, capsys):
    write(folder)
    for rules in ALL:
        assert run(rules, capsys) == ("Đúng.\n", "")


def test_solve_passes_in_any_order_and_merges_rules(folder, capsys):
    other_date = {**DATE, "date": [2027, 1, 9]}
    for rules in (other_date, PAGE, FONT):
        vanban.solve(folder, "c", rules)
    for rules in (PAGE, FONT, other_date):
        assert run(rules, capsys) == ("Đúng.\n", "")
    text = "\n".join(p.text for t in Document(str(folder / "cong_van.docx")).tables
                     for c in t._cells for p in c.paragraphs)
    assert "ngày 09 tháng 01 năm 2027" in text


def test_template_fails_every_group_with_vietnamese_reasons(folder, capsys):
    vanban.write_template(folder / "cong_van.docx")
    assert_fails(run(PAGE, capsys), "Khổ giấy", "Lề trái đang là 25,4 mm", "30–35 mm")
    assert_fails(run(FONT, capsys), "phông Arial", "Cỡ chữ phần nội dung đang là 12 pt")
    assert_fails(run(DATE, capsys), "số 0", "\"huyện\"")


def test_shipped_template_is_the_wrong_letter(folder, capsys):
    shipped = REPO / "assessments" / "cntt_iu03" / vanban.TEMPLATE_FILE
    (folder / "cong_van.docx").write_bytes(shipped.read_bytes())
    for rules in ALL:
        assert run(rules, capsys).err


@pytest.mark.parametrize("side, value, label", [("left", 25.0, "Lề trái"), ("right", 25.0, "Lề phải"),
                                                ("top", 30.0, "Lề trên"), ("bottom", 15.0, "Lề dưới")])
def test_wrong_margin_fails(folder, capsys, side, value, label):
    write(folder, **{side: value})
    out = run(PAGE, capsys)
    assert_fails(out, label)
    assert out.err.count("\n- ") + out.err.startswith("- ") <= 1  # only that margin is reported


def test_margin_at_range_edge_in_word_units_passes(folder, capsys):
    # Word stores twips: 3 cm = 1701 twips = 30.007 mm, 2.5 cm = 1417 twips = 24.99 mm
    write(folder, left=30.007, top=24.99, right=14.99)
    assert run(PAGE, capsys).out == "Đúng.\n"


def test_letter_paper_fails(folder, capsys):
    write(folder, page="Letter")
    assert_fails(run(PAGE, capsys), "216 × 279 mm", "A4")


def test_wrong_font_fails(folder, capsys):
    write(folder, font="Arial")
    assert_fails(run(FONT, capsys), "phông Arial", "Times New Roman")


def test_theme_font_from_a_fresh_document_fails(folder, capsys):
    doc = Document()  # no explicit font anywhere: the theme's font (not Times New Roman)
    doc.add_paragraph("Kính gửi: Sở Nội vụ.")
    doc.add_paragraph("Nội dung công văn.").runs[0].font.size = Pt(14)
    doc.save(str(folder / "cong_van.docx"))
    out = run(FONT, capsys)
    assert_fails(out, "Có chữ đang dùng phông")
    assert "Times New Roman (" not in out.err


def test_font_and_size_inherited_from_styles_pass(folder, capsys):
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(14)
    doc.add_paragraph("Kính gửi: Sở Nội vụ.")
    doc.add_paragraph("Nội dung công văn, cỡ chữ lấy từ kiểu Normal.")
    doc.save(str(folder / "cong_van.docx"))
    assert run(FONT, capsys).out == "Đúng.\n"


def test_one_word_in_another_font_fails(folder, capsys):
    write(folder)
    doc = Document(str(folder / "cong_van.docx"))
    run_ = next(p for p in doc.paragraphs if p.text.startswith("Thực hiện")).add_run(" thêm")
    run_.font.name, run_.font.size = ".VnTime", Pt(14)
    doc.save(str(folder / "cong_van.docx"))
    assert_fails(run(FONT, capsys), "phông .VnTime")


def test_body_size_outside_range_fails_but_letterhead_size_is_free(folder, capsys):
    write(folder, size=12)
    assert_fails(run(FONT, capsys), "12 pt", "13–14 pt")
    write(folder, size=13)  # letterhead stays 12–13 pt: not body text
    assert run(FONT, capsys).out == "Đúng.\n"


@pytest.mark.parametrize("line", ["Phú Lộc, ngày 5 tháng 2 năm 2026", "Phú Lộc, ngày 05 tháng 2 năm 2026",
                                  "Phú Lộc, ngày 5 tháng 02 năm 2026"])
def test_unpadded_date_fails(folder, capsys, line):
    write(folder, place_date=line)
    out = run(DATE, capsys)
    assert_fails(out, "số 0", line.split(", ")[1])


def test_padding_rule_is_day_below_10_and_months_1_2(folder, capsys):
    rules = {**DATE, "date": [2026, 8, 15]}
    for line in ("Phú Lộc, ngày 15 tháng 8 năm 2026", "Phú Lộc, ngày 15 tháng 08 năm 2026"):
        write(folder, place_date=line)
        assert run(rules, capsys).out == "Đúng.\n"


def test_wrong_day_fails_without_revealing_it(folder, capsys):
    write(folder, place_date="Phú Lộc, ngày 06 tháng 02 năm 2026")
    out = run(DATE, capsys)
    assert_fails(out, "chưa đúng ngày ký ghi trong đề bài")
    assert "05" not in out.err


def test_missing_date_line_fails(folder, capsys):
    write(folder, place_date="Phú Lộc, 05/02/2026")
    assert_fails(run(DATE, capsys), "ngày … tháng … năm")


@pytest.mark.parametrize("issuer, word", [
    ("UBND HUYỆN TÂN PHÚ\nỦY BAN NHÂN DÂN XÃ PHÚ LỘC", "huyện"),
    ("UBND QUẬN 3\nỦY BAN NHÂN DÂN PHƯỜNG PHÚ LỘC", "quận"),
    ("UBND THỊ XÃ TÂN PHÚ\nỦY BAN NHÂN DÂN XÃ PHÚ LỘC", "thị xã"),
    ("ỦY BAN NHÂN DÂN\nTHỊ TRẤN PHÚ LỘC", "thị trấn"),
])
def test_legacy_district_in_letterhead_fails(folder, capsys, issuer, word):
    write(folder, issuer=issuer)
    assert_fails(run(DATE, capsys), f"\"{word}\"", "1/7/2025")


def test_legacy_district_in_nfd_is_caught(folder, capsys):
    write(folder, issuer=unicodedata.normalize("NFD", "UBND HUYỆN TÂN PHÚ\nỦY BAN NHÂN DÂN XÃ PHÚ LỘC"))
    assert_fails(run(DATE, capsys), "\"huyện\"")


def test_district_word_in_the_body_is_not_the_letterhead(folder, capsys):
    write(folder, body="Ủy ban nhân dân xã Phú Lộc (trước đây thuộc huyện Tân Phú) đề nghị ./.")
    assert run(DATE, capsys).out == "Đúng.\n"


def test_letterhead_must_name_the_commune(folder, capsys):
    write(folder, issuer="ỦY BAN NHÂN DÂN\nXÃ TÂN HÒA")
    out = run(DATE, capsys)
    assert_fails(out, "chưa ghi tên xã như trong đề bài")
    assert "Phú Lộc" not in out.err


def test_missing_and_unreadable_files(folder, capsys):
    assert_fails(run(PAGE, capsys), "Chưa có tệp cong_van.docx")
    (folder / "cong_van.docx").write_bytes(b"not a docx")
    assert_fails(run(PAGE, capsys), "không mở được")


def test_bad_rules_never_raise(folder, capsys):
    vanban.letter("c9", {"file": "cong_van.docx", "bogus": 1})
    out = capsys.readouterr()
    assert out.out == "" and "Không kiểm tra được" in out.err
    with pytest.raises(ValueError):
        vanban.solve(folder, "c9", {"file": "cong_van.docx", "bogus": 1})


def test_assessment_calls_are_literal_and_solvable(folder, capsys):
    nb = REPO / "assessments" / "cntt_iu03" / "cntt_iu03.ipynb"
    calls = [(args, kw) for name, args, kw in assessment.solution_calls(nb) if name == "letter"]
    assert len(calls) == 3
    for args, kw in calls:
        vanban.solve(folder, *args, **kw)
    for args, kw in calls:
        vanban.letter(*args, **kw)
        assert capsys.readouterr() == ("Đúng.\n", "")


# --------------------------------------------------------------------------- the form
def buttons(box):
    import ipywidgets as w

    found = []

    def walk(widget):
        if isinstance(widget, w.Button):
            found.append(widget)
        for child in getattr(widget, "children", ()):
            walk(child)
    walk(box)
    return {b.description: b for b in found}


def controls(box):
    import ipywidgets as w

    found = []

    def walk(widget):
        if isinstance(widget, (w.Text, w.Textarea, w.Dropdown, w.BoundedFloatText)):
            found.append(widget)
        for child in getattr(widget, "children", ()):
            walk(child)
    walk(box)
    return {c.description: c for c in found}


def test_form_starts_wrong_and_writes_a_correct_letter_once_fixed(folder, capsys):
    from grading.learner import items

    box = vanban.letter_form("cong_van.docx")
    save = buttons(box)["Lưu thành tệp cong_van.docx"]
    save.click()
    assert (folder / "cong_van.docx").exists()
    assert run(PAGE, capsys).err  # the starting values are the old, wrong letter
    fields = controls(box)
    fields["Khổ giấy:"].value = "A4"
    for label, value in (("Lề trên (mm):", 20), ("Lề dưới (mm):", 20), ("Lề trái (mm):", 30),
                         ("Lề phải (mm):", 15)):
        fields[label].value = value
    fields["Phông chữ:"].value = "Times New Roman"
    fields["Cỡ chữ nội dung (pt):"].value = 14
    fields["Tên cơ quan ban hành:"].value = "ỦY BAN NHÂN DÂN\nXÃ PHÚ LỘC"
    fields["Địa danh, ngày tháng:"].value = "Phú Lộc, ngày 05 tháng 02 năm 2026"
    assert items.answer("bieu_mau_cong_van")["font"] == "Times New Roman"  # kept for restarts
    save.click()
    for rules in ALL:
        assert run(rules, capsys) == ("Đúng.\n", "")
    again = controls(vanban.letter_form("cong_van.docx"))
    assert again["Phông chữ:"].value == "Times New Roman"


def test_form_asks_before_overwriting_an_uploaded_file(folder):
    write(folder)  # as if uploaded from Word
    before = (folder / "cong_van.docx").read_bytes()
    box = vanban.letter_form("cong_van.docx")
    save = buttons(box)["Lưu thành tệp cong_van.docx"]
    save.click()
    assert (folder / "cong_van.docx").read_bytes() == before
    save.click()
    assert (folder / "cong_van.docx").read_bytes() != before


def test_form_practice_button_lists_problems(folder):
    box = vanban.letter_form("luyen_tap.docx", practice_rules={**PAGE, "file": "luyen_tap.docx"})
    found = buttons(box)
    found["Kiểm tra tệp"].click()
    feedback = box.children[-1].value
    assert "Chưa có tệp luyen_tap.docx" in feedback
    found["Lưu thành tệp luyen_tap.docx"].click()
    found["Kiểm tra tệp"].click()
    assert "Lề trái" in box.children[-1].value


def test_form_static_fallback_says_whether_the_file_exists(folder):
    box = vanban.letter_form("cong_van.docx")
    assert "chưa có" in box._repr_mimebundle_()["text/plain"]
    write(folder)
    assert "đã có" in box._repr_mimebundle_()["text/plain"]


def test_letter_page_size_set_in_mm(folder):
    write(folder)
    section = Document(str(folder / "cong_van.docx")).sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.1)
