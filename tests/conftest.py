"""Shared fixtures: the tiny course in tests/data/course and a real graded workspace."""
from __future__ import annotations

import contextlib
import os
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
MINI = DATA / "course" / "course.yml"

# nbgrader runs `alembic` and kernels from the venv: make sure its bin comes first.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
# Sandboxes of this test run get uids of their own, so "nothing left running" checks look at
# this run's processes only (never at another grader's on the same machine).
os.environ.setdefault("CONGVU_SANDBOX_UID_BASE", str(3_000_000 + (os.getpid() % 4000) * 1000))


@contextlib.contextmanager
def fresh_pg_database():
    """A new, empty PostgreSQL database on CONGVU_TEST_PG's server, dropped afterwards.

    Missing server: a failure in CI (.ci/run must start it), a skip elsewhere."""
    import uuid

    import sqlalchemy as sa

    url = os.environ.get("CONGVU_TEST_PG")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CONGVU_TEST_PG is not set: .ci/run must start PostgreSQL")
        pytest.skip("no PostgreSQL server (set CONGVU_TEST_PG=postgresql+psycopg2://...)")
    name = f"congvu_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_url():
    """A fresh PostgreSQL database for one test (see fresh_pg_database)."""
    with fresh_pg_database() as url:
        yield url


@pytest.fixture
def mini_manifest() -> Path:
    return MINI


@pytest.fixture
def new_workspace(tmp_path):
    """A fresh workspace of the tiny course (real nbgrader generate_assignment)."""
    from grading.course import workspace

    def make(name: str = "ws", manifest: Path = MINI):
        return workspace.init(directory=tmp_path / name, manifest_path=manifest)

    return make


# --------------------------------------------------------------------------- graded mini course
GRADED_RIGHT = {"c1": "C", "c2": ["A", "B"], "c3": False}
GRADED_COHORT = {"L_a": {**GRADED_RIGHT, "c4": "Không bấm đường dẫn, báo bộ phận CNTT."},
                 "L_b": {**GRADED_RIGHT, "c3": True, "c4": "Xóa thư." + "<img src=x onerror="
                         "\"window.__pwned='c4'\">"},
                 "L_c": GRADED_RIGHT}  # leaves the free text blank
GRADED_NAMES = {"L_a": "Lê Minh Khoa", "L_b": "Nguyễn Thị Ánh<script>window.__pwned='ten'</script>",
                "L_c": "Trần Văn Bình"}
# L_b also attacks whoever views the work (formgrader, feedback, the grading page): markdown
# with an event handler, outputs their code displays (HTML, JavaScript, SVG with a script, a
# markdown link), an SVG attachment. Every payload would set window.__pwned or the title.
ATTACK_CELLS = [
    {"cell_type": "markdown", "metadata": {}, "source": (
        "Ghi chú <img src=x onerror=\"window.__pwned='md'\"> "
        "<script>document.title='pwned'</script> [bấm](javascript:window.__pwned='link') "
        "![a](attachment:x.svg)"),
     "attachments": {"x.svg": {"image/svg+xml": "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmci"
                                                  "IG9ubG9hZD0id2luZG93Ll9fcHduZWQ9J2F0dCciLz4="}}},
    {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": (
        "from IPython.display import HTML, SVG, Javascript, Markdown, display\n"
        "display(HTML('<img src=x onerror=\"window.__pwned=\\'out\\'\"><b>in đậm</b>'))\n"
        "display(Javascript(\"window.__pwned='js'\"))\n"
        "display(SVG('<svg xmlns=\"http://www.w3.org/2000/svg\"><script>window.__pwned=\\'svg\\'"
        "</script></svg>'))\n"
        "display(Markdown('[x](javascript:window.__pwned=1) <img src=y onerror=\"window.__pwned=2\">'))")},
]

