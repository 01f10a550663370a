"""`congvu grade` refuses a retake the learner was not allowed: a status and a reason, no kernel,
and the batch goes on. The reason names the rule: attempts used up, feedback of the previous
attempt not released, waiting time not over, or not opened (passed, awaiting the trainer)."""
import datetime as dt
import os
import shutil

import pandas as pd
import pytest

from grading import columns as C
from grading import settings
from grading.course import ledger, retakes
from grading.status import Status


@pytest.fixture(scope="module")
def retake_ws(tmp_path_factory):
    """The tiny course with three attempts and a 3-day wait; five learners submitted
    attempt 2 (``mini__lan2``)."""
    from conftest import MINI

    from grading.course import workspace as W

    tmp_path = tmp_path_factory.mktemp("retake")
    course = tmp_path / "course"
    shutil.copytree(MINI.parent, course)
    manifest = course / "course.yml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("    pass_mark: 60\n", "    pass_mark: 60\n    retakes: "
                                     "{attempts: 3, wait_days: 3, result: best}\n", 1),
                        encoding="utf-8")
    ws = W.init(directory=tmp_path / "ws", manifest_path=manifest)
    for who in ("ok", "passed", "no_feedback", "waiting"):
        folder = ws.root / "submitted" / who / "mini__lan2"
        folder.mkdir(parents=True)
        shutil.copy(ws.root / "release" / "mini" / "mini.ipynb", folder / "mini.ipynb")
    long_ago = (dt.datetime.now() - dt.timedelta(days=10)).timestamp()
    for who in ("ok", "passed", "waiting"):
        fb = ws.root / "feedback" / who / "mini"
        fb.mkdir(parents=True)
        if who != "waiting":  # released ten days ago; "waiting" got it today
            os.utime(fb, (long_ago, long_ago))
    pd.DataFrame({C.LEARNER: ["ok"], C.MODULE: ["mini"], "attempt": [2],
                  "opened_on": ["2026-01-01"]}).to_csv(
        ws.root / "congvu" / retakes.ALLOWED_FILE, index=False)
    return ws


def test_refusal_names_the_rule_that_fails(retake_ws):
    ws = retake_ws
    module = ws.manifest.module("mini")
    why = {who: retakes.refusal(ws.root, module, who, "mini__lan2")
           for who in ("ok", "passed", "no_feedback", "waiting")}
    assert why["ok"] == "" and retakes.refusal(ws.root, module, "anyone", "mini") == ""
    assert "chưa phát phản hồi lần làm bài 1" in why["no_feedback"]
    assert "chưa hết thời gian chờ 3 ngày" in why["waiting"]
    ready = settings.vn_today() + dt.timedelta(days=3)  # Vietnam's date, whatever the clock's zone
    assert f"{ready:%d/%m/%Y}" in why["waiting"]
    assert "chưa được mở" in why["passed"] and "congvu retake mini" in why["passed"]
    assert "tối đa 3 lần" in retakes.refusal(ws.root, module, "ok", "mini__lan4")


def test_grade_refuses_unallowed_retakes_and_goes_on(retake_ws):
    from grading.engine import batch

    ws = retake_ws
    todo, kept, rows = batch._plan(ws, "mini__lan2", None, False)
    assert list(todo) == ["ok"] and kept == []  # the allowed learner is graded as usual
    assert {r[C.LEARNER]: r[C.STATUS] for r in rows} == {
        who: Status.RETAKE_REFUSED for who in ("no_feedback", "passed", "waiting")}
    # through grade() itself (the allowed learner left out: no kernel is needed to refuse)
    status = batch.grade(workspace=ws, assignment="mini__lan2", sandbox=False, progress=False,
                         learners=["passed", "waiting", "no_feedback"])
    assert set(status[C.STATUS]) == {Status.RETAKE_REFUSED}
    assert status[C.REASON].str.contains("không được chấm").all()
    logged = ledger.statuses(ws.root, "mini__lan2").set_index(C.LEARNER)
    assert set(logged[C.STATUS]) == {Status.RETAKE_REFUSED}
    assert "thời gian chờ" in logged.loc["waiting", C.REASON]
    assert Status.RETAKE_REFUSED.label() == "Bị từ chối: chưa được làm lại"
    assert not list(ws.root.glob("autograded/*/mini__lan2"))  # nothing was graded
