"""The official letter as a .docx: build it (template, solution, form) and read it back.

Rules checked here follow Nghị định 30/2020/NĐ-CP; see ``letter.py`` for the graded check and
the form. Effective fonts and sizes are resolved through run, character style, paragraph
style, document defaults and the theme, as Word does.

Size: one file on purpose. Building and reading a letter share the same layout constants and
style resolution; split apart, each half would import the other's internals.
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from grading.files import write_atomic
from grading.vntext import to_nfc

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


def _nfc(value: Any) -> str:
    return to_nfc(str(value))


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


def _lines(text: str) -> list[str]:
    return [line.strip() for line in _nfc(text).splitlines() if line.strip()]


def build_letter(path: str | os.PathLike, params: dict[str, Any], mark: str = "") -> None:
    """Write the letter described by ``params`` (keys of SCENARIO) as a .docx, atomically."""
    from grading.learner.checks import docx_write as dw

    p = {**SCENARIO, **{k: v for k, v in params.items() if k in SCENARIO}}
    font, size = str(p["font"]), float(p["size"])
    doc = dw.new_document(font, size, page_mm=PAGE_SIZES_MM.get(str(p["page"]), PAGE_SIZES_MM["A4"]),
                          margins_mm={side: float(p[side]) for side in SIDES}, line_spacing=1.0)

    def para(container, text, size_pt, **style):
        return dw.para(container, text, size_pt, font=font, **style)

    def two_columns(left_mm: float, right_mm: float):
        return dw.columns(doc, [left_mm, right_mm], center=True)

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
    write_atomic(path, doc.save, mode=0o644)  # a shipped template must be readable


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
