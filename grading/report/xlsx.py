"""The HR workbook: one sheet per table, Vietnamese headers, frozen header row, percentages as
percentages, widths, print set-up, filters, a native bar chart of completion per ward.

openpyxl writes the structure (streaming mode); ``xlsx_rows`` writes the data rows, so that
100,000 officials take seconds, not minutes. Rates are stored as fractions (0.5) with a
"0.0%" format, so Excel computes with them.
"""
from __future__ import annotations

import io

import numpy as np
import pandas as pd

from grading import columns as C
from grading.report import xlsx_rows
from grading.report.labels import (
    LABELS,
    PERCENT_PREFIX,
    cell,
    header,
    is_count,
    is_rate,
)

WIDTH_SAMPLE = 300       # rows looked at to size columns
ROW_CHUNK = 20_000       # data rows encoded and written at a time (memory set by a chunk)
MAX_WIDTH, MIN_WIDTH, NUMBER_WIDTH = 48, 8, 13
HEADER_FILL = "DDEBF7"
PASS_FILL, FAIL_FILL = "C6EFCE", "FFC7CE"
DATE_COLUMNS = (C.DATE, C.DUE, C.TIMESTAMP)


def _format(col: str) -> str | None:
    if col == C.WARD_CODE:
        return "@"
    if is_rate(col):
        return "0.0%"
    if col == C.MEAN_DAYS_LATE:
        return "0.0"
    if col == C.TIMESTAMP:
        return "dd/mm/yyyy hh:mm"
    if col in (C.DATE, C.DUE):
        return "dd/mm/yyyy"
    if is_count(col):
        return "0"
    return None


def _width(col_header: str, values: list) -> float:
    longest = max([len(col_header) * 0.6, *(len(str(v)) for v in values
                                           if v is not None and v == v and v != "")],
                  default=MIN_WIDTH)
    return float(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2)))


def _text(value, lang: str) -> str:
    if isinstance(value, str):
        return value
    shown = cell(value, lang)
    return "" if shown is None else str(shown)


def _encode(frame: pd.DataFrame, lang: str) -> list[tuple[str, pd.Series]]:
    """Per column ("n", numbers with NaN) or ("s", text, "" when missing), vectorized:
    rates as fractions, dates as Excel serials, booleans as Có/Không."""
    out = []
    yes, no = LABELS[lang]["yes"], LABELS[lang]["no"]
    for col in frame.columns:
        series = frame[col]
        if pd.api.types.is_bool_dtype(series):
            out.append(("s", series.map({True: yes, False: no})))
        elif is_rate(col):
            out.append(("n", (series.astype(float) / 100.0).round(4)))
        elif col in (C.JOINED, C.LEFT):
            iso = series.astype(object).where(series.notna(), "").astype(str)
            out.append(("s", (iso.str[8:10] + "/" + iso.str[5:7] + "/" + iso.str[:4])
                        .where(iso.str.len() >= 10, "")))
        elif pd.api.types.is_datetime64_any_dtype(series) or col in DATE_COLUMNS:
            out.append(("n", xlsx_rows.excel_serial(series)))
        elif pd.api.types.is_numeric_dtype(series):
            out.append(("n", series.astype(float)))
        else:
            text = series.astype(object).where(series.notna(), "")
            if pd.api.types.infer_dtype(text, skipna=False) != "string":  # mixed values
                out.append(("s", text.map(lambda v: _text(v, lang))))
                continue
            codes, distinct = pd.factorize(text.to_numpy(dtype=object))  # text: each once
            shown = np.array([_text(v, lang) for v in distinct] + [""], dtype=object)
            out.append(("s", pd.Series(shown[codes], index=text.index)))
    return out


