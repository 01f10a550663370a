"""`congvu grade` as a normal user (a real OS account created here): sandboxed in an
unprivileged user namespace, with the same scores as root."""
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from grading import columns as C
from grading.course import exchange as learners
from grading.course import gradebook, ledger
from grading.engine import batch

pytestmark = [pytest.mark.kernel, pytest.mark.root]
COHORT = {"H_full": {"c1": "C", "c2": ["A", "B"], "c3": False},
          "H_part": {"c1": "B", "c2": ["A", "B"], "c3": False}}


def _scores(ws) -> dict:
    grades = gradebook.read_grades(ws.db_url)
    return grades.groupby(C.LEARNER)[C.SCORE].sum().to_dict()


def test_normal_user_grades_with_the_same_scores_as_root():
    from conftest import MINI
    from unprivileged_env import make, usable

    from grading.course import workspace as W

    if os.geteuid() != 0:
        pytest.skip("creating an OS account needs root")
    if usable():
        pytest.skip(usable())
    base = Path(tempfile.mkdtemp(prefix="congvu-user-", dir="/tmp"))
    os.chmod(base, 0o755)
    name = "cvu" + os.urandom(2).hex()
    subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                   check=True)
    try:
        import pwd

        uid, gid = pwd.getpwnam(name).pw_uid, pwd.getpwnam(name).pw_gid
        python = make(base / "venv")
        ws = W.init(directory=base / "root_ws", manifest_path=MINI, timeout=5)
        W.release(ws)
        learners.submit_cohort(ws, base / "homes", "mini", COHORT)
        batch.collect(ws, "mini")
        shutil.copytree(ws.root, base / "user_ws", symlinks=True)
        subprocess.run(["chown", "-R", f"{uid}:{gid}", str(base / "user_ws")], check=True)
        batch.grade(workspace=ws, assignment="mini", jobs=2, progress=False, sandbox=True)
        res = subprocess.run([str(python), "-m", "grading.cli", "-q", "grade",
                              str(base / "user_ws"), "mini", "--jobs", "2"],
                             user=uid, group=gid, extra_groups=[], cwd=base,
                             env={"PATH": f"{python.parent}:/usr/bin:/bin",
                                  "HOME": str(base / "user_ws"), "LANG": "C.UTF-8"},
                             capture_output=True, text=True, timeout=600)
        assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
        user_ws = W.open_workspace(base / "user_ws")
        assert _scores(user_ws) == _scores(ws) == {"H_full": 3.0, "H_part": 2.0}
        rows = ledger.read(user_ws.root)
        assert set(rows[C.STATUS]) == {"graded"} and not (rows["flags"] == "unsandboxed").any()
    finally:
        subprocess.run(["userdel", name], check=False)
        shutil.rmtree(base, ignore_errors=True)
