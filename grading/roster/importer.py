"""Roster import: read HR's CSV or Excel file, validate every row, reject the file whole on any
error; on success merge it into the workspace roster and nbgrader's gradebook.

HR files are read by ``hr_excel`` (title rows, merged headers, several sheets, flexible header
names). Ward names are matched to commune codes through the units table (``units``); codes
that Excel turned into numbers get their leading zeros back. Ward and position live in the
kit's own file ``congvu/roster.csv``; nbgrader keeps the name only.

A re-import is the full, current roster: new people are added (``joined_on``), changes are
applied, people missing from it are marked as leavers (``left_on``; their results stay in the
gradebook) and every difference is reported and appended to ``congvu/roster_changes.csv``.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from grading import columns as C
from grading import settings
from grading.errors import RosterError, problem
from grading.files import write_atomic
from grading.roster import commit, hr_excel, ids
from grading.roster import units as U
from grading.roster.check import check_rows
from grading.roster.diff import ImportResult, change_rows, diff
from grading.roster.positions import Positions

ROSTER_FILE = Path("congvu") / "roster.csv"
RENAME = {C.R_ID: C.LEARNER, C.R_NAME: C.NAME, C.R_WARD_CODE: C.WARD_CODE,
          C.R_WARD_NAME: C.WARD_NAME, C.R_POSITION: C.POSITION}
STORED = [*RENAME.values(), C.JOINED, C.LEFT]
ALIASES = {
    C.R_ID: ("ma can bo", "ma cb", "ma so can bo", "ma nhan vien", "ma cong chuc", "ma so",
             "so hieu", "so hieu can bo", "ma can bo cong chuc", "ma ccvc", "ma dinh danh"),
    C.R_NAME: ("ho ten", "ho va ten", "ho ten can bo", "ho va ten can bo", "ten can bo",
               "ho ten cong chuc", "ho va ten cong chuc"),
    C.R_WARD_CODE: ("ma don vi", "ma xa", "ma dvhc", "ma don vi hanh chinh", "ma xa phuong",
                    "ma phuong xa", "don vi ma", "don vi cong tac ma", "ma don vi cong tac"),
    C.R_WARD_NAME: ("ten don vi", "don vi", "xa phuong", "xa phuong dac khu", "ten xa",
                    "ten xa phuong", "don vi cong tac", "noi cong tac", "don vi ten",
                    "don vi cong tac ten", "co quan don vi", "ubnd xa phuong"),
    C.R_POSITION: ("chuc vu", "chuc danh", "vi tri viec lam", "chuc vu chuc danh",
                   "chuc danh chuc vu", "chuc vu vi tri viec lam"),
    C.R_DISTRICT: ("huyen cu", "quan huyen cu", "huyen", "quan huyen", "huyen quan",
                   "quan huyen thi xa", "huyen truoc sap nhap"),
    C.R_PROVINCE: ("tinh", "tinh thanh pho", "tinh tp", "ten tinh"),
}
REQUIRED = (C.R_ID, C.R_NAME, C.R_POSITION)
MAX_LISTED = 50
TITLE_VI, TITLE_EN = "Danh sách bị từ chối, chưa nhập gì:", "Roster rejected, nothing imported:"


class LeaversNeedConfirmation(RosterError):
    """A full re-import would mark a large share of the officials as leavers."""


def read_table(path: Path, sheet: str | None = None) -> pd.DataFrame:
    """The data rows of an HR roster (CSV or .xlsx, every sheet with a roster header) with
    canonical column names, plus ``_where`` (file, sheet) and ``_row`` (row as Excel shows it).
    Columns that no sheet has are listed in ``frame.attrs["missing"]``, sheets skipped
    (hidden, instructions) in ``frame.attrs["notes"]``. ``sheet``: read only that sheet.
    """
    notes: list = []
    records, missing = hr_excel.read_records(Path(path), ALIASES, REQUIRED,
                                             (C.R_WARD_CODE, C.R_WARD_NAME), sheet=sheet,
                                             notes=notes)
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    frame.attrs["missing"] = [c for c in C.ROSTER_COLUMNS if c in missing]
    frame.attrs["notes"] = notes
    return frame


def validate(frame: pd.DataFrame, source: str, units: U.Units | None = None,
             positions: Positions | None = None) -> pd.DataFrame:
    """Return the clean roster (internal column names) or raise RosterError with every problem.
    Notes for the user (sheets skipped, positions mapped) are in ``attrs["notes"]``."""
    missing = frame.attrs.get("missing", [])
    if missing:
        raise RosterError(problem(f"thiếu cột {', '.join(missing)}",
                                  "thêm dòng tiêu đề có các cột: mã cán bộ, họ và tên, mã đơn vị "
                                  "và/hoặc tên đơn vị (xã/phường/đặc khu), chức vụ "
                                  f"({', '.join(C.ROSTER_COLUMNS)})", file=source,
                                  message_en=f"missing column(s) {', '.join(missing)}"),
                          TITLE_VI, TITLE_EN)
    units = units if units is not None else U.sample()
    rows, problems, notes = check_rows(frame, source, units, positions)
    if not rows and not problems:
        problems.append(problem("danh sách không có dòng nào", "thêm cán bộ dưới dòng tiêu đề",
                                file=source, message_en="the roster has no rows"))
    if problems:
        shown = problems[:MAX_LISTED]
        if len(problems) > MAX_LISTED:
            shown.append(problem(f"... và {len(problems) - MAX_LISTED} lỗi khác", file=source))
        raise RosterError(shown, f"Danh sách bị từ chối ({len(problems)} lỗi), chưa nhập gì:",
                          f"Roster rejected ({len(problems)} problems), nothing imported:")
    clean = pd.DataFrame(rows, columns=list(RENAME.values()), dtype=str)
    clean.attrs["notes"] = [*frame.attrs.get("notes", []), *notes]
    return clean


def check_leavers(old: pd.DataFrame, result: ImportResult, file: Path) -> None:
    """Refuse a full import that would mark more than ``LEAVER_SHARE`` of the active officials
    (and more than ``LEAVER_MIN``) as leavers, most likely a file of some wards only, unless
    confirmed."""
    active = int((old[C.LEFT] == "").sum()) if len(old) else 0
    if len(result.left) > max(settings.LEAVER_SHARE * active, settings.LEAVER_MIN):
        share = round(100 * len(result.left) / active)
        raise LeaversNeedConfirmation(problem(
            f"tệp này sẽ ghi {len(result.left)}/{active} cán bộ ({share}%) là đã rời danh sách",
            "nếu tệp chỉ gồm một số đơn vị, nhập lại với --add-only; nếu đúng là họ đã rời, "
            "nhập lại với --yes", file=str(file),
            message_en=f"this file would mark {len(result.left)} of {active} officials "
            f"({share}%) as leavers", fix_en="for a file of some wards only use --add-only; if "
            "they really left, import again with --yes"), TITLE_VI, TITLE_EN)


def load(workspace: Path, *, include_left: bool = True) -> pd.DataFrame:
    """The workspace roster (empty frame with the right columns if none yet)."""
    path = Path(workspace) / ROSTER_FILE
    if not path.exists():
        return pd.DataFrame(columns=STORED, dtype=str)
    frame = _read_stored(path)
    for col in (C.JOINED, C.LEFT):
        if col not in frame:
            frame[col] = ""
    missing = [col for col in STORED if col not in frame]
    if missing:
        raise RosterError(problem(f"tệp danh sách của thư mục làm việc thiếu cột "
                                  f"{', '.join(missing)}", "nhập lại danh sách (congvu roster "
                                  "import) hoặc khôi phục tệp từ bản sao lưu", file=str(path),
                                  message_en=f"the stored roster lacks column(s) "
                                             f"{', '.join(missing)}"))
    frame = frame[STORED]
    return frame if include_left else frame[frame[C.LEFT] == ""].reset_index(drop=True)


def _read_stored(path: Path) -> pd.DataFrame:
    """congvu/roster.csv; a damaged file is an error naming its row, never a traceback."""
    import re

    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        found = re.search(r"line (\d+)", str(exc))
        row = int(found.group(1)) if found else None
        raise RosterError(problem(f"tệp danh sách của thư mục làm việc bị hỏng ({str(exc).strip()})",
                                  "sửa dòng này (đúng số cột, mã hóa UTF-8) hoặc nhập lại danh "
                                  "sách bằng congvu roster import", file=str(path), row=row,
                                  message_en="the stored roster is damaged",
                                  fix_en="fix this row or import the roster again")) from exc


def _write_atomic(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))


def save_units(workspace: Path, file: Path) -> U.Units:
    """Validate an official unit list and keep a copy as the workspace's units table."""
    table = U.read_units_file(Path(file), official=True)
    frame = pd.DataFrame([{"ma_don_vi": u.code, "ten_don_vi": u.name, "ma_tinh": u.province_code,
                           "ten_tinh": u.province, "huyen_cu": "; ".join(u.districts),
                           "ten_cu": "; ".join(u.former)} for u in table.units])
    _write_atomic(frame, Path(workspace) / U.WORKSPACE_FILE)
    return table


