"""`make lab`: JupyterLab for one learner, on a workspace's local exchange, in Vietnamese.

``prepare`` builds everything a launch needs and returns it (the browser tests start the very
same command); ``main`` runs it. It is a trial set-up on one machine: learner code runs as the
user who starts it, so with the default home inside the workspace a kernel could read the
answer keys in ``source/``. Real learners each use their own OS account and home (``--home``),
as nbgrader's exchange expects. The learner gets a home folder (default
``WS/hoc_vien/<learner>``) holding their fetched assignments and a copy of the lessons
(``bai_hoc/``), and a private Jupyter configuration folder ``home/.jupyter`` (the server runs
with ``JUPYTER_CONFIG_DIR`` pointing there) that the kit rewrites at each launch:

- ``nbgrader_config.py``: course id, exchange root (from the workspace's own config), the
  learner id, and where fetched assignments go. nbgrader's assignment-list server extension
  reads it from the Jupyter config path, so "Fetch" and "Submit" use the workspace exchange;
- ``jupyter_server_config.json``: the trainer-only nbgrader server extensions (formgrader,
  course list) and "Validate" off; a contents manager that shows saved answers in reopened
  notebooks;
- ``labconfig/page_config.json``: the same nbgrader lab plugins off;
- ``lab/settings/overrides.json`` (``LabApp.app_settings_dir``): Vietnamese interface
  (``jupyterlab-language-pack-vi-vn``) by default, no news or update pop-ups, the assignment
  list in the File menu;
- ``custom/custom.css`` (``LabApp.custom_css``): Vietnamese labels on nbgrader's assignment
  list, which has no translations;
- ``lab/workspaces/``: on the first launch only, a layout with the assignment list open.
"""
from __future__ import annotations

import getpass
import json
import os
import re
import secrets
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager

from grading.course.workspace import Workspace, open_workspace
from grading.errors import WorkspaceError, problem
from grading.learner.nbhooks import hide_item_sources, static_items

LOCALE = "vi_VN"
ASSIGNMENT_LIST = "nbgrader:open-assignment-list"
# Trainer tools, and "Validate", which would always pass: released notebooks hold no tests.
OFF_SERVER_EXTENSIONS = ("nbgrader.server_extensions.formgrader",
                         "nbgrader.server_extensions.course_list",
                         "nbgrader.server_extensions.validate_assignment")
OFF_LAB_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:course-list",
                   "@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:validate-assignment")
# Programmers' tools a learner never needs, whose labels the vi-VN pack leaves in English:
# workspaces, debugger, log console, "Open from URL", export formats, reference links, Voila
# preview, the classic Notebook UI, terminals (whole packages or single plugins).
LEARNER_OFF_PLUGINS = ("@jupyterlab/workspaces-extension", "@jupyterlab/debugger-extension",
                       "@jupyterlab/logconsole-extension", "@jupyterlab/terminal-extension",
                       "@jupyterlab/filebrowser-extension:open-url",
                       "@jupyterlab/filebrowser-extension:open-with",
                       "@jupyterlab/application-extension:move-widget",
                       "@jupyterlab/notebook-extension:export",
                       "@jupyterlab/help-extension:resources",
                       "@voila-dashboards/jupyterlab-preview", "@jupyter-notebook/lab-extension")
SETTINGS = {
    "@jupyterlab/translation-extension:plugin": {"locale": LOCALE},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                     "checkForUpdates": False},
    # "Bài tập" (the assignment list) first in the File menu, besides nbgrader's own menu
    "@jupyterlab/mainmenu-extension:plugin": {"menus": [
        {"id": "jp-mainmenu-file", "items": [{"command": ASSIGNMENT_LIST, "rank": 0.5}]}]},
}
# Trainer and programmer entries a learner never needs (merged into SETTINGS by write_config).
HIDDEN_FILE_COMMANDS = ("filemenu:shutdown", "filemenu:close-and-cleanup",
                        "filemenu:create-console")
# File → New → Python file / console / terminal: hidden by custom.css (a submenu's items cannot
# be disabled from overrides.json in JupyterLab 4.6)
HIDDEN_MENUS = ("jp-mainmenu-kernel",)
# View submenus for programmers (appearance, code folding), whose labels stay English
HIDDEN_VIEW_SUBMENUS = ("jp-mainmenu-view-appearance", "jp-mainmenu-codefold")


