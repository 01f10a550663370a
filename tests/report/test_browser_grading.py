"""The trainer grades one free-text item for several learners from the grading page (Voila, a
real browser at 1366×768), and nbgrader's own formgrader then shows the same scores."""
from __future__ import annotations

import json
import shutil
import urllib.request

import pytest
from conftest import TEST_OUTPUT, free_port, serving

from grading import api
from grading.course import manual
from grading.course import workspace as WS

pytestmark = [pytest.mark.browser, pytest.mark.kernel]
SIZE = {"width": 1366, "height": 768}


def _shot(page, name: str) -> None:
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / name), full_page=True)


def test_trainer_grades_one_item_across_learners_and_formgrader_agrees(
        graded_mini, browser, tmp_path):
    shutil.copytree(graded_mini.root, tmp_path / "ws")
    ws = WS.open_workspace(tmp_path / "ws")
    context = browser.new_context(viewport=SIZE, locale="vi-VN")
    page = context.new_page()
    port = free_port()
    argv, env = api.grading_page(workspace=ws, port=port, who="gv_hoa")
    with serving(argv, env, port, tmp_path / "voila.log"):
        page.goto(f"http://127.0.0.1:{port}/", timeout=120_000)
        page.get_by_text("Lê Minh Khoa").wait_for(timeout=120_000)
        assert "Hướng dẫn chấm" in page.inner_text("body")
        _shot(page, "giang_vien_1_trang_cham.png")
        box = page.get_by_placeholder("ví dụ 1,5")
        page.get_by_placeholder("Nhận xét cho học viên (không bắt buộc)").fill("Đủ ý chính.")
        box.fill("1,5")
        box.press("Enter")
        page.get_by_text("Nguyễn Thị Ánh").wait_for(timeout=30_000)
        box.fill("0,5")
        box.press("Enter")
        page.get_by_text("Trần Văn Bình").wait_for(timeout=30_000)
        box.fill("0")
        box.press("Enter")
        page.get_by_text("còn 0").wait_for(timeout=30_000)
        _shot(page, "giang_vien_2_da_cham.png")
    mine = manual.answers_for(ws, "mini", "c4").set_index("learner_id")[manual.MANUAL].to_dict()
    assert mine == {"L_a": 1.5, "L_b": 0.5, "L_c": 0.0}
    assert len(manual.audit_log(ws.root)) == 3

    port = free_port()
    argv, url, folder = api.formgrader(workspace=ws, port=port)
    with serving(argv, {}, port, tmp_path / "lab.log", cwd=folder):
        token = url.split("token=")[1]
        api_url = (f"http://127.0.0.1:{port}/formgrader/api/submitted_notebooks/mini/mini"
                   f"?token={token}")
        with urllib.request.urlopen(api_url, timeout=30) as response:
            rows = json.loads(response.read())
        theirs = {r["student"]: r["score"] for r in rows}
        # formgrader's submission score = automatic points + the hand grade just given
        auto = {"L_a": 3.0, "L_b": 2.0, "L_c": 3.0}
        assert theirs == {k: auto[k] + mine[k] for k in auto}
        page.goto(url.replace("%2Fformgrader", "%2Fformgrader%2Fgradebook%2Fmini%2Fmini"),
                  timeout=60_000)
        page.get_by_text("Submission #3").wait_for(timeout=60_000)
        shown = page.inner_text("body")
        assert all(f"{theirs[k]:g} / 5" in shown for k in theirs), shown
        _shot(page, "giang_vien_3_formgrader.png")
    context.close()
