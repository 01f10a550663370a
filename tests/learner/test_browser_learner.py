"""A learner in a real browser: `make lab`'s JupyterLab, in Vietnamese, driven by Playwright.

Chromium is Debian's package (tests/conftest.py); the server is the command `make lab` runs
(grading/lab.py). The learner fetches from the assignment list, answers with mouse and keys,
saves, restarts the kernel, closes and reopens the notebook, submits from the assignment list;
then the trainer collects and autogrades with nbgrader, and the score matches the clicks.

Set CONGVU_UPDATE_IMG=1 to also refresh the help screenshots in courses/img/.
"""
import json
import os
import re
import shutil

import nbformat
import pytest
from browser_course import make_course
from browser_lab import Learner, running_lab
from conftest import REPO, TEST_OUTPUT
from playwright.sync_api import expect

from grading import columns as C
from grading.course import gradebook
from grading.course import workspace as W
from grading.engine import batch as autograde
from grading.learner import lab

pytestmark = [pytest.mark.kernel, pytest.mark.browser]

LEARNER = "L1"
# c3's key is False: the learner first picks "Sai", then changes their mind to "Đúng".
EXPECTED_ANSWERS = {"c1": "C", "c2": ["A", "B"], "c3": True, "c4": "Tôi báo lãnh đạo.",
                    "c5": 7.0, "c6": "vneid"}
EXPECTED_SCORES = {"c1": 1.0, "c2": 1.0, "c3": 0.0, "c4": 0.0, "c5": 1.0, "c6": 1.0}
LESSONS = ["courses/cntt_antt/bai_01_an_toan_thong_tin.ipynb",
           "courses/daoduc_motcua/bai_01_ung_xu_mot_cua.ipynb"]
VI_MENUS = {"Tệp", "Chỉnh sửa", "Hiển thị", "Chạy", "Cài đặt", "Trợ giúp"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def shot(page, name: str, help_image: str | None = None) -> None:
    """Screenshot to test-output/; with CONGVU_UPDATE_IMG=1 also to courses/img/ (help)."""
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / name))
    if help_image and os.environ.get("CONGVU_UPDATE_IMG"):
        shutil.copy(TEST_OUTPUT / name, REPO / "courses" / "img" / help_image)


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    ws = W.init(directory=tmp / "ws", manifest_path=make_course(tmp))
    W.release(ws)
    return ws


@pytest.fixture(scope="module")
def server(ws):
    TEST_OUTPUT.mkdir(exist_ok=True)
    with running_lab(ws, LEARNER, log=TEST_OUTPUT / "jupyterlab.log") as launch:
        yield launch


def item(page, question: str):
    """The output area of one item widget, found by its question text."""
    return page.locator(".jp-OutputArea-output", has_text=question).last


def test_make_lab_config_points_nbgrader_at_the_workspace_in_vietnamese(ws, server):
    conf = server.home / ".jupyter"
    assert server.env["JUPYTER_CONFIG_DIR"] == str(conf)
    assert "--ServerApp.ip=127.0.0.1" in server.argv and "--LabApp.custom_css=True" in server.argv
    cfg = (conf / "nbgrader_config.py").read_text(encoding="utf-8")
    assert f"c.Exchange.root = {str(ws.root / 'exchange')!r}" in cfg
    assert "c.CourseDirectory.course_id = 'mini'" in cfg
    assert f"c.CourseDirectory.student_id = {LEARNER!r}" in cfg
    overrides = json.loads((conf / "lab/settings/overrides.json").read_text(encoding="utf-8"))
    assert overrides["@jupyterlab/translation-extension:plugin"]["locale"] == "vi_VN"
    pages = json.loads((conf / "labconfig/page_config.json").read_text(encoding="utf-8"))
    assert pages["disabledExtensions"]["@jupyter/nbgrader:formgrader"] is True
    server_cfg = json.loads((conf / "jupyter_server_config.json").read_text(encoding="utf-8"))
    assert server_cfg["ServerApp"]["jpserver_extensions"][
        "nbgrader.server_extensions.formgrader"] is False
    assert (server.home / lab.LESSONS_DIR / "mini" / "bai_01.ipynb").is_file()
    assert (server.home / lab.LESSONS_DIR / "img" / "cach_dung_tra_loi.png").is_file()


