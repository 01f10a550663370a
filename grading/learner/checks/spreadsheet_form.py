"""The in-notebook form of the spreadsheet check, for learners without Excel or LibreOffice.

:func:`xlsx_form` reads the shipped workbook, lets the learner choose the sort column and
order, type the formulas of the summary cells and choose a chart, then writes a real .xlsx
(openpyxl) into the assignment folder, the same file Excel or LibreOffice would produce. The
check (``spreadsheet.xlsx``) judges that file, whichever way it was made. Display cell::

    from grading.learner.checks import spreadsheet_form as bangtinh_form
    bangtinh_form.xlsx_form("so_theo_doi_thang_10.xlsx", "so_theo_doi_da_xu_ly.xlsx",
                            {"H2": "Tổng số ngày xử lý", "H3": "Số hồ sơ Hộ tịch", …})
"""
from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as w

from grading.learner.checks.spreadsheet import norm, write_workbook

CHARTS = [("Không có biểu đồ", ""), ("Biểu đồ cột", "bar"), ("Biểu đồ tròn", "pie")]


def read_table(path: str | Path, sheet: str | None = None) -> tuple[list[str], list[list[Any]]]:
    from openpyxl import load_workbook

    wb = load_workbook(str(path))
    ws = wb[sheet] if sheet and sheet in wb.sheetnames else wb.worksheets[0]
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    header = [str(v) for v in values[0] if v is not None]
    rows = [r[:len(header)] for r in values[1:] if any(v is not None for v in r[:len(header)])]
    return header, rows


def _show(value: Any) -> str:
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else str(value)


def xlsx_form(source: str, target: str, summary: dict[str, str], *,
              sheet: str | None = None) -> w.VBox:
    """The form; writes ``target`` beside the notebook when the learner presses the button."""
    header, rows = read_table(source, sheet)
    letters = [chr(ord("A") + i) for i in range(len(header))]
    table = "".join(f"<th>{c}: {html.escape(h)}</th>" for c, h in zip(letters, header))
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_show(v))}</td>" for v in r) + "</tr>"
                   for r in rows)
    sort_col = w.Dropdown(options=[("(không sắp xếp)", "")] +
                          [(f"Cột {c} — {h}", c) for c, h in zip(letters, header)],
                          description="Sắp xếp theo", style={"description_width": "initial"})
    order = w.ToggleButtons(options=[("Tăng dần", "asc"), ("Giảm dần", "desc")], value="asc")
    boxes = {cell: w.Text(placeholder="=…", description=f"Ô {cell}: {label}",
                          style={"description_width": "initial"},
                          layout=w.Layout(width="34em"))
             for cell, label in summary.items()}
    chart = w.Dropdown(options=CHARTS, description="Biểu đồ", value="")
    button = w.Button(description=f"Tạo tệp {target}", icon="table",
                      layout=w.Layout(width="auto"))
    status = w.HTML()

    def on_save(_button):
        data = [list(r) for r in rows]
        if sort_col.value:
            col = letters.index(sort_col.value)
            data.sort(key=lambda r: (repr(type(norm(r[col]))), norm(r[col])),
                      reverse=order.value == "desc")
        formulas = {c: b.value for c, b in boxes.items() if b.value.strip()}
        bad = [c for c, f in formulas.items() if not f.strip().startswith("=")]
        if bad:
            status.value = html.escape(f"⚠ Công thức phải bắt đầu bằng dấu = (ô {', '.join(bad)}).")
            return
        write_workbook(Path(target), header, data, formulas, chart=chart.value,
                       sheet=sheet or "Sheet1", labels=summary)
        status.value = html.escape(f"✔ Đã tạo tệp {target} — có thể mở bằng Excel hoặc LibreOffice.")

    button.on_click(on_save)
    return w.VBox([w.HTML(f"<table><tr>{table}</tr>{body}</table>"), w.HBox([sort_col, order]),
                   *boxes.values(), chart, button, status])
