"""The completion report as a JupyterHub service (``/services/bao-cao/``), filtered by role.

Started by the hub (``learner/hub_config.py``) as ``python -m grading.report.hub_service WS``.
The hub's OAuth lets in only users whose role grants ``access:services!service=bao-cao``
(``nhan_su``, ``chu_tich_xa``); everyone else gets 403 from the hub. The service then asks the
hub for the user's groups: ``nhan_su`` sees every commune, a chairman only the communes of their
``xa_<code>`` groups (``congvu report --ward``). The self-contained HTML report is rebuilt at most
every ``MAX_AGE_S`` seconds per set of communes, in a private folder.
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


if __name__ == "__main__":
    main()
