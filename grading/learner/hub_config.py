"""The province's JupyterHub: login, roles and each official's own JupyterLab (``make hub``).

``deploy/jupyterhub_config.py`` calls ``configure(c, ...)``; everything the hub needs comes from
the workspace: the accounts ``congvu hub sync`` wrote (``course/hub.py``), the exchange and the
course id. Lives in learner/ because what it mostly configures is the learner's JupyterLab
(``lab.py``), started by JupyterHub instead of ``make lab``.

- **Spawner**: JupyterHub's LocalProcessSpawner, as The Littlest JupyterHub uses: each official's
  server runs as their own OS account (``course/hub_os.py``) in their private home, so a kernel
  reads only that home and the exchange — never the workspace's keys or another learner's work.
  Before each start, the hook writes the same Jupyter configuration as ``make lab`` into the
  home (Vietnamese interface, nbgrader's assignment list on the workspace exchange, the learner
  id from the roster) and copies the lessons; files are chowned to the official.
- **Landing**: a learner lands on their home (``learner/home.py``, as ``congvu hoc``): the Voila
  page rendered by their own server (Voila's server extension), name, commune and modules,
  where they fetch, open an assessment and submit. JupyterLab stays at ``/lab`` for lessons.
- **Submissions**: ``c.ExchangeFactory.submit`` is ``course/exchange_submit.PrivateSubmit``: the
  submission stays readable by the learner and the grader only (nbgrader leaves it 0777).
- **Spawn time**: work before a start runs off the hub's event loop (a thread, an asyncio
  subprocess), and the learner's server loads no extension a learner does not use.
- **Login**: ``CongvuAuthenticator``, JupyterHub's FirstUseAuthenticator (passwords as bcrypt
  hashes in a dbm file) narrowed to the roster: only active accounts may log in, and the first
  login needs the one-time code from the commune's sheet plus the new password the official
  chooses (the form's second field). No password is ever chosen by someone else.
- **Roles**: groups from the accounts file (role groups and ``xa_<ward>``); ``giang_vien`` may open
  the trainer service, ``nhan_su`` and ``chu_tich_xa`` the report service; a learner gets 403.
- **Trainers**: formgrader as a hub service (``formgrader_service``), as nbgrader documents.
- **HR and chairmen**: the Voila dashboard (``report/dashboard.py``) as the hub service
  ``bang-dieu-khien`` and the completion report as ``bao-cao`` (``report/hub_service.py``),
  every commune for ``nhan_su``, their own for ``chu_tich_xa``.
- **Idle culling**: jupyterhub-idle-culler stops servers idle for ``cull_idle_s`` (default 30 min);
  activity is reported every ``cull_idle_s / 4`` (at most 5 min) so a server in use is kept.
"""
from __future__ import annotations

import asyncio
import base64
import dbm
import json
import logging
import pwd
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

from firstuseauthenticator import FirstUseAuthenticator
from traitlets import Unicode

from grading.course import hub
from grading.course.workspace import open_workspace
from grading.learner import home as learner_home
from grading.learner import lab

log = logging.getLogger("congvu")
OTP_PROMPT = "Mật khẩu mới (chỉ điền khi đăng nhập lần đầu bằng mã trên phiếu):"
FIRST_LOGIN_HELP = ("Lần đăng nhập đầu: ô Mật khẩu là mã trên phiếu, ô Mật khẩu mới là mật khẩu "
                    "anh/chị tự đặt (ít nhất {n} ký tự, khác mã trên phiếu).")


class CongvuAuthenticator(FirstUseAuthenticator):
    """FirstUseAuthenticator for accounts from the roster, with a one-time code at first login."""

    workspace = Unicode("", config=True, help="workspace whose congvu/hub/users.json lists users")

    def normalize_username(self, username):
        """The account's own spelling (learner ids keep their case: they are OS user names and
        nbgrader learner ids), whatever case the official types."""
        name = unicodedata.normalize("NFC", username).strip()
        accounts = hub.load_state(Path(self.workspace)).values()
        known = {a.username.lower(): a.username
                 for a in sorted(accounts, key=lambda a: a.active)}  # active ones win
        return known.get(name.lower(), name)

    def _has_password(self, username: str) -> bool:
        with dbm.open(self.dbm_path, "c", 0o600) as db:
            return db.get(username.encode("utf8")) is not None

    async def authenticate(self, handler, data):
        username = self.normalize_username(data.get("username", ""))
        account = hub.load_state(Path(self.workspace)).get(username)
        if account is None or not account.active:
            return None
        if account.code_hash and not self._has_password(username):
            code, new = data.get("password", ""), data.get("otp", "")
            if not hub.check_code(code, account.code_hash):
                return None
            if not self._validate_password(new) or new.strip().upper() == code.strip().upper():
                handler.custom_login_error = FIRST_LOGIN_HELP.format(n=self.min_password_length)
                return None
            self.reset_password(username, new)
            hub.mark_password_set(Path(self.workspace), username)
            return username
        if not self._has_password(username):
            return None  # never let the first comer set someone's password
        return await super().authenticate(handler, data)


