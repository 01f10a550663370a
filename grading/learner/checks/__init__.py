"""Graded checks used in hidden test cells, each with a way to build its correct solution.

A hidden test cell calls one check with literal arguments, e.g. ``cv.score("c1", "B")`` or
``chk.folders("c4", {...})``. Grading runs the call in the learner's submission folder: it
prints "Đúng." for full marks, or writes what is wrong to stderr (nbgrader scores 0) and never
reveals the expected answer. ``solve`` builds the correct artefact in a folder: the content
tests and the demo use it to prove that every solution scores full marks.

Check modules register themselves here; ``assessment.solution_calls`` finds the calls.
"""
from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Check:
    name: str
    check: Callable[..., None]
    solve: Callable[..., None]  # solve(folder, *args, **kwargs)


REGISTRY: dict[str, Check] = {}
Call = tuple[str, list, dict]


def register(name: str, check: Callable[..., None], solve: Callable[..., None]) -> None:
    REGISTRY[name] = Check(name, check, solve)


def solve(name: str, folder: Path, *args: Any, **kwargs: Any) -> None:
    """Write the correct answer of one check call into ``folder``."""
    _load_all()
    REGISTRY[name].solve(Path(folder), *args, **kwargs)


def _load_all() -> None:
    """Import every check module so that it registers (cheap; done on first use)."""
    import importlib
    import pkgutil

    from grading.learner import answers

    # item checks: cv.score, cv.score_number, cv.score_text (grading/answers.py)
    for name, (check, solve_fn) in answers.CHECKS.items():
        REGISTRY.setdefault(name, Check(name, check, solve_fn))
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


def names() -> set[str]:
    _load_all()
    return set(REGISTRY)


def parse_calls(source: str, known: set[str]) -> list[Call] | None:
    """The check calls of a hidden test cell, or None if the cell holds anything else.

    Only a cell made of ``name(literal, …)`` / ``module.name(literal, …)`` calls to known checks
    counts: the grader runs such cells outside the learner's kernel, and the content tests read
    the answer key from them.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    calls = []
    for node in tree.body:
        if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
            return None
        func = node.value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name not in known or (isinstance(func, ast.Attribute)
                                 and not isinstance(func.value, ast.Name)):
            return None
        try:
            args = [ast.literal_eval(a) for a in node.value.args]
            kwargs = {k.arg: ast.literal_eval(k.value) for k in node.value.keywords}
        except (ValueError, TypeError, SyntaxError):
            return None
        if any(k is None for k in kwargs):
            return None
        calls.append((name, args, kwargs))
    return calls or None


def partial_credit(problems: Callable, file: str, spec: dict, *, what: str,
                   file_kind: str | None = None) -> float | None:
    """Run a per-criterion check on the learner's ``file`` and print its verdict as nbgrader
    scores it: "Đúng." for full marks; else the unmet criteria (on stderr when none is met, so
    the cell scores 0) and the number met as the cell's value (partial credit).

    ``problems(path, spec) -> (met, given, reasons)``; ``what`` names the file in messages
    ("bảng tính", "bài trình chiếu"), ``file_kind`` the file when unreadable (default: what).
    Never raises on a learner's file: a traceback would print
    the spec."""
    import sys

    from grading.vntext import to_nfc

    try:
        met, given, reasons = problems(Path.cwd() / to_nfc(file), dict(spec))
    except Exception as exc:  # noqa: BLE001
        met, given, reasons = 0, 1, [f"Không đọc được tệp {file_kind or what} ({type(exc).__name__})."]
    if not reasons:
        print("Đúng.")
        return None
    stream = sys.stderr if met == 0 else sys.stdout
    print(f"{what[0].upper()}{what[1:]} đạt {met}/{given} yêu cầu:", file=stream)
    for line in reasons:
        print(f"- {line}", file=stream)
    return float(met) if met else None
