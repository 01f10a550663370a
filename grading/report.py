"""Report stage: Excel workbook, self-contained HTML page and tidy CSV files for HR.

HR sees Vietnamese (NFC) by default, English with ``lang="en"``. CSV files keep the internal
column names and raw values; the workbook and the page use display headers and formats.
Every file is written atomically with owner-only permissions (it holds personal data).
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from . import columns as C
from .errors import KitError, problem

DEFAULT_TITLE = "Báo cáo kết quả bồi dưỡng"
# Workbook sheets in order (table key); "status" only when given.
SHEETS = ("per_ward", "per_module", "per_ward_module", "per_position", "per_track",
          "learner_sheet", "not_completed", "over_time", "status")
# CSV file stem -> table key; "learner_modules" is the slim learner × module table.
CSV_TABLES = {"per_ward": "per_ward", "per_module": "per_module",
              "per_ward_module": "per_ward_module", "per_position": "per_position",
              "per_track": "per_track", "learners": "people", "learner_modules": "learners",
              "not_completed": "not_completed", "over_time": "over_time", "status": "status"}
RATE_COLUMNS = (C.COMPLETION_RATE, C.PASS_RATE, C.SUBMIT_RATE, C.MEAN_SCORE, C.MEDIAN_SCORE,
                C.PERCENT)
COUNT_COLUMNS = (C.ENROLLED, C.N_STARTED, C.N_SUBMITTED, C.N_PASSED, C.N_COMPLETED, C.PENDING,
                 C.N_OVERDUE, C.N_LEFT, C.N_JOINED, C.CUM_COMPLETED, C.DAYS_LATE)
# learner_modules.csv: ids only (names are in learners.csv), one row per learner × module
# that is required or was submitted.
LEARNER_MODULE_VIEW = (C.LEARNER, C.MODULE, C.REQUIRED, C.SUBMITTED, C.TIMESTAMP, C.SCORE,
                       C.MAX_SCORE, C.PERCENT, C.PASSED, C.PENDING, C.DUE, C.OVERDUE,
                       C.DAYS_LATE)
STATUS_VIEW = (C.WARD_CODE, C.WARD_NAME, C.LEARNER, C.NAME, C.MODULE, C.MODULE_TITLE,
               C.STATUS, C.REASON)
PASSED_PREFIX = f"{C.N_PASSED}:"   # per-module columns "n_passed:<module_id>"
PERCENT_PREFIX = f"{C.PERCENT}:"   # learner_sheet's "percent:<module_id>"
DASH = "—"
DATE_FORMAT = "%d/%m/%Y %H:%M"
VN_TZ = dt.timezone(dt.timedelta(hours=7))  # Vietnam has no daylight saving time

LABELS = {
    "vi": {"per_ward": "Tổng hợp theo đơn vị", "per_module": "Theo học phần",
           "per_ward_module": "Theo đơn vị và học phần", "per_position": "Theo chức vụ",
           "per_track": "Theo mảng", "learner_sheet": "Chi tiết cán bộ",
           "not_completed": "Chưa hoàn thành", "over_time": "Tiến độ theo ngày",
           "status": "Trạng thái chấm", "passed_in": "Đạt: {}", "percent_in": "{} (%)",
           "yes": "Có", "no": "Không", "title": DEFAULT_TITLE, "generated": "Ngày lập báo cáo",
           "as_of": "Tính quá hạn đến ngày", "no_data": "chưa có bài nộp",
           "chart_rate": "Tỷ lệ hoàn thành theo đơn vị (%)",
           "chart_heat": "Tỷ lệ đạt theo đơn vị và học phần (%)",
           "chart_time": "Số cán bộ hoàn thành theo thời gian (cộng dồn)",
           "lowest": "{} đơn vị có tỷ lệ hoàn thành thấp nhất", "all_wards": "Tất cả đơn vị",
           "see_xlsx": "Danh sách {} cán bộ chưa hoàn thành: xem report.xlsx",
           "total": "Toàn bộ", "too_long": "Bảng có {} dòng: xem report.xlsx"},
    "en": {"per_ward": "By ward", "per_module": "By module",
           "per_ward_module": "By ward and module", "per_position": "By position",
           "per_track": "By track", "learner_sheet": "Learners",
           "not_completed": "Not completed", "over_time": "Progress by day",
           "status": "Grading status", "passed_in": "Passed: {}", "percent_in": "{} (%)",
           "yes": "Yes", "no": "No", "title": "Training results report",
           "generated": "Generated", "as_of": "Overdue judged on", "no_data": "no submissions",
           "chart_rate": "Completion rate by ward (%)",
           "chart_heat": "Pass rate by ward and module (%)",
           "chart_time": "Officials who completed, over time (cumulative)",
           "lowest": "the {} wards with the lowest completion", "all_wards": "All wards",
           "see_xlsx": "{} officials have not completed: see report.xlsx", "total": "Total",
           "too_long": "{} rows: see report.xlsx"},
}


def _nfc(value):
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def header(col: str, lang: str, titles: dict[str, str]) -> str:
    for prefix, label in ((PASSED_PREFIX, "passed_in"), (PERCENT_PREFIX, "percent_in")):
        if col.startswith(prefix):
            module = col.removeprefix(prefix)
            return LABELS[lang][label].format(titles.get(module, module))
    return C.header(col, lang)


def is_rate(col: str) -> bool:
    return col in RATE_COLUMNS or col.startswith(PERCENT_PREFIX)


def is_count(col: str) -> bool:
    return col in COUNT_COLUMNS or col.startswith(PASSED_PREFIX)


def check_lang(lang: str) -> None:
    if lang not in LABELS:
        raise KitError(problem(f"ngôn ngữ '{lang}' không được hỗ trợ", "chọn 'vi' hoặc 'en'",
                               message_en=f"language '{lang}' is not supported",
                               fix_en="choose 'vi' or 'en'"))


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with NFC text, ward codes as text and timestamps as naive Vietnam time."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if isinstance(series.dtype, pd.CategoricalDtype):
            cats = [_nfc(c) for c in series.cat.categories]
            out[col] = (series.cat.rename_categories(cats) if len(set(cats)) == len(cats)
                        else series.astype(object).map(_nfc))
        elif isinstance(series.dtype, pd.StringDtype):
            out[col] = series.str.normalize("NFC")
        elif series.dtype == object:
            out[col] = series.map(_nfc)
    if C.WARD_CODE in out:
        out[C.WARD_CODE] = out[C.WARD_CODE].astype(str)
    stamps = out.get(C.TIMESTAMP)
    if stamps is not None and isinstance(stamps.dtype, pd.DatetimeTZDtype):
        out[C.TIMESTAMP] = stamps.dt.tz_convert(VN_TZ).dt.tz_localize(None)
    return out


def cell(value, lang: str):
    """A value openpyxl can write: booleans as Có/Không, missing as an empty cell."""
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, (bool, np.bool_)):
        return LABELS[lang]["yes" if value else "no"]
    if not isinstance(value, str) and pd.isna(value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def text(value, col: str, lang: str) -> str:
    """A value as HTML/terminal text: rates to one decimal (decimal comma in Vietnamese)."""
    value = cell(value, lang)
    if value is None or value == "":
        return DASH
    if isinstance(value, dt.datetime):
        return value.strftime(DATE_FORMAT)
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, (int, float)):
        if is_rate(col) or col == C.MEAN_DAYS_LATE:
            out = f"{value:.1f}"
        elif is_count(col):
            out = f"{value:.0f}"
        else:
            out = f"{value:g}"
        return out.replace(".", ",") if lang == "vi" else out
    return str(value)


def display(frame: pd.DataFrame, lang: str, titles: dict[str, str]) -> pd.DataFrame:
    data = {header(col, lang, titles): [text(v, col, lang) for v in frame[col]]
            for col in frame.columns}
    return pd.DataFrame(data, columns=list(data), dtype=object)


def save(path: Path, data: bytes) -> Path:
    """Write atomically with owner-only permissions (the files hold personal data)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, PermissionError):  # e.g. report.xlsx open in Excel on Windows
            raise KitError(problem("không ghi được tệp (có thể đang mở trong Excel)",
                                   "đóng tệp rồi chạy lại", file=str(path),
                                   message_en="cannot write the file (open in Excel?)",
                                   fix_en="close it and run again")) from exc
        raise
    return path


