"""Report stage: Excel workbook, self-contained HTML page and tidy CSV files for HR.

HR sees Vietnamese (NFC) by default, English with ``lang="en"``. CSV files keep the internal
column names and raw values; the workbook and the page use display headers and formats.
"""
from __future__ import annotations

import base64
import datetime as dt
import html
import io
import os
import tempfile
import textwrap
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from . import columns as C
from .errors import KitError, problem

DEFAULT_TITLE = "Báo cáo kết quả bồi dưỡng"
VIEWS = ("per_ward", "per_ward_module", "learners", "status")
REQUIRED_VIEWS = VIEWS[:3]
RATE_COLUMNS = (C.COMPLETION_RATE, C.PASS_RATE, C.MEAN_SCORE, C.PERCENT)
COUNT_COLUMNS = (C.ENROLLED, C.N_SUBMITTED, C.N_PASSED, C.N_COMPLETED, C.PENDING)
LEARNER_VIEW = (C.WARD_CODE, C.WARD_NAME, C.LEARNER, C.NAME, C.POSITION, C.MODULE,
                C.MODULE_TITLE, C.REQUIRED, C.SUBMITTED, C.TIMESTAMP, C.SCORE, C.MAX_SCORE,
                C.PERCENT, C.PASS_MARK, C.PASSED, C.PENDING)
STATUS_VIEW = (C.WARD_CODE, C.WARD_NAME, C.LEARNER, C.NAME, C.MODULE, C.MODULE_TITLE,
               C.STATUS, C.REASON)
PASSED_PREFIX = f"{C.N_PASSED}:"  # per_ward's per-module columns: "n_passed:<module_id>"
DASH = "—"
DATE_FORMAT = "%d/%m/%Y %H:%M"
VN_TZ = dt.timezone(dt.timedelta(hours=7))  # Vietnam has no daylight saving time

LABELS = {
    "vi": {"per_ward": "Tổng hợp theo đơn vị", "per_ward_module": "Theo đơn vị và học phần",
           "learners": "Chi tiết cán bộ", "status": "Trạng thái chấm", "passed_in": "Đạt: {}",
           "yes": "Có", "no": "Không", "title": DEFAULT_TITLE, "generated": "Ngày lập báo cáo",
           "no_data": "chưa có bài nộp", "chart_rate": "Tỷ lệ hoàn thành theo đơn vị (%)",
           "chart_mean": "Điểm trung bình theo đơn vị và học phần (%)"},
    "en": {"per_ward": "By ward", "per_ward_module": "By ward and module",
           "learners": "Learners", "status": "Grading status", "passed_in": "Passed: {}",
           "yes": "Yes", "no": "No", "title": "Training results report",
           "generated": "Generated", "no_data": "no submissions",
           "chart_rate": "Completion rate by ward (%)",
           "chart_mean": "Mean score by ward and module (%)"},
}


def _nfc(value):
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def _header(col: str, lang: str, titles: dict[str, str]) -> str:
    if col.startswith(PASSED_PREFIX):
        module = col.removeprefix(PASSED_PREFIX)
        return LABELS[lang]["passed_in"].format(titles.get(module, module))
    return C.header(col, lang)


def _check_lang(lang: str) -> None:
    if lang not in LABELS:
        raise KitError(problem(f"ngôn ngữ '{lang}' không được hỗ trợ", "chọn 'vi' hoặc 'en'",
                               message_en=f"language '{lang}' is not supported",
                               fix_en="choose 'vi' or 'en'"))


def _prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with NFC text, ward codes as text and timestamps as naive Vietnam time."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if isinstance(series.dtype, pd.StringDtype):
            out[col] = series.str.normalize("NFC")
        elif series.dtype == object:
            out[col] = series.map(_nfc)
    if C.WARD_CODE in out:
        out[C.WARD_CODE] = out[C.WARD_CODE].astype(str)
    stamps = out.get(C.TIMESTAMP)
    if stamps is not None and isinstance(stamps.dtype, pd.DatetimeTZDtype):
        out[C.TIMESTAMP] = stamps.dt.tz_convert(VN_TZ).dt.tz_localize(None)
    return out


def _views(tables: dict, titles: dict[str, str]) -> dict[str, pd.DataFrame]:
    """Display frames (raw values, display subset and order) for the workbook and HTML."""
    views = {k: tables[k] for k in REQUIRED_VIEWS}
    for key, frame in views.items():
        if C.MODULE_TITLE in frame and titles:
            views[key] = frame.assign(**{C.MODULE_TITLE: [
                titles.get(m, t) for m, t in zip(frame[C.MODULE], frame[C.MODULE_TITLE])]})
    learners = views["learners"]
    keys = [c for c in (C.WARD_CODE, C.LEARNER, C.MODULE) if c in learners]
    views["learners"] = learners[[c for c in LEARNER_VIEW if c in learners]].sort_values(
        keys, ignore_index=True)
    if "status" in tables:
        status = tables["status"]
        extra = [c for c in (C.LEARNER, C.NAME, C.WARD_CODE, C.WARD_NAME) if c in learners]
        if C.LEARNER in status and len(extra) > 1:
            people = learners[extra].drop_duplicates(C.LEARNER)
            status = status.merge(people, on=C.LEARNER, how="left")
        if C.MODULE in status and C.MODULE_TITLE not in status:
            status = status.assign(**{C.MODULE_TITLE: status[C.MODULE].map(titles)})
        views["status"] = status[[c for c in STATUS_VIEW if c in status]]
    return views


