"""Hands-on check: the cells of a spreadsheet-like table the learner filled in the notebook.

:func:`grid` shows a small sheet in the notebook, with column letters A, B, C… and row numbers
as in Excel: given cells are plain text, the cells to fill are text boxes or drop-down lists
(Tab moves to the next cell). Every keystroke or choice is saved at once into
``cau_tra_loi.json`` under the item id, as ``{"G2": "Có", "C7": "3", …}``, through
``items.save_answer``, and the grid shows "✔ Đã lưu lúc …". Display cell::

    from grading.learner.checks import table as bang
    bang.grid("c10", "Câu 10. …", ["Mã hồ sơ", "Hạn trả", "Ngày trả", "Trễ hạn?"],
              [["HS-01", "05/10/2026", "05/10/2026", None], …], choices={"Trễ hạn?": ["Có", "Không"]})

Hidden test cell, with literal arguments::

    bang.table("c10", {"D2": "Không", …})

A cell matches when, after NFC normalization, trimming and ignoring case, it is the same text,
the same number ("75", "75,0", "75%") or the same date ("5/10/2026" = "05/10/2026"). The check
prints "Đúng." when every expected cell matches, else writes on stderr how many cells are
wrong or empty, never which value is expected (nor which cells: with Có/Không cells that would
give the answer away). One point, all or nothing.
"""
from __future__ import annotations

import html
import re
import sys
from pathlib import Path
from typing import Any

import ipywidgets as w

from grading.learner import items
from grading.learner.checks import register
from grading.settings import vn_now
from grading.vntext import to_nfc

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
EMPTY_CHOICE = ("(chọn)", "")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_DATE = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")


def _nfc(value: Any) -> str:
    return to_nfc(str(value))


def normalize(value: Any) -> Any:
    """Comparable form of a cell: a number, a (day, month, year) date, or folded text."""
    if isinstance(value, bool) or value is None:
        return None if value is None else str(value).casefold()
    if isinstance(value, (int, float)):
        return float(value)
    text = " ".join(_nfc(value).split()).casefold()
    bare = text[:-1].strip() if text.endswith("%") else text
    if _NUMBER.match(bare):
        return float(bare.replace(",", "."))
    date = _DATE.match(text)
    if date:
        return tuple(int(x) for x in date.groups())
    return text


def same_cell(given: Any, key: Any) -> bool:
    a, b = normalize(given), normalize(key)
    if a is None or a == "":
        return False
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) < 1e-9
    return a == b


def wrong_cells(given: Any, expected: dict[str, Any]) -> int:
    """How many expected cells are wrong or empty in the learner's answer."""
    cells = given if isinstance(given, dict) else {}
    return sum(not same_cell(cells.get(addr), value) for addr, value in expected.items())


def _verdict(given: Any, expected: dict[str, Any]) -> str | None:
    """None if right, else the Vietnamese reason (counts only)."""
    if not isinstance(given, dict) or not any(str(v).strip() for v in given.values()):
        return "Chưa điền ô nào của bảng này."
    wrong = wrong_cells(given, expected)
    if wrong:
        return (f"Còn {wrong} ô chưa đúng hoặc chưa điền (trong {len(expected)} ô được chấm). "
                f"Bảng chỉ được điểm khi mọi ô đều đúng.")
    return None


def table(item_id: str, expected: dict[str, Any]) -> None:
    """Hidden-test check: "Đúng." if every expected cell matches, else a count on stderr.

    Returns None (a displayed value would be read by nbgrader as partial credit).
    """
    try:
        reason = _verdict(items.answer(item_id), dict(expected))
    except Exception as exc:  # noqa: BLE001 - a traceback would print the expected cells
        reason = f"Không chấm được bảng này ({type(exc).__name__})."
    if reason:
        print(reason, file=sys.stderr)
    else:
        print("Đúng.")


def solve(folder: Path, item_id: str, expected: dict[str, Any]) -> None:
    """Save the expected cells as the learner's answer, exactly as the grid would."""
    items.save_answer(item_id, {addr: _nfc(v) for addr, v in expected.items()}, folder)


register("table", table, solve)


