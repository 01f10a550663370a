"""Writing an administrative .docx (Nghị định 30/2020/NĐ-CP layout): page, paragraphs, columns.

One builder for every document the kit writes: the letter of the hands-on exercise (its
template and solution, ``letter_docx.py``) and the ward report a commune chairman signs
(``report/docx.py``). Each run carries its font in every script slot (ASCII, East Asian,
complex script), so Word never falls back to a theme font on Vietnamese letters; text is NFC.
"""
from __future__ import annotations

import unicodedata

ALIGN = ("center", "left", "justify")


def new_document(font: str, size_pt: float, *, page_mm: tuple[float, float] = (210.0, 297.0),
                 margins_mm: dict[str, float], line_spacing: float | None = None):
    """An empty portrait document: Normal style in ``font``/``size_pt``, no space after
    paragraphs, the page and margins (keys top, bottom, left, right) in millimetres."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = font, Pt(size_pt)
    normal.paragraph_format.space_after = Pt(0)
    if line_spacing is not None:
        normal.paragraph_format.line_spacing = line_spacing
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(page_mm[0]), Mm(page_mm[1])
    for side, mm in margins_mm.items():
        setattr(section, f"{side}_margin", Mm(float(mm)))
    return doc


def set_font(run, font: str, size_pt: float | None, bold=False, italic=False) -> None:
    """The run's font in all three script slots, its size, bold and italic."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = font
    rfonts = run._r.rPr.find(qn("w:rFonts"))
    rfonts.set(qn("w:eastAsia"), font)
    rfonts.set(qn("w:cs"), font)
    if size_pt:
        run.font.size = Pt(size_pt)
    run.font.bold = bold or None
    run.font.italic = italic or None


def para(container, text: str, size_pt: float, *, font: str, bold=False, italic=False,
         align: str = "center", indent=False):
    """Append a paragraph of one run to ``container`` (document or table cell); ``indent``:
    a 1 cm first-line indent and 6 pt after, as body paragraphs have."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    par = container.add_paragraph()
    par.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT,
                     "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    if indent:
        par.paragraph_format.first_line_indent = Cm(1)
        par.paragraph_format.space_after = Pt(6)
    if text:
        set_font(par.add_run(unicodedata.normalize("NFC", text)), font, size_pt, bold, italic)
    return par


def columns(doc, widths_mm: list[float], *, center: bool = False) -> list:
    """A borderless one-row table whose empty cells hold side-by-side blocks (letterhead,
    signature): ``para`` appends to each cell."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Mm

    table = doc.add_table(rows=1, cols=len(widths_mm))
    if center:
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    cells = table.rows[0].cells
    for cell, mm in zip(cells, widths_mm):
        cell.width = Mm(mm)
        cell._tc.remove(cell.paragraphs[0]._p)  # start empty: add_paragraph appends
    return cells