def titles_of(learners: pd.DataFrame | None, given: dict | None) -> dict[str, str]:
    """Module titles found in the learner table, overridden by the caller's."""
    found = {}
    if learners is not None and {C.MODULE, C.MODULE_TITLE} <= set(learners.columns):
        pairs = learners[[C.MODULE, C.MODULE_TITLE]].drop_duplicates(C.MODULE)
        found = dict(zip(pairs[C.MODULE], pairs[C.MODULE_TITLE]))
    return {k: _nfc(str(v)) for k, v in {**found, **(given or {})}.items()}


def views_of(tables: dict, titles: dict[str, str]) -> dict[str, pd.DataFrame]:
    """Display frames (raw values, display subset and order) for the workbook and HTML."""
    views = {k: tables[k] for k in SHEETS if tables.get(k) is not None}
    for key, frame in views.items():
        if C.MODULE_TITLE in frame and C.MODULE in frame and titles:
            views[key] = frame.assign(**{C.MODULE_TITLE: frame[C.MODULE].map(
                lambda m: titles.get(m, m))})
    if "status" in views:
        status = views["status"]
        if status.columns.empty:
            status = pd.DataFrame(columns=[C.LEARNER, C.MODULE, C.STATUS, C.REASON])
        if C.MODULE in status and C.MODULE_TITLE not in status:
            status = status.assign(**{C.MODULE_TITLE: status[C.MODULE].map(titles)})
        views["status"] = status[[c for c in STATUS_VIEW if c in status]]
    return views


