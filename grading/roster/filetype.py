"""What an HR file really is, whatever its name says: a real .xlsx, a password-protected
workbook, an old .xls, a web page or a CSV saved under a .xlsx name, a PDF, an empty file.

``sniff(path)`` looks at the first bytes only and returns a kind; ``refusal(kind)`` is the
Vietnamese (and English) message naming it with the way to export a real .xlsx or CSV.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

XLSX, CSV = "xlsx", "csv"
EMPTY, ENCRYPTED, XLS, HTML, XML2003, ODS, ZIP, PDF, TEXT, BINARY = (
    "empty", "encrypted", "xls", "html", "xml2003", "ods", "zip", "pdf", "text", "binary")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEAD = 64 * 1024

EXPORT_VI = ("mở tệp bằng Excel (hoặc LibreOffice), chọn Tệp → Lưu thành → 'Sổ làm việc Excel "
             "(*.xlsx)' hoặc 'CSV UTF-8 (*.csv)', rồi nhập tệp mới")
EXPORT_EN = ("open it in Excel (or LibreOffice), File → Save As → 'Excel Workbook (*.xlsx)' or "
             "'CSV UTF-8 (*.csv)', and import the new file")
REFUSALS = {
    EMPTY: ("tệp rỗng (0 byte): tệp chưa được lưu hoặc tải về bị lỗi",
            "xuất lại danh sách từ phần mềm quản lý cán bộ",
            "the file is empty (0 bytes)", "export the roster again"),
    ENCRYPTED: ("tệp Excel có đặt mật khẩu (được mã hóa), không đọc được",
                "mở tệp bằng Excel với mật khẩu, chọn Tệp → Thông tin → Bảo vệ sổ làm việc → "
                "Mã hóa bằng mật khẩu, xóa mật khẩu, lưu lại rồi nhập lại",
                "the workbook is password-protected (encrypted)",
                "open it in Excel with the password, remove the password "
                "(File → Info → Protect Workbook → Encrypt with Password), save, import again"),
    XLS: ("tệp Excel 97-2003 (.xls), không phải .xlsx", EXPORT_VI,
          "an Excel 97-2003 (.xls) workbook, not .xlsx", EXPORT_EN),
    HTML: ("tệp là trang web (HTML) được đặt tên đuôi bảng tính, thường do phần mềm xuất "
           "'Excel' dạng trang web", EXPORT_VI,
           "the file is a web page (HTML) named like a spreadsheet", EXPORT_EN),
    XML2003: ("tệp là Bảng tính XML 2003 (XML Spreadsheet), không phải .xlsx", EXPORT_VI,
              "an XML Spreadsheet 2003 file, not .xlsx", EXPORT_EN),
    ODS: ("tệp là bảng tính OpenDocument (.ods), không phải .xlsx", EXPORT_VI,
          "an OpenDocument spreadsheet (.ods), not .xlsx", EXPORT_EN),
    ZIP: ("tệp nén ZIP, không phải sổ làm việc .xlsx", "giải nén và chọn tệp danh sách bên "
          "trong, hoặc " + EXPORT_VI, "a ZIP archive, not an .xlsx workbook",
          "unzip it and pick the roster inside, or " + EXPORT_EN),
    PDF: ("tệp PDF, không phải bảng tính", "xin phòng Nội vụ tệp Excel gốc (.xlsx) của danh "
          "sách; không chuyển PDF sang Excel vì dễ sai dữ liệu", "a PDF, not a spreadsheet",
          "ask for the original Excel file of the roster"),
    TEXT: ("tệp văn bản (CSV) được đặt tên đuôi .xlsx", "đổi đuôi tệp thành .csv rồi nhập lại, "
           "hoặc " + EXPORT_VI, "a text (CSV) file named .xlsx",
           "rename it to .csv and import it, or " + EXPORT_EN),
    BINARY: ("tệp không phải bảng tính Excel hay CSV", EXPORT_VI,
             "not an Excel or CSV spreadsheet", EXPORT_EN),
}


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names or any(n.startswith("xl/workbook") for n in names):
                return XLSX
            if "mimetype" in names and b"opendocument" in archive.read("mimetype"):
                return ODS
    except (zipfile.BadZipFile, OSError, KeyError):
        return BINARY
    return ZIP


def sniff(path: Path) -> str:
    """The kind of file ``path`` is, from its content (FileNotFoundError if absent)."""
    path = Path(path)
    with path.open("rb") as fh:
        head = fh.read(_HEAD)
    if not head:
        return EMPTY
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    if head.startswith(_OLE2):  # an encrypted .xlsx is an OLE2 file with an EncryptionInfo
        with path.open("rb") as fh:
            body = fh.read(4 * 1024 * 1024)
        return ENCRYPTED if "EncryptionInfo".encode("utf-16-le") in body else XLS
    if head.startswith(b"%PDF"):
        return PDF
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").replace(b"\x00", b"")[:2048].lower()
    if b"urn:schemas-microsoft-com:office:spreadsheet" in head.replace(b"\x00", b""):
        return XML2003
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<head")) or (
            text.startswith(b"<") and b"<table" in head.lower()):
        return HTML
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return BINARY
    return TEXT


def refusal(kind: str) -> tuple[str, str, str, str]:
    """(message, fix, message_en, fix_en) for a file of ``kind`` that cannot be read."""
    return REFUSALS.get(kind, REFUSALS[BINARY])
