"""The trainer's grading page: one free-text item across every learner (Voila, `congvu cham-tay`).

Pick a module and a hand-graded item; each learner's answer comes up one after another with the
rubric from ``course.yml`` beside it. Keyboard: type the points (``1,5`` or ``1.5``), Enter saves
and moves to the next learner; the comment box keeps what is typed and is saved with the points.
Scores are written by ``course/manual.py`` exactly as formgrader writes them, and every change
is appended to the audit log shown at the bottom of the page. Names read as Vietnamese names
("Lê Minh Khoa"). The logic (``Queue``) is plain Python; ``app`` only wires widgets to it.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from grading import columns as C
from grading.course import manual
from grading.course.workspace import Workspace, open_workspace
from grading.errors import KitError
from grading.learner.answers import format_number, parse_number

FONT = '"Noto Sans", "DejaVu Sans", "Segoe UI", Arial, sans-serif'  # full Vietnamese coverage
AUDIT_ROWS = 15
CSS = f"""<style>
.cv-grade, .cv-grade input, .cv-grade textarea {{ font-family: {FONT}; font-size: 15px; }}
.cv-answer {{ white-space: pre-wrap; border: 1px solid #ccc; border-radius: 4px; padding: .6em;
  background: #fafafa; min-height: 6em; line-height: 1.5; }}
.cv-rubric {{ white-space: pre-wrap; font-size: 14px; line-height: 1.45; background: #f3f7fb;
  border-left: 4px solid #2a6ebb; padding: .5em .8em; }}
.cv-audit table {{ border-collapse: collapse; font-size: 13px; }}
.cv-audit td, .cv-audit th {{ border: 1px solid #ddd; padding: 2px 6px; }}
</style>"""


@dataclass
class Queue:
    """Learners' answers to one item, and the one being graded."""

    ws: Workspace
    module: str
    item: str
    who: str | None = None
    only_waiting: bool = False
    rows: pd.DataFrame = field(init=False)
    index: int = 0

    def __post_init__(self):
        self.reload()

    def reload(self) -> None:
        frame = manual.answers_for(self.ws, self.module, self.item)
        if self.only_waiting:
            frame = frame[frame[manual.MANUAL].isna()]
        self.rows = frame.reset_index(drop=True)
        self.index = min(self.index, max(len(self.rows) - 1, 0))

    def current(self) -> dict | None:
        return None if self.rows.empty else self.rows.iloc[self.index].to_dict()

    def move(self, step: int) -> None:
        if len(self.rows):
            self.index = min(max(self.index + step, 0), len(self.rows) - 1)

    def save(self, points_text: str, comment: str | None = None) -> bool:
        """Record the points typed for the current learner (empty = clear); True if changed."""
        row = self.current()
        if row is None:
            return False
        text = (points_text or "").strip()
        points = None if not text else parse_number(text)
        if text and points is None:
            points = text  # set_grade refuses it with a Vietnamese message
        learner = row[C.LEARNER]
        changed = manual.set_grade(self.ws, self.module, self.item, learner, points=points,
                                   comment=comment, who=self.who)
        keep = self.index
        self.reload()
        self.index = min(keep, max(len(self.rows) - 1, 0))
        return changed


def _points(value) -> str:
    return "" if value is None or pd.isna(value) else format_number(float(value))


def _vn(points: str) -> str:
    return html.escape(points.replace(".", ",")) if points else "—"


def audit_html(root: str | Path, rows: int = AUDIT_ROWS) -> str:
    log = manual.audit_log(root).tail(rows).iloc[::-1]
    if log.empty:
        return "<p><i>Chưa có thay đổi điểm nào.</i></p>"
    head = ("<tr><th>Thời gian</th><th>Người chấm</th><th>Học phần</th><th>Câu</th>"
            "<th>Học viên</th><th>Điểm cũ → mới</th><th>Nhận xét mới</th></tr>")
    body = "".join(
        f"<tr><td>{html.escape(r.thoi_gian.replace('T', ' ')[:19])}</td>"
        f"<td>{html.escape(r.nguoi_cham)}</td><td>{html.escape(r.hoc_phan)}</td>"
        f"<td>{html.escape(r.cau)}</td><td>{html.escape(r.hoc_vien)}</td>"
        f"<td>{_vn(r.diem_cu)} → {_vn(r.diem_moi)}</td>"
        f"<td>{html.escape(r.nhan_xet_moi)}</td></tr>" for r in log.itertuples())
    return f'<div class="cv-audit"><table>{head}{body}</table></div>'


def assignments(ws: Workspace) -> list[tuple[str, str]]:
    """(label, nbgrader assignment) of every module and of each retake opened for it
    (``<module>__lanN``, whose free text the trainer grades too), in course order."""
    from grading.learner.variants import ATTEMPT_MARK, split_assignment

    found = []
    for m in ws.manifest.modules:
        found.append((f"{m.title.get('vi')} ({m.id})", m.id))
        later = [p.name for p in (ws.root / "source").glob(f"{m.id}{ATTEMPT_MARK}*")
                 if p.is_dir() and split_assignment(p.name)[0] == m.id]
        for name in sorted(later, key=lambda n: split_assignment(n)[1]):
            found.append((f"{m.title.get('vi')} ({m.id}) — lần {split_assignment(name)[1]}",
                          name))
    return found


def app(workspace: str | Path | Workspace, who: str | None = None):
    """The grading page as one ipywidgets box (run by Voila from dashboard/cham_tay.ipynb)."""
    import ipywidgets as W

    ws = workspace if isinstance(workspace, Workspace) else open_workspace(workspace)
    modules = [(label, name) for label, name in assignments(ws)
               if not manual.manual_items(ws, name).empty]
    module = W.Dropdown(options=modules, description="Học phần:",
                        layout=W.Layout(width="min(100%, 36em)"),
                        style={"description_width": "initial"})
    item = W.Dropdown(description="Câu:", style={"description_width": "initial"})
    waiting = W.Checkbox(description="Chỉ bài chưa chấm", value=False, indent=False)
    where, name = W.HTML(), W.HTML()
    answer = W.HTML()
    rubric = W.HTML()
    points = W.Text(description="Điểm:", continuous_update=False, placeholder="ví dụ 1,5",
                    layout=W.Layout(width="12em"), style={"description_width": "initial"})
    top = W.HTML()
    comment = W.Textarea(placeholder="Nhận xét cho học viên (không bắt buộc)", rows=3,
                         layout=W.Layout(width="100%"))
    back = W.Button(description="Bài trước", icon="arrow-left")
    save = W.Button(description="Lưu và sang bài tiếp", icon="check", button_style="primary",
                    layout=W.Layout(width="auto"))
    status = W.HTML()
    audit = W.HTML(audit_html(ws.root))
    state: dict = {}

    def show(_=None):
        q: Queue = state.get("queue")
        row = q.current() if q else None
        if row is None:
            where.value = "<p><b>Không có bài nào để chấm ở câu này.</b></p>"
            name.value = answer.value = top.value = ""
            return
        done = int(q.rows[manual.MANUAL].notna().sum())
        where.value = (f"<p>Bài {q.index + 1} / {len(q.rows)} — đã chấm {done}, "
                       f"còn {len(q.rows) - done}</p>")
        name.value = (f"<h3>{html.escape(row[C.NAME] or row[C.LEARNER])} "
                      f"<small>({html.escape(row[C.LEARNER])})</small></h3>")
        text = row[manual.ANSWER] or "(học viên để trống câu này)"
        answer.value = f'<div class="cv-answer" lang="vi">{html.escape(text)}</div>'
        top.value = f"/ {format_number(row[C.MAX_SCORE])} điểm"
        state["quiet"] = True  # filling the boxes is not the trainer typing
        try:
            points.value, comment.value = _points(row[manual.MANUAL]), row[manual.COMMENT]
        finally:
            state["quiet"] = False
        points.focus()

    def pick_module(_=None):
        m = ws.manifest.module(module.value)
        rubric.value = (f'<div class="cv-rubric"><b>Hướng dẫn chấm</b>\n'
                        f'{html.escape(m.rubric.strip() or "(course.yml chưa có rubric)")}</div>')
        options = list(manual.manual_items(ws, module.value)[C.ITEM])
        item.options = options
        item.value = options[0] if options else None  # ipywidgets 8 leaves it unset
        pick_item()  # also when the new module has an item of the same name

    def pick_item(_=None):
        q, want = state.get("queue"), (module.value, item.value, waiting.value)
        if q is not None and (q.module, q.item, q.only_waiting) == want:
            return
        if item.value:
            state["queue"] = Queue(ws, module.value, item.value, who=who,
                                   only_waiting=waiting.value)
        show()

    def record(_=None, step: int = 1):
        q: Queue = state.get("queue")
        if q is None or q.current() is None or state.get("busy") or state.get("quiet"):
            return
        state["busy"] = True
        try:
            changed = q.save(points.value, comment.value)
            status.value = ("✔ Đã lưu." if changed else "Không có gì thay đổi.")
            audit.value = audit_html(ws.root)
            q.move(0 if q.only_waiting else step)
        except KitError as exc:
            status.value = f'<span style="color:#b00020">⚠ {html.escape(exc.render("vi"))}</span>'
            return
        finally:
            state["busy"] = False
        show()

    def step_back(_=None):
        q = state.get("queue")
        if q is not None:
            q.move(-1)
            show()

    module.observe(pick_module, names="value")
    item.observe(pick_item, names="value")
    waiting.observe(pick_item, names="value")
    points.observe(record, names="value")  # Enter (or leaving the box) saves and goes on
    save.on_click(record)
    back.on_click(step_back)
    if modules:
        pick_module()
    left = W.VBox([where, name, answer, W.HBox([points, top]), comment,
                   W.HBox([back, save]), status],
                  layout=W.Layout(flex="1 1 28em", min_width="18em", margin="0 1em 0 0"))
    right = W.VBox([rubric], layout=W.Layout(flex="1 1 22em", min_width="18em"))
    head = W.HTML(CSS + "<h2>Chấm câu tự luận</h2><p>Gõ điểm rồi nhấn <b>Enter</b> để lưu và "
                  "sang học viên tiếp theo. Điểm được ghi vào sổ điểm nbgrader (formgrader thấy "
                  "cùng điểm); mọi thay đổi được ghi vào nhật ký chấm bên dưới.</p>")
    box = W.VBox([head, W.HBox([module, item, waiting], layout=W.Layout(flex_flow="row wrap")),
                  W.HBox([left, right], layout=W.Layout(flex_flow="row wrap")),
                  W.HTML("<h3>Nhật ký chấm tay</h3>"), audit])
    box.add_class("cv-grade")
    return box
