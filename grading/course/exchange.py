"""A learner's side of nbgrader's local exchange: fetch, answer, submit.

Used by the demo and the end-to-end tests to produce submissions through nbgrader's own flow
(the same exchange classes that ``nbgrader fetch_assignment`` and ``nbgrader submit`` run).
Answers are written with ``items.save_answer``, exactly as the item widgets write them.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from grading.course.workspace import Workspace
from grading.learner import items


def _exchange_parts(ws: Workspace, home: Path, module_id: str, learner: str):
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory

    cfg = ws.config()
    cfg.Exchange.assignment_dir = str(home)
    coursedir = CourseDirectory(config=cfg)
    coursedir.assignment_id = module_id
    coursedir.student_id = learner
    return cfg, coursedir, Authenticator(config=cfg)


def fetch(ws: Workspace, home: Path, module_id: str, learner: str) -> Path:
    """Fetch a released module into ``home/<module_id>`` (nbgrader fetch_assignment)."""
    from nbgrader.exchange.default import ExchangeFetchAssignment

    home.mkdir(parents=True, exist_ok=True)
    cfg, coursedir, auth = _exchange_parts(ws, home, module_id, learner)
    ExchangeFetchAssignment(coursedir=coursedir, authenticator=auth, config=cfg).start()
    return home / module_id


def answer(folder: Path, answers: dict[str, Any]) -> None:
    """Record answers as the widgets do (one save per click)."""
    for item_id, value in answers.items():
        items.save_answer(item_id, value, folder)


def submit(ws: Workspace, home: Path, module_id: str, learner: str) -> None:
    """Submit ``home/<module_id>`` as ``learner`` (nbgrader submit --student)."""
    from nbgrader.exchange.default import ExchangeSubmit

    cfg, coursedir, auth = _exchange_parts(ws, home, module_id, learner)
    ExchangeSubmit(coursedir=coursedir, authenticator=auth, config=cfg).start()


def submit_cohort(ws: Workspace, homes: Path, module_id: str,
                  cohort: dict[str, dict[str, Any]]) -> None:
    """Fetch, answer and submit ``module_id`` for each learner of ``cohort`` (learner ->
    answers), each in ``homes/<learner>``."""
    for learner, answers in cohort.items():
        answer(fetch(ws, homes / learner, module_id, learner), answers)
        submit(ws, homes / learner, module_id, learner)
