"""A learner's JupyterLab for browser tests: start `make lab`'s command, drive it like a learner.

The server is the exact command ``grading.lab.prepare`` builds for ``make lab`` (own config
folder, Vietnamese settings, learner id), on a free loopback port with a random token.
"""
from __future__ import annotations

import secrets
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from conftest import free_port

from grading.learner import lab

_WATCH_RUN = """() => {
  const indicator = document.querySelector(
      '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
  if (!indicator) throw new Error('no notebook toolbar execution indicator on screen');
  const root = indicator.parentElement;
  const state = window.__cvRun = {started: false, done: false};
  const look = () => {
    const ind = root.querySelector('.jp-Notebook-ExecutionIndicator');
    const bar = root.querySelector('[role=progressbar]');
    const busy = ind.dataset.status === 'busy'
        || (bar && bar.getAttribute('aria-valuenow') !== '100');
    if (busy) state.started = true;
    else if (state.started) { state.done = true; observer.disconnect(); }
  };
  const observer = new MutationObserver(look);
  observer.observe(root, {attributes: true, childList: true, subtree: true});
}"""
IDLE = '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator[data-status="idle"]'
# The main area's current tab is the file just opened (its label is the file's name): until
# then the panel on screen may still be the one opened before, idle with its kernel.
_CURRENT_TAB_IS = """name => {
  const label = document.querySelector(
      '.lm-DockPanel .lm-TabBar-tab.jp-mod-current .lm-TabBar-tabLabel');
  return label !== null && label.textContent.trim() === name;
}"""


@contextmanager
def running_lab(workspace, learner: str, home: Path | None = None, log: Path | None = None):
    """Start the learner's JupyterLab; stop it (and its kernels) afterwards."""
    launch = lab.prepare(workspace=workspace, learner=learner, home=home, port=free_port(),
                         token=secrets.token_hex(8), open_browser=False)
    out = open(log, "w", encoding="utf-8") if log else subprocess.DEVNULL
    proc = subprocess.Popen(launch.argv, env=launch.env, stdout=out, stderr=subprocess.STDOUT)
    try:
        api = launch.url.replace("/lab?", "/api/status?")
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(api, timeout=2) as response:
                    response.read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start (see {log})")
                time.sleep(0.3)
        yield launch
    finally:
        proc.terminate()  # graceful: the server shuts its kernels down
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log:
            out.close()


class Learner:
    """What a learner does in JupyterLab, through menus, buttons and keys only."""

    def __init__(self, page, url: str, course: str):
        self.page, self.url, self.course = page, url, course

    def open_lab(self) -> None:
        self.page.goto(self.url)
        self.page.wait_for_selector("#jp-MainMenu .lm-MenuBar-itemLabel", timeout=60_000)

    def menu(self, label: str, command: str) -> None:
        """Open a main menu by its (Vietnamese) label and click one of its commands."""
        self.page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text=label).click()
        self.page.click(f'.lm-Menu-item[data-command="{command}"]')

    def menu_labels(self) -> list[str]:
        return self.page.locator("#jp-MainMenu .lm-MenuBar-itemLabel").all_inner_texts()

    def open_assignments(self) -> None:
        self.menu("Tệp", lab.ASSIGNMENT_LIST)
        self.page.wait_for_selector("#assignments .list_container .list_item, "
                                    "#released_assignments_list_placeholder:not([hidden])")

    def label(self, selector: str) -> str:
        """The Vietnamese label custom.css draws over one of nbgrader's English labels."""
        return self.page.eval_on_selector(
            selector, "e => getComputedStyle(e, '::before').content.replace(/^\"|\"$/g, '')")

    def fetch(self, assignment: str) -> None:
        row = self.page.locator("#released_assignments_list .list_item", has_text=assignment)
        row.locator("button").click()
        self.page.wait_for_selector(f"#fetched_assignments_list .list_item >> text={assignment}")

    def open_from_assignments(self, assignment: str, notebook: str) -> None:
        panel = f"#nbgrader-{self.course}-{assignment}"
        self.page.locator("#fetched_assignments_list .assignment-notebooks-link",
                          has_text=assignment).click()
        self.page.locator(f"{panel} .item_name a", has_text=notebook).click()
        self.wait_opened(f"{notebook}.ipynb")

    def submit(self, assignment: str) -> None:
        before = self.page.locator("#submitted_assignments_list .nested_list_item").count()
        row = self.page.locator("#fetched_assignments_list > .list_item", has_text=assignment)
        row.locator(".item_status button").first.click()
        self.page.wait_for_function(
            "n => document.querySelectorAll('#submitted_assignments_list .nested_list_item')"
            ".length > n", arg=before, timeout=30_000)

    def open_file(self, path: str) -> None:
        """Open a file by its path (File > Open from path), as the file browser would."""
        self.menu("Tệp", "filebrowser:open-path")
        self.page.fill(".jp-Dialog input", path)
        self.page.click(".jp-Dialog .jp-mod-accept")
        self.wait_opened(Path(path).name)

    def wait_opened(self, name: str, timeout: float = 60_000) -> None:
        """Until the notebook ``name`` is the current tab, its toolbar drawn, its kernel idle."""
        self.page.wait_for_function(_CURRENT_TAB_IS, arg=name, timeout=timeout)
        self.wait_idle(timeout)

    def wait_idle(self, timeout: float = 60_000) -> None:
        """Until the notebook's kernel is connected and idle, as the status bar shows it
        (the toolbar indicator already reads "idle" before the kernel has started)."""
        self.page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook",
                                    timeout=timeout)
        self.page.wait_for_function(
            "() => /\\(ipykernel\\) \\| (Idle|Rảnh|Nhàn rỗi)/.test("
            "document.querySelector('#jp-main-statusbar').innerText)", timeout=timeout)
        self.page.wait_for_selector(IDLE, timeout=timeout)

    def run_all(self) -> None:
        """Run > "Chạy tất cả các ô", then wait until the toolbar's execution indicator has gone
        busy and come back to idle at 100 % (cell prompts are unreliable: hidden inputs have
        none, and off-screen cells are not rendered)."""
        self.page.wait_for_selector(IDLE)
        self.page.evaluate(_WATCH_RUN)
        self.menu("Chạy", "runmenu:run-all")
        self.page.wait_for_function("() => window.__cvRun && window.__cvRun.done",
                                    timeout=90_000)
        self.wait_idle()

    def save(self) -> None:
        """Ctrl + S, with the focus on the notebook: ipywidgets text boxes keep their keys to
        themselves, so a learner typing in one first clicks outside it (the save icon works
        from anywhere)."""
        notebook = ".jp-NotebookPanel:not(.lm-mod-hidden)"
        self.page.locator(f"{notebook} .jp-Cell-inputArea").first.click()
        self.page.keyboard.press("Control+s")
        self.page.wait_for_selector(
            ".lm-DockPanel .lm-TabBar-tab.jp-mod-current:not(.jp-mod-dirty)", timeout=20_000)

    def restart_kernel(self) -> None:
        """The notebook toolbar's restart button (the learner's lab has no Kernel menu)."""
        self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-NotebookPanel-toolbar "
                          '[data-command="notebook:restart-kernel"]').click()
        self.page.click(".jp-Dialog .jp-mod-accept")
        self.wait_idle()

    def close_notebook(self) -> None:
        self.menu("Tệp", "application:close")
        dialog = self.page.locator(".jp-Dialog")
        if dialog.count():  # unsaved changes: a learner who saved never sees this
            raise AssertionError("closing asked to save: " + dialog.inner_text())
