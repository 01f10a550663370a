"""The "Nộp bài" bar inside a rendered assessment (the learner's home, `congvu hoc`).

The home's Voila server runs ``hook(home)`` (``home.prepare`` writes it into the server's
``voila.py``) before it executes a notebook. For an assessment the learner has fetched — a
notebook directly in ``HOME/<module id>/`` for a module listed in the learner's
``ho_so.json`` — it appends one cell drawing a bar: a "Nộp bài" button that submits through
nbgrader's exchange (``home.submit_note``, as the home's cards do) and answers with the time of
the submission in Vietnam time. Lessons and any other notebook are left as they are. The cell
is added in the rendered page only: the notebook file is not changed.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

SUBMIT_SOURCE = "from grading.learner import home_submit\n\nhome_submit.bar()\n"


def is_assessment(home: Path, folder: Path) -> bool:
    """Is ``folder`` a fetched module of the learner whose home is ``home``?"""
    from grading.learner import home as H

    if folder.parent != home or not (home / H.PROFILE).is_file():
        return False
    return folder.name in {m["id"] for m in H.load_profile(home)["modules"]}


def hook(home: str | Path) -> Callable:
    """Voila's ``prelaunch_hook`` for the learner's home ``home``."""
    root = Path(home).resolve()

    def prelaunch(request, notebook, cwd):
        import nbformat

        if not is_assessment(root, (root / cwd).resolve()):
            return None
        notebook.cells.append(nbformat.v4.new_code_cell(SUBMIT_SOURCE))
        return notebook

    return prelaunch


def bar(folder: str | Path | None = None):
    """The bar: "Nộp bài" and, once submitted, "Đã nộp bài lúc …" (runs in the learner's
    kernel, whose working folder is the module's)."""
    import ipywidgets as W

    from grading.learner import home as H

    folder = Path(folder or os.getcwd()).resolve()
    note = W.HTML("Làm xong tất cả các câu, bấm «Nộp bài». Có thể nộp lại trước hạn.")
    send = W.Button(description="Nộp bài", icon="paper-plane", button_style="primary",
                    tooltip="Nộp bài cho giảng viên chấm", layout=W.Layout(width="auto"))

    def on_submit(_):
        send.disabled = True
        try:
            _, note.value = H.submit_note(folder.parent, folder.name)
        finally:
            send.disabled = False

    send.on_click(on_submit)
    box = W.VBox([W.HTML(f"{H.CSS}<h3>Nộp bài</h3>"), W.HBox([send]), note])
    box.add_class("cv-home")
    box.add_class("cv-card")
    return box
