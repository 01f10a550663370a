"""Read assessment source notebooks: answer keys (from hidden tests) and graded items.

The key lives only in the hidden test cells (``cv.score("c1", "B")``), which nbgrader strips
from the release and restores at autograde; this module reads it back for the demo and the
content tests (the solution version must score full marks).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat

from grading.errors import KitError, problem


def solution_calls(notebook: str | Path) -> list[tuple[str, list, dict]]:
    """Every graded check call in the hidden tests of a source notebook, in order."""
    from grading.learner import checks

    known = checks.names()
    nb = nbformat.read(str(notebook), as_version=4)
    found = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade"):
            continue
        calls = checks.parse_calls(cell.source, known)
        if calls is None and re.search(rf"\b({'|'.join(map(re.escape, known))})\(", cell.source):
            raise KitError(problem("không đọc được đáp án: ô kiểm thử phải chỉ gồm lệnh gọi hàm "
                                   "chấm với giá trị cố định",
                                   "ví dụ cv.score(\"c1\", \"B\"), mỗi lệnh một dòng",
                                   notebook=str(notebook), cell=meta.get("grade_id")))
        found += calls or []
    return found


def answer_key(notebook: str | Path) -> dict[str, Any]:
    """Map item id -> correct answer for the clickable items (``score`` and ``score_pool``)."""
    keys = {}
    for name, args, _ in solution_calls(notebook):
        if name == "score":
            keys[args[0]] = args[1]
        elif name == "score_pool" and len(args) > 3 and isinstance(args[3], dict):
            keys.update(args[3])
    return keys


def pools(notebook: str | Path) -> dict[str, tuple[list[str], int]]:
    """Map pool name -> (its item ids, how many each learner draws), from the hidden tests'
    ``score_pool(pool, slot, k, {item: key, ...})`` calls: what grading draws from."""
    found: dict[str, tuple[list[str], int]] = {}
    for name, args, _ in solution_calls(notebook):
        if name == "score_pool" and len(args) > 3 and isinstance(args[3], dict):
            found[str(args[0])] = (list(args[3]), int(args[2]))
    return found


def write_solution(notebook: str | Path, folder: str | Path) -> None:
    """Build the full-marks submission of every check of ``notebook`` in ``folder``."""
    from grading.learner import checks

    for name, args, kwargs in solution_calls(notebook):
        checks.solve(name, Path(folder), *args, **kwargs)


def free_text_items(notebook: str | Path) -> dict[str, float]:
    """Map manually graded task cell id -> points."""
    nb = nbformat.read(str(notebook), as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"].get("points", 0))
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("task")}


def source_notebooks(folder: str | Path) -> list[Path]:
    return sorted(p for p in Path(folder).glob("*.ipynb") if not p.name.startswith("."))


_ITEM_KINDS = ("single_choice", "multiple_choice", "true_false", "numeric", "short_text",
               "free_text")


def items(notebook: str | Path) -> list[dict[str, Any]]:
    """Every item widget call of a notebook (lesson or assessment), in order: id, kind,
    question, options (source order) and, for practice items, the key. Literal arguments
    only; a call it cannot read is skipped (the content tests run every notebook anyway)."""
    import ast

    nb = nbformat.read(str(notebook), as_version=4)
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            name = getattr(getattr(node, "func", None), "attr", None) or \
                getattr(getattr(node, "func", None), "id", None)
            if not isinstance(node, ast.Call) or name not in _ITEM_KINDS:
                continue
            try:
                args = [ast.literal_eval(a) for a in node.args]
                kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}
            except ValueError:
                continue
            if len(args) < 2:
                continue
            found.append({"id": args[0], "kind": name, "question": args[1],
                          "options": args[2] if len(args) > 2 else kwargs.get("options", []),
                          "key": kwargs.get("key")})
    return found
