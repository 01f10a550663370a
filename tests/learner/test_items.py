"""Item widgets: what the learner clicks is saved at once, survives a restart, and is graded."""
import json
import subprocess
import sys
import unicodedata
from concurrent.futures import ThreadPoolExecutor

import pytest

from grading.learner import answers, checks, nbhooks
from grading.learner import items as cv

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def status(box) -> str:
    return box.children[2].value


def test_overlapping_saves_keep_every_answer(in_tmp):
    """Widget callbacks run in a kernel subshell thread beside the cells (ipykernel 7), and an
    assessment may be open in two kernels: saves that overlap must each keep the others'."""
    other = subprocess.Popen([sys.executable, "-c", (
        "from grading.learner import answers\n"
        "for i in range(40):\n"
        "    answers.save_answer(f'p{i}', 'khác', '.')\n"
        "    answers.record_draw(f'pool{i}', ['a'], '.')\n")], cwd=in_tmp)
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda i: answers.save_answer(f"t{i}", i), range(120)))
        list(pool.map(lambda i: answers.record_order(f"t{i}", "BA"), range(40)))
    assert other.wait(timeout=60) == 0
    saved = answers.load_answers()
    assert {k for k in saved if k[0] in "pt"} == {f"t{i}" for i in range(120)} | {
        f"p{i}" for i in range(40)}
    assert len(saved[answers.ORDER_KEY]) == 40 and len(saved[answers.DRAW_KEY]) == 40


def test_click_saves_immediately_and_reopen_shows_it(in_tmp):
    box = cv.single_choice("c1", "Câu 1?", ["Một", "Hai", "Ba"], shuffle=False)
    radio = box.children[1]
    radio.value = "A"
    radio.value = "C"  # changed their mind: the last choice counts
    assert json.loads((in_tmp / cv.ANSWERS_FILE).read_text(encoding="utf-8")) == {"c1": "C"}
    assert "Đã lưu" in status(box) and 'role="status"' in status(box)
    # new kernel, cell re-run
    again = cv.single_choice("c1", "Câu 1?", ["Một", "Hai", "Ba"], shuffle=False)
    assert again.children[1].value == "C"
    assert "Đã lưu" in status(again)


def test_each_kind_round_trips():
    m = cv.multiple_choice("c2", "Câu 2?", ["a", "b", "c"], shuffle=False)
    m.children[1].children[0].value = True
    m.children[1].children[2].value = True
    t = cv.true_false("c3", "Câu 3.")
    t.children[1].value = False
    f = cv.free_text("c4", "Câu 4?")
    f.children[1].value = unicodedata.normalize("NFD", "  Tôi báo lãnh đạo.  ")
    n = cv.numeric("c5", "Câu 5?", unit="triệu đồng")
    n.children[1].children[0].value = "12,5"
    s = cv.short_text("c6", "Câu 6?")
    s.children[1].value = "  ứng dụng   VNeID "
    saved = cv.load_answers()
    assert saved == {"c2": ["A", "C"], "c3": False, "c4": "Tôi báo lãnh đạo.", "c5": 12.5,
                     "c6": "ứng dụng VNeID"}
    assert unicodedata.is_normalized("NFC", saved["c4"])
    m2 = cv.multiple_choice("c2", "Câu 2?", ["a", "b", "c"], shuffle=False)
    assert [b.value for b in m2.children[1].children] == [True, False, True]
    assert cv.true_false("c3", "Câu 3.").children[1].value is False
    assert cv.numeric("c5", "Câu 5?").children[1].children[0].value == "12,5"
    assert cv.short_text("c6", "Câu 6?").children[1].value == "ứng dụng VNeID"


def test_unticking_everything_means_unanswered():
    m = cv.multiple_choice("c2", "Câu 2?", ["a", "b"], shuffle=False)
    m.children[1].children[0].value = True
    m.children[1].children[0].value = False
    assert "c2" not in cv.load_answers()
    assert "Chưa trả lời" in status(m)


@pytest.mark.parametrize("typed, number", [
    ("12,5", 12.5), ("12.5", 12.5), ("1.500.000", 1_500_000), ("1.500", 1500), ("1 500", 1500),
    ("0.125", 0.125), ("1,5", 1.5), ("1,500,000", 1_500_000), ("1.500,25", 1500.25),
    ("-3", -3), ("+7", 7), ("07", 7)])
def test_numbers_read_as_vietnamese_officials_type_them(typed, number):
    assert answers.parse_number(typed) == pytest.approx(number)


@pytest.mark.parametrize("typed", ["", "abc", "12,", "12.5.3", "1.50.0", "12,5 triệu", "1e5"])
def test_what_is_not_a_number_is_refused(typed):
    assert answers.parse_number(typed) is None


