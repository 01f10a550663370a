"""The self-contained HTML page (opens offline): tables and three charts drawn with matplotlib
as inline PNG — completion per ward (bars), pass rate per ward × module (heatmap), completed
officials over time (lines). Also used by the dashboard for the same charts."""
from __future__ import annotations

import base64
import html
import io
import textwrap

import numpy as np
import pandas as pd

from grading import columns as C
from grading import settings
from grading.report.labels import DASH, DATE_FORMAT, LABELS, display, text
from grading.report.people import TOTAL_CODE

MAX_BARS, MAX_LINES = settings.HTML_MAX_BARS, settings.HTML_MAX_LINES
MAX_HTML_PEOPLE, MAX_HTML_ROWS = settings.HTML_MAX_PEOPLE, settings.HTML_MAX_ROWS
HTML_TABLES = ("per_province", "per_ward", "per_module", "per_position", "per_track",
               "per_ward_module", "conflicts")


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots()


def png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def lowest(per_ward: pd.DataFrame, n: int = MAX_BARS) -> pd.DataFrame:
    if len(per_ward) <= n:
        return per_ward
    return per_ward.sort_values([C.COMPLETION_RATE, C.WARD_CODE], na_position="first").head(n)


def rate_bars(per_ward: pd.DataFrame, lang: str):
    """Horizontal bars: completion rate per ward, first ward on top."""
    fig, ax = _figure(7.5, 1.2 + 0.35 * len(per_ward))
    rates = per_ward[C.COMPLETION_RATE].astype(float)
    ypos = np.arange(len(per_ward))
    ax.barh(ypos, rates.fillna(0.0), color="#2E75B6")
    for y, rate in zip(ypos, rates):
        ax.text(rate + 1 if pd.notna(rate) else 1, y, text(rate, C.COMPLETION_RATE, lang),
                va="center")
    ax.set_yticks(ypos, labels=list(per_ward[C.WARD_NAME]))
    ax.invert_yaxis()
    ax.set_xlim(0, 110)
    ax.set_xlabel(C.header(C.COMPLETION_RATE, lang))
    return fig


def heatmap(per_ward_module: pd.DataFrame, wards: pd.DataFrame, titles: dict, lang: str):
    """Pass rate per ward (rows) × module (columns); grey "—" where nobody is enrolled."""
    import matplotlib

    grid = per_ward_module.pivot_table(index=C.WARD_CODE, columns=C.MODULE,
                                       values=C.PASS_RATE, dropna=False)
    order = [w for w in wards[C.WARD_CODE] if w in grid.index]
    grid = grid.reindex(order or list(grid.index))
    names = dict(zip(wards[C.WARD_CODE], wards[C.WARD_NAME]))
    fig, ax = _figure(max(6.0, 3 + 1.4 * grid.shape[1]), 1.6 + 0.4 * len(grid))
    values = grid.to_numpy(dtype=float)
    cmap = matplotlib.colormaps["RdYlGn"].with_extremes(bad="#DDDDDD")
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=0, vmax=100, aspect="auto")
    for (i, j), value in np.ndenumerate(values):  # white on dark cells, black on light ones
        red, green, blue, _ = cmap(value / 100.0) if np.isfinite(value) else (1, 1, 1, 1)
        dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
        ax.text(j, i, text(value, C.PASS_RATE, lang), ha="center", va="center",
                color="white" if dark else "black", fontweight="bold")
    ax.set_xticks(range(grid.shape[1]),
                  labels=[textwrap.fill(titles.get(m, m), 18) for m in grid.columns])
    ax.set_yticks(range(len(grid)), labels=[names.get(w, w) for w in grid.index])
    fig.colorbar(image, ax=ax, label=C.header(C.PASS_RATE, lang))
    return fig


def time_lines(over_time: pd.DataFrame, lang: str):
    """Cumulative completions per day: all wards, and each ward when there are few."""
    fig, ax = _figure(7.5, 3.6)
    wards = [w for w in over_time[C.WARD_CODE].unique() if w != TOTAL_CODE]
    shown = ([TOTAL_CODE] if len(wards) != 1 else []) + (wards if len(wards) <= MAX_LINES
                                                         else [])
    for code in shown:
        part = over_time[over_time[C.WARD_CODE] == code]
        label = LABELS[lang]["all_wards"] if code == TOTAL_CODE else part[C.WARD_NAME].iloc[0]
        ax.step(pd.to_datetime(part[C.DATE]), part[C.CUM_COMPLETED], where="post",
                label=label, linewidth=2.5 if code == TOTAL_CODE else 1.2)
    ax.set_ylabel(C.header(C.CUM_COMPLETED, lang))
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", fontsize=8)
    fig.autofmt_xdate()
    return fig


