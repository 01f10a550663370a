"""First-login sheets for HR to print and hand out: one worksheet per commune.

Each row: official, position, user name, one-time code, a column to sign on receipt. The codes
exist in clear only in this file (0600; hand it out and delete it): the hub keeps their hashes.
"""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from grading.course.hub import HubAccount

HEADERS = ("STT", "Họ và tên", "Chức vụ / vai trò", "Tên đăng nhập", "Mã đăng nhập lần đầu",
           "Ký nhận")
WIDTHS = (6, 28, 26, 16, 22, 16)
STAFF_SHEET = "Cán bộ quản lý"
ROLE_LABELS = {"hoc_vien": "Học viên", "giang_vien": "Giảng viên", "nhan_su": "Phòng Nội vụ",
               "chu_tich_xa": "Chủ tịch UBND xã"}


def _title(name: str, used: set[str]) -> str:
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "Sheet"
    title, n = base, 2
    while title in used:
        title = f"{base[:28]} {n}"
        n += 1
    used.add(title)
    return title


def write_sheet(path: Path, accounts: list[HubAccount], codes: dict[str, str], *,
                url: str, positions: dict[str, str] | None = None) -> Path | None:
    """Write the sheets for the accounts that got a new code; None if there is none."""
    fresh = [a for a in accounts if a.username in codes]
    if not fresh:
        return None
    positions = positions or {}
    by_ward: dict[str, list[HubAccount]] = {}
    for acc in fresh:
        key = f"{acc.ward_code} {acc.ward_name}".strip() if acc.learner_id else STAFF_SHEET
        by_ward.setdefault(key or STAFF_SHEET, []).append(acc)
    book, used, thin = Workbook(), set(), Side(style="thin")
    book.remove(book.active)
    for ward, people in sorted(by_ward.items()):
        sheet = book.create_sheet(_title(ward, used))
        sheet.append([f"PHIẾU ĐĂNG NHẬP LẦN ĐẦU — {ward}"])
        sheet.append([f"Địa chỉ: {url}  ·  Lần đầu: nhập tên đăng nhập, mã trên phiếu vào ô "
                      "Mật khẩu, và tự đặt mật khẩu mới (ít nhất 8 ký tự). Mã chỉ dùng một lần."])
        sheet.append(list(HEADERS))
        sheet["A1"].font = Font(bold=True, size=14)
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for i, acc in enumerate(sorted(people, key=lambda a: a.username), start=1):
            role = positions.get(acc.learner_id) or ", ".join(ROLE_LABELS[r] for r in acc.roles)
            sheet.append([i, acc.full_name, role, acc.username, codes[acc.username], ""])
        for row in sheet.iter_rows(min_row=3):
            for cell in row:
                cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
                cell.alignment = Alignment(vertical="center", wrap_text=True)
        for col, width in zip("ABCDEF", WIDTHS):
            sheet.column_dimensions[col].width = width
        for row in sheet.iter_rows(min_row=4, min_col=5, max_col=5):
            row[0].font = Font(name="DejaVu Sans Mono", size=13, bold=True)
        sheet.print_title_rows = "3:3"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp.xlsx")
    book.save(tmp)
    tmp.chmod(0o600)
    tmp.replace(path)
    return path
