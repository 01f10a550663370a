"""Workspace and exchange modes: what `congvu init` sets, what `congvu doctor` reports and fixes;
grading refuses to run learner code unisolated unless told to."""
import os
import stat

import pytest

from grading import api
from grading.course import permissions
from grading.errors import GradingError


def _mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_init_keeps_keys_and_grades_private(new_workspace, capsys):
    ws = new_workspace()
    assert _mode(ws.root) == 0o711
    for name in permissions.PRIVATE_DIRS:
        assert _mode(ws.root / name) == 0o700, name
    assert _mode(ws.root / "gradebook.db") == 0o600
    assert _mode(ws.exchange) == 0o1777  # sticky: nobody replaces another's folder
    api.release(workspace=ws)
    assert _mode(ws.exchange / ws.course_id / "inbound") == 0o3733  # not listable, sticky
    assert api.doctor(workspace=ws) == []

    os.chmod(ws.root / "source", 0o755)
    os.chmod(ws.exchange, 0o777)
    found = api.doctor(workspace=ws)
    assert {p.where.file for p in found} == {str(ws.root / "source"), str(ws.exchange)}
    assert all("chmod" in p.fix_vi for p in found)
    from grading.cli import main

    assert main(["doctor", str(ws.root)]) == 1
    assert "0755" in capsys.readouterr().out
    assert main(["doctor", str(ws.root), "--fix"]) == 0
    assert api.doctor(workspace=ws) == []


def test_no_isolation_is_refused_unless_asked(monkeypatch):
    from grading.engine import batch, sandbox

    monkeypatch.setattr(sandbox, "available", lambda: (False, "không có namespaces"))
    with pytest.raises(GradingError) as err:
        batch.sandbox_mode(None)
    assert "--no-sandbox" in err.value.render("vi")
    assert batch.sandbox_mode(False) is False