def _learner_modules(lm: pd.DataFrame) -> pd.DataFrame:
    rows = lm[lm[C.REQUIRED] | lm[C.SUBMITTED]] if C.REQUIRED in lm else lm
    out = rows[[c for c in LEARNER_MODULE_VIEW if c in lm]]
    if C.PERCENT in out:
        out = out.assign(**{C.PERCENT: out[C.PERCENT].round(2)})
    return out


def write_report(tables: dict[str, pd.DataFrame], out_dir: str | Path, *, lang: str = "vi",
                 module_titles: dict[str, str] | None = None, title: str = DEFAULT_TITLE,
                 as_of: dt.date | None = None, stem: str = "report",
                 csv: bool = True) -> dict[str, Path]:
    """Write ``{stem}.xlsx``, ``{stem}.html`` and (``csv``) the tidy CSV files.

    ``tables``: ``summary.tables_from`` output. Returns {"xlsx", "html", "<table>_csv"} -> path.
    """
    from .report_html import render_html
    from .report_xlsx import render_xlsx

    check_lang(lang)
    titles = titles_of(tables.get("learners"), module_titles)
    if lang == "en" and title == DEFAULT_TITLE:
        title = LABELS[lang]["title"]
    out = Path(out_dir)
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    views = {k: prepare(v) for k, v in views_of(tables, titles).items()}
    if "status" in views and C.STATUS in views["status"]:
        from .autograde import STATUS_EN, STATUS_VI

        labels = STATUS_VI if lang == "vi" else STATUS_EN
        views["status"] = views["status"].assign(
            **{C.STATUS: views["status"][C.STATUS].map(lambda s: labels.get(s, s))})
    marks = {}
    if tables.get("learners") is not None and C.PASS_MARK in tables["learners"]:
        lm = tables["learners"]
        marks = dict(zip(lm[C.MODULE], lm[C.PASS_MARK]))
    meta = {"title": _nfc(title), "as_of": as_of or dt.date.today(), "pass_marks": marks}
    paths = {"xlsx": save(out / f"{stem}.xlsx", render_xlsx(views, lang, titles, meta)),
             "html": save(out / f"{stem}.html",
                          render_html(views, lang, titles, meta).encode("utf-8"))}
    if csv:
        for stem, key in CSV_TABLES.items():
            frame = tables.get(key)
            if frame is None:
                continue
            frame = _learner_modules(frame) if stem == "learner_modules" else frame
            if key == "status" and frame.columns.empty:
                frame = pd.DataFrame(columns=[C.LEARNER, C.MODULE, C.STATUS, C.REASON])
            data = prepare(frame).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")
            paths[f"{stem}_csv"] = save(out / f"{stem}.csv", data)
            del data
    return paths


def format_table(frame: pd.DataFrame, lang: str = "vi",
                 module_titles: dict[str, str] | None = None) -> str:
    """A plain-text table of ``frame`` (e.g. per_ward) with display headers, for the terminal."""
    check_lang(lang)
    shown = display(prepare(frame), lang, titles_of(None, module_titles))
    return shown.to_string(index=False)
