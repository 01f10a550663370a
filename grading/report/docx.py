"""A ward's report as a .docx the commune chairman can sign, formatted per Nghị định
30/2020/NĐ-CP (05/3/2020) on clerical work: A4, margins 20/20/30/15 mm, Times New Roman,
body 14 pt; quốc hiệu and tiêu ngữ, issuer, số/ký hiệu, place and date (day below 10 and months
1, 2 with a leading 0), document type and trích yếu, body, nơi nhận, signature block.

``ward_figures(lm, titles)`` (pure) computes what the body says from ``metrics.learner_module``
of one ward: completion by position and the officials still to complete, with their missing
modules and days overdue; free text awaiting the trainer is "chờ chấm", never overdue.
``write_ward_docx(path, ...)`` writes the document.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from grading import columns as C
from grading.files import write_atomic
from grading.report.labels import LABELS
from grading.report.metrics import learner_rollup
from grading.report.people import not_completed

FONT = "Times New Roman"
BODY_PT = 14
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
KINDS = (("Đặc khu ", "ĐẶC KHU "), ("Phường ", "PHƯỜNG "), ("Xã ", "XÃ "))
DEFINITIONS = LABELS["vi"]["definitions_title"] + ": " + LABELS["vi"]["definitions"]


def date_line(place: str, day: dt.date) -> str:
    """"Phú Lộc, ngày 05 tháng 02 năm 2026": day below 10 and months 1, 2 with a leading 0."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def place_name(ward_name: str) -> str:
    """The place of the date line: the ward's name without "Xã"/"Phường"/"Đặc khu"."""
    for kind, _ in KINDS:
        if ward_name.startswith(kind):
            return ward_name[len(kind):]
    return ward_name


def _lower_kind(ward_name: str) -> str:
    """"Xã Phú Lộc" -> "xã Phú Lộc" (in a sentence)."""
    for kind, _ in KINDS:
        if ward_name.startswith(kind):
            return kind.lower() + ward_name[len(kind):]
    return ward_name


def ward_figures(lm: pd.DataFrame, titles: dict[str, str] | None = None) -> dict:
    """{"total", "completed", "awaiting", "overdue", "by_position" (frame), "todo" (frame),
    "chairman" (name or "")} for the active officials of ``lm`` (one ward)."""
    roll = learner_rollup(lm)
    act = roll[roll[C.ACTIVE] & roll["enrolled_in"]]
    awaiting = act[C.AWAITING] & ~act[C.N_COMPLETED]
    by_pos = act.assign(_await=awaiting).groupby(C.POSITION, observed=True).agg(
        **{C.ENROLLED: (C.LEARNER, "size"), C.N_COMPLETED: (C.N_COMPLETED, "sum"),
           C.N_AWAITING: ("_await", "sum"), C.N_OVERDUE: (C.OVERDUE, "sum")}).reset_index()
    by_pos[C.COMPLETION_RATE] = (100.0 * by_pos[C.N_COMPLETED] / by_pos[C.ENROLLED]).round(1)
    todo = not_completed(lm, titles, roll=roll)
    heads = roll.loc[roll[C.ACTIVE] & (roll[C.POSITION].astype(str) == "Chủ tịch UBND"), C.NAME]
    return {"total": len(act), "completed": int(act[C.N_COMPLETED].sum()),
            "awaiting": int(awaiting.sum()), "overdue": int(act[C.OVERDUE].sum()),
            "by_position": by_pos, "todo": todo,
            "chairman": str(heads.iloc[0]) if len(heads) == 1 else ""}


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}".replace(".", ",") + "%" if whole else "—"


class _Doc:
    """The decree's page (A4, margins, Times New Roman 14 pt) through the kit's one .docx
    builder (learner/checks/docx_write.py, shared with the letter exercise)."""

    def __init__(self):
        from grading.learner.checks import docx_write

        self.dw = docx_write
        self.doc = docx_write.new_document(FONT, BODY_PT, margins_mm=MARGINS_MM)

    def para(self, container, text: str = "", size: float = BODY_PT, **style):
        return self.dw.para(container, text, size, font=FONT, **style)

    def columns(self, widths_mm: list[float]):
        return self.dw.columns(self.doc, widths_mm)

    def table(self, header: list[str], rows: list[list], widths_mm: list[float]):
        from docx.shared import Mm

        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for cell, text, mm in zip(table.rows[0].cells, header, widths_mm):
            cell.width = Mm(mm)
            cell._tc.remove(cell.paragraphs[0]._p)
            self.para(cell, text, 12, bold=True)
        for row in rows:
            cells = table.add_row().cells
            for i, (cell, value) in enumerate(zip(cells, row)):
                cell.width = Mm(widths_mm[i])
                cell._tc.remove(cell.paragraphs[0]._p)
                self.para(cell, str(value), 12, align="left" if i in (1, 3) else "center")


