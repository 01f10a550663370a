"""Alias kept for stored notebooks: see learner/checks/table.py."""
import sys

from grading.learner.checks import table as _module

sys.modules[__name__] = _module