def charts(views: dict[str, pd.DataFrame], lang: str, titles: dict) -> list[tuple[str, str]]:
    """(caption, base64 PNG) pairs, drawn on Agg canvases (no pyplot, no global backend)."""
    import matplotlib

    out = []
    per_ward = views.get("per_ward", pd.DataFrame())
    some = lowest(per_ward)
    note = f" — {LABELS[lang]['lowest'].format(len(some))}" if len(some) < len(per_ward) else ""
    with matplotlib.rc_context({"font.family": "DejaVu Sans", "font.size": 9}):
        if len(per_ward):
            out.append((LABELS[lang]["chart_rate"] + note, png(rate_bars(some, lang))))
        pwm = views.get("per_ward_module", pd.DataFrame())
        if len(pwm):
            out.append((LABELS[lang]["chart_heat"] + note,
                        png(heatmap(pwm, some, titles, lang))))
        ot = views.get("over_time", pd.DataFrame())
        if len(ot):
            out.append((LABELS[lang]["chart_time"], png(time_lines(ot, lang))))
    return out


def table_html(frame: pd.DataFrame, lang: str, titles: dict[str, str]) -> str:
    shown = display(frame, lang, titles)
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(
        frame[c]) for c in frame.columns]
    head = "".join(f"<th>{html.escape(h)}</th>" for h in shown.columns)
    rows = "".join(
        "<tr>" + "".join(f'<td class="num">{html.escape(v)}</td>' if num
                         else f"<td>{html.escape(v)}</td>" for v, num in zip(row, numeric))
        + "</tr>\n" for row in shown.itertuples(index=False, name=None))
    return (f'<div class="scroll"><table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}'
            "</tbody>\n</table></div>")


CSS = """body{font-family:"DejaVu Sans",Arial,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #bbb;padding:4px 8px}
th{background:#DDEBF7;text-align:left}td.num{text-align:right}img{max-width:100%}
.note{color:#555;font-size:90%}.scroll{overflow-x:auto}
.warn{color:#8a1f11;background:#fdecea;padding:.5em;border-left:4px solid #b00020}"""


def render_html(views: dict[str, pd.DataFrame], lang: str, titles: dict, meta: dict) -> str:
    labels = LABELS[lang]
    now = settings.vn_now().strftime(DATE_FORMAT)
    as_of = meta["as_of"].strftime("%d/%m/%Y")
    parts = [f"<h1>{html.escape(meta['title'])}</h1>",
             f'<p class="note">{labels["generated"]}: {now}. {labels["as_of"]}: {as_of}.</p>']
    status = views.get("status")
    if status is not None and C.UNSANDBOXED in status and status[C.UNSANDBOXED].any():
        count = int(status[C.UNSANDBOXED].sum())
        parts.append(f'<p class="warn">{html.escape(labels["unsandboxed"].format(count))}</p>')
    for caption, image in charts(views, lang, titles):
        parts.append(f'<figure><figcaption><h2>{html.escape(caption)}</h2></figcaption>'
                     f'<img src="data:image/png;base64,{image}" alt="{html.escape(caption)}">'
                     "</figure>")
    for key in HTML_TABLES:
        if key not in views:
            continue
        parts.append(f"<h2>{labels[key]}</h2>")
        if len(views[key]) <= MAX_HTML_ROWS:
            parts.append(table_html(views[key], lang, titles))
        else:
            parts.append(f'<p class="note">{labels["too_long"].format(len(views[key]))}</p>')
    parts.append(f'<p class="note">{DASH}: {labels["no_data"]}</p>')
    parts.append(f'<h2>{labels["definitions_title"]}</h2>'
                 f'<p class="note definitions">{html.escape(labels["definitions"])}</p>')
    people = views.get("not_completed")
    if people is not None:
        parts.append(f"<h2>{labels['not_completed']}</h2>")
        if len(people) <= MAX_HTML_PEOPLE:
            parts.append(table_html(people, lang, titles))
        else:
            parts.append(f'<p class="note">{labels["see_xlsx"].format(len(people))}</p>')
    body = "\n".join(parts)
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(meta['title'])}</title>\n<style>\n{CSS}\n</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")