def _sheet(book, key: str, frame: pd.DataFrame, lang: str, titles: dict, meta: dict):
    """The sheet with its header row and, when there is data, a style probe row (see
    xlsx_rows). Returns (sheet, encoded columns)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(LABELS[lang][key][:31])
    heads = [header(c, lang, titles) for c in frame.columns]
    cols = _encode(frame.head(WIDTH_SAMPLE), lang)  # the rows themselves: _chunks
    widths = []
    for idx, (col, head, (kind, values)) in enumerate(zip(frame.columns, heads, cols), 1):
        sample = ["00/00/0000 00:00"] if col in DATE_COLUMNS else values.head(
            WIDTH_SAMPLE).tolist()
        width = _width(head, sample)
        if kind == "n":  # numbers: narrow columns, the header wraps
            width = min(width, max(NUMBER_WIDTH, _width("", sample)))
        sheet.column_dimensions[get_column_letter(idx)].width = width
        widths.append(width)
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.oddHeader.center.text = f"{meta['title']} — {LABELS[lang][key]}"
    sheet.oddFooter.right.text = "&P/&N"
    if len(frame) and len(frame.columns):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(heads))}{len(frame) + 1}"
    _conditional(sheet, frame, meta)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
    wrap = Alignment(wrap_text=True, vertical="top")
    row = []
    for head in heads:
        c = WriteOnlyCell(sheet, head)
        c.font, c.fill, c.alignment = bold, fill, wrap
        row.append(c)
    sheet.append(row)
    if len(frame):  # the style probe: replaced by the real rows in render_xlsx
        probe = []
        for col, (kind, _) in zip(frame.columns, cols):
            c = WriteOnlyCell(sheet, 0 if kind == "n" else "x")
            fmt = None if pd.api.types.is_bool_dtype(frame[col]) else _format(col)
            if fmt:
                c.number_format = fmt
            probe.append(c)
        sheet.append(probe)
    return sheet, _header_height(heads, widths)


def _chunks(frame: pd.DataFrame, lang: str):
    """The encoded columns of ``frame``, ROW_CHUNK rows at a time."""
    for start in range(0, len(frame), ROW_CHUNK):
        yield _encode(frame.iloc[start:start + ROW_CHUNK], lang)


def _header_height(heads: list[str], widths: list[float]) -> float:
    """Points for the header row: enough lines for the longest wrapped header."""
    import math

    lines = max([math.ceil(len(h) * 1.1 / max(w - 1, 1)) for h, w in zip(heads, widths)],
                default=1)
    return float(min(6, max(1, lines)) * 15 + 3)


def _conditional(sheet, frame: pd.DataFrame, meta: dict) -> None:
    """Learner sheet: module percents green when passed, red when not."""
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter

    last = len(frame) + 1
    for idx, col in enumerate(frame.columns, start=1):
        if not col.startswith(PERCENT_PREFIX) or last < 2:
            continue
        mark = meta["pass_marks"].get(col.removeprefix(PERCENT_PREFIX))
        if mark is None:
            continue
        ref = f"{get_column_letter(idx)}2:{get_column_letter(idx)}{last}"
        limit = [f"{float(mark) / 100:.4f}"]
        sheet.conditional_formatting.add(ref, CellIsRule(
            operator="greaterThanOrEqual", formula=limit, fill=PatternFill("solid",
                                                                           bgColor=PASS_FILL)))
        sheet.conditional_formatting.add(ref, CellIsRule(
            operator="lessThan", formula=limit, fill=PatternFill("solid", bgColor=FAIL_FILL)))


def _chart(sheet, frame: pd.DataFrame, lang: str) -> None:
    """Native Excel bar chart: completion rate (column) per ward name (categories)."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.utils import get_column_letter

    cols = list(frame.columns)
    if not len(frame) or C.COMPLETION_RATE not in cols:
        return
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = LABELS[lang]["chart_rate"]
    chart.y_axis.title = C.header(C.COMPLETION_RATE, lang)
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
    chart.y_axis.number_format = "0%"
    chart.x_axis.scaling.orientation = "maxMin"  # first ward on top, as in the table
    chart.legend = None
    rate_col = cols.index(C.COMPLETION_RATE) + 1
    name_col = cols.index(C.WARD_NAME) + 1 if C.WARD_NAME in cols else 1
    last = len(frame) + 1
    chart.add_data(Reference(sheet, min_col=rate_col, min_row=1, max_row=last),
                   titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=name_col, min_row=2, max_row=last))
    chart.width = 18
    chart.height = min(60.0, max(7.5, 0.55 * len(frame)))
    sheet.add_chart(chart, f"{get_column_letter(len(cols) + 2)}2")


def render_xlsx(views: dict[str, pd.DataFrame], lang: str, titles: dict, meta: dict) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    rows, heights = {}, {}
    for number, (key, frame) in enumerate(views.items(), start=1):
        sheet, heights[number] = _sheet(book, key, frame, lang, titles, meta)
        if len(frame):
            rows[number] = (len(frame), len(frame.columns), _chunks(frame, lang))
        if key == "per_ward":
            _chart(sheet, frame, lang)
    buffer = io.BytesIO()
    book.save(buffer)
    return xlsx_rows.fill_rows(buffer.getvalue(), rows, heights)
