"""Assemble the report tables of a workspace: gradebook (SQL) + roster + manifest -> metrics."""
from __future__ import annotations

import pandas as pd

from . import columns as C
from . import gradebook, metrics, roster
from .autograde import read_status
from .workspace import Workspace


def modules_frame(ws: Workspace, lang: str = "vi") -> pd.DataFrame:
    """The manifest's modules as a frame (one row per module)."""
    return pd.DataFrame([{C.MODULE: m.id, C.MODULE_TITLE: m.title.get(lang), C.TRACK: m.track,
                          C.PASS_MARK: m.pass_mark, "required_for": m.required_for,
                          C.DUEDATE: m.deadline} for m in ws.manifest.modules])


def build_tables(ws: Workspace, lang: str = "vi") -> dict[str, pd.DataFrame]:
    """Every table the report shows, computed from the workspace's current state."""
    modules = modules_frame(ws, lang)
    enrol = metrics.enrolment(roster.load(ws.root), modules.drop(columns=C.DUEDATE))
    scores = metrics.module_scores(gradebook.read_grades(ws.db_url),
                                   gradebook.read_items(ws.db_url),
                                   gradebook.read_submissions(ws.db_url))
    status = read_status(ws)
    lm = metrics.learner_module(enrol, scores, status)
    if not status.empty:
        status = status.merge(roster.load(ws.root)[[C.LEARNER, C.NAME, C.WARD_NAME]],
                              on=C.LEARNER, how="left")
    return {"per_ward": metrics.per_ward(lm), "per_ward_module": metrics.per_ward_module(lm),
            "learners": lm, "status": status}
