"""A PostgreSQL gradebook through nbgrader's db_url, against a real server.

.ci/run installs Debian's postgresql, starts it on loopback and sets CONGVU_TEST_PG to a
superuser URL; each run creates and drops its own database. Without the variable the test is
skipped locally and fails in CI."""

import pytest

from grading import columns as C
from grading.course import exchange as learners
from grading.course import gradebook
from grading.engine import batch as autograde

pytestmark = [pytest.mark.kernel, pytest.mark.postgres]
KEYS = {"c1": "C", "c2": ["A", "B"], "c3": False}


def test_grading_into_postgresql(pg_url, tmp_path):
    from conftest import MINI

    from grading.course import workspace as W

    ws = W.init(directory=tmp_path / "ws", manifest_path=MINI, db_url=pg_url)
    assert ws.db_url == pg_url and not (ws.root / "gradebook.db").exists()
    W.release(ws)
    cohort = {"P1": KEYS, "P2": {**KEYS, "c1": "A"}, "P3": {}}
    learners.submit_cohort(ws, tmp_path / "h", "mini", cohort)
    autograde.collect(ws, "mini")
    status = autograde.grade(workspace=ws, assignment="mini", jobs=2, progress=False)
    assert set(status[C.STATUS]) == {"graded"}
    with gradebook.connect(ws.db_url, ws.course_id) as gb:
        gb.find_grade("c4", "mini", "mini", "P1").manual_score = 1.5
        gb.db.commit()
    autograde.grade(workspace=ws, assignment="mini", jobs=2, progress=False, force=True)
    grades = gradebook.read_grades(ws.db_url)
    per = grades.groupby(C.LEARNER)[C.SCORE].sum().to_dict()
    assert per == {"P1": 4.5, "P2": 2.0, "P3": 0.0}
    assert len(grades) == 3 * 4
