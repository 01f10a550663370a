"""Row checks of a roster: every problem is collected with its file, sheet, row and column and
a fix in Vietnamese; ward names and codes are resolved through the units table.

Legacy encodings are found per cell (a VNI name beside Unicode drop-down columns, one pasted
row); ids are cleaned (``ids.clean_id``) and duplicates found by ``ids.id_key`` ("cb001" and
"CB001 " are one person twice); positions are mapped onto course.yml's (``positions``)."""
from __future__ import annotations

import re

import pandas as pd

from grading import columns as C
from grading.errors import problem
from grading.roster import units as U
from grading.roster.hr_excel import FORMULA, NUMERIC
from grading.roster.ids import clean_id, id_key
from grading.roster.positions import Positions, map_positions
from grading.vntext import legacy_cell, nfc

LEARNER_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
WARD_CODE_RE = U.CODE_RE
CURRENT_KINDS = ("xa", "phuong", "dac_khu")
FIX = {
    C.R_ID: "điền mã cán bộ (chữ, số, '.', '-', '_'; không dấu, không khoảng trắng)",
    C.R_NAME: "điền đầy đủ họ và tên",
    C.R_WARD_CODE: "điền mã đơn vị hành chính cấp xã gồm đúng 5 chữ số, giữ số 0 ở đầu "
                   "(trong Excel, định dạng cột là Văn bản/Text)",
    C.R_WARD_NAME: "ghi tên đơn vị bắt đầu bằng 'Xã', 'Phường' hoặc 'Đặc khu'",
    C.R_POSITION: "điền chức vụ",
}
LEGACY_VI = ("chữ tiếng Việt theo bảng mã cũ (TCVN3/ABC hoặc VNI), không phải Unicode: '{}'")
LEGACY_FIX = ("chuyển tệp sang Unicode (Unikey: Công cụ chuyển mã, TCVN3 hoặc VNI → Unicode; "
              "chọn cả bảng, kể cả dòng dán thêm) rồi nhập lại")
LEGACY_EN = "text in a legacy encoding (TCVN3/ABC or VNI), not Unicode: '{}'"
LEGACY_FIX_EN = "convert the file to Unicode (e.g. Unikey's converter) and import it again"
FORMULA_FIX = ("ô có công thức nhưng tệp chưa lưu giá trị (tệp do phần mềm tạo, chưa mở bằng "
               "Excel): mở tệp bằng Excel, lưu lại, hoặc sao chép và dán dạng giá trị")
FIX_AMBIGUOUS = ("điền mã đơn vị (5 chữ số) vào cột ma_don_vi, hoặc thêm cột huyện cũ "
                 "(huyện/quận trước 1/7/2025) để phân biệt")


def _listing(candidates: list[U.Unit]) -> str:
    return "; ".join(u.describe() for u in candidates)


class _Row:
    """One roster row being checked; ``bad`` collects its problems."""

    def __init__(self, rec: dict, source: str, bad: list):
        self.rec, self.bad = rec, bad
        self.where = rec.get("_where") or source
        self.line = rec.get("_row")

    def get(self, col: str) -> str:
        value = self.rec.get(col, "")
        return "" if value is None or (not isinstance(value, str) and pd.isna(value)) \
            else nfc(value)

    def fail(self, col: str, vi: str, fix: str, en: str = "") -> None:
        self.bad.append(problem(vi, fix, file=self.where, row=self.line, column=col,
                                message_en=en))


def _ward(row: _Row, units: U.Units) -> tuple[str, str] | None:
    """(code, canonical name) of the row's unit, or None after recording the problem."""
    code, name = row.get(C.R_WARD_CODE), row.get(C.R_WARD_NAME)
    district, province = row.get(C.R_DISTRICT), row.get(C.R_PROVINCE)
    if code.isdigit() and len(code) < 5:
        padded = code.zfill(5)
        known = units.get(padded)
        if row.rec.get(NUMERIC + C.R_WARD_CODE) or (known and name and units.same_name(known,
                                                                                      name)):
            code = padded  # Excel stored the code as a number and dropped its leading zeros
    if code and not WARD_CODE_RE.match(code):
        row.fail(C.R_WARD_CODE, f"mã đơn vị '{code}' không đúng 5 chữ số", FIX[C.R_WARD_CODE],
                 f"commune code '{code}' is not 5 digits")
        return None
    if code:
        unit = units.get(code)
        if unit is not None:
            if name and not units.same_name(unit, name):
                row.fail(C.R_WARD_NAME, f"mã đơn vị {code} là '{unit.name}' trong danh mục, "
                         f"không khớp với tên '{name}'",
                         "sửa mã hoặc tên đơn vị cho khớp với danh mục đơn vị hành chính",
                         f"code {code} is '{unit.name}', not '{name}'")
                return None
            return code, unit.name
        if units.official:
            row.fail(C.R_WARD_CODE, f"mã đơn vị {code} không có trong danh mục ({units.source})",
                     "kiểm tra lại mã theo danh mục đơn vị hành chính hiện hành",
                     f"code {code} is not in the unit list")
            return None
        if not name:
            row.fail(C.R_WARD_NAME, "ô trống", FIX[C.R_WARD_NAME], "empty cell")
            return None
        kind, base = U.split_kind(name)
        if kind not in CURRENT_KINDS or not base:
            row.fail(C.R_WARD_NAME, f"'{name}' không phải tên xã, phường hoặc đặc khu",
                     FIX[C.R_WARD_NAME], f"'{name}' is not a xã, phường or đặc khu")
            return None
        return code, f"{U.KINDS[kind]} {base}"
    if not name:
        row.fail(C.R_WARD_CODE, "ô trống (cả mã và tên đơn vị)",
                 "điền mã đơn vị (5 chữ số) hoặc tên xã/phường/đặc khu", "empty cell")
        return None
    match = units.match(name, district, province)
    if match.unit is not None:
        return match.unit.code, match.unit.name
    if match.candidates:
        row.fail(C.R_WARD_NAME, f"tên đơn vị '{name}' khớp nhiều đơn vị: "
                 f"{_listing(match.candidates)}", FIX_AMBIGUOUS,
                 f"'{name}' matches several units: {_listing(match.candidates)}")
        return None
    near = units.suggestions(name)
    hint = f"; gần giống: {_listing(near)}" if near else ""
    row.fail(C.R_WARD_NAME, f"không tìm thấy đơn vị '{name}' trong danh mục ({units.source})",
             f"sửa tên cho đúng hoặc điền mã đơn vị 5 chữ số{hint}",
             f"unit '{name}' not found in the unit list")
    return None


