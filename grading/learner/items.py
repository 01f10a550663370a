"""Item widgets: learners answer by clicking and typing; answers persist in a JSON file.

Mechanism (see README, "Thiết kế"): each click or keystroke is written at once to
``cau_tra_loi.json`` beside the notebook (the kernel's working directory). nbgrader submits
every file of the assignment folder, copies it into ``autograded/`` and runs the notebook
there, so the hidden test cells (``score(...)``) read exactly what the learner chose. The file
survives save, close, reopen and kernel restart; re-running an item cell shows the saved answer.

In a notebook::

    from grading.learner import items as cv
    cv.single_choice("c1", "Câu hỏi ...", ["Phương án 1", "Phương án 2"])
    cv.numeric("c5", "Bao nhiêu ...?", unit="triệu đồng")
    cv.short_text("c6", "Tên ứng dụng ...?")
    # hidden test cells:  cv.score("c1", "B")   cv.score_number("c5", 12.5, tol=0.1)
    #                     cv.score_text("c6", ["VNeID", "ứng dụng VNeID"])

Items given a ``key`` are practice items (lessons): a "Kiểm tra" button tells right or wrong
and shows the explanation. Graded items never get a key, so nothing in the learner's notebook
reveals the answer before grading.
"""
from __future__ import annotations

import html
import os
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from grading.learner import variants
from grading.learner.answers import (  # noqa: F401
    ANSWERS_FILE,
    CHECKS,
    UNANSWERED,
    answer,
    answers_path,
    describe,
    format_number,
    load_answers,
    near,
    normalize_text,
    parse_number,
    record_draw,
    record_order,
    render_static,
    same,
    save_answer,
    score,
    score_number,
    score_pool,
    score_text,
    text_matches,
)
from grading.settings import vn_now

LETTERS = "ABCDEFGHIJ"
META_KEY = "congvu_item"  # output metadata naming the item, for static rendering (nbhooks)


class StaticItem:
    """An item as text and HTML showing the saved answer, with metadata naming the item: the
    static part of every item. Drawn alone in a kernel nobody clicks in (grading: the sandbox
    sets ``CONGVU_GRADING=1``), where it is what an ``ItemBox`` leaves once autograde's
    ``StaticWidgetOutputs`` drops the widget view, without building a dozen widgets and their
    comm messages per question."""

    def __init__(self, item_id: str, question: str, kind: str,
                 options: list[tuple[str, str]] | None = None):
        self._item_id = item_id
        self._meta = {"id": item_id, "kind": kind, "question": question,
                      "options": [list(o) for o in options or []]}

    def _repr_mimebundle_(self, **kwargs):
        return render_static(self._meta, answer(self._item_id)), {META_KEY: self._meta}


class ItemBox(w.VBox):
    """A VBox whose static fallback (feedback HTML, formgrader, reopened notebook) is its
    ``StaticItem``: the saved answer, and output metadata saying which item it is."""

    def __init__(self, item_id: str, question: str, kind: str,
                 options: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(**kwargs)
        self._static = StaticItem(item_id, question, kind, options)
        self._item_id, self._meta = item_id, self._static._meta

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs) or {}
        static, metadata = self._static._repr_mimebundle_()
        return {**data, **static}, metadata


def _static(item_id: str, question: str, kind: str,
            options: list[tuple[str, str]] | None = None) -> StaticItem | None:
    """The widget-free form of an item while grading, else None (build the widgets)."""
    if os.environ.get("CONGVU_GRADING") != "1":
        return None
    if item_id in _POOLS and item_id not in _POOLS[item_id][1]:
        return StaticItem(item_id, _NOT_DRAWN_NOTE, NOT_DRAWN)
    return StaticItem(item_id, question, kind, options)


class Invalid(ValueError):
    """What the learner typed cannot be stored; the message says how to fix it."""


def _status_text(saved: Any) -> str:
    if saved is None:
        return "Chưa trả lời"
    return f"✔ Đã lưu lúc {vn_now():%H:%M:%S}"  # Vietnam time


def _status_html(text: str) -> str:
    return f'<span role="status" aria-live="polite">{html.escape(text)}</span>'


_POOLS: dict[str, tuple[str, list[str]]] = {}  # item id -> (pool, items drawn for this learner)
NOT_DRAWN = "not_drawn"
_NOT_DRAWN_NOTE = "Câu này không có trong đề của bạn: bỏ qua, chuyển sang câu tiếp theo."


