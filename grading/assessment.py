"""Read assessment source notebooks: answer keys (from hidden tests) and graded items.

The key lives only in the hidden test cells (``cv.score("c1", "B")``), which nbgrader strips
from the release and restores at autograde; this module reads it back for the demo and the
content tests (the solution version must score full marks).
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import nbformat

from .errors import KitError, problem

HIDDEN = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


def _score_calls(source: str):
    """Yield (item_id, key) for each ``<anything>.score("id", literal)`` call in the source."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", ""))
                == "score" and len(node.args) == 2):
            yield ast.literal_eval(node.args[0]), ast.literal_eval(node.args[1])


def answer_key(notebook: str | Path) -> dict[str, Any]:
    """Map item id -> correct answer, read from the hidden tests of a source notebook."""
    nb = nbformat.read(str(notebook), as_version=4)
    key: dict[str, Any] = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade"):
            continue
        try:
            calls = list(_score_calls(cell.source))
        except (SyntaxError, ValueError) as exc:
            raise KitError(problem(f"không đọc được đáp án ({exc})",
                                   "đáp án phải là giá trị cố định, ví dụ cv.score(\"c1\", \"B\")",
                                   notebook=str(notebook), cell=meta.get("grade_id")))
        key.update(calls)
    return key


def free_text_items(notebook: str | Path) -> dict[str, float]:
    """Map manually graded task cell id -> points."""
    nb = nbformat.read(str(notebook), as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"].get("points", 0))
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("task")}


def source_notebooks(folder: str | Path) -> list[Path]:
    return sorted(p for p in Path(folder).glob("*.ipynb") if not p.name.startswith("."))
