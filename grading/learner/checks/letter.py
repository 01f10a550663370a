"""Hands-on check: an official letter (công văn) formatted per Nghị định 30/2020/NĐ-CP.

The learner produces ``cong_van.docx`` in the assignment folder, in one of two ways:

1. with the form :func:`letter_form` (no Word needed): fields of the letter and its page
   set-up, pre-filled from an old, wrongly formatted template; a button writes the .docx;
2. by opening the shipped template ``cong_van_mau.docx`` (see :func:`write_template`) in Word or
   LibreOffice Writer, fixing it, saving it as ``cong_van.docx`` and uploading it back into the
   assignment folder in JupyterLab.

A hidden test cell then calls, with literal arguments, one check per group of rules::

    from grading.learner.checks import letter as vanban
    vanban.letter("c9", {"file": "cong_van.docx", "page": "A4",
                         "margins_mm": {"top": [20, 25], "bottom": [20, 25],
                                        "left": [30, 35], "right": [15, 20]}})

Rules (every key optional except ``file``):

- ``page``: ``"A4"``: every section is A4 portrait (210 × 297 mm, ±1 mm);
- ``margins_mm``: {side: [min, max]} for top, bottom, left, right;
- ``font``: every character of the letter (paragraphs and tables) is in this font;
- ``body_size_pt``: [min, max] size of the body text (paragraphs after "Kính gửi");
- ``date``: [year, month, day]: the line "…, ngày dd tháng mm năm yyyy" shows that date, with a
  leading 0 for a day below 10 and for months 1 and 2 (Nghị định 30/2020/NĐ-CP, Phụ lục I);
- ``letterhead_without``: words that must not appear in the issuer's name (the top-left
  letterhead), e.g. ["huyện", "quận", "thị xã", "thị trấn"], abolished since 1/7/2025;
- ``letterhead_has``: text that must appear in the issuer's name (the commune named in the task).

Like ``items.score``, a failed check writes what is wrong to stderr (nbgrader scores 0) and never
raises; messages state the rule the learner can read in the notebook and the learner's own
values, never more. The file is read with python-docx; effective fonts and sizes are resolved
through run, character style, paragraph style, document defaults and the theme, as Word does.
"""
from __future__ import annotations

import html
import json
import sys
from pathlib import Path
from typing import Any

import ipywidgets as w

from grading.learner.checks import register
from grading.learner.checks.letter_docx import (  # noqa: F401
    CORRECT,
    FORM_MARK,
    LETTER_FILE,
    PAGE_SIZES_MM,
    RULE_KEYS,
    SCENARIO,
    SIDES,
    SOLVE_MARK,
    TEMPLATE_FILE,
    _nfc,
    build_letter,
    problems,
    write_template,
)
from grading.settings import vn_now


# --------------------------------------------------------------------------- check and solve
def _validate(rules: Any) -> dict[str, Any]:
    if not isinstance(rules, dict) or "file" not in rules:
        raise ValueError("rules must be a dict with at least 'file'")
    unknown = set(rules) - RULE_KEYS
    if unknown:
        raise ValueError(f"unknown letter rules: {sorted(unknown)}")
    if "page" in rules and rules["page"] not in PAGE_SIZES_MM:
        raise ValueError(f"unknown page size {rules['page']!r}")
    if set(rules.get("margins_mm", {})) - set(SIDES):
        raise ValueError("margins_mm sides are top, bottom, left, right")
    return rules


def letter(item_id: str, rules: dict[str, Any]) -> None:
    """Hidden-test check: "Đúng." if the learner's letter meets ``rules``, else stderr reasons.

    Runs in the submission folder. Returns None (a displayed value would be read by nbgrader
    as partial credit); never raises on a learner's file.
    """
    try:
        rules = _validate(rules)
        found = problems(Path.cwd() / _nfc(rules["file"]), rules)
    except Exception as exc:  # noqa: BLE001 - a crash would print the call (and the rules)
        found = [f"Không kiểm tra được tệp công văn ({type(exc).__name__})."]
    if found:
        print("Công văn chưa đạt yêu cầu của câu này:", file=sys.stderr)
        for line in found:
            print(f"- {line}", file=sys.stderr)
    else:
        print("Đúng.")


