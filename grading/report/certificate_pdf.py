"""Draw certificates as PDF pages (A4 landscape) with fpdf2, DejaVu fonts and a QR code.

DejaVu Sans covers every Vietnamese letter precomposed (NFC), so no shaping engine is needed;
text is normalized to NFC before drawing. The QR code holds the verification code, drawn as
vector squares (segno gives the matrix): it prints sharp at any size.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from grading import columns as C
from grading.errors import KitError, problem
from grading.vntext import nfc

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
RED, INK = (170, 20, 20), (20, 20, 20)


def _font_dir() -> Path:
    for folder in FONT_DIRS:
        if (folder / "DejaVuSans.ttf").exists() and (folder / "DejaVuSans-Bold.ttf").exists():
            return folder
    raise KitError(problem("không tìm thấy phông chữ DejaVu (cần cho chữ tiếng Việt trên giấy "
                           "chứng nhận)", "cài gói fonts-dejavu-core: apt-get install "
                           "fonts-dejavu-core", message_en="DejaVu fonts not found",
                           fix_en="install the fonts-dejavu-core package"))


def _day(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def _qr(pdf, text: str, x: float, y: float, size: float) -> None:
    import segno

    matrix = segno.make(text, error="m").matrix
    n = len(matrix) + 8  # quiet zone of 4 modules each side
    cell = size / n
    pdf.set_fill_color(*INK)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                pdf.rect(x + (c + 4) * cell, y + (r + 4) * cell, cell, cell, style="F")


def _page(pdf, row: dict, course_title: str) -> None:
    pdf.add_page()
    w = pdf.w
    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, w - 16, pdf.h - 16)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, w - 22, pdf.h - 22)
    pdf.set_text_color(*INK)

    def line(text, size, style="", h=None, color=INK):
        pdf.set_text_color(*color)
        pdf.set_font("DejaVu", style, size)
        pdf.multi_cell(w - 50, h or size * 0.55, nfc(text), align="C",
                       new_x="LMARGIN", new_y="NEXT")

    pdf.set_y(18)
    line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, "B")
    line("Độc lập - Tự do - Hạnh phúc", 12, "B")
    pdf.ln(8)
    line("GIẤY CHỨNG NHẬN", 28, "B", color=RED)
    line("hoàn thành bồi dưỡng", 15)
    pdf.ln(3)
    line(course_title, 11)
    pdf.ln(5)
    line("Chứng nhận ông/bà", 13)
    line(row[C.NAME] or row[C.LEARNER], 22, "B", h=12)
    details = [row.get(C.POSITION, ""), row.get(C.WARD_NAME, "")]
    line(" — ".join(d for d in details if d), 13)
    pdf.ln(3)
    line(f"Đã hoàn thành mảng: {row['track_title']}", 14, "B")
    line(f"Các học phần: {row['modules']}", 10.5, h=6)
    line(f"Ngày hoàn thành: {_day(row['completed_on'])}", 12)
    size = 30
    _qr(pdf, row["code"], w - 25 - size, pdf.h - 22 - size, size)
    pdf.set_font("DejaVu", "", 10)
    pdf.set_xy(22, pdf.h - 42)
    for text in (f"Số: {row['serial']}", f"Mã xác minh: {row['code']}",
                 f"Cấp {_day(row['issued_on'])}. Kiểm tra: congvu verify {row['code']}"):
        pdf.set_x(22)
        pdf.cell(w - 80, 5.5, nfc(text), new_x="LMARGIN", new_y="NEXT")


def write_pdf(rows: list[dict], path: Path, *, course_title: str) -> Path:
    """One page per certificate in ``path`` (written whole or not at all, owner-only)."""
    from fpdf import FPDF

    from grading.files import write_atomic

    fonts = _font_dir()
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(25, 15, 25)
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_title(nfc("Giấy chứng nhận hoàn thành bồi dưỡng"))
    for row in rows:
        _page(pdf, row, course_title)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(path, bytes(pdf.output()))
