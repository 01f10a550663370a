"""Hands-on check: an official letter (công văn) formatted per Nghị định 30/2020/NĐ-CP.

The learner produces ``cong_van.docx`` in the assignment folder, in one of two ways:

1. with the form :func:`letter_form` (no Word needed): fields of the letter and its page
   set-up, pre-filled from an old, wrongly formatted template; a button writes the .docx;
2. by opening the shipped template ``cong_van_mau.docx`` (see :func:`write_template`) in Word or
   LibreOffice Writer, fixing it, saving it as ``cong_van.docx`` and uploading it back into the
   assignment folder in JupyterLab.

A hidden test cell then calls, with literal arguments, one check per group of rules::

    from grading.checks import letter as vanban
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
import os
import re
import sys
import tempfile
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

import ipywidgets as w

from . import register

LETTER_FILE = "cong_van.docx"
TEMPLATE_FILE = "cong_van_mau.docx"
FORM_MARK = "congvu-bieu-mau"     # core_properties.keywords of a .docx written by the form
SOLVE_MARK = "congvu-dap-an"      # ... and of one written by solve()
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
W = "{%s}" % W_NS
EMU_PER_MM = 36000
PAGE_SIZES_MM = {"A4": (210.0, 297.0), "A5": (148.0, 210.0), "Letter": (215.9, 279.4)}
PAGE_TOLERANCE_MM = 1.0
MARGIN_TOLERANCE_MM = 0.3
SIDES = {"top": "trên", "bottom": "dưới", "left": "trái", "right": "phải"}
RULE_KEYS = {"file", "page", "margins_mm", "font", "body_size_pt", "date", "letterhead_without",
             "letterhead_has"}
DATE_RE = re.compile(r"ngày\s+(\d{1,4})\s+tháng\s+(\d{1,4})\s+năm\s+(\d{1,4})", re.IGNORECASE)


def _nfc(text: Any) -> str:
    return unicodedata.normalize("NFC", str(text))


def _fold(text: str) -> str:
    return " ".join(_nfc(text).casefold().split())


# --------------------------------------------------------------------------- the letter
# The scenario of the exercise: the form's starting values and the template are the same old,
# wrongly formatted letter; the solution is the same letter formatted correctly.
SCENARIO = {
    "page": "Letter",
    "top": 25.4, "bottom": 25.4, "left": 25.4, "right": 25.4,
    "font": "Arial",
    "size": 12,
    "issuer": "UBND HUYỆN TÂN PHÚ\nỦY BAN NHÂN DÂN XÃ PHÚ LỘC",
    "number": "Số: 15/UBND-VP",
    "place_date": "Phú Lộc, ngày 5 tháng 2 năm 2026",
    "subject": "V/v cử công chức tham gia lớp bồi dưỡng kỹ năng sử dụng công nghệ thông tin",
    "recipient": "Kính gửi: Sở Nội vụ.",
    "body": (
        "Thực hiện Kế hoạch bồi dưỡng cán bộ, công chức năm 2026, Ủy ban nhân dân xã Phú Lộc cử "
        "02 công chức tham gia lớp bồi dưỡng kỹ năng sử dụng công nghệ thông tin cơ bản (có danh "
        "sách kèm theo).\n"
        "Ủy ban nhân dân xã Phú Lộc trân trọng đề nghị Sở Nội vụ tạo điều kiện để các công chức "
        "có tên trong danh sách tham gia đầy đủ khóa học./."
    ),
    "signer_title": "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
    "signer_name": "Trần Văn Bình",
    "copies": "- Như trên;\n- Lưu: VT, VP.",
}
CORRECT = {**SCENARIO, "page": "A4", "top": 20.0, "bottom": 20.0, "left": 30.0, "right": 15.0,
           "font": "Times New Roman", "size": 14, "issuer": "ỦY BAN NHÂN DÂN\nXÃ PHÚ LỘC",
           "place_date": "Phú Lộc, ngày 05 tháng 02 năm 2026"}
FIELDS = tuple(SCENARIO)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in _nfc(text).splitlines() if line.strip()]


def _set_font(run, font: str, size: float | None, bold=False, italic=False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = font
    rfonts = run._r.rPr.find(qn("w:rFonts"))
    rfonts.set(qn("w:eastAsia"), font)
    rfonts.set(qn("w:cs"), font)
    if size:
        run.font.size = Pt(size)
    run.font.bold = bold or None
    run.font.italic = italic or None


def build_letter(path: str | os.PathLike, params: dict[str, Any], mark: str = "") -> None:
    """Write the letter described by ``params`` (keys of SCENARIO) as a .docx, atomically."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Mm, Pt

    p = {**SCENARIO, **{k: v for k, v in params.items() if k in SCENARIO}}
    font, size = str(p["font"]), float(p["size"])
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = font, Pt(size)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    section = doc.sections[0]
    width, height = PAGE_SIZES_MM.get(str(p["page"]), PAGE_SIZES_MM["A4"])
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(width), Mm(height)
    for side in SIDES:
        setattr(section, f"{side}_margin", Mm(float(p[side])))

    def para(container, text, size_pt, *, bold=False, italic=False, align="center", indent=False):
        par = container.add_paragraph()
        par.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT,
                         "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
        if indent:
            par.paragraph_format.first_line_indent = Cm(1)
            par.paragraph_format.space_after = Pt(6)
        if text:
            _set_font(par.add_run(text), font, size_pt, bold, italic)
        return par

    def two_columns(left_mm: float, right_mm: float):
        table = doc.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        cells = table.rows[0].cells
        for cell, mm in zip(cells, (left_mm, right_mm)):
            cell.width = Mm(mm)
            cell._tc.remove(cell.paragraphs[0]._p)  # start empty: add_paragraph appends
        return cells

    # Letterhead: issuer, number and subject on the left; national title and date on the right.
    left, right = two_columns(70, 100)
    issuer = _lines(p["issuer"])
    for i, line in enumerate(issuer):
        para(left, line, 13, bold=(i == len(issuer) - 1))
    para(left, "", 13)
    para(left, _nfc(p["number"]).strip(), 13)
    para(left, _nfc(p["subject"]).strip(), 12)
    para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, bold=True)
    para(right, "Độc lập - Tự do - Hạnh phúc", 13, bold=True)
    para(right, "", 13)
    para(right, _nfc(p["place_date"]).strip(), 14, italic=True)

    para(doc, "", size)
    para(doc, _nfc(p["recipient"]).strip(), size)
    para(doc, "", size)
    for line in _lines(p["body"]):
        para(doc, line, size, align="justify", indent=True)
    para(doc, "", size)

    left, right = two_columns(80, 90)
    para(left, "Nơi nhận:", 12, bold=True, italic=True, align="left")
    for line in _lines(p["copies"]):
        para(left, line, 11, align="left")
    for line in _lines(p["signer_title"]):
        para(right, line, 13, bold=True)
    for _ in range(3):
        para(right, "", 13)
    para(right, _nfc(p["signer_name"]).strip(), 13, bold=True)

    doc.core_properties.title = _nfc(p["subject"]).strip()
    doc.core_properties.keywords = mark
    if mark == SOLVE_MARK:
        changed = {k: v for k, v in p.items() if CORRECT.get(k) != v}  # 255-character field
        doc.core_properties.comments = json.dumps(changed, ensure_ascii=False, sort_keys=True)
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cong_van.", suffix=".tmp")
    os.close(fd)
    try:
        doc.save(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a shipped template must be readable
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_template(path: str | os.PathLike) -> None:
    """The shipped template: the old letter with wrong page, margins, font, size, date, letterhead."""
    build_letter(path, SCENARIO)


# --------------------------------------------------------------------------- reading a .docx
def _iter_paragraphs(container) -> Iterator[tuple[Any, bool]]:
    """(paragraph, in_table) in document order; tables are read row by row, cell by cell."""
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph

    for child in container.iterchildren():
        if child.tag == W + "p":
            yield Paragraph(child, None), False
        elif child.tag == W + "tbl":
            table = Table(child, None)
            for tr in child.iterchildren(W + "tr"):
                for tc in tr.iterchildren(W + "tc"):
                    for par, _ in _iter_paragraphs(_Cell(tc, table)._tc):
                        yield par, True
        elif child.tag == W + "sdt":  # content controls wrap ordinary paragraphs
            content = child.find(W + "sdtContent")
            if content is not None:
                yield from _iter_paragraphs(content)


class _Resolver:
    """Effective font name and size of a run, resolved as Word does."""

    def __init__(self, doc):
        self.styles = {}
        self.defaults = None
        root = doc.styles.element
        for style in root.iterchildren(W + "style"):
            self.styles[(style.get(W + "type"), style.get(W + "styleId"))] = style
        dd = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        self.defaults = dd
        self.default_para = next((s.get(W + "styleId") for s in root.iterchildren(W + "style")
                                  if s.get(W + "type") == "paragraph"
                                  and s.get(W + "default") in ("1", "true", "on")), None)
        self.theme = self._theme_fonts(doc)

    @staticmethod
    def _theme_fonts(doc) -> dict[str, str]:
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from lxml import etree

        fonts = {}
        try:
            root = etree.fromstring(doc.part.part_related_by(RT.THEME).blob)
        except (KeyError, ValueError, etree.XMLSyntaxError):
            return fonts
        for kind in ("minor", "major"):
            latin = root.find(f".//{{{A_NS}}}{kind}Font/{{{A_NS}}}latin")
            if latin is not None and latin.get("typeface"):
                fonts[kind] = latin.get("typeface")
        return fonts

    def _style_chain(self, kind: str, style_id: str | None) -> list:
        chain, seen = [], set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            style = self.styles.get((kind, style_id))
            if style is None:
                break
            rpr = style.find(W + "rPr")
            if rpr is not None:
                chain.append(rpr)
            based = style.find(W + "basedOn")
            style_id = based.get(W + "val") if based is not None else None
        return chain

    def _chain(self, paragraph, run) -> list:
        chain = []
        rpr = run._r.find(W + "rPr")
        if rpr is not None:
            chain.append(rpr)
            rstyle = rpr.find(W + "rStyle")
            if rstyle is not None:
                chain += self._style_chain("character", rstyle.get(W + "val"))
        ppr = paragraph._p.find(W + "pPr")
        pstyle = ppr.find(W + "pStyle") if ppr is not None else None
        style_id = pstyle.get(W + "val") if pstyle is not None else self.default_para
        chain += self._style_chain("paragraph", style_id)
        if self.defaults is not None:
            chain.append(self.defaults)
        return chain

    def fonts(self, paragraph, run) -> set[str]:
        """Fonts used for Latin text (w:ascii) and for Vietnamese letters (w:hAnsi)."""
        chain = self._chain(paragraph, run)
        found = set()
        for attr in ("ascii", "hAnsi"):
            name = "Times New Roman"  # Word's own fallback when nothing is set
            for rpr in chain:
                rfonts = rpr.find(W + "rFonts")
                if rfonts is None:
                    continue
                theme = rfonts.get(W + attr + "Theme")
                if theme:
                    kind = "major" if theme.startswith("major") else "minor"
                    name = self.theme.get(kind, "(phông chữ của chủ đề)")
                    break
                if rfonts.get(W + attr):
                    name = rfonts.get(W + attr)
                    break
            found.add(name.strip())
        return found

    def size(self, paragraph, run) -> float:
        for rpr in self._chain(paragraph, run):
            sz = rpr.find(W + "sz")
            if sz is not None and sz.get(W + "val"):
                try:
                    return int(sz.get(W + "val")) / 2
                except ValueError:
                    continue
        return 10.0  # Word's default when no size is set anywhere


def _snippet(text: str, width: int = 40) -> str:
    text = " ".join(_nfc(text).split())
    return text if len(text) <= width else text[:width].rstrip() + "…"


def _pad_ok(day_text: str, month_text: str) -> bool:
    day, month = int(day_text), int(month_text)
    if day < 10 and len(day_text) != 2:
        return False
    if month in (1, 2) and len(month_text) != 2:
        return False
    return len(day_text) <= 2 and len(month_text) <= 2


def _letterhead(paragraphs: list) -> list[str]:
    """The issuer's name: the first non-empty lines, before "Số…" or the national title."""
    lines = []
    for par in paragraphs:
        text = " ".join(_nfc(par.text).split())
        if not text:
            continue
        folded = text.casefold()
        if folded.startswith(("số", "cộng hòa", "cộng hoà", "v/v", "kính gửi")) or \
                DATE_RE.search(text) or len(lines) == 3:
            break
        lines.append(text)
    return lines


def problems(path: str | os.PathLike, rules: dict[str, Any]) -> list[str]:
    """Everything wrong with the letter at ``path`` under ``rules`` ([] if it is right)."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        return [f"Chưa có tệp {name} trong thư mục bài làm. Hãy tạo tệp bằng biểu mẫu (bấm nút "
                f"lưu) hoặc tải tệp đã sửa trong Word lên, đặt đúng tên {name}."]
    try:
        from docx import Document

        doc = Document(str(path))
    except Exception:  # noqa: BLE001 - any unreadable file is the learner's to fix
        return [f"Tệp {name} không mở được như một tệp Word (.docx). Khi lưu trong Word hoặc "
                f"LibreOffice, chọn kiểu tệp \"Word Document (.docx)\"."]
    found: list[str] = []

    if "page" in rules:
        want_w, want_h = PAGE_SIZES_MM[rules["page"]]
        for i, section in enumerate(doc.sections):
            if section.page_width is None or section.page_height is None:
                found.append(f"Chưa đặt khổ giấy của trang; trang phải là khổ {rules['page']} "
                             f"đặt dọc.")
                break
            w_mm, h_mm = section.page_width / EMU_PER_MM, section.page_height / EMU_PER_MM
            if abs(w_mm - want_w) > PAGE_TOLERANCE_MM or abs(h_mm - want_h) > PAGE_TOLERANCE_MM:
                found.append(f"Khổ giấy đang là {w_mm:.0f} × {h_mm:.0f} mm, chưa phải khổ "
                             f"{rules['page']} đặt dọc.")
                break

    for side, (low, high) in (rules.get("margins_mm") or {}).items():
        for section in doc.sections:
            value = getattr(section, f"{side}_margin")
            mm = value / EMU_PER_MM if value is not None else None
            if mm is None or not low - MARGIN_TOLERANCE_MM <= mm <= high + MARGIN_TOLERANCE_MM:
                shown = f"{mm:.1f}".replace(".", ",").replace(",0", "") if mm is not None \
                    else "chưa đặt"
                found.append(f"Lề {SIDES[side]} đang là {shown} mm, chưa nằm trong khoảng "
                             f"{low}–{high} mm.")
                break

    paragraphs = list(_iter_paragraphs(doc.element.body))
    if "font" in rules or "body_size_pt" in rules:
        resolver = _Resolver(doc)
    if "font" in rules:
        want = _fold(rules["font"])
        wrong: dict[str, str] = {}
        for par, _ in paragraphs:
            for run in par.runs:
                if not run.text.strip():
                    continue
                for font in resolver.fonts(par, run):
                    if _fold(font) != want and font not in wrong:
                        wrong[font] = run.text
        for font, text in list(wrong.items())[:3]:
            found.append(f"Có chữ đang dùng phông {font} (ví dụ: \"{_snippet(text)}\"); toàn bộ "
                         f"văn bản phải dùng phông {rules['font']}.")

    if "body_size_pt" in rules:
        low, high = rules["body_size_pt"]
        top = [par for par, in_table in paragraphs if not in_table]
        start = next((i for i, par in enumerate(top)
                      if _fold(par.text).startswith("kính gửi")), None)
        body = [par for par in (top[start + 1:] if start is not None else top)
                if par.text.strip()]
        if not body:
            found.append("Không tìm thấy phần nội dung công văn (các đoạn văn sau dòng "
                         "\"Kính gửi\").")
        sizes: dict[float, str] = {}
        for par in body:
            for run in par.runs:
                if run.text.strip():
                    size = resolver.size(par, run)
                    if not low <= size <= high and size not in sizes:
                        sizes[size] = run.text
        for size, text in list(sizes.items())[:3]:
            shown = f"{size:g}".replace(".", ",")
            found.append(f"Cỡ chữ phần nội dung đang là {shown} pt (ví dụ: \"{_snippet(text)}\"), "
                         f"chưa nằm trong khoảng {low}–{high} pt.")

    if "date" in rules:
        year, month, day = (int(x) for x in rules["date"])
        match = next((m for par, _ in paragraphs for m in [DATE_RE.search(_nfc(par.text))] if m),
                     None)
        if match is None:
            found.append("Chưa tìm thấy dòng địa danh, ngày tháng năm dạng "
                         "\"…, ngày … tháng … năm …\".")
        else:
            d_text, m_text, y_text = match.groups()
            if (int(d_text), int(m_text), int(y_text)) != (day, month, year):
                found.append(f"Dòng ngày tháng (\"{match.group(0)}\") chưa đúng ngày ký ghi trong "
                             f"đề bài.")
            elif not _pad_ok(d_text, m_text):
                found.append(f"Dòng ngày tháng (\"{match.group(0)}\") chưa đúng thể thức: ngày "
                             f"nhỏ hơn 10 và tháng 1, 2 phải ghi thêm số 0 ở trước.")

    if "letterhead_without" in rules or "letterhead_has" in rules:
        head = _letterhead([par for par, _ in paragraphs])
        folded = " " + _fold(" ".join(head)) + " "
        if not head:
            found.append("Không tìm thấy tên cơ quan ban hành ở đầu văn bản (góc trên bên trái).")
        else:
            for word in rules.get("letterhead_without", []):
                if re.search(r"(?<!\w)" + re.escape(_fold(word)) + r"(?!\w)", folded):
                    found.append(f"Tên cơ quan ban hành (góc trên bên trái) vẫn còn chữ "
                                 f"\"{_nfc(word)}\": đơn vị hành chính này không còn từ 1/7/2025, "
                                 f"hãy ghi đúng tên cơ quan hiện nay.")
            has = rules.get("letterhead_has")
            if has and _fold(has) not in folded:
                found.append("Tên cơ quan ban hành (góc trên bên trái) chưa ghi tên xã như trong "
                             "đề bài.")
    return found


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
    from .. import items

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
        status.value = f"✔ Đã lưu tệp <b>{html.escape(file)}</b> lúc {datetime.now():%H:%M:%S}"

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
