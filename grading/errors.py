"""One error root for the kit. Errors carry where the problem is and render in Vietnamese."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Where:
    """Where a problem is: any subset of file, row, column, notebook, cell, learner."""

    file: str | None = None
    row: int | None = None
    column: str | None = None
    notebook: str | None = None
    cell: str | None = None
    learner: str | None = None

    _VI = (("file", "{}"), ("row", "dòng {}"), ("column", "cột {}"), ("notebook", "notebook {}"),
           ("cell", "ô {}"), ("learner", "cán bộ {}"))
    _EN = (("file", "{}"), ("row", "row {}"), ("column", "column {}"), ("notebook", "notebook {}"),
           ("cell", "cell {}"), ("learner", "learner {}"))

    def render(self, lang: str = "vi") -> str:
        parts = self._VI if lang == "vi" else self._EN
        return ", ".join(fmt.format(getattr(self, name)) for name, fmt in parts
                         if getattr(self, name) is not None)


@dataclass
class Problem:
    """One problem: what is wrong and how to fix it, in Vietnamese (English optional)."""

    where: Where
    message_vi: str
    fix_vi: str = ""
    message_en: str = ""
    fix_en: str = ""

    def render(self, lang: str = "vi") -> str:
        msg, fix = ((self.message_vi, self.fix_vi) if lang == "vi" or not self.message_en
                    else (self.message_en, self.fix_en))
        place = self.where.render(lang)
        text = f"{place}: {msg}" if place else msg
        return f"{text} — {fix}" if fix else text


class KitError(Exception):
    """Root of every error the kit raises on purpose. Holds one or more problems."""

    def __init__(self, problems: Problem | list[Problem], title_vi: str = "", title_en: str = "",
                 *, detail: str = ""):
        self.problems = problems if isinstance(problems, list) else [problems]
        self.title_vi = title_vi
        self.title_en = title_en
        self.detail = detail  # e.g. a tool's log, shown after the problems
        super().__init__(self.render("vi"))

    def render(self, lang: str = "vi") -> str:
        title = self.title_en if lang == "en" and self.title_en else self.title_vi
        lines = [title] if title else []
        lines += [("- " if title else "") + p.render(lang) for p in self.problems]
        if self.detail:
            lines.append(self.detail.rstrip())
        return "\n".join(lines)


class ManifestError(KitError):
    """The course manifest is missing, malformed or inconsistent."""


class RosterError(KitError):
    """A roster file was rejected; nothing was imported."""


class WorkspaceError(KitError):
    """The workspace is missing or not a kit workspace."""


class GradingError(KitError):
    """Grading could not start (per-submission failures are statuses, not errors)."""


def problem(message_vi: str, fix_vi: str = "", *, message_en: str = "", fix_en: str = "",
            **where) -> Problem:
    """Shorthand: problem("thiếu mã", "điền mã", file=..., row=...)."""
    return Problem(Where(**where), message_vi, fix_vi, message_en, fix_en)
