"""Graded checks used in hidden test cells, each with a way to build its correct solution.

A hidden test cell calls one check with literal arguments, e.g. ``cv.score("c1", "B")`` or
``chk.folders("c4", {...})``. Grading runs the call in the learner's submission folder: it
prints "Đúng." for full marks, or writes what is wrong to stderr (nbgrader scores 0) and never
reveals the expected answer. ``solve`` builds the correct artefact in a folder: the content
tests and the demo use it to prove that every solution scores full marks.

Check modules register themselves here; ``assessment.solution_calls`` finds the calls.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable


@dataclass(frozen=True)
class Check:
    name: str
    check: Callable[..., None]
    solve: Callable[..., None]  # solve(folder, *args, **kwargs)


REGISTRY: dict[str, Check] = {}


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

    from .. import answers

    # item checks: cv.score, cv.score_number, cv.score_text (grading/answers.py)
    for name, (check, solve_fn) in answers.CHECKS.items():
        REGISTRY.setdefault(name, Check(name, check, solve_fn))
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


def names() -> set[str]:
    _load_all()
    return set(REGISTRY)