def test_numbers_are_shown_unambiguously():
    assert answers.format_number(1_500_000) == "1 500 000"
    assert answers.format_number(12.5) == "12,5"
    assert answers.format_number(7.0) == "7"


def test_numeric_item_shows_what_it_read_and_refuses_text():
    n = cv.numeric("c5", "Câu 5?")
    box = n.children[1].children[0]
    box.value = "1.500"
    assert cv.load_answers() == {"c5": 1500.0}
    assert "số đã ghi nhận: 1 500" in status(n)
    box.value = "mười hai"  # not a number: nothing stale is kept, and the learner is told
    assert cv.load_answers() == {}
    assert "Chưa lưu" in status(n) and "12,5" in status(n)


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


def test_score_number_uses_the_tolerance(capsys):
    cv.save_answer("c5", 12.46)
    cv.score_number("c5", 12.5, tol=0.1)
    assert capsys.readouterr() == ("Đúng.\n", "")
    cv.score_number("c5", 12.5, tol=0.01)
    err = capsys.readouterr().err
    assert "bạn trả lời: 12,46" in err and "12,5" not in err.replace("12,46", "")
    cv.save_answer("c5", "12.46")  # a string is not a number answer
    cv.score_number("c5", 12.46)
    assert capsys.readouterr().err


def test_score_text_ignores_case_spacing_and_end_punctuation(capsys):
    cv.save_answer("c6", "  vneid. ")
    cv.score_text("c6", ["VNeID", "ứng dụng VNeID"])
    assert capsys.readouterr() == ("Đúng.\n", "")
    cv.save_answer("c6", "ung dung VNeID")
    cv.score_text("c6", ["ứng dụng VNeID"])
    assert capsys.readouterr().err  # accents matter by default
    cv.score_text("c6", ["ứng dụng VNeID"], ignore_accents=True)
    assert capsys.readouterr() == ("Đúng.\n", "")


def test_explanation_follows_the_verdict_on_the_same_stream(capsys):
    cv.save_answer("c1", "A")
    cv.score("c1", "B", explanation="Vì B an toàn hơn.")
    assert capsys.readouterr() == ("", "Câu trả lời chưa đúng (bạn chọn: A).\n"
                                       "Giải thích: Vì B an toàn hơn.\n")
    cv.score("c1", "A", explanation="Đúng vậy.")
    assert capsys.readouterr() == ("Đúng.\nGiải thích: Đúng vậy.\n", "")


def test_every_item_check_is_registered_with_a_solution(in_tmp, capsys):
    assert {"score", "score_number", "score_text"} <= checks.names()
    checks.solve("score", in_tmp, "c1", "B", explanation="...")
    checks.solve("score_number", in_tmp, "c5", 12.5, tol=0.1)
    checks.solve("score_text", in_tmp, "c6", ["VNeID", "ứng dụng VNeID"])
    cv.score("c1", "B")
    cv.score_number("c5", 12.5, tol=0.1)
    cv.score_text("c6", ["VNeID", "ứng dụng VNeID"])
    assert capsys.readouterr() == ("Đúng.\n" * 3, "")


def test_graded_items_have_no_check_button_practice_items_do():
    graded = cv.single_choice("c1", "Q", ["x", "y"], shuffle=False)
    assert len(graded.children) == 3
    practice = cv.single_choice("lt1", "Q", ["x", "y"], key="B", explanation="Vì y đúng.")
    button, feedback = practice.children[3], practice.children[4]
    practice.children[1].value = "A"
    button.click()
    assert "Chưa đúng" in feedback.value and "Vì y" not in feedback.value
    practice.children[1].value = "B"
    button.click()
    assert "Chính xác" in feedback.value and "Vì y đúng." in feedback.value


def test_practice_numeric_and_short_text_items_check_at_once():
    n = cv.numeric("lt5", "Q", key=7, tol=0.5, explanation="Bảy ký tự.")
    n.children[1].children[0].value = "7,2"
    n.children[3].click()
    assert "Chính xác" in n.children[4].value and "Bảy ký tự." in n.children[4].value
    s = cv.short_text("lt6", "Q", key=["VNeID"], ignore_accents=True)
    s.children[1].value = "vneid"
    s.children[3].click()
    assert "Chính xác" in s.children[4].value


def test_static_fallback_shows_the_saved_answer_and_names_the_item():
    box = cv.single_choice("c1", "Câu 1.", ["Một", "Hai"], shuffle=False)
    box.children[1].value = "B"
    data, metadata = box._repr_mimebundle_()
    assert WIDGET_VIEW in data
    assert "Câu trả lời đã lưu: B. Hai" in data["text/plain"]
    assert "Câu trả lời đã lưu: B. Hai" in data["text/html"]
    assert metadata[cv.META_KEY]["id"] == "c1"


