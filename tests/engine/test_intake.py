"""Attacks through the real exchange by real OS accounts (created here with useradd): reading
keys, a forged name, a forged time, links, a hard link, a FIFO and a dangling link in the
inbound, replacing the course folder. Each is contained and recorded, honest learners' grade
rows stay byte-identical, and the batch completes. Runs as root (CI does)."""
import datetime as dt
import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from grading import columns as C
from grading.course import exchange as learners
from grading.course import permissions
from grading.engine import batch, sandbox
from grading.engine.sandbox import Limits

pytestmark = [pytest.mark.kernel, pytest.mark.root]
RIGHT = {"c1": "C", "c2": ["A", "B"], "c3": False}
WRONG = {"c1": "A", "c2": ["C"], "c3": True}
LIMITS = Limits(wall_seconds=30)
ROLES = ("alice", "bob", "carol", "dave", "eve", "frank", "gina", "hana")


def as_account(uid: int, fn) -> int:
    """Run ``fn()`` in a child process under ``uid``; its exit code (0: fn returned)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            code = 0 if fn() is not False else 3
        except PermissionError:
            code = 13
        except BaseException:  # noqa: BLE001  the child must never return into pytest
            import traceback

            traceback.print_exc()
        finally:
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


@pytest.fixture(scope="module")
def accounts():
    if os.geteuid() != 0:
        pytest.skip("creating OS accounts needs root")
    tag = secrets.token_hex(2)
    names = {role: f"cv{tag}{role}" for role in ROLES}
    for name in names.values():
        subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                       check=True)
    import pwd

    yield {role: (name, pwd.getpwnam(name).pw_uid) for role, name in names.items()}
    for name in names.values():
        subprocess.run(["userdel", name], check=False)


def _rows(ws, ids: list[str]) -> list:
    """Every gradebook grade row of these learners, with their submission time."""
    from conftest import grade_rows

    return grade_rows(ws.root, ids)


def _hand_in(inbound: Path, name: str, folder: Path, *, stamp: str | None = None,
             extra=None):
    """What `nbgrader submit` does, as the calling account: copy, timestamp.txt, mode 0777."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    dest = inbound / f"{name}+mini+{now}+{secrets.token_urlsafe(6)}"
    shutil.copytree(folder, dest, copy_function=shutil.copyfile)
    (dest / "timestamp.txt").write_text(stamp or now)
    if extra:
        extra(dest)
    os.chmod(dest, 0o777)


@pytest.fixture(scope="module")
def attacked(accounts, tmp_path_factory):
    from conftest import MINI

    from grading.course import workspace as W

    ok, why = sandbox.available()
    if not ok:
        pytest.skip(why)
    base = Path(tempfile.mkdtemp(prefix="congvu-intake-", dir="/tmp"))
    os.chmod(base, 0o711)  # learner accounts pass through to the exchange, nothing more
    ws = W.init(directory=base / "ws", manifest_path=MINI, timeout=5,
                exchange=base / "exchange")
    W.release(ws)
    inbound = ws.exchange / ws.course_id / "inbound"
    home = tmp_path_factory.mktemp("homes")
    # honest: one learner through nbgrader's own submit (the trainer's account), one by account
    learners.answer(learners.fetch(ws, home / "H_full", "mini", "H_full"), RIGHT)
    learners.submit(ws, home / "H_full", "mini", "H_full")
    alice, alice_uid = accounts["alice"]
    work = Path(tempfile.mkdtemp(prefix="congvu-work-", dir="/tmp"))
    os.chmod(work, 0o755)
    folder = learners.fetch(ws, work / "alice", "mini", alice)
    learners.answer(folder, RIGHT)
    shutil.chown(work / "alice", alice_uid)
    for path in (work / "alice").rglob("*"):
        os.lchown(path, alice_uid, alice_uid)
    assert as_account(alice_uid, lambda: _hand_in(inbound, alice, folder)) == 0
    batch.collect(ws, "mini")
    first = batch.grade(workspace=ws, assignment="mini", jobs=2, progress=False,
                        sandbox=True, limits=LIMITS)
    honest = ["H_full", alice]
    before = _rows(ws, honest)

    wrong = work / "wrong"
    learners.answer(learners.fetch(ws, work / "wrong", "mini", "x"), WRONG)
    os.chmod(wrong, 0o755)
    for path in wrong.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    wrong = wrong / "mini"
    attempts = {}

    def keys():  # alice tries to read keys, grades and others' work
        for path in (ws.root / "source/mini/mini.ipynb", ws.root / "gradebook.db",
                     ws.root / "submitted", ws.root / "release/mini/mini.ipynb",
                     ws.root / "nbgrader_config.py"):
            try:
                open(path, "rb").read(1) if path.is_file() else os.listdir(path)
                return False
            except PermissionError:
                pass
        try:
            os.listdir(inbound)  # nobody lists the inbound (names hold no secret, still)
            return False
        except PermissionError:
            return True

    attempts["keys"] = as_account(alice_uid, keys)

    def replace_course():  # bob moves the course folder away to plant his own
        os.rename(ws.exchange / ws.course_id, ws.exchange / "moved")

    def link_in(dest):
        (dest / "cau_tra_loi.json").unlink()
        (dest / "cau_tra_loi.json").symlink_to(ws.root / "source/mini/cau_tra_loi.json")

    bob, bob_uid = accounts["bob"]
    attempts["replace"] = as_account(bob_uid, replace_course)
    # bob hands in wrong answers in alice's name
    attempts["forged"] = as_account(bob_uid, lambda: _hand_in(inbound, alice, wrong))
    carol, carol_uid = accounts["carol"]
    as_account(carol_uid, lambda: _hand_in(inbound, carol, wrong,
                                           stamp="2020-01-01 00:00:00.000000 UTC"))
    dave, dave_uid = accounts["dave"]
    as_account(dave_uid, lambda: _hand_in(inbound, dave, wrong, extra=link_in))
    eve, eve_uid = accounts["eve"]
    as_account(eve_uid, lambda: (inbound / f"{eve}+mini+2026-01-01 00:00:00+x").symlink_to(
        "/nonexistent"))
    frank, frank_uid = accounts["frank"]
    frank_home = work / "frank"
    frank_home.mkdir(mode=0o777)
    os.chmod(frank_home, 0o777)
    as_account(frank_uid, lambda: _hand_in(
        inbound, frank, wrong, extra=lambda d: os.link(d / "mini.ipynb", frank_home / "h")))
    gina, gina_uid = accounts["gina"]
    as_account(gina_uid, lambda: _hand_in(inbound, gina, wrong,
                                          extra=lambda d: os.mkfifo(d / "pipe")))
    hana, hana_uid = accounts["hana"]

    def unreadable(dest):  # hana's own file that hana cannot read: root could, the intake won't
        (dest / "ghi_chu.txt").write_text("x")
        os.chmod(dest / "ghi_chu.txt", 0)

    as_account(hana_uid, lambda: _hand_in(inbound, hana, wrong, extra=unreadable))
    refused = batch.collect(ws, "mini")
    second = batch.grade(workspace=ws, assignment="mini", jobs=2, progress=False,
                         sandbox=True, limits=LIMITS)
    after = _rows(ws, honest)
    yield dict(ws=ws, accounts=accounts, first=first, second=second, before=before,
               after=after, refused={r[C.LEARNER]: r for r in refused}, attempts=attempts)
    shutil.rmtree(base, ignore_errors=True)
    shutil.rmtree(work, ignore_errors=True)


