"""Run a hidden test cell's checks outside the learner's kernel.

A hidden test cell of the kit is a list of calls to registered checks with literal arguments,
e.g. ``cv.score("c1", "C")``. Such a cell is not sent to the learner's kernel, where code the
learner added could have replaced ``score``, ``print``, ``sys.stderr`` or IPython's display
machinery. It runs in the sandbox supervisor instead: a process forked from the clean fork
server, which has never run learner code, with the same view of the learner's folder. It
produces the outputs a kernel would (stdout and stderr streams, an execute_result for a
non-None value, an error for an exception), so nbgrader scores them with its own rules.
"""
from __future__ import annotations

import io
import traceback
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

from grading.learner.checks import Call


def known_checks() -> set[str]:
    from grading.learner import checks

    return checks.names()


def run(calls: list[Call]) -> list[dict[str, Any]]:
    """Execute the calls like a cell: stream, execute_result and error outputs (nbformat v4)."""
    from grading.learner import checks

    checks.names()  # registers every check module
    out, err = io.StringIO(), io.StringIO()
    value, error = None, None
    with redirect_stdout(out), redirect_stderr(err):
        for name, args, kwargs in calls:
            try:
                value = checks.REGISTRY[name].check(*args, **kwargs)
            except Exception as exc:  # a failing check is a failing cell, as in a kernel
                error = {"output_type": "error", "ename": type(exc).__name__,
                         "evalue": str(exc),
                         "traceback": traceback.format_exception_only(type(exc), exc)}
                value = None
                break
    outputs: list[dict[str, Any]] = []
    for name, buf in (("stdout", out), ("stderr", err)):
        if buf.getvalue():
            outputs.append({"output_type": "stream", "name": name, "text": buf.getvalue()})
    if value is not None:
        outputs.append({"output_type": "execute_result", "execution_count": None,
                        "metadata": {}, "data": {"text/plain": repr(value)}})
    if error:
        outputs.append(error)
    return outputs
