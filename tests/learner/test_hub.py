"""`make hub` end to end: a real JupyterHub on loopback, real OS accounts made by `congvu hub sync`.

Two learners of two communes, a commune chairman, a trainer and HR. A's first login happens in
Debian's Chromium (Vietnamese login page, the sheet's code, a password A chooses) and lands on A's
home (Voila, run by A's own server as A's OS account): A fetches, answers by clicking in the
rendered assessment and submits from its «Nộp bài» bar. B does the same over HTTP. Submissions are
readable by their learner and the grader only; A can open neither B's files nor any key, neither
through the hub nor as A's OS user; the trainer collects, grades (sandboxed) and releases
feedback; A fetches A's feedback only; HR and the chairman open the Voila dashboard (every
commune / their own), a learner gets 403; an idle server is culled; a leaver is locked out, their
work kept. Idle culling is set to CULL_S seconds, so tests that need a learner's server again
start it if the culler stopped it (as a learner returning the next day would).
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from conftest import MINI, REPO, TEST_OUTPUT
from hub_driver import HubUser, codes_from_sheet, remove_accounts, run_as

from grading import api
from grading.course import hub

pytestmark = [pytest.mark.hub, pytest.mark.root, pytest.mark.browser, pytest.mark.kernel]

HUB_BIN = REPO / ".hub" / "venv" / "bin"
CHP = REPO / ".hub" / "node_modules" / ".bin" / "configurable-http-proxy"
TAG = "T" + secrets.token_hex(2).upper()  # user names of this run: never another run's accounts
A, B, CHAIR = f"{TAG}A1", f"{TAG}B1", f"{TAG}A2"  # learner ids = hub users = OS users
TRAINER, HR = f"{TAG.lower()}gv", f"{TAG.lower()}ns"
PASSWORD_A, PASSWORD_B = "Hoa-sen-2026", "Cay-tre-2026"
STAFF_PASSWORD = "Noi-vu-2026x"
CULL_S = 60


def _ports() -> int:
    for _ in range(50):
        base = 20000 + secrets.randbelow(20000)
        try:
            for port in range(base, base + 6):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise RuntimeError("no free ports")


@pytest.fixture(scope="module")
def site():
    if os.geteuid() != 0:
        pytest.skip("needs root: OS accounts per learner")
    if not (HUB_BIN / "voila").exists() or not CHP.exists():
        subprocess.run(["make", "hub-env"], cwd=REPO, check=True, capture_output=True)
    # Learners must traverse to the exchange: a world-traversable folder (pytest's is 0700).
    root = Path(tempfile.mkdtemp(prefix="congvu-hub-"))
    root.chmod(0o755)
    ws = api.init_workspace(directory=root / "ws", manifest=MINI)
    roster = root / "ds.csv"
    roster.write_text("ma_can_bo,ho_ten,chuc_vu,ma_don_vi\n"
                      f"{A},Nguyễn Văn An,Công chức Văn phòng - Thống kê,90001\n"
                      f"{B},Trần Thị Bình,Công chức Tư pháp - Hộ tịch,90002\n"
                      f"{CHAIR},Lê Văn Cường,Chủ tịch UBND,90001\n", encoding="utf-8")
    staff = root / "staff.csv"
    staff.write_text("ten_dang_nhap,ho_ten,vai_tro,ma_don_vi\n"
                     f"{TRAINER},Phạm Giảng Viên,giang_vien,\n{HR},Hoàng Nội Vụ,nhan_su,\n",
                     encoding="utf-8")
    api.import_roster(workspace=ws, file=roster)
    api.release(workspace=ws)
    synced = api.hub_sync(workspace=ws, staff=staff)
    port = _ports()
    TEST_OUTPUT.mkdir(exist_ok=True)
    log = open(TEST_OUTPUT / "jupyterhub.log", "w", encoding="utf-8")
    env = {**os.environ, "CONGVU_WS": str(ws.root), "CONGVU_HUB_PORT": str(port),
           "CONGVU_HUB_STATE": str(root / "hub_state"), "CONGVU_HUB_PROXY": str(CHP),
           "CONGVU_HUB_CULL_S": str(CULL_S),
           "PATH": f"{HUB_BIN}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.Popen([str(HUB_BIN / "jupyterhub"), "-f", str(REPO / "deploy" /
                                                                     "jupyterhub_config.py")],
                            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    pass
                if HubUser(base, "x").http.get(f"{base}/hub/login", timeout=5).ok:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the hub did not start: see test-output/jupyterhub.log")
            time.sleep(0.5)
        yield {"ws": ws, "root": root, "base": base, "synced": synced, "roster": roster,
               "codes": codes_from_sheet(synced["sheet"])}
    finally:
        proc.terminate()  # the hub stops every server it started
        try:
            proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        remove_accounts((A, B, CHAIR, TRAINER, HR))  # this test's own accounts
        shutil.rmtree(root, ignore_errors=True)


def test_sync_makes_accounts_roles_and_commune_groups(site):
    state = json.loads((site["ws"].root / hub.STATE).read_text(encoding="utf-8"))
    groups = state["groups"]
    assert sorted(groups["xa_90001"]) == sorted([A, CHAIR]) and groups["xa_90002"] == [B]
    assert groups["chu_tich_xa"] == [CHAIR] and groups["giang_vien"] == [TRAINER]
    assert groups["nhan_su"] == [HR] and sorted(groups["hoc_vien"]) == sorted([A, B, CHAIR])
    assert set(site["codes"]) == {A, B, CHAIR, TRAINER, HR}
    assert all(u["code_hash"].startswith("scrypt$") for u in state["users"])
    assert not any(code in json.dumps(state) for code in site["codes"].values())
    assert (Path("/home") / A).stat().st_mode & 0o777 == 0o700
    assert site["synced"]["sheet"].stat().st_mode & 0o777 == 0o600


def test_first_login_in_the_browser_with_the_sheet_code(site, page):
    base, code = site["base"], site["codes"][A]
    page.goto(f"{base}/hub/login")
    assert page.locator("#first-login-help").is_visible()
    page.fill("#username_input", A)
    page.fill("#password_input", "SAI-MA-99")
    page.fill("#otp_input", PASSWORD_A)
    page.click("#login_submit")
    page.wait_for_selector("#login_submit")
    assert "/hub/login" in page.url  # a wrong code is refused
    page.fill("#username_input", A.lower())  # any case
    page.fill("#password_input", code)
    page.fill("#otp_input", PASSWORD_A)
    page.click("#login_submit")
    # A's home (Voila in A's own server, started as A's OS account): name, commune, modules
    page.wait_for_url(f"**/user/{A}/voila/render/trang_chu.ipynb**", timeout=180_000)
    home = page.url.split("?")[0]
    page.get_by_text("Xin chào Nguyễn Văn An").wait_for(timeout=180_000)
    body = page.inner_text("body")
    assert "Phường Hòa Bình" in body and "Học phần nhỏ" in body and "Chưa làm" in body
    owner = subprocess.run(["pgrep", "-u", A, "-f", "jupyterhub-singleuser"],
                           capture_output=True, text=True).stdout.split()
    assert owner, "A's server runs as A"
    # fetch, answer by clicking in the rendered assessment, submit from its bar
    page.get_by_role("button", name="Nhận bài kiểm tra").click()
    link = page.get_by_role("link", name="Làm bài kiểm tra")
    link.wait_for(timeout=60_000)
    page.goto(home.rsplit("/", 1)[0] + "/" + link.get_attribute("href"), timeout=120_000)
    page.get_by_text("C. Ngựa-vằn-ăn-cỏ-2026").click(timeout=120_000)
    page.wait_for_function("[...document.querySelectorAll('[role=status]')]"
                           ".some(e => e.innerText.includes('Đã lưu'))", timeout=30_000)
    page.get_by_role("button", name="Nộp bài").click()  # the bar inside the assessment
    page.get_by_text("Đã nộp bài lúc").wait_for(timeout=60_000)
    page.goto(home, timeout=120_000)
    page.get_by_text("Đã nộp").first.wait_for(timeout=120_000)  # the home knows
    # the code is spent: only the chosen password works from now on
    assert HubUser(base, A).login(code, "Mat-khau-khac-1").status_code == 403
    assert HubUser(base, A).login(PASSWORD_A).status_code == 302


@pytest.fixture(scope="module")
def learners(site):
    base = site["base"]
    a, b = HubUser(base, A), HubUser(base, B)
    assert a.login(PASSWORD_A).status_code == 302
    assert b.login(PASSWORD_B).status_code == 403  # before B's first login: no password yet
    assert b.login(site["codes"][B], PASSWORD_B).status_code == 302
    for user in (a, b):
        user.token()
        user.spawn()
    trainer = HubUser(base, TRAINER)  # a server left idle from now on: the culler must stop it
    assert trainer.login(site["codes"][TRAINER], STAFF_PASSWORD).status_code == 302
    trainer.token()
    trainer.hub_api("POST", f"/users/{TRAINER}/server")
    return a, b, trainer


def test_learners_fetch_answer_and_submit_as_themselves(site, learners):
    import pwd

    _, b, _ = learners  # A submitted from the home page, in the browser
    listed = b.assignment("fetch", "mini", "mini")
    assert listed["success"], listed
    b.save_answers("mini", {"c1": "A"})
    done = b.assignment("submit", "mini", "mini")
    assert done["success"], done
    inbound = site["ws"].root / "exchange" / "mini" / "inbound"
    mine = {p.name.split("+")[0]: p for p in inbound.iterdir()}
    assert {k: p.stat().st_uid for k, p in mine.items()} == {
        A: pwd.getpwnam(A).pw_uid, B: pwd.getpwnam(B).pw_uid}
    # private to the learner and the grader (nbgrader alone leaves them 0777)
    for path in mine.values():
        assert path.stat().st_mode & 0o777 == 0o750
        assert all(f.stat().st_mode & 0o007 == 0 for f in path.rglob("*"))
    assert run_as(B, "cat", str(mine[A] / "timestamp.txt")).returncode != 0
    assert run_as(A, "cat", str(mine[A] / "timestamp.txt")).returncode == 0


def test_a_reaches_neither_b_nor_any_key(site, learners):
    a, _, _ = learners
    a.spawn()  # again if the culler stopped it
    ws = site["ws"].root
    assert a.server("GET", "/api/contents/mini", user=B).status_code in (302, 403, 404)
    assert a.server("GET", "/api/contents/mini").status_code == 200
    for path in (f"/home/{B}/mini/cau_tra_loi.json", str(ws / "source" / "mini" / "mini.ipynb"),
                 str(ws / "gradebook.db"), str(ws / "nbgrader_config.py"),
                 str(ws / "congvu" / "hub" / "users.json")):
        assert run_as(A, "cat", path).returncode != 0, path
    assert run_as(A, "ls", str(ws / "exchange" / "mini" / "inbound")).returncode != 0
    assert run_as(A, "cat", f"/home/{A}/mini/cau_tra_loi.json").returncode == 0


def test_formgrader_is_for_trainers_only(site, learners):
    a, _, trainer = learners
    url = f"{site['base']}/services/formgrader/formgrader"
    deadline = time.monotonic() + 180
    while (r := trainer.http.get(url, timeout=120)).status_code in (502, 503, 424):
        assert time.monotonic() < deadline, "formgrader did not start"
        time.sleep(2)
    assert r.status_code == 200 and "mini" in r.text  # the workspace's assignment
    assert a.login(PASSWORD_A).status_code == 302
    assert a.http.get(url, timeout=120).status_code == 403


def test_report_service_hr_sees_all_chairman_own_commune_learner_403(site, learners):
    a, _, _ = learners
    url = f"{site['base']}/services/bao-cao/"
    pages = {}
    for name in (HR, CHAIR):
        user = HubUser(site["base"], name)
        assert user.login(site["codes"][name], STAFF_PASSWORD).status_code == 302
        deadline = time.monotonic() + 300
        while (r := user.http.get(url, timeout=300)).status_code in (502, 503, 424):
            assert time.monotonic() < deadline, "report service did not start"
            time.sleep(2)
        assert r.status_code == 200, r.text[:500]
        pages[name] = r.text
    assert "Phường Hòa Bình" in pages[HR] and "Xã Tân Lập" in pages[HR]
    assert "Phường Hòa Bình" in pages[CHAIR] and "Xã Tân Lập" not in pages[CHAIR]
    assert a.http.get(url, timeout=120).status_code == 403


# nbgrader 0.9's release_feedback leaves timestamp.txt open (a ResourceWarning, not ours)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_trainer_grades_and_a_sees_only_a_feedback(site, learners):
    a, _, _ = learners
    ws = site["ws"]
    status = api.grade(workspace=ws, module="mini", collect=True, progress=False)
    assert set(status["learner_id"]) == {A, B}
    assert set(status["status"]) <= {"graded", "tampered"}
    assert sorted(api.feedback(workspace=ws, module="mini")) == [A, B]
    a.spawn()  # again if the culler stopped it
    listed = a.assignment("fetch_feedback", "mini", "mini")
    assert listed["success"], listed
    mine = list((Path("/home") / A / "mini" / "feedback").rglob("*.html"))
    assert mine, "A fetched A's feedback"
    assert A in mine[0].read_text(encoding="utf-8") or "mini" in mine[0].name
    assert not (Path("/home") / B / "mini" / "feedback").exists()  # B has not fetched yet
    feedback_root = ws.root / "exchange" / "mini" / "feedback"
    assert run_as(A, "ls", str(feedback_root)).returncode != 0  # others' feedback not listable


def test_dashboard_hr_sees_all_chairman_own_commune_learner_403(site, learners, browser):
    a, _, _ = learners
    url = f"{site['base']}/services/bang-dieu-khien/"
    assert a.http.get(url, timeout=120).status_code == 403
    seen = {}
    for name in (HR, CHAIR):
        HubUser(site["base"], name).login(site["codes"][name], STAFF_PASSWORD)  # if not yet
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
        page = context.new_page()
        page.goto(f"{site['base']}/hub/login?next=/services/bang-dieu-khien/", timeout=120_000)
        page.fill("#username_input", name)
        page.fill("#password_input", STAFF_PASSWORD)
        page.click("#login_submit")
        page.locator("[data-kpi=enrolled]").wait_for(timeout=240_000)
        seen[name] = (page.locator("[data-kpi=enrolled]").inner_text(),
                      page.locator("select").first.inner_text().replace("\xa0", " "))
        TEST_OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(TEST_OUTPUT / f"hub_dashboard_{name[-2:]}.png"), full_page=True)
        context.close()
    assert seen[HR][0] == "3" and "Xã Tân Lập" in seen[HR][1] and "Phường Hòa Bình" in seen[HR][1]
    assert seen[CHAIR][0] == "2" and "Phường Hòa Bình" in seen[CHAIR][1]
    assert "Xã Tân Lập" not in seen[CHAIR][1]


def test_an_idle_server_is_culled(site, learners):
    _, _, trainer = learners  # started in the fixture, never used since
    deadline = time.monotonic() + CULL_S + 120
    while trainer.hub_api("GET", f"/users/{TRAINER}").json().get("servers"):
        assert time.monotonic() < deadline, "the idle server was not culled"
        time.sleep(3)
    assert not subprocess.run(["pgrep", "-u", TRAINER, "-f", "jupyterhub-singleuser"],
                              capture_output=True, text=True).stdout.split()


def test_a_leaver_is_locked_out_and_keeps_their_work(site, learners):
    roster = site["roster"]
    lines = roster.read_text(encoding="utf-8").splitlines()
    roster.write_text("\n".join(line for line in lines if not line.startswith(B)) + "\n",
                      encoding="utf-8")
    api.import_roster(workspace=site["ws"], file=roster)
    result = api.hub_sync(workspace=site["ws"])
    assert result["disabled"] == 1
    assert subprocess.run(["passwd", "--status", B], capture_output=True,
                          text=True).stdout.split()[1] == "L"
    assert HubUser(site["base"], B).login(PASSWORD_B).status_code == 403
    assert (Path("/home") / B / "mini" / "cau_tra_loi.json").exists()
