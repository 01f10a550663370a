"""HR dashboard (run by Voila from dashboard/hr_dashboard.ipynb, `make dashboard`).

Filters by ward, module and position; key figures, the report's three charts, the per-ward
table, the officials to chase (cần đôn đốc: required modules neither passed nor waiting for
the trainer) with their missing modules, and the Excel report of the current selection: one
click on the download link for selections up to ``LINK_ROWS`` rows, else a button builds it.
Everything is computed with the same functions as `congvu report` (summary, metrics).
"""
from __future__ import annotations

import base64
import datetime as dt
import html
from pathlib import Path

import pandas as pd

from grading import columns as C
from grading import settings

ALL = "__all__"
TABLE_ROWS = 200
CHASE_ROWS = 300       # officials to chase shown in the page (the Excel file has them all)
LINK_ROWS = 20_000     # learner × module rows up to which the Excel link is ready at once
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT = {
    "vi": {"title": "Theo dõi bồi dưỡng cán bộ, công chức cấp xã", "ward": "Đơn vị",
           "module": "Học phần", "position": "Chức vụ", "all": "Tất cả",
           "enrolled": "Số cán bộ", "completed": "Hoàn thành", "rate": "Tỷ lệ hoàn thành",
           "overdue": "Quá hạn", "excel": "Tạo tệp Excel", "download": "Tải báo cáo Excel",
           "busy": "Đang tạo tệp…", "as_of": "Tính quá hạn đến ngày",
           "chase": "Cần đôn đốc", "chase_none": "Không có ai cần đôn đốc.",
           "chase_cols": ("Đơn vị", "Họ và tên", "Chức vụ", "Học phần còn thiếu",
                          "Số ngày quá hạn")},
    "en": {"title": "Commune officials' training", "ward": "Ward", "module": "Module",
           "position": "Position", "all": "All", "enrolled": "Officials",
           "completed": "Completed", "rate": "Completion rate", "overdue": "Overdue",
           "excel": "Build Excel file", "download": "Download the Excel report",
           "busy": "Building…", "as_of": "Overdue judged on",
           "chase": "To chase", "chase_none": "Nobody to chase.",
           "chase_cols": ("Ward", "Name", "Position", "Modules still to do", "Days overdue")},
}


def select(lm: pd.DataFrame, ward: str = ALL, module: str = ALL,
           position: str = ALL) -> pd.DataFrame:
    """The learner × module rows of the current filters (pure)."""
    keep = pd.Series(True, index=lm.index)
    if ward != ALL:
        keep &= lm[C.WARD_CODE] == ward
    if module != ALL:
        keep &= lm[C.MODULE] == module
    if position != ALL:
        keep &= lm[C.POSITION] == position
    return lm[keep]


def figures(per_ward: pd.DataFrame) -> dict[str, float]:
    """Key figures of a per-ward table: enrolled, completed, rate (%), overdue."""
    enrolled = int(per_ward[C.ENROLLED].sum()) if len(per_ward) else 0
    completed = int(per_ward[C.N_COMPLETED].sum()) if len(per_ward) else 0
    overdue = int(per_ward[C.N_OVERDUE].sum()) if len(per_ward) else 0
    rate = round(100.0 * completed / enrolled, 1) if enrolled else 0.0
    return {"enrolled": enrolled, "completed": completed, "rate": rate, "overdue": overdue}


