"""Hands-on check: a real .xlsx workbook the learner sorted, gave formulas and a chart.

The learner starts from a shipped workbook (e.g. ``so_theo_doi_thang_10.xlsx``) and saves the
result under another name in the assignment folder, in one of two ways: in Excel or LibreOffice
Calc (then uploads it into the folder in JupyterLab), or with the in-notebook form
:func:`xlsx_form`, which writes the same kind of file with openpyxl. A hidden test cell calls::

    from grading.learner.checks import spreadsheet as bangtinh
    bangtinh.xlsx("c13", "so_theo_doi_da_xu_ly.xlsx",
                  {"sheet": "Thang10", "rows": [["HS-101", "Hộ tịch", "01/10/2026", …], …],
                   "sort": "D", "formulas": {"H2": ["SUM", "E2:E9", 46], …}, "chart": "bar"})

Criteria, one point each (the cell's points = the number of criteria given):

- ``sort``: the data rows (row 2 on) are exactly ``rows`` (nothing lost or changed) and run in
  ascending order of that column;
- ``formulas``: each cell holds a formula with that function over that range, and its value is
  the expected one (simple ``FUNC(range[; criterion])`` formulas are evaluated here, so a file
  written without cached values is judged the same as one saved by Excel);
- ``chart``: the sheet file holds a chart of that kind (``bar``: column or bar chart).

All met: "Đúng.". None met: the reasons on stderr (nbgrader scores 0). Otherwise the reasons on
stdout and the points met as the cell's value (nbgrader's partial credit). Messages name the
criterion and the learner's own cells, never an expected value.
"""
from __future__ import annotations

import re
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from grading.learner.checks import partial_credit, register
from grading.vntext import to_nfc

MAX_BYTES = 5_000_000
_DATE = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_SIMPLE = re.compile(r"^=\s*([A-Z]+)\s*\(\s*([A-Z]+\d+:[A-Z]+\d+)\s*(?:[,;]\s*(.+?))?\s*\)$", re.I)
_CELL = re.compile(r"^([A-Z]+)(\d+)$")
DATE_FORMAT = "DD/MM/YYYY"
CHART_TAGS = {kind: re.compile(rf"<(?:\w+:)?{kind}Chart\b") for kind in ("bar", "pie", "line")}


def norm(value: Any) -> Any:
    """Comparable form: (y, m, d) for dates, float for numbers, folded text otherwise."""
    if isinstance(value, (datetime, date)):
        return (value.year, value.month, value.day)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(value)
    text = " ".join(to_nfc(str(value)).split()).casefold()
    match = _DATE.match(text)
    if match:
        day, month, year = (int(x) for x in match.groups())
        return (year, month, day)
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return text


def formula_text(value: Any) -> str:
    """A formula as one comparable string: no spaces, no $, upper case, ',' for ';'."""
    text = str(value or "")
    return re.sub(r"\s|\$", "", text).upper().replace(";", ",") if text.startswith("=") else ""


def _cells(ws, area: str) -> list[Any]:
    return [c.value for row in ws[area] for c in row]


def evaluate(ws, formula: str) -> Any:
    """Value of a simple ``=FUNC(range[,criterion])`` formula over literal cells, else None."""
    match = _SIMPLE.match(str(formula or "").replace("$", "").strip())
    if not match:
        return None
    func, area, crit = match.group(1).upper(), match.group(2).upper(), match.group(3)
    values = _cells(ws, area)
    numbers = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if func == "SUM":
        return sum(numbers)
    if func == "AVERAGE":
        return sum(numbers) / len(numbers) if numbers else None
    if func == "COUNT":
        return float(len(numbers))
    if func in ("MIN", "MAX"):
        return (min if func == "MIN" else max)(numbers) if numbers else None
    if func == "COUNTIF" and crit:
        if crit.startswith('"') and crit.endswith('"'):
            wanted = norm(crit[1:-1])
        elif _CELL.match(crit.upper()):
            wanted = norm(ws[crit.upper()].value)
        else:
            wanted = norm(crit)
        return float(sum(norm(v) == wanted for v in values))
    return None


def _same(a: Any, b: Any) -> bool:
    a, b = norm(a), norm(b)
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) < 1e-6
    return a == b


def _openpyxl():
    """Import openpyxl without numpy: openpyxl only uses numpy for optional number types, and
    the grader's check supervisor (a sandboxed uid, see engine/sandbox.py) fails to import it."""
    if "openpyxl" not in sys.modules and "numpy" not in sys.modules:
        sys.modules["numpy"] = None  # type: ignore[assignment]  # makes `import numpy` fail
        try:
            import openpyxl  # noqa: F401
        finally:
            del sys.modules["numpy"]
    import openpyxl

    return openpyxl


def _sheet(path: Path, name: str | None, data_only: bool = False):
    load_workbook = _openpyxl().load_workbook

    wb = load_workbook(str(path), data_only=data_only)
    return wb[name] if name and name in wb.sheetnames else wb.worksheets[0]


def _sort_problem(ws, rows: list[list[Any]], column: str) -> str | None:
    width = len(rows[0])
    got = [[c.value for c in r[:width]] for r in ws.iter_rows(min_row=2, max_row=1 + len(rows))]
    key = lambda row: tuple(map(repr, map(norm, row)))  # noqa: E731
    if sorted(map(key, got)) != sorted(map(key, rows)):
        return ("Dữ liệu từ dòng 2 không còn đủ hoặc đã bị sửa so với tệp gốc "
                "(khi sắp xếp phải chọn cả bảng, không chỉ một cột).")
    col = ord(column.upper()) - ord("A")
    order = [norm(r[col]) for r in got]
    if any(type(a) is not type(b) or a > b for a, b in zip(order, order[1:])):
        return f"Các dòng chưa được sắp xếp tăng dần theo cột {column.upper()}."
    return None


