"""Differences between the stored roster and a newly imported one: joiners, changes, leavers.

Leavers are never deleted: their row stays with ``left_on`` set, and nbgrader keeps their
submissions and grades; reports leave them out of the counts and list them apart.
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from grading import columns as C

TRACKED = (C.NAME, C.WARD_CODE, C.WARD_NAME, C.POSITION)
SHOWN = 20  # names listed per kind of change in the printed summary


@dataclass
class ImportResult:
    joined: list[str] = field(default_factory=list)
    changed: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    left: list[str] = field(default_factory=list)
    rejoined: list[str] = field(default_factory=list)
    unchanged: int = 0
    total: int = 0      # active learners after the import
    names: dict[str, str] = field(default_factory=dict)
    id_forms: list[tuple[str, str]] = field(default_factory=list)  # (form in file, stored id)
    notes: list = field(default_factory=list)  # Problems to show: sheets skipped, positions

    @property
    def added(self) -> int:
        return len(self.joined)

    @property
    def updated(self) -> int:
        """People of the file already on the roster (changed or not)."""
        return len(self.changed) + self.unchanged + len(self.rejoined)

    @property
    def renamed(self) -> list[str]:
        return [k for k, v in self.changed.items() if any(c == C.NAME for c, _, _ in v)]

    def render(self, lang: str = "vi") -> str:
        vi = lang != "en"
        lines = [(f"Đã nhập: {len(self.joined)} mới, {len(self.changed)} thay đổi, "
                  f"{self.unchanged} giữ nguyên, {len(self.left)} rời danh sách, "
                  f"{len(self.rejoined)} trở lại; đang có {self.total} cán bộ.") if vi else
                 (f"Imported: {len(self.joined)} new, {len(self.changed)} changed, "
                  f"{self.unchanged} unchanged, {len(self.left)} left, {len(self.rejoined)} "
                  f"back; {self.total} active learners.")]

        def who(ids):
            return [f"  {i} {self.names.get(i, '')}".rstrip() for i in ids[:SHOWN]] + (
                [f"  … (+{len(ids) - SHOWN})"] if len(ids) > SHOWN else [])

        if self.joined:
            lines += ["Mới vào danh sách:" if vi else "New:", *who(self.joined)]
        if self.changed:
            lines.append("Thay đổi:" if vi else "Changed:")
            for learner in list(self.changed)[:SHOWN]:
                parts = [f"{C.header(col, lang)}: {old} → {new}"
                         for col, old, new in self.changed[learner] if col != C.WARD_NAME or
                         not any(c == C.WARD_CODE for c, _, _ in self.changed[learner])]
                lines.append(f"  {learner} {self.names.get(learner, '')}: " + "; ".join(parts))
        if self.left:
            lines += ["Rời danh sách (giữ kết quả, không tính vào báo cáo):" if vi else
                      "Left (results kept, not counted in reports):", *who(self.left)]
        if self.rejoined:
            lines += ["Trở lại danh sách:" if vi else "Back on the roster:", *who(self.rejoined)]
        if self.id_forms:
            lines.append("Mã cán bộ đổi dạng (giữ mã cũ, cùng một người):" if vi else
                         "Learner ids written differently (stored id kept, same person):")
            lines += [f"  {new} → {old}" for new, old in self.id_forms[:SHOWN]]
            if len(self.id_forms) > SHOWN:
                lines.append(f"  … (+{len(self.id_forms) - SHOWN})")
        if self.notes:
            lines += ["Ghi chú:" if vi else "Notes:",
                      *(f"  {n.render('vi' if vi else 'en')}" for n in self.notes)]
        return "\n".join(lines)


def diff(old: pd.DataFrame, new: pd.DataFrame, *, today: str,
         add_only: bool = False) -> tuple[pd.DataFrame, ImportResult]:
    """(merged roster to store, what changed). ``today``: ISO date of the import."""
    res = ImportResult(names=dict(zip(new[C.LEARNER], new[C.NAME])))
    before = old.set_index(C.LEARNER)
    rows = []
    for rec in new.to_dict("records"):
        learner = rec[C.LEARNER]
        if learner not in before.index:
            res.joined.append(learner)
            rows.append({**rec, C.JOINED: today, C.LEFT: ""})
            continue
        prev = before.loc[learner]
        changes = [(col, str(prev[col]), str(rec[col])) for col in TRACKED
                   if str(prev[col]) != str(rec[col])]
        if prev[C.LEFT]:
            res.rejoined.append(learner)
        elif changes:
            res.changed[learner] = changes
        else:
            res.unchanged += 1
        rows.append({**rec, C.JOINED: prev[C.JOINED] or today, C.LEFT: ""})
    kept = old[~old[C.LEARNER].isin(new[C.LEARNER])].copy()
    if not add_only:
        leaving = kept[C.LEFT] == ""
        res.left = list(kept.loc[leaving, C.LEARNER])
        res.names.update(dict(zip(kept[C.LEARNER], kept[C.NAME])))
        kept.loc[leaving, C.LEFT] = today
    merged = pd.concat([kept, pd.DataFrame(rows, columns=list(old.columns))],
                       ignore_index=True)
    res.total = int((merged[C.LEFT] == "").sum())
    return merged, res


HISTORY_HEADER = ["date", C.LEARNER, "change", "column", "old", "new"]


def change_rows(res: ImportResult, today: str) -> list[tuple[str, ...]]:
    """The roster-history rows of one import (HISTORY_HEADER's columns)."""
    rows = [(today, i, "added", "", "", "") for i in res.joined]
    rows += [(today, i, "changed", col, old, new) for i, ch in res.changed.items()
             for col, old, new in ch]
    rows += [(today, i, "left", "", "", "") for i in res.left]
    rows += [(today, i, "rejoined", "", "", "") for i in res.rejoined]
    rows += [(today, old, "id_form", C.LEARNER, new, old) for new, old in res.id_forms]
    return rows


def log_changes(path: Path, res: ImportResult, today: str) -> None:
    """Append the differences to the roster history (owner-only CSV)."""
    rows = change_rows(res, today)
    if not rows:
        return
    new = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        if new:
            writer.writerow(HISTORY_HEADER)
        writer.writerows(rows)
