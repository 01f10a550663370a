"""The HR dashboard: pure filter functions, then the real Voila app in headless Chromium."""
from __future__ import annotations

import sys

import openpyxl
import pandas as pd
import pytest
from conftest import REPO, free_port, serving

from grading import columns as C
from grading.report import dashboard

sys.path.insert(0, str(REPO / "benchmarks"))


def test_select_and_figures():
    lm = pd.DataFrame({C.WARD_CODE: ["1", "1", "2"], C.MODULE: ["a", "b", "a"],
                       C.POSITION: ["x", "y", "x"]})
    assert len(dashboard.select(lm, ward="1")) == 2
    assert len(dashboard.select(lm, module="a", position="x")) == 2
    per_ward = pd.DataFrame({C.ENROLLED: [3, 1], C.N_COMPLETED: [1, 1], C.N_OVERDUE: [2, 0]})
    assert dashboard.figures(per_ward) == {"enrolled": 4, "completed": 2, "rate": 50.0,
                                           "overdue": 2}


def test_to_chase_lists_missing_modules_but_not_the_trainers_backlog():
    lm = pd.DataFrame({
        C.WARD_CODE: ["1"] * 5, C.WARD_NAME: ["Xã A"] * 5,
        C.LEARNER: ["a", "a", "b", "c", "d"], C.NAME: ["An", "An", "Bình", "Cúc", "Dũng"],
        C.POSITION: ["x"] * 5, C.MODULE: ["m1", "m2", "m1", "m1", "m1"],
        C.REQUIRED: [True] * 5, C.PASSED: [False, False, False, True, False],
        C.AWAITING: [False, False, True, False, False], C.ACTIVE: [True] * 4 + [False],
        C.OVERDUE: [True, False, False, False, True], C.DAYS_LATE: [6, 0, 0, 0, 9]})
    chase = dashboard.to_chase(lm, {"m1": "Học phần 1", "m2": "Học phần 2"})
    # a: both modules (overdue 6 days); b waits for the trainer; c passed; d left
    assert chase[[C.LEARNER, C.MISSING, C.DAYS_LATE]].values.tolist() == [
        ["a", "Học phần 1; Học phần 2", 6]]
    assert 'data-chase="1"' in dashboard.chase_html(chase, "vi") and "Cần đôn đốc" in \
        dashboard.chase_html(chase, "vi")
    assert "Không có ai" in dashboard.chase_html(dashboard.to_chase(lm.iloc[2:4]), "vi")


@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    """Voila serving the dashboard over a small synthetic workspace (3 wards, 2 modules)."""
    import scale_data

    tmp = tmp_path_factory.mktemp("dash")
    ws = scale_data.build(tmp, learners=45, modules=2, wards=3)
    port = free_port()
    cmd, extra = dashboard.serve_command(ws.root, port=port)
    with serving(cmd, extra, port, tmp / "voila.log"):
        yield f"http://127.0.0.1:{port}/", ws


def _kpi(page, key: str) -> str:
    return page.inner_text(f'[data-kpi="{key}"]').strip()


@pytest.mark.browser
def test_dashboard_loads_filters_and_downloads(voila, page, tmp_path):
    url, ws = voila
    errors = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: errors.append(f"console: {msg.text}")
            if msg.type == "error" else None)
    page.goto(url, timeout=120_000)
    page.wait_for_selector('[data-kpi="enrolled"]', timeout=120_000)
    people = pd.read_csv(ws.root / "congvu" / "roster.csv", dtype=str, keep_default_na=False)
    active = people[people[C.LEFT] == ""]
    assert _kpi(page, "enrolled") == str(len(active))
    assert page.locator("img").count() >= 2  # bars per ward, heatmap, completion over time
    assert "Đơn vị" in page.inner_text("body") and "Tỷ lệ hoàn thành" in page.inner_text("body")
    assert "Cần đôn đốc" in page.inner_text("body")

    code = sorted(active[C.WARD_CODE].unique())[1]
    in_ward = str((active[C.WARD_CODE] == code).sum())
    assert in_ward != _kpi(page, "enrolled")
    page.locator(".widget-dropdown select").first.select_option(value=None, label=next(
        o for o in page.locator(".widget-dropdown select").first.locator("option").all_inner_texts()
        if o.startswith(code)))
    page.wait_for_function(f'document.querySelector(\'[data-kpi="enrolled"]\').innerText.trim()'
                           f' === "{in_ward}"', timeout=60_000)
    assert code in page.inner_text(".cv-table")

    page.get_by_role("button", name="Tạo tệp Excel").click()
    page.wait_for_selector("a.cv-download", timeout=60_000)
    with page.expect_download() as info:
        page.click("a.cv-download")
    saved = tmp_path / "dash.xlsx"
    info.value.save_as(saved)
    book = openpyxl.load_workbook(saved)
    assert book.sheetnames[0] == "Tổng hợp theo đơn vị"
    codes = [r[0] for r in book["Tổng hợp theo đơn vị"].iter_rows(min_row=2, values_only=True)]
    assert codes == [code]
    assert errors == [], errors
