"""Positions as data: every position of a roster mapped onto the official positions that
``course.yml`` declares (``positions:``, with aliases), or the file refused.

"Chủ tịch UBND xã", "chủ tịch Ủy ban nhân dân phường" and "CT UBND" are the declared
"Chủ tịch UBND"; a position that matches nothing is listed with its closest candidates and
never guessed, because a wrong position silently changes which modules are required.
"""
from __future__ import annotations

import difflib
from collections import Counter

from grading.course.manifest import Position, position_key
from grading.errors import problem

CANDIDATES = 3


class Positions:
    """Lookup from any accepted spelling to the declared position name."""

    def __init__(self, positions: tuple[Position, ...] | list[Position]):
        self.names = [p.name for p in positions]
        self.by_key = {position_key(text): p.name for p in positions
                       for text in (p.name, *p.aliases)}

    def __bool__(self) -> bool:
        return bool(self.names)

    def get(self, text: str) -> str | None:
        return self.by_key.get(position_key(text))

    def candidates(self, text: str) -> list[str]:
        keys = difflib.get_close_matches(position_key(text), list(self.by_key), n=8, cutoff=0.5)
        return list(dict.fromkeys(self.by_key[k] for k in keys))[:CANDIDATES]


def map_positions(rows: list[dict], column: str, table: Positions, source: str
                  ) -> tuple[list, list[tuple[str, str, int]]]:
    """Replace each row's position by the declared name (in place). Returns (problems: one per
    unknown position with its rows and candidates, [(file text, declared name, rows)] of the
    positions written differently from their declared name)."""
    if not table:
        return [], []
    unknown: dict[str, list] = {}
    renamed: Counter = Counter()
    for row in rows:
        text = row[column]
        name = table.get(text)
        if name is None:
            unknown.setdefault(text, []).append(row)
            continue
        if name != text:
            renamed[(text, name)] += 1
            row[column] = name
    problems = []
    for text, where in unknown.items():
        near = table.candidates(text)
        lines = ", ".join(str(r.get("_row", "?")) for r in where[:10]) + (
            f"… (+{len(where) - 10})" if len(where) > 10 else "")
        hint = ("gần nhất: " + "; ".join(f"'{n}'" for n in near)) if near else \
            "các chức vụ: " + "; ".join(table.names)
        problems.append(problem(
            f"chức vụ '{text}' không có trong danh mục chức vụ của course.yml (dòng {lines})",
            f"sửa chức vụ cho đúng tên chính thức ({hint}), hoặc thêm tên gọi này vào "
            "'aliases' của chức vụ đúng trong course.yml", file=where[0].get("_where") or source,
            column="chuc_vu", message_en=f"position '{text}' is not declared in course.yml "
            f"(rows {lines})", fix_en="use the official name ("
            + "; ".join(near or table.names) + ") or add this spelling to its aliases"))
    return problems, [(a, b, n) for (a, b), n in renamed.items()]
