"""settings: the grading workers a workspace asks for, read without executing its config when
it is written as `congvu init` writes it, and exactly what the config says otherwise."""
from grading import settings


def _config(tmp_path, *lines: str):
    (tmp_path / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_workers_read_as_written_by_init_or_from_the_config_itself(tmp_path):
    written = settings.config_lines(workers=3).splitlines()
    assert settings.workspace_workers(_config(tmp_path, *written)) == 3
    # anything the plain reading cannot be sure of is executed by traitlets, as nbgrader does
    assert settings.workspace_workers(_config(tmp_path, *written, "c.GradingLimits.workers = 1 + 4"
                                              )) == 5
    assert settings.workspace_workers(_config(tmp_path, "c.GradingLimits.workers = 2 * 3")) == 6
    assert settings.workspace_workers(_config(tmp_path, "x = 1")) == 0  # the default
    assert settings.workspace_workers(tmp_path / "missing") == 0
