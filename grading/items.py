"""Item widgets: learners answer by clicking and typing; answers persist in a JSON file.

Mechanism (see README, "Thiết kế"): each click or keystroke is written at once to
``cau_tra_loi.json`` beside the notebook (the kernel's working directory). nbgrader submits
every file of the assignment folder, copies it into ``autograded/`` and runs the notebook
there, so the hidden test cells (``score(...)``) read exactly what the learner chose. The file
survives save, close, reopen and kernel restart; re-running an item cell shows the saved answer.

In a notebook::

    from grading import items as cv
    cv.single_choice("c1", "Câu hỏi ...", ["Phương án 1", "Phương án 2"])
    # hidden test cell:  cv.score("c1", "B")
"""
from __future__ import annotations

import html
import json
import os
import sys
import tempfile
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any

import ipywidgets as w

ANSWERS_FILE = "cau_tra_loi.json"
LETTERS = "ABCDEFGHIJ"


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    return value


def answers_path(folder: str | os.PathLike | None = None) -> Path:
    return Path(folder or os.getcwd()) / ANSWERS_FILE


def load_answers(folder: str | os.PathLike | None = None) -> dict[str, Any]:
    """All saved answers of the assignment folder ({} if none or unreadable)."""
    try:
        data = json.loads(answers_path(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_answer(item_id: str, value: Any, folder: str | os.PathLike | None = None) -> None:
    """Record one answer atomically (write a temporary file, then rename)."""
    path = answers_path(folder)
    data = load_answers(folder)
    if value is None or value == "" or value == []:
        data.pop(item_id, None)
    else:
        data[item_id] = _nfc(value)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cau_tra_loi.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1, sort_keys=True)
    os.replace(tmp, path)


def answer(item_id: str) -> Any:
    """The learner's saved answer, or None if unanswered."""
    return load_answers().get(item_id)


def describe(value: Any) -> str:
    """Human-readable form of a stored answer, in Vietnamese."""
    if value is None:
        return "(chưa trả lời)"
    if isinstance(value, bool):
        return "Đúng" if value else "Sai"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value else "(chưa trả lời)"
    return str(value)


# --------------------------------------------------------------------------- grading
def _same(given: Any, key: Any) -> bool:
    """Compare only plain JSON values: never call a learner-controlled __eq__."""
    if type(given) not in (str, bool, int, float, list):
        return False
    if isinstance(key, str) and isinstance(given, str):
        return _nfc(given).strip().casefold() == _nfc(key).strip().casefold()
    if isinstance(key, list):
        return isinstance(given, list) and sorted(map(str, given)) == sorted(map(str, key))
    return type(given) is type(key) and given == key


def score(item_id: str, key: Any) -> None:
    """Hidden-test check: full points if the saved answer equals the key, else 0.

    A wrong or missing answer is reported on stderr, which nbgrader scores 0, instead of an
    exception: an exception's traceback would print this very line, key included, into the
    learner's feedback. The message shows only the learner's own answer. Returns None: a
    displayed value would be read by nbgrader as partial credit.
    """
    given = answer(item_id)
    if given is None:
        print("Chưa trả lời câu này.", file=sys.stderr)
    elif not _same(given, key):
        print(f"Câu trả lời chưa đúng (bạn chọn: {describe(given)}).", file=sys.stderr)
    else:
        print("Đúng.")


# --------------------------------------------------------------------------- widgets
class ItemBox(w.VBox):
    """A VBox whose static fallback (feedback HTML, formgrader) shows the saved answer."""

    def __init__(self, item_id: str, question: str, **kwargs):
        super().__init__(**kwargs)
        self._item_id, self._question = item_id, question

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs) or {}
        text = f"{self._question}\nCâu trả lời đã lưu: {describe(answer(self._item_id))}"
        data["text/plain"] = text
        data["text/html"] = "<pre>" + html.escape(text) + "</pre>"
        return data


