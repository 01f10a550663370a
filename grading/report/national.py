"""National roll-up (`congvu report --merge WS1 WS2 … --out OUT`): province workspaces of one
course in one report, with a province column and per-province, per-commune (with its province)
and per-position views.

An official is counted once. A learner id found in more than one workspace is counted in the
first workspace (in the order given) where the official is still active, else the first one;
every such id is listed in the "conflicts" table with each province that holds it and where it
was counted, so HR can correct the rosters.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from grading import columns as C
from grading.course.workspace import Workspace, open_workspace
from grading.errors import KitError, problem
from grading.report import metrics
from grading.report import tables as summary

ORDER = "_source"


def parse_sources(items: list[str | Path]) -> list[tuple[str, Path]]:
    """(province, workspace) pairs from ``NAME=PATH`` or ``PATH`` items; an item that is a file
    lists such entries one per line (blank lines and ``#`` comments ignored). The province name
    defaults to the workspace folder's name."""
    out = []
    for item in items:
        item = str(item)
        name, _, path = item.rpartition("=") if "=" in item else ("", "", item)
        if not name and Path(path).is_file():
            lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
            out += parse_sources([s.strip() for s in lines if s.strip()
                                  and not s.strip().startswith("#")])
            continue
        out.append((name.strip() or Path(path).resolve().name, Path(path.strip())))
    names = [n for n, _ in out]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice or len(out) < 2:
        why = (f"tên tỉnh trùng nhau: {', '.join(twice)}" if twice
               else "cần ít nhất hai thư mục làm việc để tổng hợp")
        raise KitError(problem(why, "ghi mỗi tỉnh một lần, dạng TÊN_TỈNH=ĐƯỜNG_DẪN",
                               message_en="duplicate province names" if twice
                               else "at least two workspaces are needed to merge",
                               fix_en="name each province once, as NAME=PATH"))
    return out


def _check_same_course(opened: list[tuple[str, Workspace]]) -> None:
    first_name, first = opened[0]
    modules = [m.id for m in first.manifest.modules]
    for name, ws in opened[1:]:
        if ws.course_id != first.course_id or [m.id for m in ws.manifest.modules] != modules:
            raise KitError(problem(
                f"thư mục của {name} không cùng khóa học với {first_name} "
                f"({ws.course_id} ≠ {first.course_id} hoặc danh sách học phần khác)",
                "chỉ tổng hợp các tỉnh dùng cùng course.yml", file=str(ws.root),
                message_en=f"{name} does not share the course of {first_name}",
                fix_en="merge only workspaces made from the same course.yml"))


def resolve_conflicts(lm: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(lm with each learner in one province only, the conflicts table). ``lm`` carries
    PROVINCE and ORDER (the workspace's position in the list). Pure."""
    cols = [C.LEARNER, C.NAME, C.PROVINCE, C.WARD_CODE, C.WARD_NAME, C.ACTIVE, ORDER]
    who = lm[[c for c in cols if c in lm]].drop_duplicates([C.LEARNER, C.PROVINCE])
    dup = who[who.duplicated(C.LEARNER, keep=False)]
    if dup.empty:
        return lm, pd.DataFrame(columns=[c for c in cols if c != ORDER] + [C.COUNTED_IN])
    keep = dup.sort_values([C.LEARNER, C.ACTIVE, ORDER], ascending=[True, False, True]
                           ).drop_duplicates(C.LEARNER)
    counted = dict(zip(keep[C.LEARNER], keep[C.PROVINCE]))
    conflicts = dup.assign(**{C.COUNTED_IN: dup[C.LEARNER].map(counted)}).sort_values(
        [C.LEARNER, ORDER]).drop(columns=ORDER).reset_index(drop=True)
    drop = lm[C.LEARNER].isin(counted) & (lm[C.LEARNER].map(counted) != lm[C.PROVINCE])
    return lm[~drop], conflicts


def merged_learner_modules(sources: list[tuple[str, Path]], lang: str = "vi", *,
                           as_of: dt.date | None = None):
    """(learner × module table of every province, statuses, conflicts, first workspace)."""
    opened = [(name, open_workspace(path)) for name, path in sources]
    _check_same_course(opened)
    parts, statuses = [], []
    for order, (name, ws) in enumerate(opened):
        lm, status = summary.learner_modules(ws, lang, as_of=as_of)
        parts.append(lm.astype({c: object for c in lm.columns if isinstance(
            lm[c].dtype, pd.CategoricalDtype)}).assign(**{C.PROVINCE: name, ORDER: order}))
        if not status.empty:
            statuses.append(status.assign(**{C.PROVINCE: name}))
    lm, conflicts = resolve_conflicts(pd.concat(parts, ignore_index=True))
    lm = metrics._categorical(lm.drop(columns=ORDER)).astype({C.PROVINCE: "category"})
    status = pd.concat(statuses, ignore_index=True) if statuses else pd.DataFrame()
    if not status.empty:  # statuses of a duplicate id only where the official is counted
        counted = lm[[C.LEARNER, C.PROVINCE]].drop_duplicates().astype(object)
        status = status.merge(counted, on=[C.LEARNER, C.PROVINCE])
    return lm, status, conflicts, opened[0][1]


def _with_province(frame: pd.DataFrame, where: pd.Series) -> pd.DataFrame:
    """``frame`` with the province of its learner as the first column."""
    if C.LEARNER not in frame or frame.empty:
        return frame
    out = frame.copy()
    out.insert(0, C.PROVINCE, out[C.LEARNER].astype(object).map(where))
    return out


def national_tables(lm: pd.DataFrame, status: pd.DataFrame | None, conflicts: pd.DataFrame,
                    titles: dict[str, str] | None = None) -> dict[str, pd.DataFrame]:
    """The usual report tables plus per_province and conflicts; per_ward, learner sheets and
    status carry the province. Pure."""
    tables = summary.tables_from(lm, status, titles)
    roll = metrics.learner_rollup(lm, [C.PROVINCE])
    tables["per_province"] = metrics._by_learner_group(lm, [C.PROVINCE], passed=True, roll=roll)
    tables["per_ward"] = metrics._by_learner_group(
        lm, [C.PROVINCE, *metrics.WARD_KEYS], passed=True, roll=roll).sort_values(
        [C.PROVINCE, C.WARD_CODE], ignore_index=True)
    where = lm.drop_duplicates(C.LEARNER).set_index(C.LEARNER)[C.PROVINCE].astype(object)
    where.index = where.index.astype(object)
    for key in ("learner_sheet", "not_completed", "people"):
        tables[key] = _with_province(tables[key], where)
    tables["conflicts"] = conflicts
    return tables


def merge_command(sources: list[tuple[str, Path]], out: Path, *, lang: str = "vi",
                  as_of: dt.date | None = None) -> dict:
    """Write the national report into ``out``; returns "paths", "per_ward" (the compact
    per-province table for the terminal), "titles" and "conflicts" (the table)."""
    from grading.report import labels
    from grading.report import write as report

    lm, status, conflicts, first = merged_learner_modules(sources, lang, as_of=as_of)
    titles = {m.id: m.title.get(lang) for m in first.manifest.modules}
    tables = national_tables(lm, status, conflicts, titles)
    title = f"{labels.LABELS[lang]['title']} — {labels.LABELS[lang]['per_province']}"
    paths = report.write_report(tables, out, lang=lang, module_titles=titles, title=title,
                                as_of=as_of)
    compact = [C.PROVINCE, C.ENROLLED, C.N_COMPLETED, C.COMPLETION_RATE, C.N_OVERDUE]
    return {"paths": paths, "per_ward": tables["per_province"][compact], "titles": titles,
            "conflicts": conflicts}
