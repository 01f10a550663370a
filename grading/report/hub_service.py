"""The completion report as a JupyterHub service (``/services/bao-cao/``), filtered by role.

Started by the hub (``learner/hub_config.py``) as ``python -m grading.report.hub_service WS``.
The hub's OAuth lets in only users whose role grants ``access:services!service=bao-cao``
(``nhan_su``, ``chu_tich_xa``); everyone else gets 403 from the hub. The service then asks the
hub for the user's groups: ``nhan_su`` sees every commune, a chairman only the communes of their
``xa_<code>`` groups (``congvu report --ward``). The self-contained HTML report is rebuilt at most
every ``MAX_AGE_S`` seconds per set of communes, in a private folder.

``python -m grading.report.hub_service --voila WS`` runs the Voila dashboard
(``report/dashboard.py``, ``congvu dashboard``) as the hub service ``bang-dieu-khien``: Voila
standalone (only the notebook, no JupyterLab, no terminals; its kernels accept widget messages
only, never code), logged in through the hub's OAuth, and the notebook rewritten before each
kernel starts so that it shows only the communes the user's groups allow.
"""
from __future__ import annotations

import os
import sys
import time
from urllib.parse import urlparse

MAX_AGE_S = 300


def allowed_wards(groups: list[str]) -> list[str] | None:
    """None = every commune (HR); a list of ward codes (chairman); [] = nothing."""
    if "nhan_su" in groups:
        return None
    if "chu_tich_xa" in groups:
        return sorted(g.removeprefix("xa_") for g in groups if g.startswith("xa_"))
    return []


def main(argv: list[str] | None = None) -> None:
    import requests
    from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
    from tornado import ioloop, web

    from grading.course.workspace import open_workspace
    from grading.report.wards import report_command

    ws = open_workspace((argv or sys.argv[1:])[0])
    cache = ws.root / "congvu" / "hub" / "bao_cao"
    prefix = os.environ["JUPYTERHUB_SERVICE_PREFIX"]

    class Report(HubOAuthenticated, web.RequestHandler):
        @web.authenticated
        def get(self):
            name = self.get_current_user()["name"]
            reply = requests.get(f"{self.hub_auth.api_url}/users/{name}", timeout=30,
                                 headers={"Authorization": f"token {self.hub_auth.api_token}"})
            reply.raise_for_status()
            wards = allowed_wards(reply.json().get("groups", []))
            if wards == []:
                raise web.HTTPError(403)
            out = cache / ("tat_ca" if wards is None else "_".join(wards))
            html = out / "report.html"
            if not html.exists() or time.time() - html.stat().st_mtime > MAX_AGE_S:
                report_command(ws, out, lang="vi", wards=wards, split=False, as_of=None)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(html.read_bytes())

    app = web.Application([(prefix, Report), (prefix + "oauth_callback", HubOAuthCallbackHandler)],
                          cookie_secret=os.urandom(32))
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    app.listen(url.port, url.hostname)
    ioloop.IOLoop.current().start()


def user_groups(name: str) -> list[str]:
    """The hub groups of ``name``, asked with the service's own token (role ``read:users``)."""
    import requests

    api = os.environ["JUPYTERHUB_API_URL"]
    reply = requests.get(f"{api}/users/{name}", timeout=30, headers={
        "Authorization": f"token {os.environ['JUPYTERHUB_API_TOKEN']}"})
    reply.raise_for_status()
    return reply.json().get("groups", [])


DASHBOARD_CELL = """# Bảng điều khiển qua JupyterHub: chỉ các đơn vị vai trò của người dùng được xem.
from grading.report import dashboard

dashboard.app({workspace!r}, lang="vi", wards={wards!r})
"""


def prelaunch_hook(req, notebook, cwd) -> None:
    """Voila's hook before a kernel starts: the notebook becomes one cell showing the
    dashboard of the communes this user may see (a learner never gets here: the hub's OAuth
    grants the service only to ``nhan_su`` and ``chu_tich_xa``)."""
    from nbformat.v4 import new_code_cell
    from tornado.web import HTTPError

    wards = allowed_wards(user_groups(req.current_user.username))
    if wards == []:
        raise HTTPError(403)
    notebook.cells = [new_code_cell(DASHBOARD_CELL.format(
        workspace=os.environ["CONGVU_WORKSPACE"], wards=wards))]


def voila_main(workspace: str) -> None:
    from jupyterhub.singleuser.extension import JupyterHubIdentityProvider
    from traitlets.config import Config
    from voila.app import Voila

    from grading.report.dashboard import serve_command

    argv, env = serve_command(workspace)
    os.environ.update(env)

    prefix = os.environ["JUPYTERHUB_SERVICE_PREFIX"]

    class HubIdentity(JupyterHubIdentityProvider):
        # Voila hands its identity provider a token; the hub's OAuth replaces tokens
        token = property(lambda self: self.hub_auth.api_token, lambda self, value: None)

        def get_handlers(self):  # Voila mounts them as given: under the service's prefix
            return [(prefix.rstrip("/") + path, *rest) for path, *rest in super().get_handlers()]

    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    c = Config()
    c.VoilaConfiguration.prelaunch_hook = prelaunch_hook
    c.Voila.identity_provider_class = HubIdentity
    c.Voila.base_url = prefix
    c.Voila.port, c.Voila.ip = url.port, url.hostname
    Voila.launch_instance(argv=[a for a in argv[1:] if not a.startswith(("--port=", "--Voila.ip="))],
                          config=c)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--voila"]:
        voila_main(sys.argv[2])
    else:
        main()
