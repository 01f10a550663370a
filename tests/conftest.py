"""Shared fixtures: the tiny course in tests/data/course and a real graded workspace."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
MINI = DATA / "course" / "course.yml"

# nbgrader runs `alembic` and kernels from the venv: make sure its bin comes first.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")


@pytest.fixture
def mini_manifest() -> Path:
    return MINI


@pytest.fixture
def new_workspace(tmp_path):
    """A fresh workspace of the tiny course (real nbgrader generate_assignment)."""
    from grading import workspace

    def make(name: str = "ws", manifest: Path = MINI):
        return workspace.init(directory=tmp_path / name, manifest_path=manifest)

    return make