def to_chase(lm: pd.DataFrame, titles: dict[str, str] | None = None) -> pd.DataFrame:
    """Active officials with a required module neither passed nor waiting for the trainer
    (pure): ward, name, position, those modules (titles), days overdue (0 if not yet due);
    most overdue first, then by ward and name. Free text awaiting grading is not their fault."""
    titles = titles or {}
    awaiting = lm[C.AWAITING] if C.AWAITING in lm else False
    active = lm[C.ACTIVE] if C.ACTIVE in lm else True
    todo = lm[lm[C.REQUIRED] & ~lm[C.PASSED] & ~awaiting & active]
    cols = [C.WARD_CODE, C.WARD_NAME, C.LEARNER, C.NAME, C.POSITION]
    if todo.empty:
        return pd.DataFrame(columns=[*cols, C.MISSING, C.DAYS_LATE])
    todo = todo.assign(_title=todo[C.MODULE].astype(str).map(lambda m: titles.get(m, m)),
                       _late=todo[C.DAYS_LATE].where(todo[C.OVERDUE], 0))
    out = todo.groupby([c for c in cols], observed=True, sort=False).agg(
        **{C.MISSING: ("_title", lambda t: "; ".join(sorted(t))),
           C.DAYS_LATE: ("_late", "max")}).reset_index()
    return out.sort_values([C.DAYS_LATE, C.WARD_CODE, C.NAME], ascending=[False, True, True],
                           ignore_index=True)


def chase_html(chase: pd.DataFrame, lang: str) -> str:
    """The "cần đôn đốc" table (first ``CHASE_ROWS`` rows)."""
    t = TEXT[lang]
    if chase.empty:
        return f"<h3>{t['chase']}</h3><p>{t['chase_none']}</p>"
    head = "".join(f"<th>{html.escape(c)}</th>" for c in t["chase_cols"])
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in (
            r[C.WARD_NAME], r[C.NAME], r[C.POSITION], r[C.MISSING],
            r[C.DAYS_LATE] if r[C.DAYS_LATE] else "—")) + "</tr>"
        for _, r in chase.head(CHASE_ROWS).iterrows())
    more = (f"<p>… +{len(chase) - CHASE_ROWS}</p>" if len(chase) > CHASE_ROWS else "")
    return (f'<h3>{t["chase"]} ({len(chase)})</h3><table class="cv-chase" data-chase='
            f'"{len(chase)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}')


def _kpis(values: dict, lang: str) -> str:
    t = TEXT[lang]
    rate = f"{values['rate']:.1f}".replace(".", "," if lang == "vi" else ".") + " %"
    boxes = [("enrolled", t["enrolled"], values["enrolled"]),
             ("completed", t["completed"], values["completed"]), ("rate", t["rate"], rate),
             ("overdue", t["overdue"], values["overdue"])]
    cells = "".join(
        f'<div class="cv-kpi"><div class="cv-kpi-label">{html.escape(label)}</div>'
        f'<div class="cv-kpi-value" data-kpi="{key}">{value}</div></div>'
        for key, label, value in boxes)
    style = ("<style>.cv-kpis{display:flex;gap:12px;margin:8px 0}.cv-kpi{border:1px solid #bbb;"
             "border-radius:6px;padding:8px 16px;min-width:140px}.cv-kpi-label{color:#555}"
             ".cv-kpi-value{font-size:26px;font-weight:bold;color:#1F4E79}</style>")
    return f'{style}<div class="cv-kpis">{cells}</div>'


