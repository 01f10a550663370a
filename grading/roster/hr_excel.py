"""Read tables as HR exports them: title rows above the header, merged (two-row) headers,
several sheets, numbers where text was meant, empty rows, CSV with ',' or ';'.

``read_records(path, aliases, required)`` finds, in every sheet, the header row whose cells
name the most known columns (header names compared without diacritics, so "Họ và tên",
"HO VA TEN" and "Ho ten" are the same), and returns one dict per data row with canonical keys,
``_where`` (file and sheet) and ``_row`` (the row number as Excel shows it).
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from grading.errors import RosterError, problem
from grading.vntext import ascii_key, nfc

HEADER_SCAN = 30  # header rows are looked for among the first rows of each sheet
NUMERIC = "_numeric_"  # key prefix: the cell held a number (e.g. a code that lost its zeros)

UNIT_ALIASES = {
    "ma_don_vi": ("ma don vi", "ma", "ma xa", "ma dvhc", "ma don vi hanh chinh", "ma xa phuong",
                  "ma phuong xa", "don vi ma", "ma don vi cap xa"),
    "ten_don_vi": ("ten don vi", "ten", "ten xa", "ten dvhc", "ten xa phuong", "ten phuong xa",
                   "don vi ten", "don vi", "ten don vi hanh chinh"),
    "ma_tinh": ("ma tinh", "ma tp", "ma tinh thanh pho"),
    "ten_tinh": ("ten tinh", "tinh", "tinh thanh pho", "tinh tp", "ten tinh thanh pho"),
    "huyen_cu": ("huyen cu", "quan huyen cu", "huyen", "quan huyen"),
    "ten_cu": ("ten cu", "don vi cu", "sap nhap tu", "truoc sap nhap"),
}


def fail(message: str, fix: str, path: Path, message_en: str = "") -> RosterError:
    return RosterError(problem(message, fix, file=str(path), message_en=message_en),
                       "Danh sách bị từ chối, chưa nhập gì:", "Roster rejected, nothing imported:")


def _xlsx_sheets(path: Path) -> list[tuple[str, list[list]]]:
    from openpyxl import load_workbook

    book = load_workbook(path, data_only=True)  # formulas: the value Excel last computed
    sheets = []
    for sheet in book.worksheets:
        grid = [list(row) for row in sheet.iter_rows(values_only=True)]
        for rng in sheet.merged_cells.ranges:  # a merged cell's value fills the whole range
            value = grid[rng.min_row - 1][rng.min_col - 1] if rng.min_row <= len(grid) else None
            for r in range(rng.min_row - 1, min(rng.max_row, len(grid))):
                for c in range(rng.min_col - 1, rng.max_col):
                    if c < len(grid[r]):
                        grid[r][c] = value
        sheets.append((sheet.title, grid))
    return sheets


def _csv_sheet(path: Path) -> list[tuple[str, list[list]]]:
    text = path.read_text(encoding="utf-8-sig")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [row for row in csv.reader(text.splitlines(), dialect)
            if not (row and str(row[0]).startswith("#"))]
    return [("", rows)]


def read_sheets(path: Path) -> list[tuple[str, list[list]]]:
    """[(sheet name, rows of raw cell values)] of a .xlsx/.xlsm or CSV file."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            return _xlsx_sheets(path)
        if suffix == ".csv":
            return _csv_sheet(path)
    except FileNotFoundError:
        raise fail("không tìm thấy tệp", "kiểm tra lại đường dẫn", path, "file not found")
    except UnicodeDecodeError:
        raise fail("tệp CSV không phải mã UTF-8", "lưu lại tệp với mã UTF-8 (Excel: CSV UTF-8)",
                    path, "CSV file is not UTF-8")
    except (ValueError, OSError, KeyError) as exc:
        raise fail(f"không đọc được tệp ({exc})",
                    "mở tệp bằng Excel và lưu lại dạng .xlsx hoặc CSV UTF-8", path,
                    f"cannot read file ({exc})")
    if suffix == ".xls":
        raise fail("tệp .xls (Excel 97-2003) không được hỗ trợ",
                    "mở bằng Excel và lưu lại dạng .xlsx", path, "old .xls files are not read")
    raise fail("định dạng tệp không được hỗ trợ", "dùng tệp .csv (UTF-8) hoặc .xlsx", path,
                "unsupported file type")


def _lookup(aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {alias: canon for canon, names in aliases.items() for alias in (canon.replace("_", " "),
                                                                           *names)}


def _header_map(top: list, below: list | None, lookup: dict) -> dict[str, int]:
    """Canonical column -> index for a header row (with the row below as sub-headers)."""
    found: dict[str, int] = {}
    for idx, cell in enumerate(top):
        parent = ascii_key(cell)
        child = ascii_key(below[idx]) if below is not None and idx < len(below) else ""
        tries = ([f"{parent} {child}", child, f"{child} {parent}"] if child and child != parent
                 else [parent])
        for key in tries:
            canon = lookup.get(key)
            if canon and canon not in found:
                found[canon] = idx
                break
    return found


def find_header(grid: list[list], aliases: dict) -> tuple[int, int, dict[str, int]] | None:
    """(first header row index, number of header rows, columns) with the most known names."""
    lookup = _lookup(aliases)
    best = None
    for i, row in enumerate(grid[:HEADER_SCAN]):
        for below in (None, grid[i + 1] if i + 1 < len(grid) else None):
            cols = _header_map(row, below, lookup)
            n_rows = 1 if below is None else 2
            if best is None or len(cols) > len(best[2]):
                best = (i, n_rows, cols)
    return best if best and len(best[2]) >= 2 else None


def _text(value) -> str:
    if isinstance(value, bool):
        return "x" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%d/%m/%Y")
    return nfc(value)


def read_records(path: Path, aliases: dict, required: tuple[str, ...],
                 any_of: tuple[str, ...] = ()) -> tuple[list[dict], list[str]]:
    """Data rows of every sheet whose header names the ``required`` columns and at least one
    of ``any_of``. Returns (records, missing columns of the best sheet if none qualified).
    """
    path = Path(path)
    records, sheets = [], read_sheets(path)
    best_missing = [*required, *any_of]
    for name, grid in sheets:
        header = find_header(grid, aliases)
        if header is None:
            continue
        start, n_rows, cols = header
        missing = [c for c in required if c not in cols]
        if any_of and not set(any_of) & set(cols):
            missing += list(any_of)
        if missing:
            best_missing = missing if len(missing) < len(best_missing) else best_missing
            continue
        where = f"{path}, trang '{name}'" if len(sheets) > 1 else str(path)
        for r in range(start + n_rows, len(grid)):
            row = grid[r]
            rec = {c: _text(row[i]) if i < len(row) else "" for c, i in cols.items()}
            if not any(rec.values()):
                continue  # empty rows, and rows with text only in unknown columns ("Tổng")
            for c, i in cols.items():
                rec[NUMERIC + c] = i < len(row) and isinstance(row[i], (int, float)) and not \
                    isinstance(row[i], bool)
            rec["_where"], rec["_row"] = where, r + 1
            records.append(rec)
        best_missing = []
    return records, best_missing
