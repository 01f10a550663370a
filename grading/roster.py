"""Roster import: read HR's CSV or .xlsx, validate every row, reject the file whole on any error.

Accepted learners are registered as nbgrader students (name only); ward and position live in
the kit's own file ``congvu/roster.csv`` inside the workspace.
"""
from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import columns as C
from .errors import RosterError, problem

LEARNER_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
WARD_CODE_RE = re.compile(r"^\d{5}$")
UNIT_PREFIXES = ("xã ", "phường ", "đặc khu ")
ROSTER_FILE = Path("congvu") / "roster.csv"
RENAME = {C.R_ID: C.LEARNER, C.R_NAME: C.NAME, C.R_WARD_CODE: C.WARD_CODE,
          C.R_WARD_NAME: C.WARD_NAME, C.R_POSITION: C.POSITION}
MAX_LISTED = 50

FIX = {
    C.R_ID: "điền mã cán bộ (chữ, số, '.', '-', '_'; không dấu, không khoảng trắng)",
    C.R_NAME: "điền đầy đủ họ và tên",
    C.R_WARD_CODE: "điền mã đơn vị hành chính cấp xã gồm đúng 5 chữ số, giữ số 0 ở đầu "
                   "(trong Excel, định dạng cột là Văn bản/Text)",
    C.R_WARD_NAME: "ghi tên đơn vị bắt đầu bằng 'Xã', 'Phường' hoặc 'Đặc khu'",
    C.R_POSITION: "điền chức vụ",
}


def nfc(text: str) -> str:
    """NFC-normalize and collapse white space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV or Excel roster as text cells (no type guessing)."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, dtype=str, keep_default_na=False)
        elif suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        else:
            raise RosterError(problem("định dạng tệp không được hỗ trợ",
                                      "dùng tệp .csv (UTF-8) hoặc .xlsx", file=str(path),
                                      message_en="unsupported file type",
                                      fix_en="use a .csv (UTF-8) or .xlsx file"))
    except FileNotFoundError:
        raise RosterError(problem("không tìm thấy tệp", "kiểm tra lại đường dẫn",
                                  file=str(path), message_en="file not found"))
    except UnicodeDecodeError:
        raise RosterError(problem("tệp CSV không phải mã UTF-8",
                                  "lưu lại tệp với mã UTF-8 (Excel: CSV UTF-8)", file=str(path),
                                  message_en="CSV file is not UTF-8"))
    except (ValueError, OSError) as exc:
        raise RosterError(problem(f"không đọc được tệp ({exc})",
                                  "mở tệp bằng Excel và lưu lại dạng .xlsx hoặc CSV UTF-8",
                                  file=str(path), message_en=f"cannot read file ({exc})"))
    frame.columns = [nfc(str(c)).casefold() for c in frame.columns]
    return frame


def validate(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Return the clean roster (internal column names) or raise RosterError with every problem."""
    missing = [c for c in C.ROSTER_COLUMNS if c not in frame.columns]
    if missing:
        raise RosterError(problem(f"thiếu cột {', '.join(missing)}",
                                  f"dòng tiêu đề (dòng 1) phải có các cột: "
                                  f"{', '.join(C.ROSTER_COLUMNS)}", file=source,
                                  message_en=f"missing column(s) {', '.join(missing)}"),
                          "Danh sách bị từ chối, chưa nhập gì:", "Roster rejected, nothing imported:")
    clean = frame[list(C.ROSTER_COLUMNS)].map(lambda v: nfc(str(v)))
    clean = clean[(clean != "").any(axis=1)]  # wholly empty rows are not rows
    problems = []
    first_row = {}
    for index, row in clean.iterrows():
        line = int(index) + 2  # row 1 is the header, as Excel numbers it
        for col in C.ROSTER_COLUMNS:
            if not row[col]:
                problems.append(problem("ô trống", FIX[col], file=source, row=line, column=col,
                                        message_en="empty cell"))
        learner, code, unit = row[C.R_ID], row[C.R_WARD_CODE], row[C.R_WARD_NAME]
        if learner and not LEARNER_ID_RE.match(learner):
            problems.append(problem(f"mã cán bộ '{learner}' có ký tự không hợp lệ", FIX[C.R_ID],
                                    file=source, row=line, column=C.R_ID,
                                    message_en=f"invalid learner id '{learner}'"))
        if learner and learner in first_row:
            problems.append(problem(f"mã cán bộ '{learner}' trùng với dòng {first_row[learner]}",
                                    "mỗi cán bộ chỉ ghi một dòng; sửa hoặc xóa dòng trùng",
                                    file=source, row=line, column=C.R_ID,
                                    message_en=f"duplicate learner id '{learner}'"))
        first_row.setdefault(learner, line)
        if code and not WARD_CODE_RE.match(code):
            problems.append(problem(f"mã đơn vị '{code}' không đúng 5 chữ số", FIX[C.R_WARD_CODE],
                                    file=source, row=line, column=C.R_WARD_CODE,
                                    message_en=f"commune code '{code}' is not 5 digits"))
        if unit and not unit.casefold().startswith(UNIT_PREFIXES):
            problems.append(problem(f"'{unit}' không phải tên xã, phường hoặc đặc khu",
                                    FIX[C.R_WARD_NAME], file=source, row=line,
                                    column=C.R_WARD_NAME,
                                    message_en=f"'{unit}' is not a xã, phường or đặc khu"))
    if clean.empty:
        problems.append(problem("danh sách không có dòng nào", "thêm cán bộ từ dòng 2",
                                file=source, message_en="the roster has no rows"))
    if problems:
        shown = problems[:MAX_LISTED]
        if len(problems) > MAX_LISTED:
            shown.append(problem(f"... và {len(problems) - MAX_LISTED} lỗi khác", file=source))
        raise RosterError(shown, f"Danh sách bị từ chối ({len(problems)} lỗi), chưa nhập gì:",
                          f"Roster rejected ({len(problems)} problems), nothing imported:")
    return clean.rename(columns=RENAME).reset_index(drop=True)


def load(workspace: Path) -> pd.DataFrame:
    """The workspace roster (empty frame with the right columns if none yet)."""
    path = Path(workspace) / ROSTER_FILE
    if not path.exists():
        return pd.DataFrame(columns=list(RENAME.values()), dtype=str)
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _write_atomic(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        frame.to_csv(fh, index=False)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


@dataclass
class ImportResult:
    added: int
    updated: int
    total: int


def import_roster(*, workspace: Path, file: Path, db_url: str, course_id: str) -> ImportResult:
    """Validate ``file`` whole, then merge it into the workspace roster and the gradebook."""
    file = Path(file)
    new = validate(read_table(file), str(file))
    old = load(workspace)
    added = int((~new[C.LEARNER].isin(old[C.LEARNER])).sum())
    merged = pd.concat([old[~old[C.LEARNER].isin(new[C.LEARNER])], new], ignore_index=True)
    from .gradebook import register_learners

    register_learners(db_url, course_id, new)
    _write_atomic(merged.sort_values(C.LEARNER, ignore_index=True), Path(workspace) / ROSTER_FILE)
    return ImportResult(added=added, updated=len(new) - added, total=len(merged))
