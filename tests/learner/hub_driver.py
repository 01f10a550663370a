"""Drive a real JupyterHub as an official would, over HTTP: first login with the sheet's code,
spawn, fetch, save answers, submit. Used by tests/learner/test_hub.py and benchmarks/hub_load.py.
"""
from __future__ import annotations

import base64
import json
import subprocess
import time
from pathlib import Path

import openpyxl
import requests


def codes_from_sheet(path: Path) -> dict[str, str]:
    """{user name: one-time code} from the first-login workbook (header on row 3)."""
    book = openpyxl.load_workbook(path, read_only=True)
    return {row[3]: row[4] for sheet in book for row in sheet.iter_rows(min_row=4, values_only=True)
            if row and row[3]}


class HubUser:
    def __init__(self, base: str, username: str):
        self.base, self.name = base.rstrip("/"), username
        self.http = requests.Session()
        self.api_token = ""

    def _xsrf(self) -> str:
        if not self.http.cookies.get("_xsrf"):
            self.http.get(f"{self.base}/hub/login", timeout=60)
        return self.http.cookies.get("_xsrf")

    def login(self, password: str, new_password: str = "") -> requests.Response:
        """POST the login form; 302 on success, 403 on refusal."""
        data = {"username": self.name, "password": password, "otp": new_password,
                "_xsrf": self._xsrf()}
        return self.http.post(f"{self.base}/hub/login", data=data, allow_redirects=False,
                              timeout=120)

    def token(self) -> str:
        """An API token of this user (made with their login session)."""
        r = self.http.post(f"{self.base}/hub/api/users/{self.name}/tokens",
                           headers={"X-XSRFToken": self.http.cookies.get("_xsrf")},
                           json={"note": "test", "expires_in": 3600}, timeout=60)
        r.raise_for_status()
        self.api_token = r.json()["token"]
        return self.api_token

    def hub_api(self, method: str, path: str, **kw) -> requests.Response:
        return requests.request(method, f"{self.base}/hub/api{path}", timeout=120,
                                headers={"Authorization": f"token {self.api_token}"}, **kw)

    def spawn(self, timeout: float = 180) -> float:
        """Start the user's server and wait until it answers; seconds taken. Waits on the hub's
        progress event stream, as the browser's "server starting" page does, rather than
        polling the hub (fifty pollers would load the hub they measure)."""
        t0 = time.monotonic()
        r = self.hub_api("POST", f"/users/{self.name}/server")
        if r.status_code not in (201, 202, 400):
            r.raise_for_status()
        with requests.get(f"{self.base}/hub/api/users/{self.name}/server/progress", stream=True,
                          headers={"Authorization": f"token {self.api_token}"},
                          timeout=timeout) as events:
            for line in events.iter_lines():
                if line.startswith(b"data:"):
                    event = json.loads(line[5:])
                    if event.get("ready"):
                        return self._reachable(t0, timeout)
                    if event.get("failed"):
                        break
        while time.monotonic() - t0 < timeout:  # the stream ended early: ask the hub
            user = self.hub_api("GET", f"/users/{self.name}").json()
            server = user.get("servers", {}).get("", {})
            if server.get("ready"):
                return self._reachable(t0, timeout)
            time.sleep(0.5)
        raise TimeoutError(f"{self.name}: server not ready after {timeout} s")

    def _reachable(self, t0: float, timeout: float) -> float:
        """Seconds from t0 until the server answers through the proxy (the hub says "ready"
        a moment before the proxy's route exists when fifty servers start at once)."""
        while time.monotonic() - t0 < timeout:
            if self.server("GET", "/api/status").status_code == 200:
                return time.monotonic() - t0
            time.sleep(0.2)
        raise TimeoutError(f"{self.name}: server not reachable after {timeout} s")

    def server(self, method: str, path: str, user: str | None = None, **kw) -> requests.Response:
        """A request to a user's server (default: one's own) with this user's token."""
        url = f"{self.base}/user/{user or self.name}{path}"
        return requests.request(method, url, timeout=300, allow_redirects=False,
                                headers={"Authorization": f"token {self.api_token}"}, **kw)

    def assignment(self, action: str, course: str, module: str) -> list | dict:
        r = self.server("POST", f"/assignments/{action}",
                        data={"course_id": course, "assignment_id": module})
        r.raise_for_status()
        return r.json()

    def save_answers(self, module: str, answers: dict) -> None:
        """Write the answers file as the item widgets do (through the contents API)."""
        body = {"type": "file", "format": "base64", "content": base64.b64encode(
            json.dumps(answers, ensure_ascii=False).encode()).decode()}
        r = self.server("PUT", f"/api/contents/{module}/cau_tra_loi.json", json=body)
        r.raise_for_status()

    def stop(self) -> None:
        self.hub_api("DELETE", f"/users/{self.name}/server")


def run_as(user: str, *argv: str) -> subprocess.CompletedProcess:
    """Run a command as an OS account (root only), e.g. to check what a learner can read."""
    return subprocess.run(["runuser", "-u", user, "--", *argv], capture_output=True, text=True)


def remove_accounts(users) -> None:
    """Kill what these (test- or benchmark-made) OS accounts still run and delete them with
    their homes."""
    import os

    for user in users:
        pids = subprocess.run(["pgrep", "-u", user], capture_output=True, text=True).stdout
        for pid in pids.split():
            try:
                os.kill(int(pid), 9)
            except ProcessLookupError:
                pass
        subprocess.run(["userdel", "--remove", user], capture_output=True)