def solve(folder: Path, item_id: str, rules: dict[str, Any]) -> None:
    """Write a letter meeting ``rules`` (merged with those of earlier solve calls on the file)."""
    rules = _validate(rules)
    path = Path(folder) / rules["file"]
    params = dict(CORRECT)
    if path.is_file():
        try:
            from docx import Document

            props = Document(str(path)).core_properties
            if props.keywords == SOLVE_MARK:
                params.update(json.loads(props.comments or "{}"))
        except Exception:  # noqa: BLE001 - not ours: overwrite
            pass
    if "page" in rules:
        params["page"] = rules["page"]
    for side, (low, high) in (rules.get("margins_mm") or {}).items():
        params[side] = (low + high) / 2
    if "font" in rules:
        params["font"] = rules["font"]
    if "body_size_pt" in rules:
        low, high = rules["body_size_pt"]
        params["size"] = high if high == int(high) else low
    if "date" in rules:
        year, month, day = (int(x) for x in rules["date"])
        month_text = f"{month:02d}" if month < 3 else str(month)  # 0 only before 1 and 2
        params["place_date"] = f"Phú Lộc, ngày {day:02d} tháng {month_text} năm {year}"
    if "letterhead_has" in rules:
        params["issuer"] = "ỦY BAN NHÂN DÂN\nXÃ " + _nfc(rules["letterhead_has"]).upper()
    build_letter(path, params, mark=SOLVE_MARK)


register("letter", letter, solve)


