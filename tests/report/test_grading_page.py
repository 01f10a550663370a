"""The trainer's grading page, driven through its widgets as a trainer would: type points,
press Enter (the Text widget commits), the next learner comes up; scores land in the gradebook
and the audit log; a bad score shows a Vietnamese message and writes nothing."""
import shutil

import ipywidgets as W
import pytest

from grading.course import manual
from grading.course import workspace as WS
from grading.report import grading_page

pytestmark = pytest.mark.kernel


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def _find(box, kind, description=None, cls=None):
    return [w for w in _walk(box) if isinstance(w, kind)
            and (description is None or getattr(w, "description", None) == description)]


def test_grade_one_item_across_learners_from_the_page(graded_mini, tmp_path):
    shutil.copytree(graded_mini.root, tmp_path / "ws")
    ws = WS.open_workspace(tmp_path / "ws")
    page = grading_page.app(ws, who="gv_hoa")
    text = " ".join(w.value for w in _find(page, W.HTML))
    assert "Lê Minh Khoa" in text and "Bài 1 / 3" in text, text[-1500:]
    assert "Hướng dẫn chấm" in text
    [points] = _find(page, W.Text, "Điểm:")
    [comment] = _find(page, W.Textarea)
    comment.value = "Nêu đủ ý chính."
    points.value = "1,5"                     # Enter: saved, next learner shown
    text = " ".join(w.value for w in _find(page, W.HTML))
    assert "Nguyễn Thị Ánh" in text and "Bài 2 / 3" in text and points.value == ""
    points.value = "5"                       # over the maximum: refused, stays here
    text = " ".join(w.value for w in _find(page, W.HTML))
    assert "từ 0 đến 2" in text and "Nguyễn Thị Ánh" in text
    points.value = "0,5"
    frame = manual.answers_for(ws, "mini", "c4").set_index("learner_id")
    assert frame.loc["L_a", manual.MANUAL] == 1.5 and frame.loc["L_b", manual.MANUAL] == 0.5
    assert frame.loc["L_a", manual.COMMENT] == "Nêu đủ ý chính."
    log = manual.audit_log(ws.root)
    assert log["hoc_vien"].tolist() == ["L_a", "L_b"] and set(log["nguoi_cham"]) == {"gv_hoa"}
    assert "gv_hoa" in _find(page, W.HTML)[-1].value  # the audit table on the page
    [back] = _find(page, W.Button, "Bài trước")
    back.click()
    back.click()
    assert points.value == "1,5"             # reopening shows the saved score