def _cell(value, lang: str):
    """A value openpyxl can write: booleans as Có/Không, missing as an empty cell."""
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, (bool, np.bool_)):
        return LABELS[lang]["yes" if value else "no"]
    if not isinstance(value, str) and pd.isna(value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def _text(value, col: str, lang: str) -> str:
    """A value as HTML/terminal text: rates to one decimal (decimal comma in Vietnamese)."""
    value = _cell(value, lang)
    if value is None:
        return DASH
    if isinstance(value, dt.datetime):
        return value.strftime(DATE_FORMAT)
    if isinstance(value, (int, float)):
        if col in RATE_COLUMNS:
            text = f"{value:.1f}"
        elif col in COUNT_COLUMNS or col.startswith(PASSED_PREFIX):
            text = f"{value:.0f}"
        else:
            text = f"{value:g}"
        return text.replace(".", ",") if lang == "vi" else text
    return str(value)


def _display(frame: pd.DataFrame, lang: str, titles: dict[str, str]) -> pd.DataFrame:
    data = {_header(col, lang, titles): [_text(v, col, lang) for v in frame[col]]
            for col in frame.columns}
    return pd.DataFrame(data, columns=list(data), dtype=object)


def _xlsx(views: dict[str, pd.DataFrame], lang: str, titles: dict[str, str]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    for key, frame in views.items():
        sheet = book.create_sheet(LABELS[lang][key][:31])
        sheet.append([_header(col, lang, titles) for col in frame.columns])
        for row in frame.itertuples(index=False, name=None):
            sheet.append([_cell(v, lang) for v in row])
        for idx, col in enumerate(frame.columns, start=1):
            head = sheet.cell(row=1, column=idx)
            head.font, head.fill, head.alignment = bold, fill, wrap
            fmt = ("@" if col == C.WARD_CODE else "0.0" if col in RATE_COLUMNS
                   else "dd/mm/yyyy hh:mm" if col == C.TIMESTAMP
                   else "0" if col in COUNT_COLUMNS or col.startswith(PASSED_PREFIX)
                   else None)
            if fmt:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=idx, max_col=idx):
                    cell.number_format = fmt
            longest = max([len(_text(v, col, lang)) for v in frame[col]] + [0])
            width = max(longest, min(len(head.value), 24), 8) + 2
            sheet.column_dimensions[get_column_letter(idx)].width = min(width, 45)
        sheet.freeze_panes = "A2"
        if len(frame):
            sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _rate_chart(ax, per_ward: pd.DataFrame, lang: str) -> None:
    """Horizontal bars: completion rate per ward, first ward on top."""
    rates = per_ward[C.COMPLETION_RATE].astype(float)
    ypos = np.arange(len(per_ward))
    ax.barh(ypos, rates.fillna(0.0), color="#2E75B6")
    for y, rate in zip(ypos, rates):
        ax.text(rate + 1 if pd.notna(rate) else 1, y, _text(rate, C.COMPLETION_RATE, lang),
                va="center")
    ax.set_yticks(ypos, labels=list(per_ward[C.WARD_NAME]))
    ax.invert_yaxis()
    ax.set_xlim(0, 110)
    ax.set_xlabel(C.header(C.COMPLETION_RATE, lang))


def _mean_heatmap(ax, grid: pd.DataFrame, names: dict, titles: dict, lang: str):
    """Heatmap: mean score per ward (rows) × module (columns); grey "—" where none."""
    import matplotlib

    values = grid.to_numpy(dtype=float)
    cmap = matplotlib.colormaps["RdYlGn"].with_extremes(bad="#DDDDDD")
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=0, vmax=100, aspect="auto")
    for (i, j), value in np.ndenumerate(values):
        ax.text(j, i, _text(value, C.MEAN_SCORE, lang), ha="center", va="center")
    ax.set_xticks(range(grid.shape[1]),
                  labels=[textwrap.fill(titles.get(m, m), 18) for m in grid.columns])
    ax.set_yticks(range(len(grid)), labels=[names.get(w, w) for w in grid.index])
    return image