def _legacy(row: _Row) -> bool:
    """Record every legacy-encoded cell of the row; True if there was one."""
    found = False
    for col in (C.R_NAME, C.R_WARD_NAME, C.R_POSITION, C.R_DISTRICT):
        value = row.get(col)
        if value and legacy_cell(value):
            row.fail(col, LEGACY_VI.format(value), LEGACY_FIX, LEGACY_EN.format(value))
            found = True
    return found


def _empty(row: _Row, col: str) -> None:
    formula = row.rec.get(FORMULA + col)
    if formula:
        row.fail(col, f"công thức {formula} chưa có giá trị", FORMULA_FIX,
                 f"formula {formula} has no computed value",)
    else:
        row.fail(col, "ô trống", FIX[col], "empty cell")


def check_rows(frame: pd.DataFrame, source: str, units: U.Units,
               positions: Positions | None = None) -> tuple[list[dict], list, list]:
    """(clean rows with internal column names, problems, notes: positions written otherwise
    than their declared name, mapped)."""
    problems: list = []
    rows, first_row, wards = [], {}, {}
    for rec in frame.to_dict("records"):
        row = _Row(rec, source, problems)
        learner = clean_id(row.get(C.R_ID))
        full, position = row.get(C.R_NAME), row.get(C.R_POSITION)
        for col, value in ((C.R_ID, learner), (C.R_NAME, full), (C.R_POSITION, position)):
            if not value:
                _empty(row, col)
        if _legacy(row):
            continue
        if learner and not LEARNER_ID_RE.match(learner):
            row.fail(C.R_ID, f"mã cán bộ '{learner}' có ký tự không hợp lệ", FIX[C.R_ID],
                     f"invalid learner id '{learner}'")
        key = id_key(learner)
        if learner and key in first_row:
            seen, other = first_row[key]
            same = "" if seen == learner else f" ('{seen}', chỉ khác chữ hoa/thường, khoảng " \
                "trắng hoặc số 0 ở đầu)"
            row.fail(C.R_ID, f"mã cán bộ '{learner}' trùng với {other}{same}",
                     "mỗi cán bộ chỉ ghi một dòng; sửa hoặc xóa dòng trùng",
                     f"duplicate learner id '{learner}' (same as '{seen}')")
        elif learner:
            here = f"dòng {row.line}"
            first_row[key] = (learner, here if row.where == source else f"{here} ({row.where})")
        place = tuple(row.get(c) for c in (C.R_WARD_CODE, C.R_WARD_NAME, C.R_DISTRICT,
                                          C.R_PROVINCE)) + (bool(rec.get(NUMERIC + C.R_WARD_CODE)),)
        ward = wards.get(place) or _ward(row, units)  # a ward resolves the same on every row
        if ward:
            wards[place] = ward
        if ward and learner and full and position:
            rows.append({C.LEARNER: learner, C.NAME: full, C.WARD_CODE: ward[0],
                         C.WARD_NAME: ward[1], C.POSITION: position,
                         "_row": row.line, "_where": row.where})
    unknown, renamed = map_positions(rows, C.POSITION, positions or Positions(()), source)
    problems += unknown
    for r in rows:
        r.pop("_row"), r.pop("_where")
    notes = [problem(f"chức vụ '{a}' được hiểu là '{b}' ({n} dòng)", file=source,
                     message_en=f"position '{a}' read as '{b}' ({n} rows)")
             for a, b, n in renamed]
    return rows, problems, notes
