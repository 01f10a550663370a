"""Manual grading of one free-text item across learners: the gradebook holds what formgrader
would write (read back through nbgrader's own API and formgrader's own handler code path),
every change is audited, bad scores are refused, and the feedback shows the verdict."""
import re
import shutil

import pytest
from conftest import GRADED_COHORT, GRADED_NAMES, LIVE_MARKUP

from grading import columns as C
from grading.course import gradebook, manual
from grading.errors import GradingError

pytestmark = pytest.mark.kernel


@pytest.fixture
def ws(graded_mini, tmp_path):
    from grading.course import workspace as W

    shutil.copytree(graded_mini.root, tmp_path / "copy")
    return W.open_workspace(tmp_path / "copy")


def test_lists_every_answer_to_the_item_with_vietnamese_names(ws):
    assert list(manual.manual_items(ws, "mini")[C.ITEM]) == ["c4"]
    frame = manual.answers_for(ws, "mini", "c4")
    assert list(frame[C.LEARNER]) == ["L_a", "L_b", "L_c"]
    names = [GRADED_NAMES[k] for k in ("L_a", "L_b", "L_c")]
    names[1] = names[1].replace("<", "‹").replace(">", "›").replace("'", "’")  # formgrader prints
    assert list(frame[C.NAME]) == names  # names unescaped: no markup reaches its gradebook
    assert frame[manual.ANSWER].tolist() == [  # as typed: pages escape it, never run it
        "Không bấm đường dẫn, báo bộ phận CNTT.", GRADED_COHORT["L_b"]["c4"], ""]
    assert frame[manual.MANUAL].isna().all() and set(frame[C.MAX_SCORE]) == {2.0}


def test_scores_go_where_formgrader_puts_them_and_are_audited(ws):
    from nbgrader.api import Gradebook

    assert manual.set_grade(ws, "mini", "c4", "L_a", points=1.5, comment="Thiếu báo lãnh đạo.",
                            who="gv_hoa")
    assert manual.set_grade(ws, "mini", "c4", "L_b", points=0.5, who="gv_hoa")
    assert not manual.set_grade(ws, "mini", "c4", "L_b", points=0.5, who="gv_hoa")  # no change
    assert manual.set_grade(ws, "mini", "c4", "L_a", points=2, who="gv_lan")
    # read back through nbgrader's own Gradebook, as formgrader's handlers do
    with Gradebook(ws.db_url, ws.course_id) as gb:
        assert gb.find_grade("c4", "mini", "mini", "L_a").manual_score == 2.0
        assert gb.find_grade("c4", "mini", "mini", "L_b").manual_score == 0.5
        assert gb.find_grade("c4", "mini", "mini", "L_c").manual_score is None
        comment = gb.find_comment("c4", "mini", "mini", "L_a").manual_comment
        assert comment == "Thiếu báo lãnh đạo."
        # formgrader's submission score: auto (3 right) + manual 2
        assert gb.find_submission("mini", "L_a").score == 5.0
    log = manual.audit_log(ws.root)
    assert log[["nguoi_cham", "hoc_vien", "diem_cu", "diem_moi"]].values.tolist() == [
        ["gv_hoa", "L_a", "", "1.5"], ["gv_hoa", "L_b", "", "0.5"], ["gv_lan", "L_a", "1.5", "2"]]
    assert log["thoi_gian"].str.endswith("+07:00").all()
    # the report carries the audit log
    from grading import api

    paths = api.write_report(workspace=ws, out=ws.root / "bao_cao")["paths"]
    assert paths["manual_audit_csv"].read_text(encoding="utf-8-sig").count("gv_") == 3
    # the kit's own reading of the gradebook agrees
    grades = gradebook.read_grades(ws.db_url)
    row = grades[(grades[C.LEARNER] == "L_a") & (grades[C.ITEM] == "c4")].iloc[0]
    assert row[C.SCORE] == 2.0 and row[C.NEEDS_MANUAL] == 0


@pytest.mark.parametrize("points", [2.5, -1, "hai"])
def test_bad_points_are_refused_and_nothing_is_written(ws, points):
    with pytest.raises(GradingError) as err:
        manual.set_grade(ws, "mini", "c4", "L_a", points=points, who="gv")
    assert "từ 0 đến 2" in str(err.value)
    assert manual.audit_log(ws.root).empty
    with pytest.raises(GradingError):
        manual.set_grade(ws, "mini", "c1", "L_a", points=1, who="gv")  # an autograded item


def _feedback(ws, learner: str) -> str:
    return (ws.root / "feedback" / learner / "mini" / "mini.html").read_text(encoding="utf-8")


# nbgrader 0.9.6's release_feedback reads timestamp.txt without closing it (not ours)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_feedback_says_waiting_then_gives_the_verdict(ws):
    from grading import api

    assert api.feedback(workspace=ws, module="mini") == ["L_a", "L_b", "L_c"]
    page = _feedback(ws, "L_b")  # 2 of 5 automatic points, 2 waiting: 40 % or up to 80 %
    assert "Kết quả: Chờ giảng viên chấm câu tự luận" in page
    assert "chờ giảng viên chấm (tối đa 2 điểm)" in page
    assert re.search(r'<meta (?=[^>]*name="congvu-verdict")[^>]*content="cho_cham"', page)
    assert "Kết quả: Đạt" in _feedback(ws, "L_a")  # 3 of 5 = 60 %: passed whatever c4 gets
    manual.set_grade(ws, "mini", "c4", "L_b", points=0.5, comment="Chưa nêu báo cáo.", who="gv")
    api.feedback(workspace=ws, module="mini")
    page = _feedback(ws, "L_b")
    assert "Kết quả: Chưa đạt" in page and "chờ giảng viên chấm" not in page
    assert "Chưa nêu báo cáo." in page
    # L_b's attack cells are shown as text; the page itself runs no script at all
    assert "script-src" not in page and "default-src 'none'" in page
    assert not LIVE_MARKUP.search(page.split("<body", 1)[1])
    assert list((ws.root / "exchange").glob("*/feedback/*.html"))  # released via the exchange
