"""Hands-on table check: the cells the learner filled in a spreadsheet-like grid."""
import json
import unicodedata

import ipywidgets as w
import pytest
from conftest import REPO

from grading.course import assessment
from grading.learner import checks, items
from grading.learner.checks import table as bang

EXPECTED = {"F2": "Có", "F3": "Không", "B5": "8", "B6": "37,5", "E2": "06/10/2026"}
COLUMNS = ["Mã hồ sơ", "Lĩnh vực", "Hạn trả", "Ngày trả", "Ngày hẹn", "Trễ hạn?"]
ROWS = [["HS-1", "Hộ tịch", "30/09/2026", "01/10/2026", None, None],
        ["HS-2", "Chứng thực", "02/10/2026", "02/10/2026", "", None]]


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys, expected=EXPECTED):
    bang.table("c10", expected)
    return capsys.readouterr()


def test_registered_with_its_solution():
    assert "table" in checks.names()


@pytest.mark.parametrize("given, key", [
    ("Có", "có"), (" Không ", "Không"), ("37,5", "37,5"), ("37.5", "37,5"), ("37,5%", "37,5"),
    ("37,50", "37.5"), ("8", "8"), ("8,0", "8"), ("6/10/2026", "06/10/2026"),
    ("06-10-2026", "06/10/2026"), (unicodedata.normalize("NFD", "Hộ tịch"), "Hộ tịch"),
    ("Hộ  tịch", "Hộ tịch")])
def test_cells_match_leniently(given, key):
    assert bang.same_cell(given, key)


@pytest.mark.parametrize("given, key", [
    ("Không", "Có"), ("37", "37,5"), ("", "0"), (None, "0"), ("10/06/2026", "06/10/2026"),
    ("8 hồ sơ", "8"), ("0,375", "37,5")])
def test_cells_that_differ(given, key):
    assert not bang.same_cell(given, key)


def test_all_right_passes(folder, capsys):
    bang.solve(folder, "c10", EXPECTED)
    assert run(capsys) == ("Đúng.\n", "")


def test_wrong_cells_are_counted_without_revealing_values_or_addresses(folder, capsys):
    items.save_answer("c10", {**EXPECTED, "F2": "Không", "B6": "37"})
    out = run(capsys)
    assert out.out == ""
    assert "Còn 2 ô chưa đúng hoặc chưa điền (trong 5 ô được chấm)" in out.err
    for secret in ("Có", "37,5", "06/10/2026", "F2", "B6"):
        assert secret not in out.err


def test_missing_cell_counts_as_wrong(folder, capsys):
    partial = dict(EXPECTED)
    del partial["E2"]
    items.save_answer("c10", partial)
    assert "Còn 1 ô" in run(capsys).err


def test_blank_and_tampered_answers_score_zero_without_raising(folder, capsys):
    assert run(capsys) == ("", "Chưa điền ô nào của bảng này.\n")
    items.save_answer("c10", ["F2", "Có"])
    assert run(capsys).err == "Chưa điền ô nào của bảng này.\n"
    items.save_answer("c10", {"F2": {"nested": 1}})
    assert "Còn 5 ô" in run(capsys).err


def test_extra_cells_are_ignored(folder, capsys):
    items.save_answer("c10", {**EXPECTED, "Z9": "ghi thêm"})
    assert run(capsys).out == "Đúng.\n"


# --------------------------------------------------------------------------- the grid widget
def inputs(box):
    found = []

    def walk(widget):
        if isinstance(widget, (w.Text, w.Dropdown)):
            found.append(widget)
        for child in getattr(widget, "children", ()):
            walk(child)
    walk(box)
    return {widget.tooltip.split()[1]: widget for widget in found}


