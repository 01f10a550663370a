"""The learner's JupyterLab (`congvu lab`): no Kernel menu, no Shut Down, no New Python File;
the close-unsaved dialog says "Quay lại" / "Không lưu" / "Lưu" (the vi-VN pack says "Hủy" twice)."""
import pytest
from browser_lab import running_lab
from conftest import TEST_OUTPUT

from grading.course import workspace as W

pytestmark = pytest.mark.browser
LABELS = "[...document.querySelectorAll('.jp-Dialog-button .jp-Dialog-buttonLabel')].map(e => " \
         "{const c = getComputedStyle(e, '::before').content; " \
         "return c && c !== 'none' ? JSON.parse(c) : e.innerText})"
SHOWN = "[...document.querySelectorAll('.lm-Menu-item')].filter(e => " \
        "getComputedStyle(e).display !== 'none').map(e => e.dataset.command)"


def test_learner_menus_and_close_dialog(new_workspace, browser, tmp_path):
    ws = new_workspace()
    W.release(ws)
    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    with running_lab(ws, "L1", log=tmp_path / "lab.log") as launch:
        page.goto(launch.url)
        bar = page.locator("#jp-MainMenu .lm-MenuBar-itemLabel")
        bar.first.wait_for(timeout=90_000)
        assert "Kernel" not in bar.all_inner_texts() and "Nhân" not in bar.all_inner_texts()
        bar.first.click()
        page.locator(".lm-Menu-item[data-type=submenu]").first.hover()
        page.locator('.lm-Menu-item[data-command="notebook:create-new"]').wait_for()
        shown = page.evaluate(SHOWN)
        assert "filemenu:shutdown" not in shown and "fileeditor:create-new" not in shown
        assert "terminal:create-new" not in shown and "notebook:create-new" in shown
        page.keyboard.press("Escape")
        page.keyboard.press("Escape")
        for name in ("bai_hoc", "mini", "bai_01.ipynb"):
            page.locator(".jp-DirListing-itemText", has_text=name).dblclick()
        page.locator(".jp-NotebookPanel .jp-Cell").first.click()
        page.keyboard.press("Enter")
        page.keyboard.type(" sửa")
        page.keyboard.press("Escape")
        page.locator(".lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon").last.click()
        page.locator(".jp-Dialog").wait_for(timeout=10_000)
        TEST_OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(TEST_OUTPUT / "hoc_vien_lab_dong_so_tay.png"))
        assert page.evaluate(LABELS) == ["Quay lại", "Không lưu", "Lưu"]
        page.locator(".jp-Dialog-button.jp-mod-reject").click()  # "Quay lại": nothing lost
        assert page.locator(".jp-NotebookPanel").count() == 1
    page.close()