def home_payload(ws, home: Path, learner: str) -> dict:
    """What the learner's home needs, read as root (the lessons sit in the closed workspace):
    ``{"always": {relpath: base64}, "if_missing": {relpath: base64}}``."""
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp)
        conf = stage / ".jupyter"
        lab.write_config(ws, home, learner, into=conf)
        with open(conf / "nbgrader_config.py", "a", encoding="utf-8") as out:
            out.write(f"c.ExchangeFactory.submit = {PRIVATE_SUBMIT!r}\n")
        server = json.loads((conf / "jupyter_server_config.json").read_text(encoding="utf-8"))
        extensions = server["ServerApp"]["jpserver_extensions"]
        extensions.update({**dict.fromkeys(NOT_FOR_LEARNERS, False), LAZY_ASSIGNMENTS: True})
        server["VoilaConfiguration"] = {"template": "congvu", "theme": "light",
                                        "extension_denylist": learner_home.NOT_IN_VOILA}
        (conf / "jupyter_server_config.json").write_text(json.dumps(server, indent=1),
                                                         encoding="utf-8")
        lab.copy_lessons(ws, stage)
        lab.first_workspace(conf)
        learner_home.write_profile(ws, stage, learner)
        (stage / learner_home.HOME_NOTEBOOK).write_text(json.dumps(HOME_NB), encoding="utf-8")
        files = {str(p.relative_to(stage)): base64.b64encode(p.read_bytes()).decode()
                 for p in sorted(stage.rglob("*")) if p.is_file()}
    keep = ("bai_hoc/", ".jupyter/lab/workspaces/")
    return {"always": {k: v for k, v in files.items() if not k.startswith(keep)},
            "if_missing": {k: v for k, v in files.items() if k.startswith(keep)}}


PRIVATE_SUBMIT = "grading.course.exchange_submit.PrivateSubmit"
# Server extensions a learner's server need not import (language servers, the classic tree);
# nbgrader's assignment list is served by lazy_assignments.py, imported at first use.
NOT_FOR_LEARNERS = ("jupyter_lsp", "notebook", "nbgrader.server_extensions.assignment_list")
LAZY_ASSIGNMENTS = "grading.learner.lazy_assignments"
HOME_NB = {"nbformat": 4, "nbformat_minor": 5, "cells": [
    {"cell_type": "code", "id": "trang-chu", "metadata": {}, "execution_count": None,
     "outputs": [], "source": learner_home.HOME_SOURCE}],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}}}

# Run as the learner (never as root: a learner's symlink then leads only where they may write
# anyway); standard library only, so it starts in a few milliseconds.
WRITE_HOME = """
import base64, json, sys
from pathlib import Path
home = Path(sys.argv[1])
for kind, files in json.load(sys.stdin).items():
    for rel, data in files.items():
        path = home / rel
        if kind == "if_missing" and path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
"""


def pre_spawn_hook(workspace: Path):
    """Write the learner's Jupyter configuration into their home, as them, before their server
    starts; point JupyterLab at it."""

    async def hook(spawner):
        account = hub.load_state(workspace).get(spawner.user.name)
        if account is None or "hoc_vien" not in account.roles:
            return  # staff get a plain JupyterLab in their home
        entry = pwd.getpwnam(spawner.user.name)
        home = Path(entry.pw_dir)
        # off the hub's event loop: fifty learners logging in at once must not queue behind it
        payload = await asyncio.to_thread(
            lambda: json.dumps(home_payload(open_workspace(workspace), home,
                                            account.learner_id)).encode())
        writer = await asyncio.create_subprocess_exec(
            sys.executable, "-I", "-c", WRITE_HOME, str(home), stdin=subprocess.PIPE,
            user=entry.pw_uid, group=entry.pw_gid, extra_groups=[], cwd=home,
            env={"HOME": str(home), "PATH": "/usr/bin"})
        await asyncio.wait_for(writer.communicate(payload), timeout=60)
        if writer.returncode:
            raise RuntimeError(f"could not write the home of {spawner.user.name}")
        conf = home / ".jupyter"
        spawner.environment = {**spawner.environment, "JUPYTER_CONFIG_DIR": str(conf),
                               "JUPYTER_PATH": str(learner_home.VOILA_TEMPLATES)}  # a copy
        spawner.default_url = f"/voila/render/{learner_home.HOME_NOTEBOOK}"
        spawner.args = [*spawner.args, f"--LabApp.app_settings_dir={conf / 'lab' / 'settings'}",
                        "--LabApp.extension_manager=readonly", "--LabApp.custom_css=True"]
    return hook


