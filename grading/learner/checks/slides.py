"""Hands-on check: a real .pptx presentation (python-pptx), with partial credit per criterion.

The learner makes the slides in PowerPoint or LibreOffice Impress and uploads the file into
the assignment folder, or builds it with the in-notebook form :func:`slides_form` (titles,
short points, a column chart of the given figures). A hidden test cell calls::

    from grading.learner.checks import slides as trinhchieu
    trinhchieu.pptx("c12", "bao_cao_thang_9.pptx",
                    {"slides": [4, 6], "titles": True, "fit": {"max_words": 50},
                     "visual": True, "contains": ["95,9", "95.9", "96"]})

Criteria, one point each (the cell's points = the number given): ``slides`` count within
[min, max]; ``titles``: every slide has a non-empty title; ``fit``: no slide over
``max_words`` words and no text box whose text cannot fit its box (estimated from the font size,
18 pt when the file does not say); ``visual``: at least one chart or table; ``contains``: one of
these texts appears on some slide (the figure the task asks for). Verdicts as in the spreadsheet
check: "Đúng.", or reasons with the points met as partial credit, or reasons on stderr for 0.
"""
from __future__ import annotations

import math
import zipfile
from pathlib import Path
from typing import Any

from grading.learner.checks import partial_credit, register
from grading.vntext import to_nfc

MAX_BYTES = 20_000_000
DEFAULT_PT = 18.0
EMU_PER_PT = 12700
CRITERIA = ("slides", "titles", "fit", "visual", "contains")


def _texts(slide) -> list[str]:
    return [to_nfc(s.text_frame.text) for s in slide.shapes if s.has_text_frame]


def _size_pt(frame) -> float:
    sizes = [r.font.size.pt for p in frame.paragraphs for r in p.runs if r.font.size]
    return max(sizes) if sizes else DEFAULT_PT


def overflows(shape) -> bool:
    """True when the text of ``shape`` needs more height than the box has (estimate: average
    glyph width half the font size, line height 1.2 × size)."""
    if not shape.has_text_frame or not shape.width or not shape.height:
        return False
    frame = shape.text_frame
    size = _size_pt(frame)
    per_line = max(1, int(shape.width / EMU_PER_PT / (0.5 * size)))
    lines = sum(max(1, math.ceil(len(p.text) / per_line)) for p in frame.paragraphs)
    return lines * size * 1.2 > shape.height / EMU_PER_PT * 1.1 + size


def problems(path: Path, spec: dict[str, Any]) -> tuple[int, int, list[str]]:
    given = sum(k in spec for k in CRITERIA)
    if not path.is_file():
        return 0, given, [f"Chưa có tệp {path.name} trong thư mục bài làm."]
    if path.stat().st_size > MAX_BYTES or not zipfile.is_zipfile(path):
        return 0, given, [f"Tệp {path.name} không phải tệp trình chiếu (.pptx) đọc được."]
    from pptx import Presentation

    slides = list(Presentation(str(path)).slides)
    reasons: list[str | None] = []
    if "slides" in spec:
        low, high = spec["slides"]
        reasons.append(None if low <= len(slides) <= high else
                       f"Bài có {len(slides)} trang chiếu; đề bài yêu cầu từ {low} đến {high} trang.")
    if "titles" in spec:
        missing = [i for i, s in enumerate(slides, 1)
                   if s.shapes.title is None or not s.shapes.title.text_frame.text.strip()]
        reasons.append(f"Trang {', '.join(map(str, missing))} chưa có tiêu đề." if missing
                       else None)
    if "fit" in spec:
        limit = spec["fit"].get("max_words", 50)
        wordy = [i for i, s in enumerate(slides, 1) if sum(len(t.split()) for t in _texts(s)) > limit]
        over = [i for i, s in enumerate(slides, 1) if any(overflows(sh) for sh in s.shapes)]
        found = []
        if wordy:
            found.append(f"trang {', '.join(map(str, wordy))} có hơn {limit} chữ")
        if over:
            found.append(f"trang {', '.join(map(str, over))} có chữ tràn khỏi khung")
        reasons.append(("Trang chiếu quá nhiều chữ: " + "; ".join(found) + ".") if found else None)
    if "visual" in spec:
        has = any(getattr(sh, "has_chart", False) or getattr(sh, "has_table", False)
                  for s in slides for sh in s.shapes)
        reasons.append(None if has else "Chưa có biểu đồ hoặc bảng số liệu trên trang chiếu nào.")
    if "contains" in spec:
        text = " ".join(t for s in slides for t in _texts(s))
        found = any(to_nfc(x) in text for x in spec["contains"])
        reasons.append(None if found else "Chưa thấy con số chính mà đề bài yêu cầu tính và nêu.")
    wrong = [r for r in reasons if r]
    return given - len(wrong), given, wrong


def pptx(item_id: str, file: str, spec: dict[str, Any]) -> float | None:
    """Hidden-test check; see the module docstring. Never raises on a learner's file."""
    return partial_credit(problems, file, spec, what="bài trình chiếu", file_kind="trình chiếu")


def write_deck(path: str | Path, slides: list[tuple[str, list[str]]], *,
               chart: tuple[str, list[str], list[float]] | None = None) -> None:
    """Title slide, then one title-and-content slide per entry; ``chart`` = (title,
    categories, values) adds a slide with a column chart."""
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Inches, Pt

    deck = Presentation()
    for i, (title, points) in enumerate(slides):
        slide = deck.slides.add_slide(deck.slide_layouts[0 if i == 0 else 1])
        slide.shapes.title.text = to_nfc(title)
        body = slide.placeholders[1].text_frame
        for j, point in enumerate(p for p in points if p.strip()):
            para = body.paragraphs[0] if j == 0 else body.add_paragraph()
            para.text = to_nfc(point)
            para.font.size = Pt(24 if i else 20)
    if chart:
        title, categories, values = chart
        slide = deck.slides.add_slide(deck.slide_layouts[5])
        slide.shapes.title.text = to_nfc(title)
        data = CategoryChartData()
        data.categories = [to_nfc(c) for c in categories]
        data.add_series("Số hồ sơ", values)
        slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(0.7), Inches(1.6),
                               Inches(8.6), Inches(5.2), data)
    deck.save(str(path))


def solve(folder: Path, item_id: str, file: str, spec: dict[str, Any]) -> None:
    """A short deck meeting ``spec``: title, key figure, details, chart, proposals."""
    figure = spec.get("contains", ["—"])[0]
    slides = [("Kết quả giải quyết hồ sơ", ["Trung tâm Phục vụ hành chính công"]),
              (f"Đúng hạn {figure}%", ["Số liệu từ hệ thống một cửa"]),
              ("Hồ sơ trễ hạn", ["Nêu nguyên nhân chính"]),
              ("Kiến nghị", ["Đôn đốc hồ sơ trễ hạn"])]
    low = spec.get("slides", [4, 6])[0]
    chart = ("Hồ sơ theo lĩnh vực", ["Hộ tịch", "Chứng thực", "Đất đai"], [60.0, 70.0, 42.0])
    write_deck(Path(folder) / file, slides[:max(1, low - 1)] + slides[low - 1:],
               chart=chart if "visual" in spec else None)


register("pptx", pptx, solve)