def test_while_grading_items_draw_what_autograde_keeps_without_widgets(in_tmp, monkeypatch):
    """CONGVU_GRADING=1 (set by the sandbox): no widget is built, and the output is what
    autograde keeps of the widget's (StaticWidgetOutputs drops only the widget view)."""
    cv.pool("p", ["c6", "c7"], draw=1)
    calls = [lambda: cv.single_choice("c1", "Câu 1.", ["Một", "Hai"], shuffle=True),
             lambda: cv.multiple_choice("c2", "Câu 2.", ["a", "b", "c"]),
             lambda: cv.true_false("c3", "Câu 3."), lambda: cv.numeric("c4", "Câu 4."),
             lambda: cv.short_text("c5", "Câu 5."), lambda: cv.free_text("c6", "Câu 6."),
             lambda: cv.free_text("c7", "Câu 7.")]
    answers.save_answer("c1", "B")
    answers.save_answer("c2", ["A", "C"])
    answers.save_answer("c4", 12.5)
    widgets = [call()._repr_mimebundle_() for call in calls]
    monkeypatch.setenv("CONGVU_GRADING", "1")
    static = [call() for call in calls]
    assert not any(isinstance(item, cv.w.Widget) for item in static)
    for (data, meta), item in zip(widgets, static):
        kept = {k: v for k, v in data.items() if k != WIDGET_VIEW}
        assert item._repr_mimebundle_() == (kept, meta)
    assert {static[5]._meta["kind"], static[6]._meta["kind"]} == {"free_text", cv.NOT_DRAWN}


def test_a_reopened_notebook_shows_the_answers_saved_now(in_tmp):
    """What the learner's JupyterLab does on save and open (nbhooks.static_items)."""
    box = cv.true_false("c3", "Câu 3.")
    data, metadata = box._repr_mimebundle_()  # displayed before any answer
    nb = {"cells": [{"cell_type": "code", "source": 'cv.true_false("c3", "Câu 3.")',
                     "metadata": {}, "outputs": [{"output_type": "display_data",
                                                  "data": data, "metadata": metadata}]}]}
    box.children[1].value = False  # answered after the output was drawn
    assert nbhooks.static_items(nb, in_tmp) == 1
    out = nb["cells"][0]["outputs"][0]["data"]
    assert WIDGET_VIEW not in out  # no "Error displaying widget" without a kernel
    assert "Câu trả lời đã lưu: Sai" in out["text/html"] and "Chạy tất cả các ô" in out["text/html"]
    assert nbhooks.hide_item_sources(nb) == 1
    assert nb["cells"][0]["metadata"]["jupyter"]["source_hidden"] is True


def test_corrupt_answers_file_reads_as_unanswered(in_tmp):
    (in_tmp / cv.ANSWERS_FILE).write_text("{not json", encoding="utf-8")
    assert cv.answer("c1") is None
    cv.save_answer("c1", "A")
    assert cv.answer("c1") == "A"


@pytest.mark.kernel
def test_feedback_is_vietnamese_with_answers_scores_explanations_and_no_keys(tmp_path):
    """Real nbgrader: fetch, answer, submit, collect, autograde, generate_feedback."""
    from browser_course import EXPLAIN_C1, RIGHT, make_course

    from grading.course import exchange as learners
    from grading.course import workspace as W
    from grading.engine import batch as autograde

    ws = W.init(directory=tmp_path / "ws", manifest_path=make_course(tmp_path))
    W.release(ws)
    home = tmp_path / "homes"
    folder = learners.fetch(ws, home / "L1", "mini", "L1")
    learners.answer(folder, {**RIGHT, "c1": "A", "c6": None})  # c1 wrong, c6 unanswered
    learners.submit(ws, home / "L1", "mini", "L1")
    autograde.collect(ws, "mini")
    autograde.grade(workspace=ws, assignment="mini", jobs=1, progress=False)
    result = ws.api().generate_feedback("mini", "L1", force=True)
    assert result["success"], result.get("log")
    html = (ws.root / "feedback/L1/mini/mini.html").read_text(encoding="utf-8")
    assert '<html lang="vi">' in html and "Kết quả bài làm" in html
    assert "Điểm: 3 / 7" in html  # c2, c3, c5 right; c1 wrong; c6 unanswered; c4 by hand
    assert "Câu trả lời đã lưu: A. 123456" in html  # the learner's own answer
    assert "Câu trả lời chưa đúng (bạn chọn: A)." in html
    assert f"Giải thích: {EXPLAIN_C1}" in html  # explanation from the hidden test
    assert "Câu 6" in html and "Chưa trả lời câu này (0 điểm)." in html
    for english in ("Student's answer", "Test cell", "Score:", "Grade cell"):
        assert english not in html
    for secret in ("cv.score", "HIDDEN", "score_number", "score_text", "'C'"):
        assert secret not in html  # no answer key, no test code
