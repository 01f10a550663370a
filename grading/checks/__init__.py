"""Alias kept for stored notebooks (``from grading.checks import …``): see learner/checks/.

Each submodule here replaces itself with the learner/checks/ module of the same name, so a
notebook that imports ``grading.checks.table`` gets the one and only ``grading.learner.checks.table``.
"""
from grading.learner.checks import REGISTRY, Check, names, register, solve  # noqa: F401