def learner_settings() -> dict:
    """SETTINGS with the trainer and programmer menu entries disabled."""
    settings = json.loads(json.dumps(SETTINGS))
    menus = settings["@jupyterlab/mainmenu-extension:plugin"]["menus"]
    file_menu = next(m for m in menus if m["id"] == "jp-mainmenu-file")
    file_menu["items"] += [{"command": c, "disabled": True} for c in HIDDEN_FILE_COMMANDS]
    menus += [{"id": m, "disabled": True} for m in HIDDEN_MENUS]
    menus.append({"id": "jp-mainmenu-view", "items": [
        {"type": "submenu", "submenu": {"id": m}, "disabled": True}
        for m in HIDDEN_VIEW_SUBMENUS]})
    return settings


CUSTOM_CSS = Path(__file__).resolve().parent / "templates" / "lab" / "custom.css"
LESSONS_DIR = "bai_hoc"


def _native_python(argv0: str) -> bool:
    """Does a kernelspec's ``argv[0]`` start this very interpreter (the server's own venv)?"""
    found = shutil.which(argv0) if os.sep not in argv0 else argv0
    return bool(found) and Path(found).resolve() == Path(sys.executable).resolve()


def kernel_metadata(nb: dict, specs) -> bool:
    """Give an opened notebook the ``kernelspec`` and ``language_info`` its kernel will report.

    Why: on connecting to a kernel, JupyterLab writes the kernel's spec and ``language_info``
    (with the Python version) into the notebook metadata; a notebook saved elsewhere (or
    written by nbgrader, which keeps no ``language_info``) then differs, and the learner sees
    it marked unsaved at once, with the close dialog although nothing changed. Filling both in
    as the kernel will report them keeps a just-opened notebook clean. Only for the python
    kernel this server runs (its ``language_info`` is known without starting it). Returns
    whether anything changed."""
    meta = nb.setdefault("metadata", {})
    name = (meta.get("kernelspec") or {}).get("name") or "python3"
    try:
        spec = specs.get_kernel_spec(name)
    except Exception:  # noqa: BLE001 - unknown kernel: JupyterLab asks the learner anyway
        return False
    before = json.dumps(meta, sort_keys=True)
    meta["kernelspec"] = {"name": name, "display_name": spec.display_name,
                          "language": spec.language}
    if spec.language == "python" and spec.argv and _native_python(spec.argv[0]):
        from ipykernel.ipkernel import IPythonKernel

        meta["language_info"] = json.loads(json.dumps(IPythonKernel.language_info))
    return json.dumps(meta, sort_keys=True) != before


class LearnerContentsManager(AsyncLargeFileManager):
    """Saves and opens notebooks with item widgets in their static form (nbhooks.static_items):
    a reopened notebook shows each saved answer instead of "Error displaying widget". Opened
    notebooks show item cells by their question only (nbhooks.hide_item_sources) and carry
    their kernel's metadata already, so they do not open marked unsaved (kernel_metadata)."""

    def _specs(self):
        specs = getattr(self.parent, "kernel_spec_manager", None)
        if specs is None:
            from jupyter_client.kernelspec import KernelSpecManager

            specs = KernelSpecManager()
        return specs

    def _folder(self, path: str) -> Path:
        return Path(self._get_os_path(path)).parent

    async def get(self, path, content=True, type=None, format=None, **kwargs):
        model = await super().get(path, content=content, type=type, format=format, **kwargs)
        if model.get("type") == "notebook" and model.get("content"):
            static_items(model["content"], self._folder(path))
            hide_item_sources(model["content"])
            kernel_metadata(model["content"], self._specs())
        return model

    async def save(self, model, path=""):
        if model.get("type") == "notebook" and model.get("content"):
            static_items(model["content"], self._folder(path))
        return await super().save(model, path)


@dataclass(frozen=True)
class Lab:
    argv: list[str]
    env: dict[str, str]
    home: Path
    url: str
    learner: str


def _check_learner(learner: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9._-]+", learner or ""):
        raise WorkspaceError(problem(f"mã học viên '{learner}' không hợp lệ",
                                     "chỉ dùng chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới",
                                     message_en=f"invalid learner id '{learner}'",
                                     fix_en="use letters, digits, '.', '-', '_' only"))
    return learner


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def copy_lessons(ws: Workspace, home: Path) -> list[Path]:
    """Copy the lessons (and their images) into ``home/bai_hoc``, never over the learner's
    own copies; return the lesson paths in course order."""
    src_root, dst_root = ws.kit / "courses", home / LESSONS_DIR
    lessons = []
    for module in ws.manifest.modules:
        for rel in module.lessons:
            src, path = ws.kit / rel, Path(rel)
            dst = dst_root / (path.relative_to("courses") if path.parts[0] == "courses"
                              else path.name)
            if not dst.exists():
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)
            lessons.append(dst)
    if (src_root / "img").is_dir():
        shutil.copytree(src_root / "img", dst_root / "img", dirs_exist_ok=True)
    return lessons


