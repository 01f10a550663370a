"""`congvu report`: the whole report, one ward's (--ward), and one file per ward
(--split-by-ward) for sending to each commune chairman with only that ward's people."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from grading import columns as C
from grading.course import manual
from grading.report import labels
from grading.report import tables as summary
from grading.report import write as report
from grading.vntext import slug

SPLIT_DIR = "theo_don_vi"


def ward_files(lm, status, out: Path, *, lang: str, titles: dict, title: str,
               as_of: dt.date | None) -> list[Path]:
    """OUT/theo_don_vi/<code>_<name>.xlsx and .html for every ward of ``lm``."""
    written = []
    wards = lm[[C.WARD_CODE, C.WARD_NAME]].drop_duplicates(C.WARD_CODE).sort_values(C.WARD_CODE)
    for code, name in wards.itertuples(index=False, name=None):
        part, part_status = summary.only_wards(lm, status, [code])
        tables = summary.tables_from(part, part_status, titles)
        paths = report.write_report(tables, out / SPLIT_DIR, lang=lang, module_titles=titles,
                                    title=f"{title} — {name}", as_of=as_of,
                                    stem=f"{code}_{slug(name)}", csv=False)
        written += [paths["xlsx"], paths["html"]]
    return written


def manual_audit(ws, learners: set[str] | None = None):
    """The workspace's hand-grading audit log, limited to ``learners`` if given."""
    audit = manual.audit_log(ws.root)
    return audit if learners is None else audit[audit["hoc_vien"].isin(learners)]


def report_command(ws, out: Path, *, lang: str = "vi", wards: list[str] | None = None,
                   split: bool = False, as_of: dt.date | None = None,
                   docx: bool = False) -> dict:
    """Write the report (and with ``split`` one file per ward) into ``out``.

    Returns the paths written ("xlsx", "html", "<table>_csv"), "per_ward" (the compact table
    for the terminal), "titles" and, with ``split``, "split" (the per-ward files), with
    ``docx`` "docx" (one signable .docx per ward of the selection, ``docx_files``).
    """
    lm, status = summary.learner_modules(ws, lang, as_of=as_of)
    if wards:
        lm, status = summary.only_wards(lm, status, wards)
    titles = {m.id: m.title.get(lang) for m in ws.manifest.modules}
    title = labels.LABELS[lang]["title"]
    if wards and len(wards) == 1:
        title = f"{title} — {lm[C.WARD_NAME].iloc[0]}"
    tables = summary.tables_from(lm, status, titles)
    paths = report.write_report(tables, out, lang=lang, module_titles=titles, title=title,
                                as_of=as_of)
    audit = manual_audit(ws, set(lm[C.LEARNER]) if wards else None)
    if not audit.empty:  # who changed which hand grade, when, old → new
        data = audit.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")
        paths["manual_audit_csv"] = report.save(Path(out) / manual.AUDIT_FILE, data)
    compact = [C.WARD_CODE, C.WARD_NAME, C.ENROLLED, C.N_COMPLETED, C.COMPLETION_RATE,
               C.N_OVERDUE]
    result = {"paths": paths, "per_ward": tables["per_ward"][compact], "titles": titles,
              "split_dir": Path(out) / SPLIT_DIR}
    if split:
        result["split"] = ward_files(lm, status, Path(out), lang=lang, titles=titles,
                                     title=labels.LABELS[lang]["title"], as_of=as_of)
    if docx:
        result["docx"] = docx_files(lm, Path(out), titles=titles, as_of=as_of)
    return result


def docx_files(lm, out: Path, *, titles: dict, as_of: dt.date | None) -> list[Path]:
    """OUT/bao_cao_<code>_<name>.docx, the report each ward's chairman signs."""
    from grading.report import docx
    from grading.settings import LOCAL_TZ

    day = as_of or dt.datetime.now(LOCAL_TZ).date()
    written = []
    wards = lm[[C.WARD_CODE, C.WARD_NAME]].drop_duplicates(C.WARD_CODE).sort_values(C.WARD_CODE)
    for code, name in wards.itertuples(index=False, name=None):
        part = lm[lm[C.WARD_CODE] == code]
        written.append(docx.write_ward_docx(
            out / f"bao_cao_{code}_{slug(name)}.docx", ward_code=str(code), ward_name=str(name),
            figures=docx.ward_figures(part, titles), as_of=day))
    return written