def pool(name: str, items: list[str], *, draw: int) -> w.HTML:
    """Declare a pool ("draw 2 of these 5"): run before its items. Each learner answers
    ``draw`` of them, chosen by (learner, module, attempt); the others show a short note.
    Hidden tests grade by slot: ``cv.score_pool(name, slot, draw, {item: key, ...})``."""
    drawn = variants.draw(name, list(items), draw)
    for item_id in items:
        _POOLS[item_id] = (name, drawn)
    record_draw(name, drawn)
    return w.HTML(html.escape(f"Phần này: trả lời {len(drawn)} câu dưới đây "
                              f"(mỗi người một đề, chọn ngẫu nhiên từ {len(set(items))} câu)."))


def _item(item_id: str, question: str, kind: str, control: w.Widget, sources: list[w.Widget],
          get: Callable[[], Any], put: Callable[[Any], None], *,
          check: Callable[[Any], bool] | None = None, explanation: str = "",
          options: list[tuple[str, str]] | None = None) -> ItemBox:
    """Wire a control: load the saved answer, save on every change, show the saved state.

    ``check`` (practice items only) adds a "Kiểm tra" button and the explanation. An item of
    a pool that was not drawn for this learner shows only a note and saves nothing.
    """
    if item_id in _POOLS and item_id not in _POOLS[item_id][1]:
        note = _NOT_DRAWN_NOTE
        return ItemBox(item_id, note, NOT_DRAWN, children=[w.HTML(f"<i>{html.escape(note)}</i>")])
    saved = answer(item_id)
    if saved is not None:
        put(saved)
    status = w.HTML(_status_html(_status_text(saved)))

    def on_change(_change=None):
        try:
            value = get()
        except Invalid as exc:
            save_answer(item_id, None)  # the last thing typed is not a valid answer
            status.value = _status_html(f"⚠ Chưa lưu: {exc}")
            return
        save_answer(item_id, value)
        empty = value in (None, "", [])
        text = _status_text(None if empty else value)
        if kind == "numeric" and not empty:
            text += f" — số đã ghi nhận: {describe(value)}"
        status.value = _status_html(text)

    for source in sources:
        source.observe(on_change, names="value")
    children = [w.HTML(f"<b>{html.escape(question)}</b>"), control, status]
    if check is not None:
        button = w.Button(description="Kiểm tra", tooltip="Kiểm tra câu trả lời", icon="check")
        feedback = w.HTML()

        def on_check(_button):
            try:
                value = get()
            except Invalid as exc:
                feedback.value = html.escape(f"⚠ {exc}")
                return
            ok = value not in (None, "", []) and check(value)
            verdict = "✅ Chính xác!" if ok else "❌ Chưa đúng, hãy thử lại."
            note = f"<br>{html.escape(explanation)}" if explanation and ok else ""
            feedback.value = verdict + note

        button.on_click(on_check)
        children += [button, feedback]
    return ItemBox(item_id, question, kind, options, children=children)


def _labels(options: list[str], item_id: str = "",
            shuffle: bool = False) -> list[tuple[str, str]]:
    """(label shown, identity) per option, in display order. The identity is the option's
    letter in the source; shuffled items show this learner's own order (learner/variants.py),
    lettered A, B, C... as seen, and record that order for the feedback."""
    if not shuffle:
        return [(f"{LETTERS[i]}. {text}", LETTERS[i]) for i, text in enumerate(options)]
    shown = variants.order(item_id, len(options))
    record_order(item_id, "".join(LETTERS[i] for i in shown))
    return [(f"{LETTERS[pos]}. {options[i]}", LETTERS[i]) for pos, i in enumerate(shown)]


def single_choice(item_id: str, question: str, options: list[str], *, key: str | None = None,
                  explanation: str = "", shuffle: bool | None = None) -> ItemBox | StaticItem:
    """One answer among options labelled A, B, C...; stores the letter of the option in the
    source (its identity), whatever the order shown. Graded items (no ``key``) show each
    learner their own order unless ``shuffle=False``; practice items keep the source order.
    Keyboard: Tab (Shift + Tab) from option to option, Space to choose."""
    labels = _labels(options, item_id, key is None if shuffle is None else shuffle)
    if static := _static(item_id, question, "single_choice", labels):
        return static
    control = w.RadioButtons(options=labels, value=None, layout=w.Layout(width="auto"))

    def put(value):
        if value in {letter for _, letter in labels}:
            control.value = value

    return _item(item_id, question, "single_choice", control, [control], lambda: control.value,
                 put, check=None if key is None else (lambda v: same(v, key)),
                 explanation=explanation, options=labels)