# markup that runs: a script/svg/iframe tag, an event handler in a real tag, a javascript: URL
LIVE_MARKUP = re.compile(r"<(?:script|svg|iframe|object|embed)\b|<[a-z][^<>]*\son\w+\s*="
                         r"|(?:href|src)\s*=\s*[\"']?\s*javascript:", re.I)


def add_attack_cells(notebook: Path) -> None:
    import json

    nb = json.loads(notebook.read_text(encoding="utf-8"))
    nb["cells"] += ATTACK_CELLS
    notebook.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="session")
def graded_mini(tmp_path_factory):
    """The tiny course graded for three named learners; c4 (free text) awaits the trainer.
    Shared, read-only: tests that change it work on a copy."""
    from grading import api
    from grading.course import exchange as learners
    from grading.course import workspace as W
    from grading.engine import batch

    tmp = tmp_path_factory.mktemp("manual")
    ws = W.init(directory=tmp / "ws", manifest_path=MINI)
    roster = tmp / "ds.csv"  # the officials, as HR hands them in (reports need a roster)
    roster.write_text("ma_can_bo,ho_ten,ma_don_vi,ten_don_vi,chuc_vu\n" + "".join(
        f"{i},{name},00123,Phường Hòa Bình,Chuyên viên\n" for i, name in GRADED_NAMES.items()),
        encoding="utf-8")
    api.import_roster(workspace=ws, file=roster)
    W.release(ws)
    for learner, answers in GRADED_COHORT.items():
        folder = learners.fetch(ws, tmp / "homes" / learner, "mini", learner)
        learners.answer(folder, answers)
        if learner == "L_b":
            add_attack_cells(folder / "mini.ipynb")
        learners.submit(ws, tmp / "homes" / learner, "mini", learner)
    batch.collect(ws, "mini")
    batch.grade(workspace=ws, assignment="mini", jobs=2, progress=False)
    return ws


# --------------------------------------------------------------------------- browser tests
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package, installed by .ci/run; never downloaded
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
TEST_OUTPUT = REPO / "test-output"


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright. Required in CI; skipped elsewhere if absent."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run must install Debian's chromium package")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request):
    """A fresh page; on failure a screenshot goes to test-output/<test name>.png."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="vi-VN")
    pg = context.new_page()
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        TEST_OUTPUT.mkdir(exist_ok=True)
        pg.screenshot(path=str(TEST_OUTPUT / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


def grade_rows(root: Path, ids: list[str]) -> list:
    """Every gradebook grade row of these learners (scores, manual flag, submission time):
    what the attack tests require to be byte-identical for honest learners."""
    import sqlite3

    con = sqlite3.connect(Path(root) / "gradebook.db")
    try:
        return con.execute(
            "SELECT sa.student_id, bc.name, g.auto_score, g.manual_score, g.extra_credit, "
            "g.needs_manual_grade, sa.timestamp FROM grade g "
            "JOIN submitted_notebook sn ON g.notebook_id = sn.id "
            "JOIN submitted_assignment sa ON sn.assignment_id = sa.id "
            "JOIN base_cell bc ON g.cell_id = bc.id WHERE sa.student_id IN (%s) "
            "ORDER BY 1, 2" % ",".join("?" * len(ids)), ids).fetchall()
    finally:
        con.close()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(argv, env: dict, port: int, log: Path, cwd: Path = REPO):
    """Run a server (Voila, JupyterLab...) in its own process group until the block ends;
    wait until it listens on ``port``. ``env`` goes over os.environ, with the venv's bin first
    on PATH and a runtime folder beside ``log`` unless ``env`` names its own. The browser
    tests of the learner's home, the grading page and the dashboard share it."""
    import signal
    import socket
    import subprocess
    import time

    out = open(log, "w", encoding="utf-8")
    full = {**os.environ, "JUPYTER_RUNTIME_DIR": str(log.parent / f"rt{port}"),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", **env}
    proc = subprocess.Popen(argv, cwd=cwd, env=full, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("server did not start: " + log.read_text(encoding="utf-8"))
                time.sleep(0.3)
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        out.close()