def _status_text(saved: bool) -> str:
    return f"✔ Đã lưu lúc {datetime.now():%H:%M:%S}" if saved else "Chưa trả lời"


def _item(item_id: str, question: str, control: w.Widget, sources: list[w.Widget], get, put,
          key: Any = None, explanation: str = "") -> ItemBox:
    """Wire a control: load the saved answer, save on every change, show the saved state.

    ``key`` turns the item into a practice item with a "Kiểm tra" button and an explanation;
    graded items never receive a key, so nothing in the learner's notebook reveals it.
    """
    saved = answer(item_id)
    if saved is not None:
        put(saved)
    status = w.HTML(_status_text(saved is not None))

    def on_change(_change=None):
        value = get()
        save_answer(item_id, value)
        status.value = _status_text(value not in (None, "", []))

    for source in sources:
        source.observe(on_change, names="value")
    children = [w.HTML(f"<b>{html.escape(question)}</b>"), control, status]
    if key is not None:
        button = w.Button(description="Kiểm tra", tooltip="Kiểm tra câu trả lời", icon="check")
        feedback = w.HTML()

        def on_check(_button):
            ok = _same(get(), key)
            verdict = "✅ Chính xác!" if ok else "❌ Chưa đúng, hãy thử lại."
            note = f"<br>{html.escape(explanation)}" if explanation and ok else ""
            feedback.value = verdict + note

        button.on_click(on_check)
        children += [button, feedback]
    return ItemBox(item_id, question, children=children)


def _labels(options: list[str]) -> list[tuple[str, str]]:
    return [(f"{LETTERS[i]}. {text}", LETTERS[i]) for i, text in enumerate(options)]


def single_choice(item_id: str, question: str, options: list[str], *, key: str | None = None,
                  explanation: str = "") -> ItemBox:
    """One answer among options labelled A, B, C...; stores the letter."""
    labels = _labels(options)
    control = w.RadioButtons(options=labels, value=None, layout=w.Layout(width="auto"))

    def put(value):
        if value in {letter for _, letter in labels}:
            control.value = value

    return _item(item_id, question, control, [control], lambda: control.value, put,
                 key, explanation)


def multiple_choice(item_id: str, question: str, options: list[str], *,
                    key: list[str] | None = None, explanation: str = "") -> ItemBox:
    """Several answers (tick every right one); stores the list of letters."""
    labels = _labels(options)
    boxes = {letter: w.Checkbox(description=label, value=False, indent=False,
                                layout=w.Layout(width="auto")) for label, letter in labels}

    def put(value):
        for letter, box in boxes.items():
            box.value = isinstance(value, list) and letter in value

    def get():
        return [letter for letter, box in boxes.items() if box.value]

    return _item(item_id, question, w.VBox(list(boxes.values())), list(boxes.values()), get,
                 put, key, explanation)


def true_false(item_id: str, statement: str, *, key: bool | None = None,
               explanation: str = "") -> ItemBox:
    """Đúng / Sai; stores true or false."""
    control = w.ToggleButtons(options=[("Đúng", True), ("Sai", False)], value=None)

    def put(value):
        if isinstance(value, bool):
            control.value = value

    return _item(item_id, statement, control, [control], lambda: control.value, put,
                 key, explanation)


def free_text(item_id: str, question: str, *, rows: int = 6,
              placeholder: str = "Gõ câu trả lời của bạn vào đây...") -> ItemBox:
    """Long free text, graded by hand by the trainer in formgrader."""
    # continuous_update: every keystroke is saved, so nothing is lost if the learner saves or
    # submits while the cursor is still in the box.
    control = w.Textarea(value="", placeholder=placeholder, rows=rows, continuous_update=True,
                         layout=w.Layout(width="95%"))

    def put(value):
        control.value = str(value)

    return _item(item_id, question, control, [control], lambda: control.value.strip(), put)
