"""The learner's JupyterLab (`congvu lab`): no Kernel menu, no Shut Down, no New Python File;
menus in Vietnamese (the kit's translations over the vi-VN pack, programmers' tools hidden);
a notebook just opened is not marked unsaved, so closing it asks nothing; the close-unsaved
dialog says "Quay lại" / "Không lưu" / "Lưu" (the vi-VN pack says "Hủy" twice)."""
import re

import pytest
from browser_lab import Learner, running_lab
from conftest import TEST_OUTPUT

from grading.course import exchange
from grading.course import workspace as W

pytestmark = pytest.mark.browser
LABELS = "[...document.querySelectorAll('.jp-Dialog-button .jp-Dialog-buttonLabel')].map(e => " \
         "{const c = getComputedStyle(e, '::before').content; " \
         "return c && c !== 'none' ? JSON.parse(c) : e.innerText})"
SHOWN = "[...document.querySelectorAll('.lm-Menu-item')].filter(e => " \
        "getComputedStyle(e).display !== 'none').map(e => e.dataset.command)"
# What the learner reads in an open menu (CSS-drawn labels included)
MENU_TEXT = "[...document.querySelectorAll('.lm-Menu .lm-Menu-item')].filter(e => " \
            "getComputedStyle(e).display !== 'none').map(e => {" \
            "const l = e.querySelector('.lm-Menu-itemLabel'); " \
            "const c = getComputedStyle(l, '::before').content; " \
            "return c && c !== 'none' && c !== 'normal' ? JSON.parse(c) : l.innerText})"
# English the vi-VN pack left in menus, help and status bar before the kit's translations
ENGLISH = re.compile(r"\b(Run|Cells?|Open|Workspaces?|Show|Copy|Paste|Delete|Undo|Redo|Move|"
                     r"Merge|Clear|Select|Render|Reference|Console|Debugger|Export|Collapse|"
                     r"Expand|Recent|Duplicate|Revert|Trash|New|Idle|Command|With|Appearance|"
                     r"Folding|Widget|Toggle|Search|Sessions)\b")


def _english(page, opened_by, seen: list | None = None) -> list[str]:
    opened_by()
    page.locator(".lm-Menu").first.wait_for()
    labels = page.evaluate(MENU_TEXT)
    page.keyboard.press("Escape")
    if seen is not None:
        seen += labels
    return [label for label in labels if ENGLISH.search(label)]


def test_learner_lab_menus_vietnamese_and_no_false_unsaved(new_workspace, browser, tmp_path):
    ws = new_workspace()
    W.release(ws)
    exchange.fetch(ws, ws.root / "hoc_vien" / "L1", "mini", "L1")
    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    with running_lab(ws, "L1", log=tmp_path / "lab.log") as launch:
        me = Learner(page, launch.url, course="mini")
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

        # a just-opened assessment is not "unsaved": once its kernel is connected (JupyterLab
        # then writes the kernel's metadata into it), closing it asks nothing
        for name in ("mini", "mini.ipynb"):
            page.locator(".jp-DirListing-itemText", has_text=name).first.dblclick()
        me.wait_idle()
        assert page.locator(".lm-DockPanel .lm-TabBar-tab.jp-mod-dirty").count() == 0

        english, seen = {}, []  # every main menu, cell and file context menus, status bar
        for i in range(bar.count()):
            english[bar.nth(i).inner_text()] = _english(page, bar.nth(i).click, seen)
        assert "Chạy tất cả các ô" in seen  # what the lessons' help tells learners to click
        cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first
        english["ô"] = _english(page, lambda: cell.click(button="right"))
        item = page.locator(".jp-DirListing-item").first
        english["tệp"] = _english(page, lambda: item.click(button="right"))
        english["trạng thái"] = ENGLISH.findall(page.inner_text("#jp-main-statusbar"))
        bar.filter(has_text="Trợ giúp").click()  # Help → keyboard shortcuts lists commands
        page.locator('.lm-Menu-item[data-command="apputils:display-shortcuts"]').click()
        english["phím tắt"] = ENGLISH.findall(page.locator(".jp-Dialog").inner_text())
        page.locator(".jp-Dialog-footer button").last.click()
        page.locator(".jp-Dialog").wait_for(state="detached")
        assert not any(english.values()), {k: v for k, v in english.items() if v}

        me.close_notebook()  # raises if the close dialog appears
        page.wait_for_function("!document.querySelector('.jp-NotebookPanel')")
        assert page.locator(".jp-Dialog").count() == 0

        page.locator(".jp-BreadCrumbs-home").click()
        for name in ("bai_hoc", "mini", "bai_01.ipynb"):
            page.locator(".jp-DirListing-itemText", has_text=name).first.dblclick()
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