def write_ward_docx(path: Path, *, ward_code: str, ward_name: str, figures: dict,
                    as_of: dt.date, issued: dt.date | None = None) -> Path:
    """Write the ward's signable report to ``path`` (atomically, owner-only)."""
    issued = issued or as_of
    d = _Doc()
    unit = next((upper + ward_name[len(kind):].upper() for kind, upper in KINDS
                 if ward_name.startswith(kind)), ward_name.upper())
    left, right = d.columns([70, 100])
    d.para(left, "ỦY BAN NHÂN DÂN", 13, bold=True)
    d.para(left, unit, 13, bold=True)
    d.para(left, "Số:       /BC-UBND", 13)
    d.para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, bold=True)
    d.para(right, "Độc lập - Tự do - Hạnh phúc", 13, bold=True)
    d.para(right, "")
    d.para(right, date_line(place_name(ward_name), issued), 14, italic=True)
    d.para(d.doc, "")
    d.para(d.doc, "BÁO CÁO", 14, bold=True)
    d.para(d.doc, "Kết quả bồi dưỡng kỹ năng công nghệ thông tin và đạo đức công vụ của cán bộ, "
           "công chức", 14, bold=True)
    d.para(d.doc, "Kính gửi: Sở Nội vụ.", 14)
    total, done = figures["total"], figures["completed"]
    body = [
        f"Ủy ban nhân dân {_lower_kind(ward_name)} báo cáo kết quả bồi dưỡng của cán bộ, "
        f"công chức (mã đơn vị {ward_code}) tính đến ngày {as_of:%d/%m/%Y} như sau:",
        f"1. Kết quả chung: {total} cán bộ, công chức phải hoàn thành; đã hoàn thành {done} "
        f"({_pct(done, total)}); đang chờ chấm bài tự luận {figures['awaiting']}; quá hạn "
        f"{figures['overdue']}.",
        "2. Kết quả theo chức vụ (bảng 1).",
    ]
    for text in body:
        d.para(d.doc, text, align="justify", indent=True)
    pos = figures["by_position"]
    d.table(["Chức vụ", "Số người", "Hoàn thành", "Tỷ lệ", "Chờ chấm", "Quá hạn"],
            [[r[C.POSITION], r[C.ENROLLED], r[C.N_COMPLETED],
              _pct(r[C.N_COMPLETED], r[C.ENROLLED]), r[C.N_AWAITING], r[C.N_OVERDUE]]
             for _, r in pos.iterrows()], [60, 20, 22, 20, 20, 20])
    todo = figures["todo"]
    d.para(d.doc, f"3. Cán bộ, công chức chưa hoàn thành: {len(todo)} người (bảng 2), người quá "
           "hạn lâu nhất ghi trước.", align="justify", indent=True)
    if len(todo):
        d.table(["STT", "Họ và tên", "Chức vụ", "Học phần còn thiếu", "Số ngày quá hạn"],
                [[i, r[C.NAME], r[C.POSITION], r[C.MISSING] + (" (chờ chấm)" if r[C.AWAITING]
                                                               else ""),
                  r[C.DAYS_LATE] if r[C.OVERDUE] else "—"]
                 for i, (_, r) in enumerate(todo.iterrows(), 1)], [12, 45, 40, 48, 20])
    for text in (DEFINITIONS, "4. Ủy ban nhân dân đôn đốc cán bộ, công chức có tên tại bảng 2 "
                 "hoàn thành các học phần còn thiếu; đề nghị Sở Nội vụ tiếp tục hỗ trợ tài khoản "
                 "và hướng dẫn học trực tuyến./."):
        d.para(d.doc, text, align="justify", indent=True)
    d.para(d.doc, "")
    left, right = d.columns([80, 90])
    d.para(left, "Nơi nhận:", 12, bold=True, italic=True, align="left")
    d.para(left, "- Như trên;", 11, align="left")
    d.para(left, "- Lưu: VT.", 11, align="left")
    d.para(right, "TM. ỦY BAN NHÂN DÂN", 13, bold=True)
    d.para(right, "CHỦ TỊCH", 13, bold=True)
    for _ in range(3):
        d.para(right, "", 13)
    d.para(right, figures.get("chairman") or "", 13, bold=True)
    d.doc.core_properties.title = f"Báo cáo kết quả bồi dưỡng — {ward_name}"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, d.doc.save)
    return path