def write_config(ws: Workspace, home: Path, learner: str, *, into: Path | None = None) -> Path:
    """Write the learner's Jupyter configuration folder (``home/.jupyter``, or ``into`` with
    the same content, for the hub to hand to the learner's account); return it."""
    cfg = ws.config()
    exchange = cfg.Exchange.root if "root" in cfg.Exchange else str(ws.root / "exchange")
    conf = home / ".jupyter"
    out = Path(into) if into is not None else conf
    _write(out / "nbgrader_config.py", "\n".join([
        "# Written by `make lab` (grading/lab.py) at each launch: the learner's side of nbgrader.",
        "c = get_config()  # noqa: F821",
        f"c.CourseDirectory.course_id = {ws.course_id!r}",
        f"c.CourseDirectory.student_id = {learner!r}",
        f"c.Exchange.root = {str(exchange)!r}",
        f"c.Exchange.assignment_dir = {str(home)!r}",
        f"c.Exchange.cache = {str(conf / 'nbgrader_cache')!r}", ""]))
    server = {"ServerApp": {
        "jpserver_extensions": {**{name: False for name in OFF_SERVER_EXTENSIONS},
                                "grading.learner.lab_i18n": True},
        "contents_manager_class": "grading.learner.lab.LearnerContentsManager"}}
    _write(out / "jupyter_server_config.json", json.dumps(server, indent=1))
    _write(out / "jupyter_server_config.py", "\n".join([  # Voila inside this server (hub home)
        "# Written by grading/learner/lab.py: the «Nộp bài» bar in rendered assessments.",
        "from grading.learner import home_submit",
        "c = get_config()  # noqa: F821",
        f"c.VoilaConfiguration.prelaunch_hook = home_submit.hook({str(home)!r})", ""]))
    pages = {"disabledExtensions": {name: True
                                    for name in OFF_LAB_PLUGINS + LEARNER_OFF_PLUGINS}}
    _write(out / "labconfig" / "page_config.json", json.dumps(pages, indent=1))
    _write(out / "lab" / "settings" / "overrides.json",
           json.dumps(learner_settings(), indent=1, ensure_ascii=False))
    _write(out / "custom" / "custom.css", CUSTOM_CSS.read_text(encoding="utf-8"))
    return conf


def first_workspace(conf: Path) -> None:
    """On a learner's first launch, open the assignment list ("Bài tập") in the main area;
    later launches restore whatever the learner left open."""
    from jupyterlab_server.workspaces_handler import WORKSPACE_EXTENSION, slugify

    path = conf / "lab" / "workspaces" / (slugify("default") + WORKSPACE_EXTENSION)
    if path.exists():
        return
    tab = "nbgrader-assignment-list:nbgrader-assignment-list"
    layout = {"main": {"dock": {"type": "tab-area", "currentIndex": 0, "widgets": [tab]},
                       "current": tab},
              "left": {"collapsed": False, "visible": True, "current": "filebrowser",
                       "widgets": ["filebrowser"]}}
    _write(path, json.dumps({"data": {"layout-restorer:data": layout, tab: {"data": {}}},
                             "metadata": {"id": "default"}}, indent=1))


def prepare(*, workspace: str | Path | Workspace, learner: str | None = None,
            home: str | Path | None = None, port: int = 8888, token: str | None = None,
            open_browser: bool = True) -> Lab:
    """Set up the learner's home and configuration; return the JupyterLab command to run."""
    ws = workspace if isinstance(workspace, Workspace) else open_workspace(workspace)
    learner = _check_learner(learner or getpass.getuser())
    home = Path(home or ws.root / "hoc_vien" / learner).resolve()
    home.mkdir(parents=True, exist_ok=True)
    copy_lessons(ws, home)
    conf = write_config(ws, home, learner)
    first_workspace(conf)
    token = secrets.token_hex(16) if token is None else token
    argv = [sys.executable, "-m", "jupyterlab",
            f"--ServerApp.root_dir={home}", "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--LabApp.app_settings_dir={conf / 'lab' / 'settings'}",
            "--LabApp.extension_manager=readonly",  # learners install nothing; no PyPI calls
            "--LabApp.custom_css=True",
            "--ServerApp.open_browser=" + str(open_browser)]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI run as root
        argv.append("--ServerApp.allow_root=True")
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(conf),
           "JUPYTER_RUNTIME_DIR": str(conf / "runtime"), "CONGVU_LEARNER": learner,
           "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
    url = f"http://127.0.0.1:{port}/lab?token={token}"
    return Lab(argv=argv, env=env, home=home, url=url, learner=learner)