def test_learner_answers_saves_reopens_submits_and_the_grade_matches(ws, server, page):
    me = Learner(page, server.url, course="mini")
    me.open_lab()
    assert VI_MENUS <= set(me.menu_labels())
    # first launch: the assignment list ("Bài tập") is already open
    expect(page.locator("#released_assignments_list .list_item")).to_contain_text("mini")
    assert me.label(".lm-TabBar-tab[data-id='nbgrader-assignment-list'] .lm-TabBar-tabLabel") \
        == "Bài tập"
    assert me.label("#released_assignments_list .item_status > button") == "Nhận bài"
    me.fetch("mini")
    me.open_from_assignments("mini", "mini")
    me.run_all()

    # c1: mouse on A, then keyboard: Tab, Tab, Space -> C
    c1 = item(page, "Câu 1.")
    c1.locator("input[type=radio]").first.click()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    # c2: Space ticks A, Tab, Space ticks B
    c2 = item(page, "Câu 2.")
    c2.locator("input[type=checkbox]").first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    # c3: "Sai", then the learner changes their mind: Shift+Tab, Space -> "Đúng" (last counts)
    c3 = item(page, "Câu 3.")
    c3.get_by_role("button", name="Sai").click()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")
    item(page, "Câu 5.").locator("input").fill("7,0")  # Vietnamese decimal comma
    item(page, "Câu 6.").locator("input").fill("vneid")
    item(page, "Câu 4.").locator("textarea").fill("Tôi báo lãnh đạo.")
    for question in ("Câu 1.", "Câu 2.", "Câu 3.", "Câu 4.", "Câu 5.", "Câu 6."):
        expect(item(page, question).locator("[role=status]")).to_contain_text("Đã lưu")
    expect(item(page, "Câu 5.")).to_contain_text("số đã ghi nhận: 7")
    c1.evaluate("e => e.scrollIntoView({block: 'start'})")
    shot(page, "assessment_midway.png", help_image="cach_dung_tra_loi.png")

    folder = server.home / "mini"
    assert json.loads((folder / "cau_tra_loi.json").read_text(encoding="utf-8")) \
        == EXPECTED_ANSWERS
    me.save()
    saved = nbformat.read(str(folder / "mini.ipynb"), as_version=4)
    outputs = [o for c in saved.cells if c.cell_type == "code" for o in c.outputs]
    assert not any(WIDGET_VIEW in o.get("data", {}) for o in outputs)  # static on disk
    assert any("Câu trả lời đã lưu: C. Ngựa" in o.get("data", {}).get("text/plain", "")
               for o in outputs)

    me.restart_kernel()
    me.close_notebook()
    me.open_file("mini/mini.ipynb")
    # reopened without running anything: each question shows the saved answer
    assert page.get_by_text("Câu trả lời đã lưu: C. Ngựa-vằn-ăn-cỏ-2026").count() == 1
    assert page.get_by_text("Câu trả lời đã lưu: Đúng").count() == 1
    assert page.get_by_text("Error displaying widget").count() == 0
    shot(page, "assessment_reopened.png")
    me.run_all()  # fresh kernel: the widgets come back with the saved answers
    assert item(page, "Câu 1.").locator("input[type=radio]").nth(2).is_checked()
    boxes = item(page, "Câu 2.").locator("input[type=checkbox]")
    assert [boxes.nth(i).is_checked() for i in range(3)] == [True, True, False]
    assert "mod-active" in (item(page, "Câu 3.").get_by_role("button", name="Đúng")
                            .get_attribute("class"))
    assert item(page, "Câu 5.").locator("input").input_value() == "7"
    assert item(page, "Câu 6.").locator("input").input_value() == "vneid"

    me.open_assignments()
    shot(page, "assignment_list.png", help_image="cach_dung_nop_bai.png")
    me.submit("mini")
    assert me.label("#fetched_assignments_list > .list_item > div > .item_status > button") \
        == "Nộp bài"

    autograde.collect(ws, "mini")
    status = autograde.grade(workspace=ws, assignment="mini", jobs=1, progress=False)
    assert status.set_index(C.LEARNER).loc[LEARNER, C.STATUS] == "graded"
    grades = gradebook.read_grades(ws.db_url)
    mine = grades[grades[C.LEARNER] == LEARNER].set_index(C.ITEM)[C.SCORE].to_dict()
    assert mine == EXPECTED_SCORES


def test_lessons_run_cleanly_in_vietnamese_with_their_help_images(server, page):
    bai_hoc = server.home / lab.LESSONS_DIR
    for rel in LESSONS:
        dst = bai_hoc / rel.removeprefix("courses/")
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / rel, dst)
    shutil.copytree(REPO / "courses" / "img", bai_hoc / "img", dirs_exist_ok=True)
    me = Learner(page, server.url, course="mini")
    me.open_lab()
    assert VI_MENUS <= set(me.menu_labels())
    for rel in LESSONS:
        me.open_file(f"{lab.LESSONS_DIR}/{rel.removeprefix('courses/')}")
        me.run_all()
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        assert panel.locator('[data-mime-type="application/vnd.jupyter.stderr"]').count() == 0
        assert panel.get_by_text("Error displaying widget").count() == 0
        assert panel.locator(".widget-radio-box, .widget-checkbox").count() >= 3
        widths = panel.locator(".jp-MarkdownOutput img").evaluate_all(
            "imgs => imgs.map(i => i.complete ? i.naturalWidth : -1)")
        assert widths and all(w > 0 for w in widths), widths  # help screenshots load
        # a practice item answers at once, with its explanation
        practice = panel.locator(".jp-OutputArea-output").filter(
            has=page.get_by_role("button", name="Kiểm tra")).first
        practice.locator("input, button.widget-toggle-button").last.click()
        practice.get_by_role("button", name="Kiểm tra").click()
        expect(practice).to_contain_text(re.compile("Chính xác|Chưa đúng"))
        me.save()
        me.close_notebook()