# --------------------------------------------------------------------------- the form
def letter_form(file: str = LETTER_FILE, *, state_key: str = "bieu_mau_cong_van",
                practice_rules: dict[str, Any] | None = None):
    """A form of the letter's page set-up and fields; "Lưu" writes ``file`` as a .docx.

    Starts from the old, wrongly formatted letter (SCENARIO); every change is kept in
    cau_tra_loi.json under ``state_key`` so the form survives a kernel restart. An existing
    ``file`` not written by the form (e.g. uploaded from Word) is overwritten only after a
    second click. ``practice_rules`` (lessons only) adds a "Kiểm tra" button that lists what is
    still wrong.
    """
    from grading.learner import items

    saved = items.load_answers().get(state_key)
    values = dict(SCENARIO)
    if isinstance(saved, dict):
        values.update({k: v for k, v in saved.items() if k in SCENARIO})
    wide = w.Layout(width="95%")
    label_style = {"description_width": "190px"}

    def text(key, label, area=False, rows=2):
        cls = w.Textarea if area else w.Text
        kwargs = {"rows": rows} if area else {}
        return cls(value=str(values[key]), description=label, style=label_style, layout=wide,
                   continuous_update=True, **kwargs)

    def number(key, label):
        return w.BoundedFloatText(value=float(values[key]), min=0, max=80, step=0.5,
                                  description=label, style=label_style,
                                  layout=w.Layout(width="320px"))

    fonts = ["Arial", "Calibri", "Times New Roman", "VNI-Times", ".VnTime"]
    controls = {
        "page": w.Dropdown(options=[("Letter (216 × 279 mm)", "Letter"),
                                    ("A4 (210 × 297 mm)", "A4"), ("A5 (148 × 210 mm)", "A5")],
                           value=values["page"] if values["page"] in PAGE_SIZES_MM else "Letter",
                           description="Khổ giấy:", style=label_style),
        "top": number("top", "Lề trên (mm):"),
        "bottom": number("bottom", "Lề dưới (mm):"),
        "left": number("left", "Lề trái (mm):"),
        "right": number("right", "Lề phải (mm):"),
        "font": w.Dropdown(options=fonts, value=values["font"] if values["font"] in fonts
                           else "Arial", description="Phông chữ:", style=label_style),
        "size": w.Dropdown(options=[11, 12, 13, 14, 15, 16],
                           value=values["size"] if values["size"] in (11, 12, 13, 14, 15, 16)
                           else 12, description="Cỡ chữ nội dung (pt):", style=label_style),
        "issuer": text("issuer", "Tên cơ quan ban hành:", area=True),
        "number": text("number", "Số, ký hiệu:"),
        "place_date": text("place_date", "Địa danh, ngày tháng:"),
        "subject": text("subject", "Trích yếu:"),
        "recipient": text("recipient", "Kính gửi:"),
        "body": text("body", "Nội dung:", area=True, rows=6),
        "signer_title": text("signer_title", "Quyền hạn, chức vụ người ký:", area=True),
        "signer_name": text("signer_name", "Họ tên người ký:"),
        "copies": text("copies", "Nơi nhận:", area=True),
    }
    status = w.HTML("")
    state = {"confirm": False}

    def current() -> dict[str, Any]:
        return {k: (_nfc(c.value) if isinstance(c.value, str) else c.value)
                for k, c in controls.items()}

    def on_change(_change=None):
        items.save_answer(state_key, current())
        state["confirm"] = False
        status.value = "Đã ghi nhớ nội dung biểu mẫu. Bấm nút <b>Lưu thành tệp</b> để tạo tệp."

    for control in controls.values():
        control.observe(on_change, names="value")

    target = Path.cwd() / file

    def on_save(_button):
        if target.exists() and not state["confirm"]:
            try:
                from docx import Document

                ours = Document(str(target)).core_properties.keywords == FORM_MARK
            except Exception:  # noqa: BLE001
                ours = False
            if not ours:
                state["confirm"] = True
                status.value = (f"⚠ Thư mục bài làm đã có tệp <b>{html.escape(file)}</b> (có thể "
                                f"anh/chị đã tải lên từ Word). Bấm <b>Lưu thành tệp</b> lần nữa "
                                f"để ghi đè bằng nội dung biểu mẫu.")
                return
        state["confirm"] = False
        try:
            build_letter(target, current(), mark=FORM_MARK)
        except OSError as exc:
            status.value = f"❌ Không lưu được tệp: {html.escape(str(exc))}"
            return
        status.value = f"✔ Đã lưu tệp <b>{html.escape(file)}</b> lúc {vn_now():%H:%M:%S}"

    save = w.Button(description=f"Lưu thành tệp {file}", icon="save",
                    tooltip=f"Tạo tệp {file} trong thư mục bài làm",
                    layout=w.Layout(width="auto"), button_style="primary")
    save.on_click(on_save)
    children = [
        w.HTML("<b>Định dạng trang và chữ</b>"),
        *[controls[k] for k in ("page", "top", "bottom", "left", "right", "font", "size")],
        w.HTML("<b>Các thành phần của công văn</b>"),
        *[controls[k] for k in ("issuer", "number", "place_date", "subject", "recipient", "body",
                                "signer_title", "signer_name", "copies")],
        save, status,
    ]
    if practice_rules is not None:
        rules = _validate(practice_rules)
        feedback = w.HTML()

        def on_check(_button):
            found = problems(Path.cwd() / rules["file"], rules)
            if found:
                feedback.value = "❌ Còn chưa đạt:<ul>" + "".join(
                    f"<li>{html.escape(x)}</li>" for x in found) + "</ul>"
            else:
                feedback.value = "✅ Chính xác! Công văn đã đúng thể thức ở các điểm được kiểm tra."

        check = w.Button(description="Kiểm tra tệp", icon="check",
                         tooltip=f"Kiểm tra tệp {rules['file']}")
        check.on_click(on_check)
        children += [check, feedback]
    if target.exists():
        status.value = f"Thư mục bài làm đã có tệp <b>{html.escape(file)}</b>."
    return _FormBox(target, children=children)


class _FormBox(w.VBox):
    """The form; its static fallback (feedback, formgrader) tells whether the file exists."""

    def __init__(self, target: Path, **kwargs):
        super().__init__(**kwargs)
        self._target = target

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs) or {}
        state = "đã có" if self._target.exists() else "chưa có"
        text = f"Biểu mẫu công văn. Tệp {self._target.name}: {state} trong thư mục bài làm."
        data["text/plain"] = text
        data["text/html"] = "<pre>" + html.escape(text) + "</pre>"
        return data
