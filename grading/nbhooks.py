"""Alias kept for workspaces created before the move (their nbgrader_config.py names it)."""
import sys

from grading.learner import nbhooks as _nbhooks

sys.modules[__name__] = _nbhooks