def test_learner_account_reads_no_key_and_cannot_replace_the_course(attacked):
    assert attacked["attempts"]["keys"] == 0  # every read refused by the OS
    assert attacked["attempts"]["replace"] == 13  # sticky exchange root
    ws = attacked["ws"]
    assert (ws.exchange / ws.course_id / "outbound" / "mini").is_dir()
    assert permissions.check(ws.root, ws.exchange, ws.course_id) == []


def test_forged_and_linked_submissions_are_refused_with_a_status(attacked):
    acc, refused = attacked["accounts"], attacked["refused"]
    status = {who: refused[acc[who][0]][C.STATUS] for who in ("bob", "carol", "dave", "eve",
                                                              "frank", "gina", "hana")}
    assert status == {"bob": "forged", "carol": "forged", "dave": "rejected_files",
                      "eve": "rejected_files", "frank": "rejected_files",
                      "gina": "rejected_files", "hana": "rejected_files"}
    # read with hana's own rights (root's would have read it): collect never reads as root
    assert "không đọc được" in refused[acc["hana"][0]][C.REASON]
    assert acc["alice"][0] in refused[acc["bob"][0]][C.REASON]  # names the stolen identity
    assert "symlink" in refused[acc["dave"][0]][C.REASON]
    assert "hard link" in refused[acc["frank"][0]][C.REASON]
    submitted = attacked["ws"].root / "submitted"
    for who in ("bob", "carol", "dave", "eve", "frank", "gina", "hana"):
        assert not (submitted / acc[who][0]).exists()  # nothing of theirs reaches grading


def test_honest_rows_are_untouched_and_the_batch_completes(attacked):
    assert attacked["before"] == attacked["after"]
    assert {row[0] for row in attacked["before"]} == {"H_full", attacked["accounts"]["alice"][0]}
    from grading.course import gradebook

    grades = gradebook.read_grades(attacked["ws"].db_url)
    per = grades[grades[C.ITEM].isin(["c1", "c2", "c3"])].groupby(C.LEARNER)[C.SCORE].sum()
    assert per.to_dict() == {"H_full": 3.0, attacked["accounts"]["alice"][0]: 3.0}
    first = attacked["first"].set_index(C.LEARNER)[C.STATUS]
    second = attacked["second"].set_index(C.LEARNER)[C.STATUS]
    assert set(first) == {"graded"} and len(first) == 2
    assert second.to_dict() == first.to_dict()


def test_submission_time_is_the_true_one(attacked):
    from nbgrader.utils import parse_utc

    ws, alice = attacked["ws"], attacked["accounts"]["alice"][0]
    stamp = (ws.root / "submitted" / alice / "mini" / "timestamp.txt").read_text()
    taken = parse_utc(stamp).replace(tzinfo=None)
    assert abs(taken - dt.datetime.now(dt.UTC).replace(tzinfo=None)) < dt.timedelta(minutes=30)
