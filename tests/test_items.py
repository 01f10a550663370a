"""Item widgets: what the learner clicks is saved at once, survives a restart, and is graded."""
import json
import unicodedata

import pytest

from grading import items as cv


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_click_saves_immediately_and_reopen_shows_it(in_tmp):
    box = cv.single_choice("c1", "Câu 1?", ["Một", "Hai", "Ba"])
    radio = box.children[1]
    radio.value = "A"
    radio.value = "C"  # changed their mind: the last choice counts
    assert json.loads((in_tmp / cv.ANSWERS_FILE).read_text(encoding="utf-8")) == {"c1": "C"}
    assert "Đã lưu" in box.children[2].value
    again = cv.single_choice("c1", "Câu 1?", ["Một", "Hai", "Ba"])  # new kernel, cell re-run
    assert again.children[1].value == "C"
    assert "Đã lưu" in again.children[2].value


def test_each_kind_round_trips():
    m = cv.multiple_choice("c2", "Câu 2?", ["a", "b", "c"])
    m.children[1].children[0].value = True
    m.children[1].children[2].value = True
    t = cv.true_false("c3", "Câu 3.")
    t.children[1].value = False
    f = cv.free_text("c4", "Câu 4?")
    f.children[1].value = unicodedata.normalize("NFD", "  Tôi báo lãnh đạo.  ")
    saved = cv.load_answers()
    assert saved == {"c2": ["A", "C"], "c3": False, "c4": "Tôi báo lãnh đạo."}
    assert unicodedata.is_normalized("NFC", saved["c4"])
    m2 = cv.multiple_choice("c2", "Câu 2?", ["a", "b", "c"])
    assert [b.value for b in m2.children[1].children] == [True, False, True]
    assert cv.true_false("c3", "Câu 3.").children[1].value is False


def test_unticking_everything_means_unanswered():
    m = cv.multiple_choice("c2", "Câu 2?", ["a", "b"])
    m.children[1].children[0].value = True
    m.children[1].children[0].value = False
    assert "c2" not in cv.load_answers()
    assert m.children[2].value == "Chưa trả lời"


def test_score_passes_only_the_key_and_never_reveals_it(capsys):
    cv.save_answer("c1", "B")
    cv.save_answer("c2", ["C", "A"])
    cv.save_answer("c3", True)
    cv.score("c1", "b")
    cv.score("c2", ["A", "C"])
    cv.score("c3", True)
    assert capsys.readouterr() == ("Đúng.\nĐúng.\nĐúng.\n", "")  # no stderr: full points
    cv.score("c1", "D")
    err = capsys.readouterr().err  # stderr output: nbgrader scores the cell 0
    assert "chưa đúng" in err and "bạn chọn: B" in err and "D" not in err
    cv.score("c9", "A")
    assert "Chưa trả lời" in capsys.readouterr().err
    cv.score("c3", 1)  # True must not equal 1
    assert capsys.readouterr().err


def test_graded_items_have_no_check_button_practice_items_do():
    graded = cv.single_choice("c1", "Q", ["x", "y"])
    assert len(graded.children) == 3
    practice = cv.single_choice("lt1", "Q", ["x", "y"], key="B", explanation="Vì y đúng.")
    button, feedback = practice.children[3], practice.children[4]
    practice.children[1].value = "A"
    button.click()
    assert "Chưa đúng" in feedback.value and "Vì y" not in feedback.value
    practice.children[1].value = "B"
    button.click()
    assert "Chính xác" in feedback.value and "Vì y đúng." in feedback.value


def test_static_fallback_shows_the_saved_answer():
    box = cv.true_false("c3", "Câu 3.")
    box.children[1].value = True
    bundle = box._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "Câu trả lời đã lưu: Đúng" in bundle["text/plain"]
    assert "Câu trả lời đã lưu: Đúng" in bundle["text/html"]


def test_corrupt_answers_file_reads_as_unanswered(in_tmp):
    (in_tmp / cv.ANSWERS_FILE).write_text("{not json", encoding="utf-8")
    assert cv.answer("c1") is None
    cv.save_answer("c1", "A")
    assert cv.answer("c1") == "A"