def import_roster(*, workspace: Path, file: Path, db_url: str, course_id: str,
                  units_file: Path | None = None, add_only: bool = False,
                  today: dt.date | None = None, sheet: str | None = None,
                  positions: tuple = (), yes: bool = False) -> ImportResult:
    """Validate ``file`` whole, then merge it into the workspace roster and the gradebook.

    ``add_only``: add and update the people in ``file`` without marking anybody as a leaver
    (for a file that holds only some wards). ``sheet``: read only that sheet. ``positions``:
    the manifest's declared positions (file positions are mapped onto them or refused).
    ``yes``: confirm a full import that marks many officials as leavers.
    """
    file, workspace = Path(file), Path(workspace)
    commit.replay(workspace, db_url, course_id)  # an import a crash interrupted: finish it
    table = (U.read_units_file(Path(units_file), official=True) if units_file
             else U.for_workspace(workspace))
    new = validate(read_table(file, sheet), str(file), table, Positions(positions))
    notes = new.attrs.get("notes", [])
    if units_file:
        save_units(workspace, units_file)
    today = today or settings.vn_today()
    old = load(workspace)
    new, id_forms = ids.reconcile(old, new)
    merged, result = diff(old, new, today=today.isoformat(), add_only=add_only)
    result.notes, result.id_forms = notes, id_forms
    if not add_only and not yes:
        check_leavers(old, result, file)
    touched = new[new[C.LEARNER].isin(result.joined + result.rejoined + result.renamed)]
    commit.commit(workspace, db_url, course_id, people=touched,
                  roster_csv=merged.sort_values(C.LEARNER, ignore_index=True).to_csv(
                      index=False, lineterminator="\n"),
                  history=change_rows(result, today.isoformat()))
    return result
