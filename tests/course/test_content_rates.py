"""IU04 (spreadsheet) and IU05 (slides) compute the on-time and late rates one way: over the
files already resolved; a file not yet resolved is left out of both rates and, once past its
deadline, counted apart as "quá hạn". Both lessons state the same definition, and every key
that depends on it (the status and summary tables of IU04, the rate items and the slide deck
of IU05) is recomputed here from the item's own data. Static reads (no kernel): fast."""
import ast
import re
from datetime import date

import nbformat
from conftest import REPO

from grading.course import assessment
from grading.course import manifest as mf
from grading.learner.checks.table import LETTERS, same_cell

MODULES = {m.id: m for m in mf.load(REPO / "course.yml").modules}
DEFINITION = "> **Cách tính tỷ lệ (dùng chung cho các bài IU04 và IU05):**"
NOT_RETURNED = "(chưa trả)"


def _lesson(module_id: str) -> nbformat.NotebookNode:
    return nbformat.read(str(REPO / MODULES[module_id].lessons[0]), as_version=4)


def _assessment(module_id: str) -> str:
    return str(assessment.source_notebooks(REPO / MODULES[module_id].assessment)[0])


def definition(nb) -> str:
    """The blockquote that defines the rates, as written in a lesson."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and DEFINITION in cell.source:
            start = cell.source.index(DEFINITION)
            lines = cell.source[start:].splitlines()
            return "\n".join(line for line in lines[:next(
                (i for i, line in enumerate(lines) if not line.startswith(">")), len(lines))])
    return ""


def grids(nb) -> dict[str, dict]:
    """item id -> {question, columns, rows, key (lessons only)} of every bang.grid call."""
    found = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "grid":
                args = [ast.literal_eval(a) for a in node.args]
                kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
                found[args[0]] = {"question": args[1], "columns": args[2], "rows": args[3],
                                  "key": kwargs.get("key")}
    return found


def _day(text: str) -> date:
    d, m, y = re.search(r"(\d{1,2})/(\d{1,2})/(\d{4})", text).groups()
    return date(int(y), int(m), int(d))


def status(deadline: date, returned: date | None, report: date) -> str:
    if returned is not None:
        return "Trễ hạn" if returned > deadline else "Đúng hạn"
    return "Quá hạn" if report > deadline else "Chưa đến hạn"


def late_rate(late: int, resolved: int) -> float:
    return round(late / resolved * 100, 1)


def expected_status(grid: dict) -> dict[str, str]:
    cols, report = grid["columns"], _day(grid["question"])
    due, back, out = cols.index("Hạn trả"), cols.index("Ngày trả"), LETTERS[len(cols) - 1]
    return {f"{out}{r + 2}": status(_day(row[due]), None if row[back] == NOT_RETURNED
                                    else _day(row[back]), report)
            for r, row in enumerate(grid["rows"])}


def expected_summary(status_grid: dict, summary_grid: dict) -> dict[str, str]:
    """Per field: resolved, late among them, overdue not resolved; totals; the late rate."""
    field = status_grid["columns"].index("Lĩnh vực")
    states = list(expected_status(status_grid).values())
    counts: dict[str, list[int]] = {}
    for row, state in zip(status_grid["rows"], states, strict=True):
        c = counts.setdefault(row[field], [0, 0, 0])
        c[0] += state in ("Đúng hạn", "Trễ hạn")
        c[1] += state == "Trễ hạn"
        c[2] += state == "Quá hạn"
    totals = [sum(c[i] for c in counts.values()) for i in range(3)]
    cells = {}
    for r, row in enumerate(summary_grid["rows"]):
        label = row[0]
        values = (totals if label == "Tổng cộng" else
                  [late_rate(totals[1], totals[0])] if label.startswith("Tỷ lệ trễ hạn") else
                  counts.get(label, [0, 0, 0]))
        cells |= {f"{LETTERS[c + 1]}{r + 2}": str(v) for c, v in enumerate(values)}
    return cells


def assert_same_cells(key: dict, expected: dict):
    assert set(key) == set(expected)
    assert [a for a in key if not same_cell(key[a], expected[a])] == []


def test_status_and_rate_helpers():
    report = date(2026, 10, 30)
    assert status(date(2026, 10, 2), date(2026, 10, 2), report) == "Đúng hạn"
    assert status(date(2026, 10, 2), date(2026, 10, 5), report) == "Trễ hạn"
    assert status(date(2026, 10, 28), None, report) == "Quá hạn"
    assert status(date(2026, 11, 3), None, report) == "Chưa đến hạn"
    assert late_rate(2, 6) == 33.3


def test_both_lessons_state_the_same_definition():
    iu04, iu05 = definition(_lesson("cntt_iu04")), definition(_lesson("cntt_iu05"))
    assert iu04 and iu04 == iu05
    assert "÷ số hồ sơ đã giải quyết × 100" in iu04


def test_iu04_status_and_summary_keys_follow_the_definition():
    lesson = grids(_lesson("cntt_iu04"))
    assert_same_cells(lesson["lt4"]["key"], expected_status(lesson["lt4"]))
    assert_same_cells(lesson["lt6"]["key"], expected_summary(lesson["lt4"], lesson["lt6"]))
    nb = _assessment("cntt_iu04")
    graded, keys = grids(nbformat.read(nb, as_version=4)), {
        args[0]: args[1] for name, args, _ in assessment.solution_calls(nb) if name == "table"}
    assert_same_cells(keys["c10"], expected_status(graded["c10"]))
    assert_same_cells(keys["c11"], expected_summary(graded["c10"], graded["c11"]))


RESOLVED_LATE = re.compile(r"giải quyết xong (\d+) hồ sơ, trong đó (\d+) hồ sơ trễ hạn")


def _on_time_rate_key(notebook, item_id: str, key: str | None = None):
    item = next(i for i in assessment.items(notebook) if i["id"] == item_id)
    resolved, late = map(int, RESOLVED_LATE.search(item["question"]).groups())
    letter = key or item["key"]
    return item["options"][LETTERS.index(letter)], 100 - late_rate(late, resolved)


def test_iu05_rate_items_and_slide_key_follow_the_definition():
    lesson = REPO / MODULES["cntt_iu05"].lessons[0]
    assert same_cell(*_on_time_rate_key(lesson, "lt2"))
    nb = _assessment("cntt_iu05")
    assert same_cell(*_on_time_rate_key(nb, "c6", assessment.answer_key(nb)["c6"]))
    # the slide deck must show the on-time rate of the c11 data, rounded to one decimal
    table = next(c.source for c in nbformat.read(nb, as_version=4).cells
                 if c.metadata.get("nbgrader", {}).get("grade_id") == "c11_tinh_huong")
    resolved = int(re.search(r"\| Đã giải quyết \| (\d+) \|", table).group(1))
    on_time = int(re.search(r"\| – trong đó đúng hạn \| (\d+) \|", table).group(1))
    deck = next(args[2] for name, args, _ in assessment.solution_calls(nb) if name == "pptx")
    rate = f"{round(on_time / resolved * 100, 1):.1f}".replace(".", ",")
    assert deck["contains"][0] == rate