# --------------------------------------------------------------------------- the grid widget
class GridBox(w.VBox):
    """The grid; its static fallback (feedback, formgrader) shows the table with the answers."""

    def __init__(self, item_id: str, question: str, columns, rows, first_row: int, **kwargs):
        super().__init__(**kwargs)
        self._item_id, self._question = item_id, question
        self._columns, self._rows, self._first_row = columns, rows, first_row

    def _text_table(self) -> str:
        saved = items.answer(self._item_id)
        saved = saved if isinstance(saved, dict) else {}
        lines = [self._question, "Các ô đã điền:"]
        header = ["", *LETTERS[:len(self._columns)]]
        body = [["1", *self._columns]]
        for r, row in enumerate(self._rows):
            number = self._first_row + r
            body.append([str(number)] + [
                (str(cell) if cell is not None else
                 f"[{saved.get(f'{LETTERS[c]}{number}', '') or '…'}]")
                for c, cell in enumerate(row)])
        for row in [header, *body]:
            lines.append(" | ".join(row))
        return "\n".join(lines)

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs) or {}
        text = self._text_table()
        data["text/plain"] = text
        data["text/html"] = "<pre>" + html.escape(text) + "</pre>"
        return data


def _status(filled: int, total: int) -> str:
    if not filled:
        return "Chưa điền ô nào"
    return f"✔ Đã lưu lúc {vn_now():%H:%M:%S} (đã điền {filled}/{total} ô)"


def grid(item_id: str, question: str, columns: list[str], rows: list[list[Any]], *,
         choices: dict[str, list[str]] | None = None, key: dict[str, Any] | None = None,
         explanation: str = "", input_width: str = "130px") -> GridBox:
    """A small sheet: ``None`` in ``rows`` marks a cell to fill; row 1 holds the headers.

    ``choices`` maps a column header to the values of its drop-down list (other cells to fill
    are text boxes). ``key`` (lessons only) adds a "Kiểm tra" button. Answers are saved under
    ``item_id`` as {cell address: value}, e.g. {"G2": "Có"}.
    """
    if len(columns) > len(LETTERS):
        raise ValueError("too many columns")
    choices = choices or {}
    saved = items.answer(item_id)
    saved = saved if isinstance(saved, dict) else {}
    first_row = 2
    inputs: dict[str, w.Widget] = {}
    cells: list[w.Widget] = [w.HTML("")]  # top-left corner
    head = "<div style='text-align:center;color:#555'>{}</div>"
    cells += [w.HTML(head.format(letter)) for letter in LETTERS[:len(columns)]]
    cells += [w.HTML(head.format(1))]
    cells += [w.HTML(f"<b>{html.escape(_nfc(name))}</b>") for name in columns]
    for r, row in enumerate(rows):
        if len(row) != len(columns):
            raise ValueError(f"row {r + 1} has {len(row)} cells, expected {len(columns)}")
        number = first_row + r
        cells.append(w.HTML(head.format(number)))
        for c, value in enumerate(row):
            addr = f"{LETTERS[c]}{number}"
            if value is not None:
                cells.append(w.HTML(html.escape(_nfc(value))))
                continue
            column = columns[c]
            if column in choices:
                options = [EMPTY_CHOICE] + [(_nfc(o), _nfc(o)) for o in choices[column]]
                start = _nfc(saved.get(addr, ""))
                control = w.Dropdown(options=options,
                                     value=start if start in dict(options).values() else "",
                                     layout=w.Layout(width=input_width))
            else:
                control = w.Text(value=_nfc(saved.get(addr, "")), placeholder="…",
                                 continuous_update=True, layout=w.Layout(width=input_width))
            control.tooltip = f"Ô {addr} ({_nfc(column)})"
            inputs[addr] = control
            cells.append(control)

    def current() -> dict[str, str]:
        return {addr: _nfc(c.value).strip() for addr, c in inputs.items()
                if str(c.value).strip()}

    status = w.HTML(_status(len(current()), len(inputs)))

    def on_change(_change=None):
        value = current()
        items.save_answer(item_id, value or None)
        status.value = _status(len(value), len(inputs))

    for control in inputs.values():
        control.observe(on_change, names="value")

    template = "40px " + " ".join(["max-content"] * len(columns))
    sheet = w.GridBox(cells, layout=w.Layout(grid_template_columns=template,
                                             grid_gap="4px 10px", align_items="center",
                                             overflow="auto", width="100%"))
    children = [w.HTML(f"<b>{html.escape(_nfc(question))}</b>"), sheet, status]
    if key is not None:
        button = w.Button(description="Kiểm tra", tooltip="Kiểm tra các ô đã điền", icon="check")
        feedback = w.HTML()

        def on_check(_button):
            reason = _verdict(current(), key)
            if reason is None:
                note = f"<br>{html.escape(explanation)}" if explanation else ""
                feedback.value = "✅ Chính xác!" + note
            else:
                feedback.value = "❌ " + html.escape(reason) + " Hãy thử lại."

        button.on_click(on_check)
        children += [button, feedback]
    return GridBox(item_id, question, columns, rows, first_row, children=children)
