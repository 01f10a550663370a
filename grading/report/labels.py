"""Display labels, headers and value formats of the report (Vietnamese and English).

One place for how a value looks to HR: the workbook, the HTML page, the dashboard and the
terminal table all format through here.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from grading import columns as C
from grading.errors import KitError, problem
from grading.settings import LOCAL_TZ
from grading.vntext import to_nfc

DEFAULT_TITLE = "Báo cáo kết quả bồi dưỡng"
RATE_COLUMNS = (C.COMPLETION_RATE, C.PASS_RATE, C.SUBMIT_RATE, C.MEAN_SCORE, C.MEDIAN_SCORE,
                C.PERCENT)
COUNT_COLUMNS = (C.ENROLLED, C.N_STARTED, C.N_SUBMITTED, C.N_PASSED, C.N_COMPLETED, C.PENDING,
                 C.N_OVERDUE, C.N_LEFT, C.N_JOINED, C.CUM_COMPLETED, C.DAYS_LATE, C.N_AWAITING,
                 C.N_RETOOK, C.N_ATTEMPTS)
PASSED_PREFIX = f"{C.N_PASSED}:"   # per-module columns "n_passed:<module_id>"
PERCENT_PREFIX = f"{C.PERCENT}:"   # learner_sheet's "percent:<module_id>"
DASH = "—"
DATE_FORMAT = "%d/%m/%Y %H:%M"
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
           "total": "Toàn bộ", "too_long": "Bảng có {} dòng: xem report.xlsx",
           "per_province": "Theo tỉnh, thành phố", "conflicts": "Mã cán bộ trùng giữa các tỉnh",
           "attempts_per_ward": "Làm lại theo đơn vị", "draws": "Lần làm bài và đề đã rút",
           "definitions_title": "Cách tính",
           "definitions": (
               "Cán bộ, công chức hoàn thành khi đạt mọi học phần bắt buộc theo chức vụ; một "
               "học phần chỉ được tính là đạt khi mọi câu đã được chấm. Bài có câu tự luận "
               "đang chờ giảng viên chấm được ghi là \"chờ chấm\": không tính là không đạt, "
               "không tính quá hạn, không tính số ngày trễ sau ngày nộp; nếu phần chấm tự động "
               "đã đủ điểm đạt thì ghi là \"đạt tạm\". Quá hạn: học phần bắt buộc chưa đạt, "
               "không chờ chấm, sau ngày hết hạn (người mới vào danh sách được thêm thời gian "
               "kể từ ngày vào). Người đã rời danh sách không tính vào các số liệu.")},
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
           "too_long": "{} rows: see report.xlsx",
           "per_province": "By province", "conflicts": "Learner ids in several provinces",
           "attempts_per_ward": "Retakes by ward", "draws": "Attempts and items drawn",
           "definitions_title": "Definitions",
           "definitions": (
               "An official has completed when every module required for their position is "
               "passed; a module counts as passed only once every item is graded. A submission "
               "whose free text awaits the trainer is \"awaiting grading\": never failed, never "
               "overdue, and no days late after its submission; if the automatic marks alone "
               "reach the pass mark it is a \"provisional pass\". Overdue: a required module "
               "not passed, not awaiting grading, after its deadline (joiners get extra time "
               "from the day they joined). Leavers are left out of every figure.")},
}


nfc_value = to_nfc


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
            cats = [nfc_value(c) for c in series.cat.categories]
            out[col] = (series.cat.rename_categories(cats) if len(set(cats)) == len(cats)
                        else series.astype(object).map(nfc_value))
        elif isinstance(series.dtype, pd.StringDtype):
            out[col] = series.str.normalize("NFC")
        elif series.dtype == object:
            out[col] = series.map(nfc_value)
    if C.WARD_CODE in out:
        out[C.WARD_CODE] = out[C.WARD_CODE].astype(str)
    stamps = out.get(C.TIMESTAMP)
    if stamps is not None and isinstance(stamps.dtype, pd.DatetimeTZDtype):
        out[C.TIMESTAMP] = stamps.dt.tz_convert(LOCAL_TZ).dt.tz_localize(None)
    return out


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def no_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab,
    CR first: a name or reason typed by someone else) start with an apostrophe, as OWASP
    advises for CSV; numbers are left alone. (The .xlsx writes inline strings: never formulas.)"""
    out = frame
    for col in frame.columns:
        series = frame[col]
        if isinstance(series.dtype, pd.CategoricalDtype):
            try:  # no category is risky: no value is (checked once per category)
                risky = series.cat.categories.str.startswith(_FORMULA_START)
            except AttributeError:  # categories that are not text (dates, numbers)
                continue
            if not pd.Series(risky).fillna(False).astype(bool).any():
                continue
            series = series.astype(object)
        elif series.dtype != object and not isinstance(series.dtype, pd.StringDtype):
            continue
        try:
            risky = series.str.startswith(_FORMULA_START).fillna(False).astype(bool)
        except AttributeError:  # an object column without any text (booleans, dates)
            continue
        if risky.any():
            out = out.copy() if out is frame else out
            out[col] = series.where(~risky, "'" + series.astype(str))
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


LABELS["vi"]["unsandboxed"] = ("⚠ {} bài được chấm không cách ly (congvu grade --no-sandbox): mã "
                               "của học viên đã chạy với quyền của người chấm. Xem cột “Chấm "
                               "không cách ly” ở trang Trạng thái chấm của report.xlsx.")
LABELS["en"]["unsandboxed"] = ("⚠ {} submissions were graded without isolation (congvu grade "
                               "--no-sandbox): learner code ran with the grader's rights. See "
                               "the “Graded without isolation” column of the status sheet.")