def test_grid_saves_every_cell_as_typed_and_shows_saved(folder, capsys):
    box = bang.grid("c10", "Câu 10.", COLUMNS, ROWS, choices={"Trễ hạn?": ["Có", "Không"]})
    cells = inputs(box)
    assert set(cells) == {"E2", "F2", "F3"}  # given cells ("" included) are not inputs
    assert isinstance(cells["F2"], w.Dropdown) and isinstance(cells["E2"], w.Text)
    status = box.children[2]
    assert status.value == "Chưa điền ô nào"
    cells["F2"].value = "Có"
    cells["E2"].value = unicodedata.normalize("NFD", "06/10/2026 ")
    assert "Đã lưu" in status.value and "2/3" in status.value
    saved = json.loads((folder / items.ANSWERS_FILE).read_text(encoding="utf-8"))
    assert saved["c10"] == {"E2": "06/10/2026", "F2": "Có"}
    cells["F3"].value = "Không"
    bang.table("c10", {"E2": "06/10/2026", "F2": "Có", "F3": "Không"})
    assert capsys.readouterr().out == "Đúng.\n"


def test_grid_clearing_every_cell_removes_the_answer(folder):
    box = bang.grid("c10", "Câu 10.", COLUMNS, ROWS, choices={"Trễ hạn?": ["Có", "Không"]})
    cells = inputs(box)
    cells["F2"].value = "Có"
    cells["F2"].value = ""
    assert items.answer("c10") is None


def test_grid_reloads_saved_cells_after_restart(folder):
    items.save_answer("c10", {"F2": "Không", "E2": "01/10/2026", "F3": "not an option"})
    cells = inputs(bang.grid("c10", "Câu 10.", COLUMNS, ROWS, choices={"Trễ hạn?": ["Có", "Không"]}))
    assert cells["F2"].value == "Không" and cells["E2"].value == "01/10/2026"
    assert cells["F3"].value == ""


def test_grid_is_keyboard_ordered_row_by_row(folder):
    box = bang.grid("c10", "Câu 10.", COLUMNS, ROWS, choices={"Trễ hạn?": ["Có", "Không"]})
    sheet = box.children[1]
    order = [c.tooltip.split()[1] for c in sheet.children if isinstance(c, (w.Text, w.Dropdown))]
    assert order == ["E2", "F2", "F3"]  # Tab follows reading order, like a spreadsheet


def test_grid_practice_check_and_static_fallback(folder):
    box = bang.grid("lt4", "Luyện tập.", COLUMNS, ROWS, choices={"Trễ hạn?": ["Có", "Không"]},
                    key={"F2": "Có", "F3": "Không"}, explanation="Vì …")
    cells = inputs(box)
    button, feedback = box.children[3], box.children[4]
    cells["F2"].value = "Có"
    button.click()
    assert "Còn 1 ô" in feedback.value
    cells["F3"].value = "Không"
    button.click()
    assert "Chính xác" in feedback.value and "Vì …" in feedback.value
    text = box._repr_mimebundle_()["text/plain"]
    assert "[Có]" in text and "[Không]" in text and "HS-1" in text


def test_grid_rejects_ragged_rows(folder):
    with pytest.raises(ValueError):
        bang.grid("c1", "?", ["A", "B"], [["x"]])


def test_assessment_grids_match_their_hidden_tests(folder, capsys):
    """Every expected cell of a hidden test is an input cell of the grid the learner sees."""
    import ast

    import nbformat

    nb = nbformat.read(str(REPO / "assessments" / "cntt_iu04" / "cntt_iu04.ipynb"), as_version=4)
    calls = {args[0]: args[1] for name, args, _ in assessment.solution_calls(
        REPO / "assessments" / "cntt_iu04" / "cntt_iu04.ipynb") if name == "table"}
    assert set(calls) == {"c9", "c10", "c11"}
    for cell in nb.cells:
        if cell.cell_type == "code" and "bang.grid(" in cell.source:
            call = ast.parse(cell.source).body[0].value
            item_id, _question, columns, rows = (ast.literal_eval(a) for a in call.args)
            kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
            cells = inputs(bang.grid(item_id, "?", columns, rows, **kwargs))
            assert set(cells) == set(calls[item_id]), item_id
            for addr, value in calls[item_id].items():
                if isinstance(cells[addr], w.Dropdown):
                    assert value in [v for _, v in cells[addr].options]
    for item_id, expected in calls.items():
        bang.solve(folder, item_id, expected)
        bang.table(item_id, expected)
        assert capsys.readouterr() == ("Đúng.\n", "")