def multiple_choice(item_id: str, question: str, options: list[str], *,
                    key: list[str] | None = None, explanation: str = "",
                    shuffle: bool | None = None) -> ItemBox | StaticItem:
    """Several answers (tick every right one); stores the list of source letters (identities).
    Shuffled as ``single_choice``. Keyboard: Tab from box to box, Space to tick."""
    labels = _labels(options, item_id, key is None if shuffle is None else shuffle)
    if static := _static(item_id, question, "multiple_choice", labels):
        return static
    boxes = {letter: w.Checkbox(description=label, value=False, indent=False,
                                layout=w.Layout(width="auto")) for label, letter in labels}

    def put(value):
        for letter, box in boxes.items():
            box.value = isinstance(value, list) and letter in value

    def get():
        return sorted(letter for letter, box in boxes.items() if box.value)

    return _item(item_id, question, "multiple_choice", w.VBox(list(boxes.values())),
                 list(boxes.values()), get, put,
                 check=None if key is None else (lambda v: same(v, key)),
                 explanation=explanation, options=labels)


def true_false(item_id: str, statement: str, *, key: bool | None = None,
               explanation: str = "") -> ItemBox | StaticItem:
    """Đúng / Sai; stores true or false. Keyboard: Tab to a button, Space or Enter to press."""
    if static := _static(item_id, statement, "true_false"):
        return static
    control = w.ToggleButtons(options=[("Đúng", True), ("Sai", False)], value=None)

    def put(value):
        if isinstance(value, bool):
            control.value = value

    return _item(item_id, statement, "true_false", control, [control], lambda: control.value,
                 put, check=None if key is None else (lambda v: same(v, key)),
                 explanation=explanation)


def numeric(item_id: str, question: str, *, unit: str = "", key: float | None = None,
            tol: float = 0.0, explanation: str = "",
            placeholder: str = "Gõ một số, ví dụ 12,5") -> ItemBox | StaticItem:
    """A number, typed as officials write it ("12,5", "1.500.000"); stores a JSON number.
    The status line repeats the number read, so a misread is visible at once."""
    if static := _static(item_id, question, "numeric"):
        return static
    control = w.Text(value="", placeholder=placeholder, continuous_update=True,
                     layout=w.Layout(width="16em"))
    row = w.HBox([control, w.HTML(f"&nbsp;{html.escape(unit)}" if unit else "")])

    def get():
        text = control.value.strip()
        if not text:
            return None
        value = parse_number(text)
        if value is None:
            raise Invalid("hãy chỉ gõ chữ số, dùng dấu phẩy cho phần thập phân (ví dụ 12,5)")
        return value

    def put(value):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            control.value = format_number(value)

    return _item(item_id, question, "numeric", row, [control], get, put,
                 check=None if key is None else (lambda v: near(v, key, tol)),
                 explanation=explanation)


def short_text(item_id: str, question: str, *, key: str | list[str] | None = None,
               ignore_accents: bool = False, explanation: str = "",
               placeholder: str = "Gõ câu trả lời ngắn...") -> ItemBox | StaticItem:
    """A word or a short phrase on one line; stores the text (spacing tidied, NFC)."""
    if static := _static(item_id, question, "short_text"):
        return static
    control = w.Text(value="", placeholder=placeholder, continuous_update=True,
                     layout=w.Layout(width="60%"))

    def put(value):
        control.value = str(value)

    return _item(item_id, question, "short_text", control, [control],
                 lambda: " ".join(control.value.split()), put,
                 check=None if key is None else
                 (lambda v: text_matches(v, key, ignore_accents=ignore_accents)),
                 explanation=explanation)


def free_text(item_id: str, question: str, *, rows: int = 6,
              placeholder: str = "Gõ câu trả lời của bạn vào đây...") -> ItemBox | StaticItem:
    """Long free text, graded by hand by the trainer in formgrader."""
    if static := _static(item_id, question, "free_text"):
        return static
    # continuous_update: every keystroke is saved, so nothing is lost if the learner saves or
    # submits while the cursor is still in the box.
    control = w.Textarea(value="", placeholder=placeholder, rows=rows, continuous_update=True,
                         layout=w.Layout(width="95%"))

    def put(value):
        control.value = str(value)

    return _item(item_id, question, "free_text", control, [control],
                 lambda: control.value.strip(), put)
