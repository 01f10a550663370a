"""Notebook hooks: nbgrader preprocessors and templates the workspace configuration plugs in
(see workspace.CONFIG_TEMPLATE), and the static form of item widgets used by the learner's
JupyterLab (grading/lab.py)."""
from __future__ import annotations

import re
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Dict

from grading.learner.answers import load_answers, render_static

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
ITEM_META = "congvu_item"  # output metadata written by items.ItemBox
TEMPLATES = Path(__file__).resolve().parent / "templates"
FEEDBACK_TEMPLATE = "feedback_vi"


class StaticWidgetOutputs(Preprocessor):
    """Drop live-widget views from executed outputs, keeping their text/html fallback.

    An autograded notebook has no widget state, so formgrader and feedback would render an
    empty box where the learner's answer should be; the item's fallback shows the answer.
    """

    enabled = Bool(True, help="nbconvert runs a preprocessor only when enabled").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW in data and len(data) > 1:
                del data[WIDGET_VIEW]
        return cell, resources


def static_items(nb: dict, folder: str | Path, *, hint: bool = True) -> int:
    """Replace each item widget's output by its static form, read from the answers file.

    A widget view cannot be shown once its kernel is gone: JupyterLab would print "Error
    displaying widget: model not found" on reopening. The learner's server (grading/lab.py)
    calls this on every notebook it saves and opens, so a reopened notebook shows each
    question with the answer saved in ``cau_tra_loi.json`` now, and how to change it.
    Returns how many outputs were rewritten. Works on plain dicts and NotebookNodes.
    """
    answers = load_answers(folder)
    count = 0
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", None) or []:
            meta = (output.get("metadata") or {}).get(ITEM_META)
            if not isinstance(meta, dict) or "id" not in meta or "data" not in output:
                continue
            output["data"].pop(WIDGET_VIEW, None)
            output["data"].update(render_static(meta, answers.get(meta["id"]), hint=hint))
            count += 1
    return count


_ITEM_KINDS = ("single_choice", "multiple_choice", "true_false", "numeric", "short_text",
               "free_text")
_ITEM_CALL = re.compile(rf"^\s*(?:\w+\.)?(?:{'|'.join(_ITEM_KINDS)})\(")


def hide_item_sources(nb: dict) -> int:
    """Collapse the code of item cells (``cv.single_choice(...)`` ...): the learner sees the
    question widget, not the call that draws it. A cell whose author chose otherwise
    (``metadata.jupyter.source_hidden`` already set) is left alone. Returns how many."""
    count = 0
    for cell in nb.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if cell.get("cell_type") != "code" or not _ITEM_CALL.match(source):
            continue
        jupyter = cell.setdefault("metadata", {}).setdefault("jupyter", {})
        if "source_hidden" not in jupyter:
            jupyter["source_hidden"] = True
            count += 1
    return count


PASSED, FAILED, WAITING = "dat", "chua_dat", "cho_cham"
VERDICT_VI = {PASSED: "Đạt", FAILED: "Chưa đạt", WAITING: "Chờ giảng viên chấm câu tự luận"}


def verdict(score: float, max_score: float, pending_points: float, pass_mark: float) -> str:
    """Đạt / Chưa đạt against ``pass_mark`` (percent); while hand-graded items wait, the
    verdict waits too unless they cannot change it."""
    if max_score <= 0:
        return WAITING if pending_points else FAILED
    if 100.0 * score / max_score >= pass_mark - 1e-9:
        return PASSED
    if 100.0 * (score + pending_points) / max_score < pass_mark - 1e-9:
        return FAILED
    return WAITING


def pass_mark_of(pass_marks: dict, assignment: str, default: float) -> float:
    """The pass mark of an assignment: its module's (a retake ``<module>__lanN`` is judged
    like the module itself)."""
    from grading.learner.variants import split_assignment

    module, _ = split_assignment(assignment)
    return float(pass_marks.get(assignment, pass_marks.get(module, default)))


class FeedbackVerdict(Preprocessor):
    """After nbgrader's GetGrades: mark every hand-graded item still awaiting the trainer
    (``metadata.nbgrader.pending``; the template says "chờ giảng viên chấm", not 0) and put the
    verdict against the module's pass mark into ``resources["congvu"]``."""

    enabled = Bool(True, help="nbconvert runs a preprocessor only when enabled").tag(config=True)
    pass_marks = Dict({}, help="module id -> pass mark in percent (course.yml)").tag(config=True)
    default_pass_mark = 70.0

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook, MissingEntry

        info = resources["nbgrader"]
        pending = 0.0
        with Gradebook(info["db_url"]) as gb:
            for cell in nb.cells:
                meta = cell.metadata.get("nbgrader", {})
                if not (meta.get("grade") or meta.get("task")):
                    continue
                try:
                    grade = gb.find_grade(meta["grade_id"], info["notebook"],
                                          info["assignment"], info["student"])
                except MissingEntry:
                    continue
                waiting = bool(grade.needs_manual_grade) and grade.manual_score is None
                meta["pending"] = waiting
                pending += float(grade.max_score or 0) if waiting else 0.0
        mark = pass_mark_of(self.pass_marks, info["assignment"], self.default_pass_mark)
        score, top = float(info.get("score") or 0), float(info.get("max_score") or 0)
        result = verdict(score, top, pending, mark)
        resources["congvu"] = {"pass_mark": mark, "verdict": result,
                               "verdict_vi": VERDICT_VI[result], "pending_points": pending,
                               "percent": round(100.0 * score / top, 1) if top else 0.0,
                               "draws": pool_draws(nb, info["student"], info["assignment"])}
        return nb, resources


def _literal_calls(source: str):
    """(name, args, kwargs) of each top-level ``name(...)``/``cv.name(...)`` call whose
    arguments are literals; anything else in the cell is skipped."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return
    for node in tree.body:
        call = node.value if isinstance(node, ast.Expr) else None
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        try:
            yield (name, [ast.literal_eval(a) for a in call.args],
                   {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg})
        except (ValueError, TypeError, SyntaxError):
            continue


def pool_draws(nb, learner: str, assignment: str) -> list[dict]:
    """The items of every pool of ``nb`` drawn for ``learner`` in ``assignment`` (its module and
    attempt): [{"pool", "slot", "item", "question"}], for the feedback's "Đề của bạn"."""
    from grading.learner.variants import draw_for, split_assignment

    module, attempt = split_assignment(assignment)
    pools, questions = [], {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for name, args, kwargs in _literal_calls(cell.source):
            if name == "pool" and len(args) >= 2 and isinstance(args[1], list):
                pools.append((str(args[0]), [str(i) for i in args[1]], int(kwargs.get("draw", 1))))
            elif name in _ITEM_KINDS and len(args) >= 2 and isinstance(args[1], str):
                questions.setdefault(args[0], args[1])
    return [{"pool": pool, "slot": slot, "item": item, "question": questions.get(item, item)}
            for pool, items, k in pools
            for slot, item in enumerate(draw_for(learner, module, attempt, pool, items, k), 1)]


def feedback_template_dirs() -> list[str]:
    """Where nbconvert finds the Vietnamese feedback template (``FEEDBACK_TEMPLATE``)."""
    return [str(TEMPLATES)]
