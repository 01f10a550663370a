"""Report dates are Vietnam's whatever the server's zone; grades of modules no longer in
course.yml are named, not hidden."""
import datetime as dt
import os
import subprocess
import sys

import pandas as pd
import pytest

from grading import columns as C

pytestmark = pytest.mark.fault
PROBE = ("import datetime as dt; from grading import settings; "
         "print(settings.vn_today().isoformat(), dt.date.today().isoformat())")


@pytest.mark.parametrize("zone", ["UTC", "America/Los_Angeles", "Pacific/Kiritimati"])
def test_today_is_vietnams_whatever_the_servers_zone(zone):
    out = subprocess.run([sys.executable, "-c", PROBE], env={**os.environ, "TZ": zone},
                         capture_output=True, text=True, check=True).stdout.split()
    vietnam = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=7)).date()
    assert dt.date.fromisoformat(out[0]) == vietnam


def test_overdue_is_judged_on_vietnams_day(monkeypatch):
    from grading import settings
    from grading.report import metrics

    enrol = pd.DataFrame({C.LEARNER: ["A"], C.MODULE: ["m1"], C.REQUIRED: [True],
                          C.PASS_MARK: [70.0], C.DUEDATE: [pd.Timestamp("2026-03-01")],
                          C.LEFT: [""], C.JOINED: [""]})
    scores = pd.DataFrame(columns=[C.LEARNER, C.MODULE, C.SCORE, C.PERCENT, C.TIMESTAMP])
    # 2026-03-01 18:30 UTC is already 2 March in Vietnam: the deadline has passed there
    monkeypatch.setattr(settings, "vn_today", lambda: dt.date(2026, 3, 2))
    out = metrics.learner_module(enrol, scores)
    assert bool(out.loc[0, C.OVERDUE]) and int(out.loc[0, C.DAYS_LATE]) == 1


def test_grades_of_a_module_gone_from_the_manifest_are_named(new_workspace, caplog):
    from grading.report import tables

    ws = new_workspace()
    per_module = pd.DataFrame({C.LEARNER: ["A", "B", "A"], C.MODULE: ["mini", "cu", "cu"]})
    gone = tables.orphaned(ws, per_module)
    assert gone.to_dict("records") == [{C.MODULE: "cu", "learners": 2}]
    tables._warn_orphans(ws, per_module)
    assert "cu" in caplog.text and "course.yml" in caplog.text