def _charts(per_ward: pd.DataFrame, per_ward_module: pd.DataFrame, lang: str,
            titles: dict[str, str]) -> list[tuple[str, str]]:
    """(caption, base64 PNG) pairs, drawn on Agg canvases (no pyplot, no global backend)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    def figure(width: float, height: float):
        fig = Figure(figsize=(width, height), layout="constrained")
        FigureCanvasAgg(fig)
        return fig, fig.subplots()

    charts = []
    names = dict(zip(per_ward[C.WARD_CODE], per_ward[C.WARD_NAME]))
    with matplotlib.rc_context({"font.family": "DejaVu Sans", "font.size": 9}):
        if len(per_ward):
            fig, ax = figure(7.5, 1.2 + 0.35 * len(per_ward))
            _rate_chart(ax, per_ward, lang)
            charts.append((LABELS[lang]["chart_rate"], _png(fig)))
        if len(per_ward_module):
            grid = per_ward_module.pivot_table(index=C.WARD_CODE, columns=C.MODULE,
                                               values=C.MEAN_SCORE, dropna=False)
            grid = grid.reindex([w for w in names if w in grid.index] or list(grid.index))
            fig, ax = figure(max(6.0, 3 + 1.4 * grid.shape[1]), 1.6 + 0.4 * len(grid))
            image = _mean_heatmap(ax, grid, names, titles, lang)
            fig.colorbar(image, ax=ax, label=C.header(C.MEAN_SCORE, lang))
            charts.append((LABELS[lang]["chart_mean"], _png(fig)))
    return charts


def _html_table(frame: pd.DataFrame, lang: str, titles: dict[str, str]) -> str:
    shown = _display(frame, lang, titles)
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(
        frame[c]) for c in frame.columns]
    head = "".join(f"<th>{html.escape(h)}</th>" for h in shown.columns)
    rows = "".join(
        "<tr>" + "".join(f'<td class="num">{html.escape(v)}</td>' if num
                         else f"<td>{html.escape(v)}</td>" for v, num in zip(row, numeric))
        + "</tr>\n" for row in shown.itertuples(index=False, name=None))
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}</tbody>\n</table>"


CSS = """body{font-family:"DejaVu Sans",Arial,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #bbb;padding:4px 8px}
th{background:#DDEBF7;text-align:left}td.num{text-align:right}img{max-width:100%}
.note{color:#555;font-size:90%}"""


def _html(views: dict[str, pd.DataFrame], lang: str, title: str,
          titles: dict[str, str]) -> str:
    now = dt.datetime.now().strftime(DATE_FORMAT)
    parts = [f"<h1>{html.escape(title)}</h1>",
             f'<p class="note">{LABELS[lang]["generated"]}: {now}</p>']
    for key in ("per_ward", "per_ward_module"):
        parts += [f"<h2>{LABELS[lang][key]}</h2>", _html_table(views[key], lang, titles)]
    parts.append(f'<p class="note">{DASH}: {LABELS[lang]["no_data"]}</p>')
    for caption, png in _charts(views["per_ward"], views["per_ward_module"], lang, titles):
        parts.append(f'<figure><figcaption><h2>{html.escape(caption)}</h2></figcaption>'
                     f'<img src="data:image/png;base64,{png}" alt="{html.escape(caption)}">'
                     "</figure>")
    body = "\n".join(parts)
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n<style>\n{CSS}\n</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")


def _save(path: Path, data: bytes) -> Path:
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


def _module_titles(learners: pd.DataFrame | None, given: dict | None) -> dict[str, str]:
    """Module titles found in the learner table, overridden by the caller's."""
    found = {}
    if learners is not None and {C.MODULE, C.MODULE_TITLE} <= set(learners.columns):
        found = dict(zip(learners[C.MODULE], learners[C.MODULE_TITLE]))
    return {k: _nfc(str(v)) for k, v in {**found, **(given or {})}.items()}


def write_report(tables: dict[str, pd.DataFrame], out_dir: str | Path, *, lang: str = "vi",
                 module_titles: dict[str, str] | None = None,
                 title: str = DEFAULT_TITLE) -> dict[str, Path]:
    """Write report.xlsx, report.html and the tidy CSV files into ``out_dir``.

    ``tables``: "per_ward", "per_ward_module", "learners" (grading.metrics outputs) and
    optionally "status". Returns {"xlsx", "html", "<table>_csv", ...} -> path.
    """
    _check_lang(lang)
    tidy = {k: _prepare(tables[k]) for k in VIEWS if tables.get(k) is not None}
    if "status" in tidy and tidy["status"].columns.empty:
        tidy["status"] = pd.DataFrame(columns=[C.LEARNER, C.MODULE, C.STATUS, C.REASON])
    titles = _module_titles(tidy["learners"], module_titles)
    if lang == "en" and title == DEFAULT_TITLE:
        title = LABELS[lang]["title"]
    out = Path(out_dir)
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    views = _views(tidy, titles)
    paths = {"xlsx": _save(out / "report.xlsx", _xlsx(views, lang, titles)),
             "html": _save(out / "report.html",
                           _html(views, lang, _nfc(title), titles).encode("utf-8"))}
    for key, frame in tidy.items():
        data = frame.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")
        paths[f"{key}_csv"] = _save(out / f"{key}.csv", data)
    return paths


def format_table(frame: pd.DataFrame, lang: str = "vi",
                 module_titles: dict[str, str] | None = None) -> str:
    """A plain-text table of ``frame`` (e.g. per_ward) with display headers, for the terminal."""
    _check_lang(lang)
    shown = _display(_prepare(frame), lang, _module_titles(None, module_titles))
    return shown.to_string(index=False)