def _formula_problems(ws, cached, formulas: dict[str, list]) -> list[str]:
    found = []
    for cell, (func, area, value) in formulas.items():
        text = formula_text(ws[cell].value)
        if not text:
            found.append(f"Ô {cell} chưa có công thức (công thức bắt đầu bằng dấu =).")
            continue
        if f"{func.upper()}(" not in text or area.upper() not in text:
            found.append(f"Ô {cell}: công thức {ws[cell].value} chưa dùng đúng hàm và vùng dữ "
                         "liệu mà đề bài yêu cầu.")
            continue
        got = evaluate(ws, ws[cell].value)
        if got is None:
            got = cached[cell].value
        if got is None or not _same(got, value):
            found.append(f"Ô {cell}: công thức {ws[cell].value} chưa cho kết quả đúng.")
    return found


def _chart_problem(path: Path, kind: str) -> str | None:
    with zipfile.ZipFile(path) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        if not charts:
            return "Bảng tính chưa có biểu đồ."
        tag = CHART_TAGS[kind]
        if not any(tag.search(archive.read(n).decode("utf-8", "replace")) for n in charts):
            return "Biểu đồ chưa đúng loại đề bài yêu cầu (biểu đồ cột)."
    return None


def problems(path: Path, spec: dict[str, Any]) -> tuple[int, int, list[str]]:
    """(criteria met, criteria given, reasons) for the workbook at ``path``."""
    given = sum(k in spec for k in ("sort", "formulas", "chart"))
    if not path.is_file():
        return 0, given, [f"Chưa có tệp {path.name} trong thư mục bài làm."]
    if path.stat().st_size > MAX_BYTES or not zipfile.is_zipfile(path):
        return 0, given, [f"Tệp {path.name} không phải tệp Excel (.xlsx) đọc được."]
    ws = _sheet(path, spec.get("sheet"))
    reasons = []
    if "sort" in spec:
        reasons.append(_sort_problem(ws, spec["rows"], spec["sort"]))
    if "formulas" in spec:
        found = _formula_problems(ws, _sheet(path, spec.get("sheet"), True), spec["formulas"])
        reasons.append(" ".join(found) or None)
    if "chart" in spec:
        reasons.append(_chart_problem(path, spec["chart"]))
    wrong = [r for r in reasons if r]
    return given - len(wrong), given, wrong


def xlsx(item_id: str, file: str, spec: dict[str, Any]) -> float | None:
    """Hidden-test check; see the module docstring. Never raises on a learner's file."""
    return partial_credit(problems, file, spec, what="bảng tính")


def solve(folder: Path, item_id: str, file: str, spec: dict[str, Any]) -> None:
    """Write the workbook meeting ``spec``: rows sorted, the formulas, a column chart."""
    rows = [[_as_cell(v) for v in row] for row in spec["rows"]]
    if "sort" in spec:
        col = ord(spec["sort"].upper()) - ord("A")
        rows.sort(key=lambda r: norm(r[col]))
    formulas = {cell: f"={func}({area})" for cell, (func, area, _v) in
                spec.get("formulas", {}).items() if func.upper() != "COUNTIF"}
    for cell, (func, area, _v) in spec.get("formulas", {}).items():
        if func.upper() == "COUNTIF":
            formulas[cell] = f'=COUNTIF({area},"{spec.get("countif", "")}")'
    write_workbook(Path(folder) / file, spec.get("header") or [], rows, formulas,
                   chart=spec.get("chart", ""), sheet=spec.get("sheet") or "Sheet1")


def _as_cell(value: Any) -> Any:
    n = norm(value)
    if isinstance(n, tuple):
        return datetime(*n)
    return value


def write_workbook(path: str | Path, header: list[str], rows: list[list[Any]],
                   formulas: dict[str, str], *, chart: str = "", sheet: str = "Sheet1",
                   labels: dict[str, str] | None = None) -> None:
    """Header in row 1, rows from row 2, formulas (with labels one column to the left), and a
    chart of the last column by the first (``bar`` or ``pie``)."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, PieChart, Reference

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if header:
        ws.append([to_nfc(h) for h in header])
    for row in rows:
        ws.append([to_nfc(v) if isinstance(v, str) else v for v in row])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.is_date:
                cell.number_format = DATE_FORMAT
    for cell, text in (labels or {}).items():
        col = chr(ord(cell[0]) - 1)
        ws[f"{col}{cell[1:]}"] = to_nfc(text)
    for cell, formula in formulas.items():
        ws[cell] = formula.strip()
    if chart and rows:
        plot = BarChart() if chart == "bar" else PieChart()
        width = len(rows[0])
        data = Reference(ws, min_col=width, min_row=1, max_row=1 + len(rows))
        cats = Reference(ws, min_col=1, min_row=2, max_row=1 + len(rows))
        plot.add_data(data, titles_from_data=True)
        plot.set_categories(cats)
        plot.title = to_nfc(header[-1]) if header else None
        ws.add_chart(plot, "H8")
    wb.save(str(path))


register("xlsx", xlsx, solve)
