"""Report stage: Excel workbook, self-contained HTML page and tidy CSV files for HR.

HR sees Vietnamese (NFC) by default, English with ``lang="en"``. CSV files keep the internal
column names and raw values; the workbook and the page use display headers and formats.
Every file is written atomically with owner-only permissions (it holds personal data).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from grading import columns as C
from grading import settings
from grading.errors import KitError, problem
from grading.files import write_atomic
from grading.report import fork
from grading.report.csv_text import csv_text
from grading.report.html import HTML_TABLES, render_html
from grading.report.labels import (
    DEFAULT_TITLE,
    LABELS,
    check_lang,
    display,
    nfc_value,
    no_formulas,
    prepare,
)
from grading.report.xlsx import render_xlsx
from grading.status import label as status_label

# Workbook sheets in order (table key); "status" only when given.
SHEETS = ("per_province", "per_ward", "per_module", "per_ward_module", "per_position", "per_track",
          "learner_sheet", "not_completed", "over_time", "status", "conflicts",
          "attempts_per_ward", "draws")
# Shown only when they hold something: retakes taken, pool items drawn.
WHEN_USED = {"attempts_per_ward": C.N_RETOOK, "draws": None}  # None: shown when not empty
# CSV file stem -> table key; "learner_modules" is the slim learner × module table.
CSV_TABLES = {"per_ward": "per_ward", "per_module": "per_module",
              "per_ward_module": "per_ward_module", "per_position": "per_position",
              "per_track": "per_track", "learners": "people", "learner_modules": "learners",
              "not_completed": "not_completed", "over_time": "over_time", "status": "status",
              "per_province": "per_province", "conflicts": "conflicts",
              "attempts": "attempts_per_ward", "pool_draws": "draws"}
# learner_modules.csv: ids only (names are in learners.csv), one row per learner × module
# that is required or was submitted.
LEARNER_MODULE_VIEW = (C.LEARNER, C.MODULE, C.REQUIRED, C.SUBMITTED, C.TIMESTAMP, C.SCORE,
                       C.MAX_SCORE, C.PERCENT, C.PASSED, C.PENDING, C.DUE, C.OVERDUE,
                       C.DAYS_LATE, C.ATTEMPT, C.N_ATTEMPTS, C.DRAWN)
STATUS_VIEW = (C.WARD_CODE, C.WARD_NAME, C.LEARNER, C.NAME, C.MODULE, C.MODULE_TITLE,
               C.STATUS, C.REASON, C.UNSANDBOXED)  # new columns last: keep positions


def save(path: Path, data) -> Path:
    """Write atomically with owner-only permissions (the files hold personal data); ``data``
    is bytes or a function writing the given temporary path."""
    try:
        return write_atomic(path, data)
    except PermissionError as exc:  # e.g. report.xlsx open in Excel on Windows
        raise KitError(problem("không ghi được tệp (có thể đang mở trong Excel)",
                               "đóng tệp rồi chạy lại", file=str(path),
                               message_en="cannot write the file (open in Excel?)",
                               fix_en="close it and run again")) from exc


def titles_of(learners: pd.DataFrame | None, given: dict | None) -> dict[str, str]:
    """Module titles found in the learner table, overridden by the caller's."""
    found = {}
    if learners is not None and {C.MODULE, C.MODULE_TITLE} <= set(learners.columns):
        pairs = learners[[C.MODULE, C.MODULE_TITLE]].drop_duplicates(C.MODULE)
        found = dict(zip(pairs[C.MODULE], pairs[C.MODULE_TITLE]))
    return {k: nfc_value(str(v)) for k, v in {**found, **(given or {})}.items()}


def views_of(tables: dict, titles: dict[str, str]) -> dict[str, pd.DataFrame]:
    """Display frames (raw values, display subset and order) for the workbook and HTML."""
    views = {k: tables[k] for k in SHEETS if tables.get(k) is not None}
    for key, col in WHEN_USED.items():
        frame = views.get(key)
        if frame is not None and (frame.empty or col is not None and (
                col not in frame or not frame[col].fillna(0).astype(bool).any())):
            del views[key]
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
    return out.astype({c: "Int64" for c in (C.ATTEMPT, C.N_ATTEMPTS) if c in out})


