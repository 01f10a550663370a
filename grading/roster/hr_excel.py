"""Read tables as HR exports them: title rows above the header, merged (two-row) headers,
several sheets, numbers where text was meant, empty rows, CSV with ',' or ';'.

``read_records(path, aliases, required)`` finds, in every sheet, the header row whose cells
name the most known columns (header names compared without diacritics, so "Họ và tên",
"HO VA TEN" and "Ho ten" are the same), and returns one dict per data row with canonical keys,
``_where`` (file and sheet) and ``_row`` (the row number as Excel shows it).

Never wrong data: the file's real kind is checked first (``filetype``: a password-protected,
empty, HTML or CSV file named .xlsx is refused by name); hidden, very hidden and instruction
sheets are skipped with a note (``sheet=`` picks one sheet by name); every cell is cleaned
(``vntext.clean``: invisible characters dropped, look-alike letters mapped); the
"(1) (2) (3)…" column-number row of official forms is not data; a formula cell without a
computed value is marked (``FORMULA`` key) so checks can say so instead of "empty".
"""
from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from pathlib import Path

from grading.errors import RosterError, problem
from grading.roster import filetype
from grading.vntext import ascii_key, clean

HEADER_SCAN = 30  # header rows are looked for among the first rows of each sheet
NUMERIC = "_numeric_"  # key prefix: the cell held a number (e.g. a code that lost its zeros)
FORMULA = "_formula_"  # key prefix: the empty cell holds a formula Excel never computed
# Sheets that explain how to fill the form (and hold an example row), never data.
INSTRUCTION_SHEETS = ("huong dan", "instruction", "readme", "read me", "ghi chu", "vi du",
                      "example", "help", "chu thich")
_COLUMN_NUMBER = re.compile(r"^\(?(\d{1,2}|[A-Z])\)?$")

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


def fail(message: str, fix: str, path: Path, message_en: str = "",
         fix_en: str = "") -> RosterError:
    return RosterError(problem(message, fix, file=str(path), message_en=message_en,
                               fix_en=fix_en),
                       "Danh sách bị từ chối, chưa nhập gì:", "Roster rejected, nothing imported:")


def _skip_reason(sheet, wanted: str | None) -> str:
    """Why a sheet is not read ("" = read it)."""
    if wanted is not None:
        return "" if clean(sheet.title) == clean(wanted) else "other"
    if sheet.sheet_state != "visible":
        return sheet.sheet_state  # "hidden" (e.g. last year's staff) or "veryHidden"
    key = ascii_key(sheet.title)
    return "instructions" if any(word in key for word in INSTRUCTION_SHEETS) else ""


SKIP_NOTES = {"hidden": ("bỏ qua trang ẩn '{}'", "skipped hidden sheet '{}'"),
              "veryHidden": ("bỏ qua trang ẩn sâu (very hidden) '{}'",
                             "skipped very hidden sheet '{}'"),
              "instructions": ("bỏ qua trang hướng dẫn '{}'", "skipped instructions sheet '{}'")}


