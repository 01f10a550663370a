"""pyproject.toml and environment.yml pin the same dependencies; the layout is in place."""
import re
import tomllib

import yaml
from conftest import REPO


def _pins(specs):
    out = {}
    for spec in specs:
        m = re.match(r"^([A-Za-z0-9_.\-]+)\s*={1,2}\s*([^\s;]+)$", spec.strip())
        if m:
            out[m.group(1).lower().replace("_", "-")] = m.group(2)
    return out


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extras = [spec for name, specs in project["optional-dependencies"].items() if name != "all"
              for spec in specs]
    wanted = _pins(project["dependencies"] + extras)
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    specs = [d for d in env["dependencies"] if isinstance(d, str)]
    specs += next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    have = _pins(specs)
    assert have == wanted
    assert len(wanted) >= 10  # jupyterlab, nbgrader, ipywidgets, pandas, ... and pytest


def test_layout_and_console_script():
    for name in ("courses", "assessments", "grading", "tests", "environment.yml", "README.md",
                 "pyproject.toml", "Makefile", ".ci/run", "course.yml"):
        assert (REPO / name).exists(), name
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["congvu"] == "grading.cli:main"
    assert "make test" in (REPO / ".ci" / "run").read_text()


def test_lock_file_pins_every_declared_package():
    """constraints.txt (the lock file) pins each declared package at the declared version."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extras = [spec for name, specs in project["optional-dependencies"].items() if name != "all"
              for spec in specs]
    declared = _pins(project["dependencies"] + extras)
    lines = [line for line in (REPO / "constraints.txt").read_text().splitlines()
             if line and not line.startswith("#")]
    locked = _pins(lines)
    assert len(locked) == len(lines), "every line of constraints.txt is an exact pin"
    assert {name: locked.get(name) for name in declared} == declared
