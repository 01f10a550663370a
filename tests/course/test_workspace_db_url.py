"""The gradebook URL is read from the line `congvu init` writes, without executing the config
(its imports cost most of a second per report); any other form is executed, as before."""
import os

import pytest

from grading.course import workspace as W

HEAD = "import os\nc = get_config()  # noqa\n_root = os.path.dirname(os.path.abspath(__file__))\n"


def loaded(ws: W.Workspace) -> str:
    cfg = ws.config()
    return cfg.CourseDirectory.db_url if "db_url" in cfg.CourseDirectory else \
        f"sqlite:///{ws.root}/gradebook.db"


@pytest.mark.parametrize("lines, quick", [
    (f"c.CourseDirectory.db_url = {W.INIT_DB_URL}\n", True),
    ("c.CourseDirectory.db_url = 'postgresql+psycopg2://congvu@db/khoa_1'  # server\n", True),
    ("c.CourseDirectory.db_url = 'postgresql+psycopg2://congvu@db/khoa_1'\n", True),
    ("c.CourseDirectory.db_url = os.environ.get('DB', 'sqlite:///x.db')\n", False),
    (f"c.CourseDirectory.db_url = {W.INIT_DB_URL}\nc.CourseDirectory.db_url = 'sqlite:///b'\n",
     False),
    (f"c.CourseDirectory.db_url = {W.INIT_DB_URL}\nload_subconfig('other.py')  # noqa\n", False),
    ("c.CourseDirectory['db_url'] = 'sqlite:///c.db'\n", False),
    ("", False),
])
def test_the_quick_read_equals_the_loaded_config(tmp_path, monkeypatch, lines, quick):
    monkeypatch.setenv("DB", "sqlite:///from_env.db")
    (tmp_path / "other.py").write_text("c = get_config()  # noqa\n"
                                       "c.CourseDirectory.db_url = 'sqlite:///sub.db'\n")
    (tmp_path / "nbgrader_config.py").write_text(HEAD + lines, encoding="utf-8")
    ws = W.Workspace(root=tmp_path, manifest=None)
    assert (ws._db_url_line() is not None) == quick
    assert ws.db_url == loaded(ws)


def test_an_initialised_workspace_reads_its_url_without_loading(new_workspace, monkeypatch):
    ws = new_workspace()
    expected = loaded(ws)
    monkeypatch.setattr(W.Workspace, "config", lambda self: pytest.fail("config executed"))
    assert ws.db_url == expected == f"sqlite:///{os.path.abspath(ws.root)}/gradebook.db"