def write_report(tables: dict[str, pd.DataFrame], out_dir: str | Path, *, lang: str = "vi",
                 module_titles: dict[str, str] | None = None, title: str = DEFAULT_TITLE,
                 as_of: dt.date | None = None, stem: str = "report",
                 csv: bool = True) -> dict[str, Path]:
    """Write ``{stem}.xlsx``, ``{stem}.html`` and (``csv``) the tidy CSV files.

    ``tables``: ``summary.tables_from`` output. Returns {"xlsx", "html", "<table>_csv"} -> path.
    """
    check_lang(lang)
    titles = titles_of(tables.get("learners"), module_titles)
    if lang == "en" and title == DEFAULT_TITLE:
        title = LABELS[lang]["title"]
    out = Path(out_dir)
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    jobs = _csv_jobs(tables, out) if csv else []
    big = len(tables.get("learners", ())) >= fork.PARALLEL_ROWS

    def workbook() -> dict[str, Path]:
        views, meta = _views(tables, lang, titles, title, as_of)
        return {"xlsx": save(out / f"{stem}.xlsx", render_xlsx(views, lang, titles, meta))}

    def page_and_csvs() -> dict[str, Path]:  # by a forked child meanwhile, on a large cohort
        views, meta = _views(tables, lang, titles, title, as_of, HTML_VIEWS)
        page = render_html(views, lang, titles, meta).encode("utf-8")
        return {"html": save(out / f"{stem}.html", page), **_write_csvs(jobs)}

    return fork.both(workbook, page_and_csvs, parallel=big)


# The tables the HTML page shows (the workbook shows them all).
HTML_VIEWS = (*HTML_TABLES, "over_time", "status", "not_completed")


def _views(tables: dict, lang: str, titles: dict, title: str, as_of: dt.date | None,
           keys: tuple[str, ...] | None = None) -> tuple[dict[str, pd.DataFrame], dict]:
    """(display frames of ``keys`` or of every sheet, the documents' title, day, pass marks)."""
    chosen = views_of(tables, titles)
    views = {k: prepare(v) for k, v in chosen.items() if keys is None or k in keys}
    if "status" in views and C.STATUS in views["status"]:
        views["status"] = views["status"].assign(
            **{C.STATUS: views["status"][C.STATUS].map(lambda s: status_label(s, lang))})
    marks = {}
    if tables.get("learners") is not None and C.PASS_MARK in tables["learners"]:
        lm = tables["learners"]
        marks = dict(zip(lm[C.MODULE], lm[C.PASS_MARK]))
    meta = {"title": nfc_value(title), "as_of": as_of or settings.vn_today(), "pass_marks": marks}
    return views, meta


def _csv_jobs(tables: dict, out: Path) -> list[tuple[Path, object]]:
    """(path, writer) of every CSV file, in CSV_TABLES order."""
    jobs = []
    for name, key in CSV_TABLES.items():
        frame = tables.get(key)
        if frame is None:
            continue
        if key == "status" and frame.columns.empty:
            frame = pd.DataFrame(columns=[C.LEARNER, C.MODULE, C.STATUS, C.REASON])
        view = _learner_modules if name == "learner_modules" else None
        jobs.append((out / f"{name}.csv", _csv_writer(frame, view)))
    return jobs


def _write_csvs(jobs: list) -> dict[str, Path]:
    return {f"{path.stem}_csv": save(path, writer) for path, writer in jobs}


CSV_CHUNK = 250_000  # rows converted and written at a time: memory is set by a chunk


def _used_categories(part: pd.DataFrame) -> pd.DataFrame:
    """A chunk whose category columns keep only the categories it uses (a chunk of the
    learner × module table uses a few thousand of 250,000 learner ids: each id is then
    normalized once per chunk that holds it, not once per chunk)."""
    many = [c for c in part.columns if isinstance(part[c].dtype, pd.CategoricalDtype)
            and len(part[c].cat.categories) > len(part) // 4]
    return part.assign(**{c: part[c].cat.remove_unused_categories() for c in many})


def _csv_writer(frame: pd.DataFrame, view=None):
    """A function writing ``frame`` (each chunk through ``view``) as UTF-8 CSV with a BOM
    (Excel opens it with the right accents), CSV_CHUNK rows at a time."""
    def write(path: str) -> None:
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            for start in range(0, max(len(frame), 1), CSV_CHUNK):
                part = _used_categories(frame.iloc[start:start + CSV_CHUNK])
                part = view(part) if view else part
                handle.write(csv_text(no_formulas(prepare(part)), header=start == 0))
    return write


def format_table(frame: pd.DataFrame, lang: str = "vi",
                 module_titles: dict[str, str] | None = None) -> str:
    """A plain-text table of ``frame`` (e.g. per_ward) with display headers, for the terminal."""
    check_lang(lang)
    shown = display(prepare(frame), lang, titles_of(None, module_titles))
    return shown.to_string(index=False)