def roles() -> list[dict]:
    return [
        {"name": "giang_vien", "groups": ["giang_vien"],
         "scopes": ["access:services!service=formgrader", "list:users", "read:users"]},
        {"name": "nhan_su", "groups": ["nhan_su"], "scopes": [
            "access:services!service=bao-cao", f"access:services!service={DASHBOARD}"]},
        {"name": "chu_tich_xa", "groups": ["chu_tich_xa"], "scopes": [
            "access:services!service=bao-cao", f"access:services!service={DASHBOARD}"]},
        {"name": "bao-cao", "services": ["bao-cao"], "scopes": ["read:users"]},
        {"name": DASHBOARD, "services": [DASHBOARD], "scopes": ["read:users"]},
        {"name": "idle-culler", "services": ["idle-culler"],
         "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]},
    ]


def formgrader_service(ws_root: Path, port: int) -> dict:
    """nbgrader's formgrader for trainers, as nbgrader documents it for JupyterHub: a shared
    grader server managed by the hub, running as the workspace's owner in the workspace; only
    the ``giang_vien`` role may open it (others get 403 from the hub's OAuth)."""
    owner = pwd.getpwuid(ws_root.stat().st_uid).pw_name
    argv = [str(Path(sys.executable).parent / "jupyterhub-singleuser"),
            f"--ServerApp.root_dir={ws_root}", "--ServerApp.terminals_enabled=False"]
    if owner == "root":
        argv.append("--ServerApp.allow_root=True")
    return {"name": "formgrader", "url": f"http://127.0.0.1:{port}", "command": argv,
            "user": owner, "cwd": str(ws_root), "oauth_no_confirm": True,
            "environment": {"JUPYTERHUB_DEFAULT_URL": "/formgrader"}}


DASHBOARD = "bang-dieu-khien"


def dashboard_service(ws_root: Path, port: int) -> dict:
    """The Voila dashboard for HR and chairmen (``report/hub_service.voila_main``), run as the
    workspace's owner; the hub lets in ``nhan_su`` and ``chu_tich_xa`` only."""
    owner = pwd.getpwuid(ws_root.stat().st_uid).pw_name
    return {"name": DASHBOARD, "url": f"http://127.0.0.1:{port}", "user": owner,
            "cwd": str(ws_root), "oauth_no_confirm": True,
            "command": [sys.executable, "-m", "grading.report.hub_service", "--voila",
                        str(ws_root)]}


def configure(c, *, workspace: str | Path, state: str | Path, ip: str = "127.0.0.1",
              port: int = 8000, hub_port: int = 8081, api_port: int = 8001,
              formgrader_port: int | None = None, report_port: int | None = None,
              dashboard_port: int | None = None,
              proxy: str = "configurable-http-proxy", cull_idle_s: int = 1800,
              templates: str | Path | None = None) -> None:
    """Fill JupyterHub's config object ``c`` for the workspace; hub files go to ``state``."""
    ws = open_workspace(workspace)
    state = Path(state).resolve()
    state.mkdir(parents=True, exist_ok=True, mode=0o700)
    accounts = hub.load_state(ws.root)
    bindir = Path(sys.executable).parent
    c.JupyterHub.ip, c.JupyterHub.port = ip, port
    c.JupyterHub.hub_ip, c.JupyterHub.hub_port = "127.0.0.1", hub_port
    c.ConfigurableHTTPProxy.command = [proxy]
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{api_port}"
    c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
    c.JupyterHub.authenticator_class = CongvuAuthenticator
    c.CongvuAuthenticator.workspace = str(ws.root)
    c.CongvuAuthenticator.dbm_path = str(state / "passwords.dbm")
    c.CongvuAuthenticator.min_password_length = 8
    c.CongvuAuthenticator.request_otp = True
    c.CongvuAuthenticator.otp_prompt = OTP_PROMPT
    c.Authenticator.allowed_users = {a.username for a in accounts.values() if a.active}
    c.JupyterHub.load_groups = {name: {"users": members}
                                for name, members in hub.groups(list(accounts.values())).items()}
    c.JupyterHub.load_roles = roles()
    c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
    c.Spawner.cmd = [str(bindir / "jupyterhub-singleuser")]
    c.Spawner.default_url = "/lab"
    c.Spawner.start_timeout = c.Spawner.http_timeout = 120
    c.Spawner.pre_spawn_hook = pre_spawn_hook(ws.root)
    activity = min(300, max(5, cull_idle_s // 4))  # the culler sees a server in use as in use
    c.JupyterHub.last_activity_interval = activity
    c.Spawner.environment = {"JUPYTERHUB_ACTIVITY_INTERVAL": str(activity)}
    c.JupyterHub.services = [{"name": "idle-culler", "command": [
        str(bindir / "python"), "-m", "jupyterhub_idle_culler", f"--timeout={cull_idle_s}",
        f"--cull-every={max(10, cull_idle_s // 4)}"]}]
    if formgrader_port:
        c.JupyterHub.services.append(formgrader_service(ws.root, formgrader_port))
    if report_port:  # report/hub_service.py: HR and chairmen, filtered by commune
        c.JupyterHub.services.append({
            "name": "bao-cao", "url": f"http://127.0.0.1:{report_port}", "oauth_no_confirm": True,
            "command": [str(bindir / "python"), "-m", "grading.report.hub_service", str(ws.root)]})
    if dashboard_port:
        c.JupyterHub.services.append(dashboard_service(ws.root, dashboard_port))
    missing = {name for name, port in (("bao-cao", report_port), (DASHBOARD, dashboard_port))
               if not port}
    c.JupyterHub.load_roles = [r for r in roles() if r["name"] not in missing]
    if templates:
        c.JupyterHub.template_paths = [str(templates)]