def app(workspace: str | Path, *, lang: str = "vi", as_of: dt.date | None = None,
        wards: list[str] | None = None):
    """The dashboard widget for a workspace; ``wards``: only these communes' officials
    (a chairman under the hub), None = every commune."""
    import ipywidgets as W

    from grading.course.workspace import open_workspace
    from grading.report import labels
    from grading.report import tables as summary
    from grading.report import write as report
    from grading.report.html import charts, table_html
    from grading.report.xlsx import render_xlsx

    t = TEXT[lang]
    ws = open_workspace(workspace)
    as_of = as_of or settings.vn_today()
    lm, _ = summary.learner_modules(ws, lang, as_of=as_of)
    lm = lm[lm[C.ACTIVE]] if C.ACTIVE in lm else lm
    if wards is not None:  # filtered before any control is built: nothing else can be chosen
        lm = lm[lm[C.WARD_CODE].astype(str).isin([str(w) for w in wards])]
    titles = {m.id: m.title.get(lang) for m in ws.manifest.modules}
    wards = lm[[C.WARD_CODE, C.WARD_NAME]].drop_duplicates(C.WARD_CODE).sort_values(C.WARD_CODE)
    ward = W.Dropdown(description=t["ward"], options=[(t["all"], ALL)] + [
        (f"{c} — {n}", c) for c, n in wards.itertuples(index=False, name=None)])
    module = W.Dropdown(description=t["module"], options=[(t["all"], ALL)] + [
        (titles.get(m, m), m) for m in titles])
    position = W.Dropdown(description=t["position"], options=[(t["all"], ALL)] + [
        (p, p) for p in sorted(pd.unique(lm[C.POSITION].astype(str)))])
    kpis, pictures, table, chase = W.HTML(), W.HTML(), W.HTML(), W.HTML()
    button = W.Button(description=t["excel"], icon="file-excel-o", button_style="success")
    link = W.HTML()
    state = {}

    def refresh(_=None):
        link.value = ""  # never leave the previous selection's file to click
        part = select(lm, ward.value, module.value, position.value)
        tables = summary.tables_from(part, None, titles)
        views = {k: labels.prepare(v) for k, v in report.views_of(tables, titles).items()}
        state.update(views=views)
        kpis.value = _kpis(figures(tables["per_ward"]), lang)
        pictures.value = "".join(
            f'<figure><figcaption><b>{html.escape(caption)}</b></figcaption>'
            f'<img style="max-width:100%" src="data:image/png;base64,{png}"></figure>'
            for caption, png in charts(views, lang, titles))
        shown = views["per_ward"].head(TABLE_ROWS)
        table.value = f'<div class="cv-table">{table_html(shown, lang, titles)}</div>'
        chase.value = chase_html(to_chase(part, titles), lang)
        if len(part) <= LINK_ROWS:  # small selections: the download is one click away
            build_excel()

    def build_excel(_=None):
        link.value = t["busy"]
        meta = {"title": labels.LABELS[lang]["title"], "as_of": as_of,
                "pass_marks": {m.id: m.pass_mark for m in ws.manifest.modules}}
        data = base64.b64encode(render_xlsx(state["views"], lang, titles, meta)).decode("ascii")
        name = "bao_cao.xlsx" if ward.value == ALL else f"bao_cao_{ward.value}.xlsx"
        link.value = (f'<a class="cv-download" download="{name}" href="data:{XLSX_MIME};'
                      f'base64,{data}">⬇ {html.escape(t["download"])} ({name})</a>')

    for control in (ward, module, position):
        control.observe(refresh, names="value")
    button.on_click(build_excel)
    refresh()
    head = W.HTML(f"<h2>{html.escape(t['title'])}</h2><p>{html.escape(ws.manifest.title.get(lang))}"
                  f" — {t['as_of']}: {as_of.strftime('%d/%m/%Y')}</p>")
    return W.VBox([head, W.HBox([ward, module, position]), kpis, W.HBox([button, link]),
                   chase, pictures, table])


REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "dashboard" / "hr_dashboard.ipynb"
TEMPLATES = REPO / "dashboard" / "share"  # the "congvu" Voila template (no CDN requests)
# Installed JupyterLab extensions that need JupyterLab itself and fail inside Voila.
NOT_IN_VOILA = ["@jupyter/nbgrader", "@jupyter-notebook/lab-extension",
                "@voila-dashboards/jupyterlab-preview"]


def serve_command(workspace: str | Path, *, port: int = 8866, ip: str = "127.0.0.1",
                  notebook: Path = NOTEBOOK) -> tuple[list[str], dict[str, str]]:
    """(argv, extra environment) that serve the dashboard of ``workspace`` with Voila
    (or another notebook of dashboard/, e.g. the trainer's grading page)."""
    import os
    import sys

    voila = str(Path(sys.executable).parent / "voila")
    argv = [voila, str(notebook), f"--port={port}", f"--Voila.ip={ip}", "--no-browser",
            "--template=congvu", "--theme=light",
            *(f"--VoilaConfiguration.extension_denylist={name}" for name in NOT_IN_VOILA),
            settings.staff_csp_arg("Voila")]
    paths = [str(TEMPLATES), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
    env = {"CONGVU_WORKSPACE": str(Path(workspace).resolve()),
           "JUPYTER_PATH": os.pathsep.join(paths)}
    return argv, env