def _xlsx_sheets(path: Path, wanted: str | None = None,
                 notes: list | None = None) -> list[tuple[str, list[list]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.cell import range_boundaries

    # Streamed (read-only): a 100,000-row export loads in seconds; formulas: the value Excel
    # last computed.
    book = load_workbook(path, data_only=True, read_only=True)
    sheets = []
    for sheet in book.worksheets:
        reason = _skip_reason(sheet, wanted)
        if reason:
            if reason in SKIP_NOTES and notes is not None:
                vi, en = SKIP_NOTES[reason]
                notes.append(problem(vi.format(sheet.title), "dùng --sheet TÊN để đọc trang "
                                     "này", file=str(path), message_en=en.format(sheet.title),
                                     fix_en="use --sheet NAME to read this sheet"))
            continue
        sheet.reset_dimensions()  # exporters often write a wrong <dimension>
        grid = [list(row) for row in sheet.iter_rows(values_only=True)]
        for rng in _merged_ranges(path, sheet._worksheet_path):  # fills the whole range
            min_col, min_row, max_col, max_row = range_boundaries(rng)
            value = grid[min_row - 1][min_col - 1] if min_row <= len(grid) and \
                min_col <= len(grid[min_row - 1]) else None
            for r in range(min_row - 1, min(max_row, len(grid))):
                row = grid[r]
                row.extend([None] * (max_col - len(row)))
                for c in range(min_col - 1, max_col):
                    row[c] = value
        sheets.append((sheet.title, grid))
    book.close()
    return sheets


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


def _merged_ranges(path: Path, member: str) -> list[str]:
    """The merged ranges of one sheet ("A1:F1"), read from its XML (read-only workbooks do
    not expose them); they sit at the end of the sheet, after the data."""
    with zipfile.ZipFile(path) as archive:
        with archive.open(member.lstrip("/")) as fh:
            tail, found = b"", []
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                data = tail + chunk
                found += _MERGE.findall(data)
                tail = data[-200:]
                found = list(dict.fromkeys(found))
    return [f.decode() for f in found]


def _csv_sheet(path: Path) -> list[tuple[str, list[list]]]:
    raw = path.read_bytes()
    text = raw.decode("utf-16") if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else \
        raw.decode("utf-8-sig")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [row for row in csv.reader(text.splitlines(), dialect)
            if not (row and str(row[0]).startswith("#"))]
    return [("", rows)]


def _refuse_kind(path: Path, kind: str) -> RosterError:
    vi, fix, en, fix_en = filetype.refusal(kind)
    return fail(vi, fix, path, en, fix_en)


def read_sheets(path: Path, sheet: str | None = None,
                notes: list | None = None) -> list[tuple[str, list[list]]]:
    """[(sheet name, rows of raw cell values)] of a .xlsx/.xlsm or CSV file; ``sheet``: only
    that sheet; ``notes`` collects the sheets skipped (hidden, instructions)."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        kind = filetype.sniff(path)
        if suffix in (".xlsx", ".xlsm", ".xls", ".ods") or kind != filetype.TEXT:
            if kind != filetype.XLSX:
                raise _refuse_kind(path, kind)
            sheets = _xlsx_sheets(path, sheet, notes)
            if sheet is not None and not sheets:
                raise fail(f"không có trang '{sheet}' trong tệp", "kiểm tra tên trang (tab "
                           "ở dưới cùng cửa sổ Excel)", path, f"no sheet '{sheet}' in the file")
            return sheets
        if suffix in (".csv", ".txt"):
            return _csv_sheet(path)
    except FileNotFoundError:
        raise fail("không tìm thấy tệp", "kiểm tra lại đường dẫn", path, "file not found",
                   "check the path")
    except IsADirectoryError:
        raise fail("đây là thư mục, không phải tệp", "chỉ ra tệp danh sách .xlsx hoặc .csv",
                   path, "this is a folder, not a file", "name the .xlsx or .csv file")
    except UnicodeDecodeError:
        raise fail("tệp CSV không phải mã UTF-8", "lưu lại tệp với mã UTF-8 (Excel: CSV UTF-8)",
                    path, "CSV file is not UTF-8", "save it again as 'CSV UTF-8'")
    except (ValueError, OSError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise fail(f"không đọc được tệp ({exc})",
                    "mở tệp bằng Excel và lưu lại dạng .xlsx hoặc CSV UTF-8", path,
                    f"cannot read file ({exc})", filetype.EXPORT_EN)
    if suffix == ".xls":
        raise fail("tệp .xls (Excel 97-2003) không được hỗ trợ",
                    "mở bằng Excel và lưu lại dạng .xlsx", path, "old .xls files are not read",
                    filetype.EXPORT_EN)
    raise fail("định dạng tệp không được hỗ trợ", "dùng tệp .csv (UTF-8) hoặc .xlsx", path,
                "unsupported file type", "use a .csv (UTF-8) or .xlsx file")


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
    return clean(value)


def _column_numbers(row: list, cols: dict[str, int]) -> bool:
    """True for the "(1) (2) (3)…" (or "A B C") row official forms put under the header."""
    cells = [str(row[i]).strip() for i in sorted(cols.values())
             if i < len(row) and row[i] is not None and str(row[i]).strip()]
    return len(cells) >= 2 and all(_COLUMN_NUMBER.match(c) for c in cells)


def _mark_formulas(path: Path, records: list[dict], cols_of: dict[str, dict]) -> None:
    """Flag empty cells that hold a formula without a computed value (a file written by a
    program, never opened and saved in Excel): ``FORMULA + column`` = the formula."""
    wanted = [(rec, c, i) for rec in records for c, i in cols_of[rec["_sheet"]].items()
              if rec.get(c) == ""]
    if not wanted or path.suffix.lower() not in (".xlsx", ".xlsm"):
        return
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    by_sheet: dict[str, list] = {}
    for rec, c, i in wanted:
        by_sheet.setdefault(rec["_sheet"], []).append((rec, c, i))
    for name, cells in by_sheet.items():
        rows = {rec["_row"] for rec, _, _ in cells}
        grid = {n + 1: row for n, row in enumerate(book[name].iter_rows(
            max_row=max(rows), values_only=True)) if n + 1 in rows}
        for rec, c, i in cells:
            value = grid.get(rec["_row"], ())
            value = value[i] if i < len(value) else None
            if isinstance(value, str) and value.startswith("="):
                rec[FORMULA + c] = value
    book.close()


def read_records(path: Path, aliases: dict, required: tuple[str, ...],
                 any_of: tuple[str, ...] = (), *, sheet: str | None = None,
                 notes: list | None = None) -> tuple[list[dict], list[str]]:
    """Data rows of every sheet whose header names the ``required`` columns and at least one
    of ``any_of``. Returns (records, missing columns of the best sheet if none qualified).
    ``sheet``: read only that sheet; ``notes``: collects the sheets skipped.
    """
    path = Path(path)
    records, sheets = [], read_sheets(path, sheet, notes)
    cols_of: dict[str, dict] = {}
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
        cols_of[name] = cols
        first = start + n_rows
        if first < len(grid) and _column_numbers(grid[first], cols):
            first += 1
        for r in range(first, len(grid)):
            row = grid[r]
            rec = {c: _text(row[i]) if i < len(row) else "" for c, i in cols.items()}
            if not any(rec.values()):
                continue  # empty rows, and rows with text only in unknown columns ("Tổng")
            for c, i in cols.items():
                rec[NUMERIC + c] = i < len(row) and isinstance(row[i], (int, float)) and not \
                    isinstance(row[i], bool)
            rec["_where"], rec["_row"], rec["_sheet"] = where, r + 1, name
            records.append(rec)
        best_missing = []
    _mark_formulas(path, records, cols_of)
    return records, best_missing
